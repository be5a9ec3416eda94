"""Numbers as people type them and read them: 7,5 or 7.5 in, 1.234,5 out.

One parser for every form, htmx save and workbook cell, with the bounds no score can pass.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.formats import get_format, number_format
from django.utils.translation import gettext as _

# Big enough for any score, small enough for the database columns (10 digits, 4 decimals).
MAX_ABS_SCORE = Decimal("100000")


def plain(value: Decimal) -> str:
    """A Decimal as plain digits without trailing zeros: 10, 2.5, -0.25."""
    return format(value.normalize(), "f")


def points(value: Decimal | None) -> str:
    """A score without trailing zeros, with the language's decimal mark: 7,5 / 10 / −0,25."""
    if value is None:
        return ""
    return plain(Decimal(value)).replace(".", get_format("DECIMAL_SEPARATOR")).replace("-", "−")


def typed(value: Decimal | None) -> str:
    """A score as an input's value: like `points` but with a plain minus the user can edit."""
    return points(value).replace("−", "-")


def shown(value: Decimal) -> str:
    """A number as the user reads it in messages (decimal comma in Vietnamese)."""
    return number_format(Decimal(plain(value)), use_l10n=True, force_grouping=True)


def too_large(number: Decimal, typed) -> str | None:
    """Why `number` (typed as `typed`) is refused as too large for any score or count, or None.

    The database columns hold 10 digits; a number past them would fail the save (PostgreSQL)
    or any arithmetic with 4 decimals (past 24 digits), never give a usable value.
    """
    if abs(number) < MAX_ABS_SCORE:
        return None
    readable = shown(number) if number.adjusted() < 16 else excerpt(typed)
    return _("%(value)s is too large.") % {"value": readable}


def excerpt(value) -> str:
    """A cell's content as a message quotes it: long text is cut."""
    text = " ".join(str(value).split())
    return text if len(text) <= 30 else text[:29] + "…"


def parse_decimal(value) -> Decimal | None:
    """A number from a cell: a number, or text with a decimal comma or point (7,5 / 7.5)."""
    if isinstance(value, bool | datetime.date | datetime.time):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # repr gives the shortest text that round-trips: 7.1 stays 7.1, not 7.0999…
        number = Decimal(repr(value))
    else:
        text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace("−", "-")
        if "," in text:
            # "1.234,5": the point groups thousands and the comma is the decimal mark.
            text = text.replace(".", "").replace(",", ".")
        try:
            number = Decimal(text)
        except (InvalidOperation, ValueError):
            return None
    if not number.is_finite() or (number and number.adjusted() < -20):
        # Nothing scored or counted is that small: 1e-999999999 is a typing accident, not 0.
        return None
    try:
        # Unary plus applies the arithmetic context: an exponent beyond its range (1e1000000)
        # overflows here rather than in a later comparison.
        return +number
    except ArithmeticError:
        return None


INDEX_SHOWN = Decimal("0.01")


def index_shown(value: Decimal | None) -> Decimal | None:
    """The index as it is published and signed: 2 decimals, half up. The tier and the rank were
    decided on the exact value; this is only what is written."""
    if value is None:
        return None
    return Decimal(value).quantize(INDEX_SHOWN, rounding=ROUND_HALF_UP)


def vietnamese_date(date: datetime.date) -> str:
    """The date as an administrative document writes it, "ngày 05 tháng 02 năm 2026": a day
    below 10 and the months 1 and 2 take a leading zero (Decree 30/2020/NĐ-CP)."""
    month = f"{date.month:02d}" if date.month < 3 else str(date.month)
    return f"ngày {date.day:02d} tháng {month} năm {date.year}"
