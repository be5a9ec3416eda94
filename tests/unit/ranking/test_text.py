"""`clean_text` (ranking/text.py) and `cell_put` (ranking/cells.py): the one rule for stored text
and the one way a value goes into a workbook cell."""

import datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook

from ranking.cells import cell_put
from ranking.text import clean_text


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("Sở Nội vụ", "Sở Nội vụ"),
        ("dòng một\x0bdòng hai", "dòng một\ndòng hai"),  # Word's Shift+Enter
        ("trang một\x0ctrang hai", "trang một\ntrang hai"),  # Word's page break
        ("a\r\nb\rc\nd", "a\nb\nc\nd"),  # a textarea's CR LF, an old Mac's CR
        ("a\tb", "a\tb"),
        ("\x00a\x01\x02\x03\x04\x05\x06\x07\x08b\x0e\x0f\x10\x1a\x1b\x1c\x1d\x1e\x1fc", "abc"),
        ("a\x7fb\u00a0c\u200bd", "a\x7fb\u00a0c\u200bd"),  # not C0: kept
        ('=HYPERLINK("http://x")', '=HYPERLINK("http://x")'),
        ("", ""),
    ],
)
def test_clean_text(text, clean):
    assert clean_text(text) == clean
    assert clean_text(clean) == clean


@pytest.mark.parametrize(
    ("value", "stored", "data_type"),
    [
        ('=HYPERLINK("http://x")', '=HYPERLINK("http://x")', "s"),
        ("=1", "=1", "s"),
        ("#N/A", "#N/A", "s"),
        ("#DIV/0!", "#DIV/0!", "s"),
        ("+1", "+1", "s"),
        ("-5 điểm do chậm", "-5 điểm do chậm", "s"),
        ("bình\x0bthường\x01", "bình\nthường", "s"),
        (Decimal("7.25"), Decimal("7.25"), "n"),
        (-2, -2, "n"),
        (datetime.date(2025, 12, 31), datetime.date(2025, 12, 31), "d"),
        (None, None, "n"),
    ],
)
def test_cell_put_writes_text_as_text_and_numbers_as_numbers(value, stored, data_type):
    cell = Workbook().active["A1"]

    assert cell_put(cell, value) is cell
    assert (cell.value, cell.data_type) == (stored, data_type)
