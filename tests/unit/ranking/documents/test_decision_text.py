"""How the decision writes numbers, dates and user text (ranking/documents/decision.py)."""

import datetime
from decimal import Decimal

import pytest

from ranking.documents.decision import BLANK_DATE, line, vn_date, vn_date_long, vn_number


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("94.5"), "94,50"),
        (Decimal("100"), "100,00"),
        (Decimal("1234.5"), "1.234,50"),
        (Decimal("1234567.891"), "1.234.567,89"),
        # Half up, as `floatformat` on every page: 92,125 is 92,13, not the banker's 92,12.
        (Decimal("92.125"), "92,13"),
        (Decimal("83.3333333333"), "83,33"),
        (Decimal("0"), "0,00"),
        (None, ""),
    ],
)
def test_numbers_in_vietnamese_format(value, shown):
    assert vn_number(value) == shown


@pytest.mark.parametrize(
    ("day", "long"),
    [
        # Days below 10 and the months 1 and 2 take a leading zero; the other months do not.
        (datetime.date(2018, 6, 1), "ngày 01 tháng 6 năm 2018"),
        (datetime.date(2020, 2, 5), "ngày 05 tháng 02 năm 2020"),
        (datetime.date(2026, 1, 15), "ngày 15 tháng 01 năm 2026"),
        (datetime.date(2025, 12, 31), "ngày 31 tháng 12 năm 2025"),
    ],
)
def test_dates_as_an_administrative_document_writes_them(day, long):
    assert vn_date_long(day) == long
    assert vn_date(day) == day.strftime("%d/%m/%Y")


def test_a_missing_date_is_left_to_fill_in_by_hand():
    assert vn_date_long(None) == BLANK_DATE == "ngày …… tháng …… năm ……"
    assert vn_date(None) == ""


def test_text_keeps_one_line_without_characters_xml_cannot_carry():
    assert line("Sở\x00 Nội\x07 vụ\x1b") == "Sở Nội vụ"
    # Line breaks (Word's Shift+Enter, a page break, CR LF) and tabs become one space each.
    assert line("Chủ tịch\x0bUBND\x0cthành phố\r\nĐà\tNẵng") == "Chủ tịch UBND thành phố Đà Nẵng"
    assert line("A\ufffeB\uffffC\ud800D") == "ABCD"
    # What the template escapes stays as written.
    assert line('<w:t>"&amp;"</w:t> {{ x }}') == '<w:t>"&amp;"</w:t> {{ x }}'
    assert line(None) == ""
