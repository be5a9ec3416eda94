"""Text as users type it, kept free of the control characters nobody means to type.

Word's Shift+Enter pastes a vertical tab, its page break a form feed, and text copied out of
PDFs and older systems brings other C0 control characters. None of them may stand in an
.xlsx file (XML 1.0 forbids them: openpyxl refuses the whole workbook) and PostgreSQL refuses
NUL. A line break is kept as one line feed: browsers send a textarea's as CR LF, and a
workbook cannot carry a carriage return (XML reads it back as a line feed), so text with one
would not import back as it was exported.

`clean_text` is the one rule, applied where text comes in (posted forms, the model fields
below — so services, the admin site and `QuerySet.update` alike — and the workbook's cells)
and again where it goes out to a workbook (`ranking.cells`), for text stored before the rule.
"""

import re

from django.db import models

# Everything `clean_text` changes: C0 control characters except tab and line feed.
UNCLEAN = re.compile(r"[\x00-\x08\x0b-\x1f]")
# A line break however written: CR LF (browsers), CR, and Word's line and page breaks
# (vertical tab, form feed).
LINE_BREAK = re.compile(r"\r\n|[\r\x0b\x0c]")
# The rest of C0 but tab and line feed: dropped.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0e-\x1f]")


def clean_text(text: str) -> str:
    """`text` with every line break a line feed and no other control character but tab."""
    if UNCLEAN.search(text) is None:
        return text
    return CONTROL_CHARACTERS.sub("", LINE_BREAK.sub("\n", text))


class CleanTextMixin:
    """A text field whose values are cleaned (`clean_text`) on the way to the database."""

    # The column and the migrations are the plain field's: the cleaning is Python's.
    migration_path = ""

    def to_python(self, value):
        value = super().to_python(value)
        return clean_text(value) if isinstance(value, str) else value

    def pre_save(self, model_instance, add):
        # The instance keeps the value as stored, not the one before cleaning.
        value = self.to_python(super().pre_save(model_instance, add))
        setattr(model_instance, self.attname, value)
        return value

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, self.migration_path, args, kwargs


class CleanCharField(CleanTextMixin, models.CharField):
    migration_path = "django.db.models.CharField"


class CleanTextField(CleanTextMixin, models.TextField):
    migration_path = "django.db.models.TextField"
