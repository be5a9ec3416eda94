"""Numbers and dates as the users read them in the documents they sign."""

import datetime
from decimal import Decimal

import pytest

from ranking.numbers import index_shown, vietnamese_date


@pytest.mark.parametrize(
    ("date", "text"),
    [
        (datetime.date(2026, 2, 5), "ngày 05 tháng 02 năm 2026"),
        (datetime.date(2026, 1, 31), "ngày 31 tháng 01 năm 2026"),
        (datetime.date(2026, 3, 9), "ngày 09 tháng 3 năm 2026"),
        (datetime.date(2026, 12, 15), "ngày 15 tháng 12 năm 2026"),
    ],
)
def test_vietnamese_date(date, text):
    assert vietnamese_date(date) == text


@pytest.mark.parametrize(
    ("exact", "shown"),
    [
        ("73.8157894737", "73.82"),
        ("41.6666666666666666666666667", "41.67"),
        ("89.995", "90.00"),
        ("89.9949999999", "89.99"),
        ("100", "100.00"),
    ],
)
def test_the_index_is_shown_with_two_decimals_rounded_half_up(exact, shown):
    assert index_shown(Decimal(exact)) == Decimal(shown)
    assert str(index_shown(Decimal(exact))) == shown


def test_no_index_stays_none():
    assert index_shown(None) is None
