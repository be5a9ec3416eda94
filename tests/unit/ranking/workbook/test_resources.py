"""Cell reading of the year workbook (ranking/resources.py): numbers, options, score checks.

No database: criteria are built in memory. Messages are checked against the English msgids
(`override("en")`), so they do not depend on the Vietnamese catalogue; number formatting in
Vietnamese comes from the project's format module and is checked under "vi".
"""

import datetime
from decimal import Decimal

import pytest
from django.utils.translation import override

from ranking.enums import Method
from ranking.models import Criterion
from ranking.numbers import parse_decimal, plain, shown
from ranking.periods.criteria import score_problem
from ranking.workbook.resources import Cells, parse_options

D = Decimal


# --- parse_decimal ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("7,5", D("7.5")),
        ("7.5", D("7.5")),
        (7.5, D("7.5")),
        (7.1, D("7.1")),  # the float's shortest text, not 7.0999999…
        (7, D("7")),
        (0, D("0")),
        ("1.234,5", D("1234.5")),
        (" -0,5 ", D("-0.5")),
        ("\u22121", D("-1")),  # a typographic minus, as Word and some fonts write it
        ("12\u00a0345,25", D("12345.25")),  # a non-breaking space grouping thousands
        ("1 234,5", D("1234.5")),
        ("1.234", D("1.234")),  # no comma: the point is the decimal mark
        ("-2", D("-2")),
    ],
)
def test_parse_decimal_reads_numbers(cell, expected):
    number = parse_decimal(cell)
    assert number == expected
    assert isinstance(number, Decimal)


@pytest.mark.parametrize(
    "cell",
    [
        "abc",
        "",
        "   ",
        "NaN",
        "nan",
        "Infinity",
        "-Infinity",
        "sNaN",
        float("nan"),
        float("inf"),
        "7,5,3",
        "1.2.3",
        True,
        False,
        datetime.datetime(2025, 1, 2, 3, 4),
        datetime.date(2025, 1, 2),
        datetime.time(7, 30),
    ],
)
def test_parse_decimal_refuses_what_is_not_a_finite_number(cell):
    assert parse_decimal(cell) is None


# --- plain and shown ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("10"), "10"),
        (D("10.00"), "10"),  # normalize() alone would give 1E+1
        (D("100"), "100"),
        (D("2.50"), "2.5"),
        (D("-0.250"), "-0.25"),
        (D("0.0001"), "0.0001"),
        (D("0.000"), "0"),
        (D("1234.5"), "1234.5"),
    ],
)
def test_plain_writes_digits_without_trailing_zeros_or_exponent(value, expected):
    assert plain(value) == expected


@pytest.mark.parametrize(
    ("value", "vietnamese", "english"),
    [
        (D("2.5"), "2,5", "2.5"),
        (D("12"), "12", "12"),
        (D("10"), "10", "10"),
        (D("10.000"), "10", "10"),
        (D("-0.25"), "-0,25", "-0.25"),
        (D("1234.5"), "1.234,5", "1,234.5"),
    ],
)
def test_shown_uses_the_users_number_format(value, vietnamese, english):
    with override("vi"):
        assert shown(value) == vietnamese
    with override("en"):
        assert shown(value) == english


# --- parse_options ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đúng hạn=1; Trễ=0,5; Không=0", [["Đúng hạn", "1"], ["Trễ", "0.5"], ["Không", "0"]]),
        ("Đầy đủ=10;Một phần=5.0;Chưa=0", [["Đầy đủ", "10"], ["Một phần", "5"], ["Chưa", "0"]]),
        ("  Tốt = 1,50 ;  ", [["Tốt", "1.5"]]),
        ("100% = 2; 80% - <100% = 1", [["100%", "2"], ["80% - <100%", "1"]]),
        ("Tỷ lệ a=b=1", [["Tỷ lệ a=b", "1"]]),  # the last "=" separates the points
        ("", []),
        (" ; ", []),
    ],
)
def test_parse_options_reads_label_points_pairs(text, expected):
    assert parse_options(text) == (expected, None)


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("Đúng hạn", "Đúng hạn"),
        ("Đúng hạn=1; Trễ", "Trễ"),
        ("=1", "=1"),
        ("Đúng hạn=; Trễ=0", "Đúng hạn="),
        ("Đúng hạn=một", "Đúng hạn=một"),
        ("Đúng hạn:1, Trễ:0", "Đúng hạn:1, Trễ:0"),
    ],
)
def test_parse_options_names_the_part_it_cannot_read(text, part):
    with override("en"):
        options, problem = parse_options(text)
    assert options == []
    assert problem == f"Write the options as “label=points; label=points”, not “{part}”."


# --- score_problem ------------------------------------------------------------------------------


def leaf(method: str, max_points: str | None, *, step: str | None = None, options=()) -> Criterion:
    """A leaf built in memory, never saved."""
    return Criterion(
        code="1.2",
        title="Tiêu chí thử",
        method=method,
        max_points=D(max_points) if max_points is not None else None,
        step=D(step) if step is not None else None,
        options=[list(option) for option in options],
    )


CHOICES = (("Đúng hạn", "2"), ("Trễ hạn", "1"), ("Không thực hiện", "0"))


@pytest.mark.parametrize(
    ("criterion", "value", "message"),
    [
        (leaf(Method.NUMBER, "2"), "-0.5", "Score -0.5 cannot be negative."),
        (leaf(Method.NUMBER, "2"), "2.5", "Score 2.5 is above the maximum of 2."),
        (leaf(Method.NUMBER, "2", step="0.5"), "0.25", "Score 0.25 is not a multiple of the step 0.5."),
        (leaf(Method.NUMBER, "10.00"), "10.5", "Score 10.5 is above the maximum of 10."),
        (
            leaf(Method.CHOICE, "2", options=CHOICES),
            "1.5",
            "Score 1.5 is not one of the options: Đúng hạn = 2; Trễ hạn = 1; Không thực hiện = 0.",
        ),
        (leaf(Method.CHOICE, "2", options=CHOICES), "3", "Score 3 is above the maximum of 2."),
        (leaf(Method.CHOICE, "2", options=CHOICES), "-1", "Score -1 cannot be negative."),
        (leaf(Method.YESNO, "6"), "3", "A yes/no criterion takes 0 or 6, not 3."),
        (leaf(Method.YESNO, "6"), "7", "Score 7 is above the maximum of 6."),
        (leaf(Method.DEDUCTION, "2"), "0.5", "A deduction is written as a negative number or 0, not 0.5."),
        (leaf(Method.DEDUCTION, "2"), "-2.5", "Deduction -2.5 is below the floor of −2."),
        (leaf(Method.BONUS, "3"), "4", "Score 4 is above the maximum of 3."),
        (leaf(Method.BONUS, "3"), "-1", "Score -1 cannot be negative."),
        (leaf(Method.SURVEY, "10"), "10.25", "Score 10.25 is above the maximum of 10."),
        (leaf(Method.SURVEY, "10"), "-0.0001", "Score -0.0001 cannot be negative."),
    ],
)
def test_score_problem_explains_each_refusal(criterion, value, message):
    with override("en"):
        assert score_problem(criterion, D(value)) == message


@pytest.mark.parametrize(
    ("criterion", "value"),
    [
        (leaf(Method.NUMBER, "2"), "0"),
        (leaf(Method.NUMBER, "2"), "2"),
        (leaf(Method.NUMBER, "2"), "1.3"),  # no step: any value in range
        (leaf(Method.NUMBER, "2", step="0.5"), "1.5"),
        (leaf(Method.NUMBER, "2", step="0.25"), "1.75"),
        (leaf(Method.CHOICE, "2", options=CHOICES), "1"),
        (leaf(Method.CHOICE, "2", options=CHOICES), "1.00"),
        (leaf(Method.YESNO, "6"), "0"),
        (leaf(Method.YESNO, "6"), "6"),
        (leaf(Method.DEDUCTION, "2"), "0"),
        (leaf(Method.DEDUCTION, "2"), "-2"),
        (leaf(Method.DEDUCTION, "2"), "-0.5"),
        (leaf(Method.BONUS, "3"), "3"),
        (leaf(Method.SURVEY, "10"), "8.4958"),
    ],
)
def test_score_problem_accepts_allowed_values(criterion, value):
    assert score_problem(criterion, D(value)) is None


def test_score_problem_shows_numbers_in_vietnamese_format():
    # Whatever the catalogue says, the numbers in the message use the decimal comma.
    with override("vi"):
        message = score_problem(leaf(Method.NUMBER, "2.5"), D("3.75"))
    assert "3,75" in message
    assert "2,5" in message
    assert "3.75" not in message


def test_score_problem_on_a_leaf_without_maximum_reports_instead_of_crashing():
    """A leaf saved through the admin site without `Điểm tối đa` cannot be scored until it has one."""
    with override("en"):
        assert (
            score_problem(leaf(Method.NUMBER, None), D("1"))
            == "Criterion 1.2 has no maximum: set it before scoring."
        )


# --- Cells ----------------------------------------------------------------------------------------


def read(row: dict, reader: str, column: str, **options):
    errors: dict[str, str] = {}
    with override("en"):
        value = getattr(Cells(row, errors), reader)(column, **options)
    return value, errors


@pytest.mark.parametrize(
    ("cell", "expected"),
    [(None, ""), ("  SNV  ", "SNV"), (2025.0, "2025"), (7, "7"), (7.5, "7.5")],
)
def test_text_trims_and_writes_whole_floats_as_integers(cell, expected):
    assert read({"A": cell}, "text", "A") == (expected, {})


def test_required_cell_empty():
    assert read({"A": "  "}, "text", "A", required=True) == ("", {"A": "This cell is required."})
    assert read({"A": None}, "decimal", "A", required=True) == (None, {"A": "This cell is required."})
    assert read({}, "integer", "A", required=True) == (None, {"A": "This cell is required."})


@pytest.mark.parametrize(
    ("cell", "expected", "errors"),
    [
        ("7,5", D("7.5"), {}),
        (1.1234, D("1.1234"), {}),
        ("1,12345", None, {"A": "Write at most 4 decimals: 1,12345."}),
        (1.12345, None, {"A": "Write at most 4 decimals: 1.12345."}),
        ("bảy", None, {"A": "“bảy” is not a number."}),
        ("100000", None, {"A": "100,000 is too large."}),
        ("-100000", None, {"A": "-100,000 is too large."}),
        ("99999,9999", D("99999.9999"), {}),
    ],
)
def test_decimal_cell(cell, expected, errors):
    assert read({"A": cell}, "decimal", "A") == (expected, errors)


@pytest.mark.parametrize(
    ("cell", "expected", "errors"),
    [
        (3, 3, {}),
        ("3,0", 3, {}),
        (2025.0, 2025, {}),
        ("1,5", None, {"A": "1.5 is not a whole number."}),
        (-1, None, {"A": "-1 is below 0."}),
    ],
)
def test_integer_cell(cell, expected, errors):
    assert read({"A": cell}, "integer", "A", minimum=0) == (expected, errors)


@pytest.mark.parametrize(
    ("cell", "expected", "errors"),
    [
        (None, False, {}),
        ("", False, {}),
        ("x", True, {}),
        (" X ", True, {}),
        ("x ", True, {}),
        ("y", False, {"A": "“y”: write x, or leave the cell empty."}),
        ("không", False, {"A": "“không”: write x, or leave the cell empty."}),
        (0, False, {"A": "“0”: write x, or leave the cell empty."}),
    ],
)
def test_flag_cell(cell, expected, errors):
    assert read({"A": cell}, "flag", "A") == (expected, errors)
