"""What a write answers when it refuses, and how it records why it changed something.

`ServiceError` carries messages already in the user's language; `ScoreConflict` is the refusal
of a save that would overwrite someone else's newer score; `recorded` writes a history reason
in the site's language.
"""

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext as _


class ServiceError(Exception):
    """A refusal the user can act on; its message is already in the user's language."""

    def __init__(self, *messages: str):
        super().__init__("\n".join(str(m) for m in messages))
        self.messages = [str(m) for m in messages]


class ScoreConflict(ServiceError):
    """Someone saved the same score since this page was loaded: nothing was overwritten."""

    def __init__(self, score):
        self.score = score
        super().__init__(
            _(
                "Someone else saved this score since you opened the page; your change was not saved. "
                "The newer value is shown: check it and save again."
            )
        )


def recorded(message: str, params: dict | None = None) -> str:
    """A history reason, written in the site's language whoever made the change.

    `message` is an English msgid marked with gettext_noop at the call, so makemessages
    finds it; the audit trail then reads the same for everyone.
    """
    with translation.override(settings.LANGUAGE_CODE):
        text = gettext(message)
        if not params:
            return text
        # Lazy labels (a phase's name) are rendered here, in the site's language too.
        return text % {key: str(v) if isinstance(v, Promise) else v for key, v in params.items()}
