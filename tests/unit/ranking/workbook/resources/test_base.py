"""A cell's text, as every sheet reads it (`cell_text`), once per distinct text."""

import datetime

import pytest

from ranking.workbook.resources.base import Cells, cell_text, plain_text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("", ""),
        ("  SNV \t", "SNV"),
        ("a\r\nb\x0bc\x00", "a\nb\nc"),
        (3.0, "3"),
        (3.5, "3.5"),
        (7, "7"),
        (True, "True"),
        (1, "1"),
        (datetime.datetime(2025, 1, 2), "2025-01-02 00:00:00"),
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text
    assert Cells({"A": value}, {}).text("A") == text


def test_a_number_and_a_flag_of_the_same_value_are_told_apart():
    """1, 1.0 and True are equal keys to a dict: the texts are not mixed up."""
    assert [cell_text(1.0), cell_text(True), cell_text(1), cell_text("1")] == ["1", "True", "1", "1"]


def test_the_same_text_is_cleaned_once():
    plain_text.cache_clear()
    for _ in range(3):
        assert cell_text(" DV00001 ") == "DV00001"
    assert plain_text.cache_info().hits == 2
