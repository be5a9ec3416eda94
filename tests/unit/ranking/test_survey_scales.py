"""A survey scale's options and their conversion (ranking/models.py `scale_options_problem`,
`SurveyScale`)."""

from decimal import Decimal as D

import pytest
from django.utils.translation import override

from ranking.enums import SurveyScaleKind
from ranking.models import DEFAULT_SCALE_OPTIONS, SurveyScale, scale_options_problem


def test_the_default_conversions():
    def conversion(kind):
        return SurveyScale(kind=kind, options=DEFAULT_SCALE_OPTIONS[kind]).conversion

    assert conversion(SurveyScaleKind.ABCD) == {"A": D(100), "B": D(60), "C": D(20), "D": D(0)}
    assert conversion(SurveyScaleKind.LIKERT5) == {"1": D(0), "2": D(25), "3": D(50), "4": D(75), "5": D(100)}
    assert conversion(SurveyScaleKind.YESNO) == {"Có": D(100), "Không": D(0)}
    for kind in SurveyScaleKind.values:
        assert scale_options_problem(DEFAULT_SCALE_OPTIONS[kind]) is None


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ([["A", "Tốt", "100"]], "Give at least two options, each as [option, label, percent]."),
        ({"A": "100"}, "Give at least two options, each as [option, label, percent]."),
        (
            [["A", "Tốt", "100"], ["B", "Khá"]],
            "Each option is a list of three texts: [option, label, percent].",
        ),
        (
            [["A", "Tốt", 100], ["B", "Khá", "60"]],
            "Each option is a list of three texts: [option, label, percent].",
        ),
        ([["A", "Tốt", "100"], [" ", "Khá", "60"]], "Each option needs a code and a label."),
        ([["A", "Tốt", "100"], ["A", "Khá", "60"]], "The option “A” is given twice."),
        ([["A", "Tốt", "100"], ["B", "Khá", "sáu mươi"]], "“sáu mươi” is not a percent."),
        (
            [["A", "Tốt", "100.5"], ["B", "Khá", "60"]],
            "The percent of option “A” must be between 0 and 100, with at most 2 decimals.",
        ),
        (
            [["A", "Tốt", "100"], ["B", "Khá", "-1"]],
            "The percent of option “B” must be between 0 and 100, with at most 2 decimals.",
        ),
        (
            [["A", "Tốt", "99.999"], ["B", "Khá", "60"]],
            "The percent of option “A” must be between 0 and 100, with at most 2 decimals.",
        ),
        (
            [["A", "Tốt", "NaN"], ["B", "Khá", "60"]],
            "The percent of option “A” must be between 0 and 100, with at most 2 decimals.",
        ),
    ],
)
def test_options_that_do_not_convert_are_refused(options, problem):
    with override("en"):
        assert scale_options_problem(options) == problem


def test_an_empty_scale_takes_the_default_of_its_kind_when_cleaned():
    scale = SurveyScale(kind=SurveyScaleKind.ABCD, options=[])

    scale.clean()

    assert scale.options == [
        ["A", "Tốt", "100"],
        ["B", "Khá", "60"],
        ["C", "Trung bình", "20"],
        ["D", "Kém", "0"],
    ]
    assert scale.choices == [("A", "Tốt"), ("B", "Khá"), ("C", "Trung bình"), ("D", "Kém")]
