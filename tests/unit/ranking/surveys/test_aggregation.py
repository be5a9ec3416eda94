"""The survey arithmetic (ranking/surveys/aggregation.py), by hand and by property."""

from decimal import Decimal as D
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from ranking.surveys.aggregation import group_mean, leaf_outcome, leaf_percent, rounded


def test_the_hand_example_two_groups_weighted_two_and_one():
    # LD (weight 2): A, B = 100, 60 → 80. ND (weight 1): C, 4, D, 5 = 20, 75, 0, 100 → 48,75.
    # (2 × 80 + 48,75) / 3 = 69,58333…; 10 × 69,58333… / 100 = 6,958333… → 6,96.
    outcome = leaf_outcome(
        maximum=D(10),
        answers={"LD": [D(100), D(60)], "ND": [D(20), D(75), D(0), D(100)]},
        weights={"LD": D(2), "ND": D(1)},
    )

    assert outcome.group_means == {"LD": Fraction(80), "ND": Fraction(195, 4)}
    assert outcome.percent == Fraction(835, 12)
    assert outcome.points == D("6.96")
    assert outcome.answers == 6


def test_a_group_without_answers_takes_no_part_in_the_weights():
    outcome = leaf_outcome(maximum=D(3), answers={"LD": [D(60)], "ND": []}, weights={"LD": D(2), "ND": D(1)})

    assert outcome.percent == Fraction(60)
    assert outcome.points == D("1.80")


def test_no_answer_at_all_gives_no_outcome():
    assert leaf_outcome(maximum=D(10), answers={"LD": []}, weights={"LD": D(1)}) is None
    assert leaf_outcome(maximum=D(10), answers={}, weights={}) is None
    assert group_mean([]) is None
    assert leaf_percent({}, {}) is None


def test_a_third_is_kept_exact_until_the_last_rounding():
    # Three answers 100, 0, 0 → 33,33…%; of 3 points: exactly 1, not 0,99.
    outcome = leaf_outcome(maximum=D(3), answers={"CC": [D(100), D(0), D(0)]}, weights={"CC": D(1)})

    assert outcome.percent == Fraction(100, 3)
    assert outcome.points == D("1.00")


def test_rounding_is_half_up_to_two_decimals():
    assert rounded(Fraction(5, 1000)) == D("0.01")
    assert rounded(Fraction(4999, 1000000)) == D("0.00")
    assert rounded(Fraction(1, 8)) == D("0.13")
    assert rounded(Fraction(2675, 1000)) == D("2.68")
    assert rounded(Fraction(10)) == D("10.00")


percents = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


@given(
    maximum=st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False),
    answers=st.dictionaries(st.sampled_from(["LD", "CC", "ND"]), st.lists(percents, max_size=6), min_size=1),
    weights=st.fixed_dictionaries(
        {
            code: st.decimals(
                min_value=D("0.01"), max_value=100, places=2, allow_nan=False, allow_infinity=False
            )
            for code in ("LD", "CC", "ND")
        }
    ),
)
def test_points_lie_between_zero_and_the_maximum(maximum, answers, weights):
    outcome = leaf_outcome(maximum=maximum, answers=answers, weights=weights)

    if not any(answers.values()):
        assert outcome is None
        return
    assert 0 <= outcome.points <= maximum
    assert 0 <= outcome.percent <= 100
    low = min(p for values in answers.values() for p in values)
    high = max(p for values in answers.values() for p in values)
    assert low <= outcome.percent <= high
    assert outcome.points == outcome.points.quantize(D("0.01"))
