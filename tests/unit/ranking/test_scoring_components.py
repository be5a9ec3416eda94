"""Component indices (chỉ số thành phần): each field's points over its maximum for the agency.

The field's maximum follows the overall maximum's rule: the maxima of the base leaves that
apply and arose. Hand calculations are written next to each case.
"""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from ranking.scoring import (
    BONUS,
    DEDUCTION,
    NUMBER,
    SURVEY,
    YESNO,
    Leaf,
    LeafScore,
    Totals,
    agency_totals,
    component_index,
    field_maxima,
)


def scored(code: str, method: str, max_points: str, score: str | None, *, na: bool = False) -> LeafScore:
    leaf = Leaf(code, method, D(max_points), Leaf.field_of(code))
    return LeafScore(leaf, None if score is None else D(score), not_arising=na)


# Field 1: 1.1 (6 points, scored 5), 1.2 (4 points, did not arise), 1.3 deduction of -0,5.
# Field 2: 2.1 (10 points, scored 8,5), 2.2 bonus of 1,5.
YEAR = [
    scored("1.1", NUMBER, "6", "5"),
    scored("1.2", NUMBER, "4", None, na=True),
    scored("1.3", DEDUCTION, "1", "-0.5"),
    scored("2.1", NUMBER, "10", "8.5"),
    scored("2.2", BONUS, "2", "1.5"),
]


def test_field_maxima_leave_out_what_did_not_arise_and_what_is_outside_the_base():
    totals = agency_totals(YEAR)

    # Field 1: 6 (1.2 did not arise, 1.3 is a deduction); field 2: 10 (2.2 is a bonus).
    assert totals.field_maxima == {"1": D(6), "2": D(10)}
    assert totals.maximum == D(16)
    # Field 1: 5 − 0,5 = 4,5; field 2: 8,5 + 1,5 = 10.
    assert totals.field_scores == {"1": D("4.5"), "2": D(10)}


def test_component_indices_are_the_points_over_the_field_maximum():
    indices = agency_totals(YEAR).field_indices

    # 4,5 ÷ 6 × 100 = 75; 10 ÷ 10 × 100 = 100.
    assert indices == {"1": D(75), "2": D(100)}


def test_a_component_index_keeps_28_significant_digits_like_the_index():
    # 2 ÷ 3 × 100 = 66,666…
    assert component_index(D(2), D(3)) == D("66.66666666666666666666666667")
    assert Totals(D(2), D(2), D(3), {}).index == component_index(D(2), D(3))


def test_a_field_with_no_maximum_has_no_component_index():
    totals = agency_totals(
        [
            scored("1.1", NUMBER, "4", None, na=True),
            scored("2.1", BONUS, "2", "1"),
            scored("3.1", YESNO, "5", "5"),
        ]
    )

    # Field 1: its one leaf did not arise; field 2: a bonus only; field 3: 5 ÷ 5.
    assert totals.field_maxima == {"1": D(0), "2": D(0), "3": D(5)}
    assert totals.field_indices == {"1": None, "2": None, "3": D(100)}


def test_a_field_below_zero_counts_as_zero_like_the_total():
    # Field 1: 0,5 − 2 = −1,5 of 1: taken as 0 %, as the total is never below 0.
    totals = agency_totals([scored("1.1", NUMBER, "1", "0.5"), scored("1.2", DEDUCTION, "2", "-2")])

    assert totals.field_scores == {"1": D("-1.5")}
    assert totals.field_indices == {"1": D(0)}


def test_a_bonus_may_carry_a_component_index_above_100():
    totals = agency_totals([scored("1.1", NUMBER, "2", "2"), scored("1.2", BONUS, "1", "1")])

    # (2 + 1) ÷ 2 × 100 = 150.
    assert totals.field_indices == {"1": D(150)}


def test_field_maxima_of_leaves():
    leaves = [s.leaf for s in YEAR if not s.not_arising]

    assert field_maxima(leaves) == {"1": D(6), "2": D(10)}


METHODS = st.sampled_from([NUMBER, YESNO, SURVEY, DEDUCTION, BONUS])


@st.composite
def leaf_scores(draw) -> list[LeafScore]:
    scores = []
    for number in range(draw(st.integers(min_value=1, max_value=12))):
        field_code = draw(st.sampled_from(["1", "2", "3"]))
        method = draw(METHODS)
        max_points = D(draw(st.integers(min_value=0, max_value=40))) / 4
        value = D(draw(st.integers(min_value=0, max_value=int(max_points * 4)))) / 4
        if method == DEDUCTION:
            value = -value
        score = draw(st.one_of(st.none(), st.just(value)))
        scores.append(
            LeafScore(
                Leaf(f"{field_code}.{number + 1}", method, max_points, field_code),
                score,
                not_arising=draw(st.booleans()),
            )
        )
    return scores


@given(leaf_scores())
def test_the_field_maxima_add_up_to_the_maximum(scores):
    totals = agency_totals(scores)

    assert sum(totals.field_maxima.values(), D(0)) == totals.maximum
    assert set(totals.field_maxima) == {s.leaf.field for s in scores}


@given(leaf_scores())
def test_a_field_s_maximum_and_index_are_those_of_the_field_alone(scores):
    """Each field's maximum is the overall maximum of its own leaves, and its index is that
    field's total over it (the same rule, field by field)."""
    totals = agency_totals(scores)

    for code, maximum in totals.field_maxima.items():
        alone = agency_totals([s for s in scores if s.leaf.field == code])
        assert alone.maximum == maximum
        assert totals.field_indices[code] == (alone.index if maximum else None)
