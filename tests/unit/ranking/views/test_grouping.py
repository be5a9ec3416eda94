"""The results pages write their numbers themselves: exactly as `floatformat:2` would."""

from decimal import Decimal

import pytest
from django.template.defaultfilters import floatformat
from django.utils import translation

from ranking.views.grouping import cell, decimal_mark, two_places

VALUES = [
    Decimal("0"),
    Decimal("-0"),
    Decimal("-0.004"),
    Decimal("-0.005"),
    Decimal("0.005"),
    Decimal("0.015"),
    Decimal("0.025"),
    Decimal("1.005"),
    Decimal("2.675"),
    Decimal("92"),
    Decimal("92.0000"),
    Decimal("99.995"),
    Decimal("-12.345"),
    Decimal("1234567.891"),
    Decimal("1E+2"),
    Decimal("1.23E-3"),
    0.125,
    2.675,
    -1.5,
    7,
    "81.25",
    None,
]


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_two_places_writes_what_floatformat_writes(language, value):
    with translation.override(language):
        assert two_places(value, decimal_mark()) == floatformat(value, 2)


def test_the_mark_follows_the_language():
    with translation.override("vi"):
        assert two_places(Decimal("81.255"), decimal_mark()) == "81,26"
    with translation.override("en"):
        assert two_places(Decimal("81.255"), decimal_mark()) == "81.26"


def test_a_cell_without_a_number_shows_a_dash():
    assert cell(None, ",") == "—"
    assert cell(Decimal("0"), ",") == "0,00"
