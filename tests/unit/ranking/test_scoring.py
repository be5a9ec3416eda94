"""Unit and property tests of ranking/scoring.py, against WORKBOOK.md "The arithmetic".

Pure arithmetic: no database, no Django. Numbers are Decimal and asserted exactly.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ranking.scoring import (
    BONUS,
    CHOICE,
    DEDUCTION,
    METHODS,
    NUMBER,
    SURVEY,
    TIE_FIELDS,
    TIE_TOTAL_WITHOUT_SURVEY,
    YESNO,
    AgencyInput,
    AwardRule,
    Candidate,
    Leaf,
    LeafScore,
    PeriodRules,
    TierDef,
    Totals,
    agency_totals,
    competition_ranks,
    compute_period,
    contribution,
    demoted_position,
    propose_awards,
    rank_change,
    rank_key,
    tier_position,
    unscored,
    value_problem,
)

D = Decimal

# The article's schemes (DOMAIN.md), highest tier first, as a period would configure them.
CCHC_TIERS = [
    TierDef("Rất tốt", D(90)),
    TierDef("Tốt", D(80)),
    TierDef("Khá", D(70)),
    TierDef("Trung bình", D(50)),
    TierDef("Yếu", D(0)),
]
VTLT_TIERS = [
    TierDef("Xuất sắc", D(90)),
    TierDef("Tốt", D(80)),
    TierDef("Khá", D(70)),
    TierDef("Trung bình khá", D(60)),
    TierDef("Trung bình", D(50)),
    TierDef("Yếu", D(0)),
]
BOTH_BREAKERS = (TIE_TOTAL_WITHOUT_SURVEY, TIE_FIELDS)

# The project's pytest config has an autouse, function-scoped fixture (Vietnamese locale);
# it holds no state these pure functions could leak between examples.
PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def leaf(code: str, method: str = NUMBER, max_points: str | int = 1) -> Leaf:
    return Leaf(code, method, D(max_points), Leaf.field_of(code))


def scored(code: str, method: str, max_points: str | int, score: str | None, *, na: bool = False):
    return LeafScore(leaf(code, method, max_points), None if score is None else D(score), not_arising=na)


def totals(total, maximum, *, without_survey=None, fields=None) -> Totals:
    return Totals(
        total=D(total),
        total_without_survey=D(total if without_survey is None else without_survey),
        maximum=D(maximum),
        field_scores={k: D(v) for k, v in (fields or {}).items()},
    )


# --- value_problem ---------------------------------------------------------------------

CHOICES = (D(1), D("0.5"), D(0))


@pytest.mark.parametrize(
    ("method", "max_points", "value", "expected"),
    [
        # number: 0..max, in steps of 0.25
        (NUMBER, "2", "0", None),
        (NUMBER, "2", "1.5", None),
        (NUMBER, "2", "2", None),
        (NUMBER, "2", "-0.25", "negative"),
        (NUMBER, "2", "2.25", "above_max"),
        (NUMBER, "2", "1.3", "off_step"),
        # choice: one of the listed points (equal value, other spelling, still matches)
        (CHOICE, "1", "0.5", None),
        (CHOICE, "1", "0.50", None),
        (CHOICE, "1", "1", None),
        (CHOICE, "1", "0.75", "not_a_choice"),
        (CHOICE, "1", "1.5", "above_max"),
        (CHOICE, "1", "-0.5", "negative"),
        # yes/no: the maximum or 0, nothing in between
        (YESNO, "2", "0", None),
        (YESNO, "2", "2", None),
        (YESNO, "2", "1", "not_yes_no"),
        (YESNO, "2", "3", "above_max"),
        (YESNO, "2", "-2", "negative"),
        # deduction: max_points is the floor as a positive number (2 means down to -2)
        (DEDUCTION, "2", "0", None),
        (DEDUCTION, "2", "-0.5", None),
        (DEDUCTION, "2", "-2", None),
        (DEDUCTION, "2", "0.5", "positive_deduction"),
        (DEDUCTION, "2", "-2.25", "below_floor"),
        # bonus: 0..cap
        (BONUS, "2", "0", None),
        (BONUS, "2", "2", None),
        (BONUS, "2", "2.5", "above_max"),
        (BONUS, "2", "-1", "negative"),
        # survey: 0..max, imported
        (SURVEY, "30", "27.35", None),
        (SURVEY, "30", "30.01", "above_max"),
        (SURVEY, "30", "-0.01", "negative"),
    ],
)
def test_value_problem(method, max_points, value, expected):
    step = D("0.25") if method == NUMBER else None
    assert (
        value_problem(method=method, max_points=D(max_points), value=D(value), step=step, choices=CHOICES)
        == expected
    )


def test_value_problem_number_without_step_takes_any_value_in_range():
    assert value_problem(method=NUMBER, max_points=D(2), value=D("1.3")) is None
    assert value_problem(method=NUMBER, max_points=D(2), value=D("1.3"), step=D("0.1")) is None
    assert value_problem(method=NUMBER, max_points=D(2), value=D("1.5"), step=D("0.5")) is None
    assert value_problem(method=NUMBER, max_points=D(2), value=D("1.25"), step=D("0.5")) == "off_step"


def test_value_problem_choice_without_options_accepts_nothing():
    assert value_problem(method=CHOICE, max_points=D(1), value=D(1)) == "not_a_choice"


# --- contribution and agency_totals ---------------------------------------------------


def test_contribution_per_method():
    assert contribution(leaf("1.1", NUMBER, 2), D("1.5")) == D("1.5")
    assert contribution(leaf("1.1", SURVEY, 30), D("27.5")) == D("27.5")
    assert contribution(leaf("1.1", DEDUCTION, 2), D("-0.5")) == D("-0.5")
    # A deduction always counts negative and never past its floor.
    assert contribution(leaf("1.1", DEDUCTION, 2), D("0.5")) == D("-0.5")
    assert contribution(leaf("1.1", DEDUCTION, 2), D("-3")) == D("-2")
    # A bonus adds up to its cap.
    assert contribution(leaf("1.1", BONUS, 2), D("1.5")) == D("1.5")
    assert contribution(leaf("1.1", BONUS, 2), D(3)) == D(2)


def test_totals_number_choice_yesno():
    t = agency_totals(
        [
            scored("1.1", NUMBER, 2, "1.5"),
            scored("1.2", CHOICE, 1, "0.5"),
            scored("2.1", YESNO, 3, "3"),
        ]
    )
    # 1.5 + 0.5 + 3 = 5 of 2 + 1 + 3 = 6
    assert t.total == D(5)
    assert t.total_without_survey == D(5)
    assert t.maximum == D(6)
    assert t.field_scores == {"1": D(2), "2": D(3)}
    assert t.ratio == Fraction(5, 6)


def test_totals_deduction_counts_negative_and_not_in_maximum():
    t = agency_totals([scored("1.1", NUMBER, 10, "8"), scored("1.2", DEDUCTION, 2, "-1.5")])
    assert (t.total, t.maximum) == (D("6.5"), D(10))
    assert t.index == D(65)


def test_totals_deduction_floor():
    # -3 is below a floor of 2: it counts as -2 (value_problem reports it on entry).
    t = agency_totals([scored("1.1", NUMBER, 10, "8"), scored("1.2", DEDUCTION, 2, "-3")])
    assert t.total == D(6)


def test_totals_bonus_adds_above_the_base_but_not_to_maximum():
    t = agency_totals([scored("1.1", NUMBER, 10, "10"), scored("2.1", BONUS, 2, "3")])
    # 10 + min(3, cap 2) = 12 of 10: the index may exceed 100 with a bonus.
    assert (t.total, t.maximum, t.index) == (D(12), D(10), D(120))
    assert t.field_scores == {"1": D(10), "2": D(2)}


def test_bonus_and_deduction_left_empty_change_nothing():
    t = agency_totals(
        [
            scored("1.1", NUMBER, 10, "7"),
            scored("1.2", DEDUCTION, 2, None),
            scored("1.3", BONUS, 3, None),
        ]
    )
    assert (t.total, t.maximum) == (D(7), D(10))


def test_not_arising_leaf_left_out_of_total_and_maximum():
    t = agency_totals(
        [
            scored("1.1", NUMBER, 10, "8"),
            # A stray score on a leaf marked "does not arise" must not count either.
            scored("1.2", NUMBER, 5, "5", na=True),
            scored("2.1", SURVEY, 20, "15"),
        ]
    )
    assert (t.total, t.maximum) == (D(23), D(30))
    assert t.field_scores == {"1": D(8), "2": D(15)}


def test_unscored_leaf_counts_in_maximum_only():
    # compute_results refuses to run while unscored() is not empty; the arithmetic itself
    # still treats the leaf as arisen.
    t = agency_totals([scored("1.1", NUMBER, 10, "8"), scored("1.2", NUMBER, 10, None)])
    assert (t.total, t.maximum) == (D(8), D(20))


def test_total_never_below_zero():
    t = agency_totals(
        [
            scored("1.1", NUMBER, 1, "0"),
            scored("1.2", DEDUCTION, 2, "-2"),
            scored("2.1", SURVEY, 1, "1"),
        ]
    )
    # raw = 0 - 2 + 1 = -1 -> 0; without survey = -2 -> 0. Field scores are not clipped.
    assert (t.total, t.total_without_survey, t.maximum) == (D(0), D(0), D(2))
    assert t.field_scores == {"1": D(-2), "2": D(1)}
    assert t.index == D(0)


def test_total_without_survey():
    t = agency_totals(
        [
            scored("1.1", NUMBER, 60, "55"),
            scored("1.2", DEDUCTION, 2, "-1"),
            scored("2.1", SURVEY, 30, "24.5"),
            scored("2.2", SURVEY, 10, "8"),
        ]
    )
    # total = 55 - 1 + 24.5 + 8 = 86.5; without the survey leaves: 55 - 1 = 54.
    assert (t.total, t.total_without_survey, t.maximum) == (D("86.5"), D(54), D(100))


def test_field_scores_group_leaves_by_first_code_part():
    t = agency_totals(
        [
            scored("1.1.1", NUMBER, 4, "3.5"),
            scored("1.1.2", CHOICE, 2, "1"),
            scored("1.2", DEDUCTION, 1, "-0.25"),
            scored("2.1", YESNO, 2, "2"),
            scored("10.1", NUMBER, 2, "0.75"),
            scored("3.1", BONUS, 1, "1"),
        ]
    )
    assert t.field_scores == {"1": D("4.25"), "2": D(2), "10": D("0.75"), "3": D(1)}


def test_nothing_arose():
    t = agency_totals([scored("1.1", NUMBER, 5, None, na=True)])
    assert (t.total, t.maximum, t.ratio, t.index) == (D(0), D(0), Fraction(0), D(0))
    assert tier_position(t, CCHC_TIERS) == 4


def test_unscored_lists_arisen_base_leaves_without_score():
    scores = [
        scored("1.1", NUMBER, 1, None),
        scored("1.2", CHOICE, 1, "1"),
        scored("1.3", YESNO, 1, None, na=True),
        scored("1.4", DEDUCTION, 1, None),
        scored("1.5", BONUS, 1, None),
        scored("2.1", SURVEY, 1, None),
        scored("2.2", YESNO, 1, None),
    ]
    assert unscored(scores) == ["1.1", "2.1", "2.2"]


# --- index and tiers ------------------------------------------------------------------


def test_index_89_996_stays_below_90_though_it_prints_as_90():
    t = agency_totals([scored("1.1", NUMBER, 250, "224.99")])
    # 224.99 / 250 * 100 = 89.996 exactly.
    assert t.index == D("89.996")
    assert f"{t.index:.2f}" == "90.00"
    assert t.ratio == Fraction(22499, 25000)
    assert tier_position(t, CCHC_TIERS) == 1  # Tốt, not Rất tốt


def test_index_at_exact_bound_reaches_the_tier():
    t = agency_totals([scored("1.1", NUMBER, 250, "225")])
    assert t.index == D(90)
    assert tier_position(t, CCHC_TIERS) == 0


def test_index_of_a_repeating_fraction():
    t = totals(2, 3)
    assert t.ratio == Fraction(2, 3)
    assert t.index.quantize(D("0.01")) == D("66.67")
    # 66.66…% reaches a bound of 66.66 but not 66.67.
    assert tier_position(t, [TierDef("a", D("66.67")), TierDef("b", D("66.66")), TierDef("c", D(0))]) == 1


@pytest.mark.parametrize(
    ("total", "expected"),
    [("100", 0), ("90", 0), ("89.99", 1), ("80", 1), ("79.75", 2), ("70", 2),
     ("69.99", 3), ("60", 3), ("59.5", 4), ("50", 4), ("49.99", 5), ("0", 5), ("101.5", 0)],
)  # fmt: skip
def test_tier_position_vtlt(total, expected):
    assert tier_position(totals(total, 100), VTLT_TIERS) == expected


def test_tier_position_needs_a_scheme():
    with pytest.raises(ValueError):
        tier_position(totals(1, 1), [])


@pytest.mark.parametrize(
    ("position", "steps", "cap", "expected"),
    [
        (0, 0, None, 0),  # nothing recorded
        (0, 1, None, 1),  # by steps
        (1, 2, None, 3),
        (0, 0, 2, 2),  # by cap
        (3, 0, 2, 3),  # a cap above the tier held never raises it
        (2, 0, 2, 2),
        (0, 1, 3, 3),  # both: the lower of the two wins
        (0, 3, 1, 3),
        (3, 5, None, 4),  # never past the last tier
        (4, 1, None, 4),
        (1, 0, 7, 4),
        (2, -1, None, 2),  # negative steps never raise
    ],
)
def test_demoted_position(position, steps, cap, expected):
    assert demoted_position(position, tier_count=5, steps=steps, cap_position=cap) == expected


# --- ranks ----------------------------------------------------------------------------


def test_competition_ranks_1_2_2_4():
    keys = {"a": (Fraction(9, 10),), "b": (Fraction(4, 5),), "c": (Fraction(8, 10),), "d": (Fraction(1, 2),)}
    assert competition_ranks(keys) == {"a": 1, "b": 2, "c": 2, "d": 4}


def test_competition_ranks_all_tied_and_empty():
    assert competition_ranks({"a": (1,), "b": (1,), "c": (1,)}) == {"a": 1, "b": 1, "c": 1}
    assert competition_ranks({}) == {}


def ranks_of(all_totals: dict[str, Totals], *, fields=("1", "2", "3"), breakers=BOTH_BREAKERS):
    return competition_ranks(
        {k: rank_key(t, field_codes=fields, tie_breakers=breakers) for k, t in all_totals.items()}
    )


def test_rank_key_index_comes_first():
    # A has the lower total but the higher index (fewer leaves arose).
    a = totals(72, 80, without_survey=40)
    b = totals(89, 100, without_survey=89)
    assert ranks_of({"a": a, "b": b}) == {"a": 1, "b": 2}
    assert rank_key(a, field_codes=(), tie_breakers=()) == (Fraction(9, 10),)


def test_rank_key_total_without_survey_breaks_an_index_tie():
    a = totals(80, 100, without_survey=70, fields={"1": 30, "2": 50})
    b = totals(80, 100, without_survey=60, fields={"1": 60, "2": 20})
    assert ranks_of({"a": a, "b": b}) == {"a": 1, "b": 2}


def test_rank_key_only_field_2_separates():
    # Same index, same total without survey, same field 1: field 2 decides, field 3 is not reached.
    a = totals(80, 100, fields={"1": 30, "2": 25, "3": 25})
    b = totals(80, 100, fields={"1": 30, "2": 20, "3": 30})
    assert rank_key(a, field_codes=("1", "2", "3"), tie_breakers=BOTH_BREAKERS) == (
        Fraction(4, 5), D(80), D(30), D(25), D(25)
    )  # fmt: skip
    assert ranks_of({"b": b, "a": a}) == {"a": 1, "b": 2}


def test_rank_key_field_without_scores_counts_zero():
    a = totals(10, 20, fields={"1": 10})
    b = totals(10, 20, fields={"1": 8, "2": 2})
    assert rank_key(a, field_codes=("1", "2"), tie_breakers=(TIE_FIELDS,)) == (Fraction(1, 2), D(10), D(0))
    assert ranks_of({"a": a, "b": b}, fields=("1", "2")) == {"a": 1, "b": 2}


def test_rank_key_follows_the_order_of_the_tie_breakers():
    a = totals(80, 100, without_survey=70, fields={"1": 30})
    b = totals(80, 100, without_survey=60, fields={"1": 40})
    assert ranks_of({"a": a, "b": b}, fields=("1",), breakers=(TIE_FIELDS, TIE_TOTAL_WITHOUT_SURVEY)) == {
        "a": 2, "b": 1
    }  # fmt: skip


def test_still_equal_after_every_tie_breaker_share_the_rank():
    a = totals(80, 100, fields={"1": 30, "2": 50})
    b = totals(80, 100, fields={"1": 30, "2": 50})
    c = totals(70, 100, fields={"1": 30, "2": 40})
    assert ranks_of({"a": a, "b": b, "c": c}) == {"a": 1, "b": 1, "c": 3}
    # Without tie-breakers the index alone decides.
    a2 = totals(80, 100, without_survey=70)
    assert ranks_of({"a": a2, "b": b}, breakers=()) == {"a": 1, "b": 1}


def test_rank_key_unknown_tie_breaker():
    with pytest.raises(ValueError):
        rank_key(totals(1, 1), field_codes=(), tie_breakers=("age",))


@pytest.mark.parametrize(
    ("rank", "previous", "expected"), [(3, 5, 2), (5, 3, -2), (4, 4, 0), (1, None, None)]
)
def test_rank_change(rank, previous, expected):
    assert rank_change(rank, previous) == expected


# --- awards ---------------------------------------------------------------------------


def cand(key, rank, tier=0, *, group="g", demoted=False) -> Candidate:
    return Candidate(key, group, rank, tier, demoted)


def test_awards_from_position():
    cs = [cand("a", 1, 0), cand("b", 2, 1), cand("c", 3, 2)]
    assert propose_awards(cs, AwardRule(from_position=0)) == ["a"]
    assert propose_awards(cs, AwardRule(from_position=1)) == ["a", "b"]
    assert propose_awards(cs, AwardRule(from_position=None)) == []


def test_awards_exclude_demoted():
    cs = [cand("a", 1, 0, demoted=True), cand("b", 2, 0)]
    assert propose_awards(cs, AwardRule(from_position=0)) == ["b"]
    assert propose_awards(cs, AwardRule(from_position=0, exclude_demoted=False)) == ["a", "b"]


def test_awards_max_per_group_counts_per_group_in_rank_order():
    cs = [
        cand("x3", 3, group="x"),
        cand("y1", 1, group="y"),
        cand("x1", 1, group="x"),
        cand("x2", 2, group="x"),
        cand("y2", 2, group="y"),
    ]
    assert propose_awards(cs, AwardRule(from_position=0, max_per_group=2)) == ["x1", "x2", "y1", "y2"]
    assert propose_awards(cs, AwardRule(from_position=0, max_per_group=0)) == []


def test_awards_ties_at_the_cut_are_all_proposed():
    # Documented in AwardRule: nothing tells tied agencies apart, the council trims.
    cs = [cand("d", 4), cand("c", 2), cand("b", 2), cand("a", 1)]
    assert propose_awards(cs, AwardRule(from_position=0, max_per_group=2)) == ["a", "b", "c"]
    assert propose_awards(cs, AwardRule(from_position=0, max_per_group=3)) == ["a", "b", "c"]
    tied_first = [cand("a", 1), cand("b", 1), cand("c", 3)]
    assert propose_awards(tied_first, AwardRule(from_position=0, max_per_group=1)) == ["a", "b"]


def test_awards_cut_counts_only_eligible_agencies():
    # The demoted rank 1 is not proposed, so it does not use up the group's one place.
    cs = [cand("a", 1, demoted=True), cand("b", 2), cand("c", 3)]
    assert propose_awards(cs, AwardRule(from_position=0, max_per_group=1)) == ["b"]


# --- a whole period -------------------------------------------------------------------

NA = object()  # marks a leaf that did not arise

# Base maximum 40 + 10 + 20 + 30 = 100; 1.3 (deduction) and 3.1 (bonus) lie outside it.
LEAVES = [
    leaf("1.1", NUMBER, 40),
    leaf("1.2", YESNO, 10),
    leaf("1.3", DEDUCTION, 2),
    leaf("2.1", NUMBER, 20),
    leaf("2.2", SURVEY, 30),
    leaf("3.1", BONUS, 2),
]


def sheet(values: dict) -> list[LeafScore]:
    out = []
    for lf in LEAVES:
        value = values.get(lf.code)
        if value is NA:
            out.append(LeafScore(lf, None, not_arising=True))
        else:
            out.append(LeafScore(lf, None if value is None else D(value)))
    return out


def period_rules(**award) -> PeriodRules:
    return PeriodRules(tiers=CCHC_TIERS, field_codes=("1", "2", "3"), award=AwardRule(**award))


def test_compute_period_two_groups_by_hand():
    so, qh = "SO", "QH"  # departments, districts
    agencies = [
        # A: 38 + 10 - 0.5 + 18 + 27 + 1 = 93.5 of 100 -> 93.5 %, Rất tốt (0).
        #    without survey 93.5 - 27 = 66.5; fields 1: 47.5, 2: 45, 3: 1.
        AgencyInput("A", so, sheet({"1.1": "38", "1.2": "10", "1.3": "-0.5", "2.1": "18",
                                    "2.2": "27", "3.1": "1"}), previous_rank=1),
        # B: 36 + 10 + 27.5 = 73.5; 2.1 did not arise -> maximum 80; 73.5 / 80 = 91.875 %, tier 0.
        AgencyInput("B", so, sheet({"1.1": "36", "1.2": "10", "2.1": NA, "2.2": "27.5"})),
        # C: 40 + 10 + 19 + 24.5 = 93.5 of 100 -> 93.5 %, ties A on the index;
        #    without survey 69 > A's 66.5, so C ranks above A.
        AgencyInput("C", so, sheet({"1.1": "40", "1.2": "10", "2.1": "19", "2.2": "24.5"}),
                    previous_rank=2),
        # D: 40 + 10 + 20 + 30 + 2 = 102 -> 102 %, tier 0, demoted one step -> Tốt (1); rank 1.
        AgencyInput("D", so, sheet({"1.1": "40", "1.2": "10", "2.1": "20", "2.2": "30", "3.1": "2"}),
                    demotion_steps=1, previous_rank=3),
        # E: 30 + 0 - 2 + 15 + 25 = 68 -> 68 %, Trung bình (3).
        AgencyInput("E", qh, sheet({"1.1": "30", "1.2": "0", "1.3": "-2", "2.1": "15", "2.2": "25"}),
                    previous_rank=1),
        # F: 10 + 0 + 5 + 20 = 35 -> Yếu (4); one step down changes nothing, still demoted.
        AgencyInput("F", qh, sheet({"1.1": "10", "1.2": "0", "2.1": "5", "2.2": "20"}),
                    demotion_steps=1, previous_rank=5),
        # G: 39 + 10 + 20 + 27 = 96 -> tier 0, capped at tier 0: unchanged, still demoted.
        AgencyInput("G", qh, sheet({"1.1": "39", "1.2": "10", "2.1": "20", "2.2": "27"}), cap_position=0),
        # H: 35 + 10 + 20 + 25 = 90 -> exactly the bound, Rất tốt; without survey 65, field 1 45.
        AgencyInput("H", qh, sheet({"1.1": "35", "1.2": "10", "2.1": "20", "2.2": "25"}),
                    previous_rank=2),
        # I: 36 + 10 - 1 + 20 + 25 = 90; other leaves, same key as H (65; 45, 45, 0): shares rank 2.
        AgencyInput("I", qh, sheet({"1.1": "36", "1.2": "10", "1.3": "-1", "2.1": "20", "2.2": "25"}),
                    previous_rank=4),
    ]  # fmt: skip
    results = compute_period(agencies, period_rules(from_position=0, max_per_group=1))
    assert [r.key for r in results] == list("ABCDEFGHI")  # input order
    got = {
        r.key: (r.group, r.totals.total, r.totals.maximum, r.totals.index, r.tier_before_demotion, r.tier,
                r.rank, r.change, r.demoted, r.award_proposed)
        for r in results
    }  # fmt: skip
    # SO ranks: D 102 > C 93.5/69 > A 93.5/66.5 > B 91.875 -> 1, 2, 3, 4.
    # QH ranks: G 96 > H = I 90 > E 68 > F 35 -> 1, 2, 2, 4, 5.
    # Awards (tier 0, not demoted, one per group): SO -> C only (A and B fall after the cut;
    # D is demoted); QH -> H and I, tied at the cut (G is demoted, though nothing changed).
    assert got == {
        "A": (so, D("93.5"), D(100), D("93.5"), 0, 0, 3, -2, False, False),
        "B": (so, D("73.5"), D(80), D("91.875"), 0, 0, 4, None, False, False),
        "C": (so, D("93.5"), D(100), D("93.5"), 0, 0, 2, 0, False, True),
        "D": (so, D(102), D(100), D(102), 0, 1, 1, 2, True, False),
        "E": (qh, D(68), D(100), D(68), 3, 3, 4, -3, False, False),
        "F": (qh, D(35), D(100), D(35), 4, 4, 5, 0, True, False),
        "G": (qh, D(96), D(100), D(96), 0, 0, 1, None, True, False),
        "H": (qh, D(90), D(100), D(90), 0, 0, 2, 0, False, True),
        "I": (qh, D(90), D(100), D(90), 0, 0, 2, 2, False, True),
    }
    by_key = {r.key: r for r in results}
    assert by_key["A"].totals.total_without_survey == D("66.5")
    assert by_key["A"].totals.field_scores == {"1": D("47.5"), "2": D(45), "3": D(1)}
    assert by_key["B"].totals.field_scores == {"1": D(46), "2": D("27.5")}
    assert by_key["C"].totals.total_without_survey == D(69)
    assert by_key["I"].totals.field_scores == by_key["H"].totals.field_scores == {"1": D(45), "2": D(45)}
    assert by_key["B"].previous_rank is None and by_key["A"].previous_rank == 1


def test_demotion_that_changes_nothing_still_bars_the_award():
    top = {"1.1": "40", "1.2": "10", "2.1": "20", "2.2": "30"}  # 100 %, tier 0
    agencies = [
        AgencyInput("capped", "g", sheet(top), cap_position=0),  # capped at the tier it has
        AgencyInput("bottom", "g", sheet({"1.1": "1", "1.2": "0", "2.1": "0", "2.2": "0"}), demotion_steps=2),
        AgencyInput("clean", "g", sheet(top)),
    ]
    results = {r.key: r for r in compute_period(agencies, period_rules(from_position=0))}
    assert [(r.tier_before_demotion, r.tier, r.demoted) for r in results.values()] == [
        (0, 0, True), (4, 4, True), (0, 0, False)
    ]  # fmt: skip
    assert [k for k, r in results.items() if r.award_proposed] == ["clean"]
    # Where the rule allows demoted agencies, the capped one is proposed again.
    results = compute_period(agencies, period_rules(from_position=0, exclude_demoted=False))
    assert [r.key for r in results if r.award_proposed] == ["capped", "clean"]


def test_compute_period_default_rule_proposes_nothing():
    rules = PeriodRules(tiers=CCHC_TIERS, field_codes=("1", "2", "3"))
    results = compute_period([AgencyInput("a", "g", sheet({"1.1": "40", "1.2": "10", "2.2": "30",
                                                           "2.1": "20"}))], rules)  # fmt: skip
    assert [(r.rank, r.tier, r.award_proposed, r.change) for r in results] == [(1, 0, False, None)]


# --- properties -----------------------------------------------------------------------

quarters = st.integers(min_value=1, max_value=160).map(lambda q: D(q) / 4)  # 0.25 .. 40
cents = st.decimals(min_value=-50, max_value=50, places=2, allow_nan=False, allow_infinity=False)


def valid_score(method: str, max_points: Decimal) -> st.SearchStrategy[Decimal]:
    """A value that value_problem accepts for the leaf (multiples of 0.25)."""
    steps = int(max_points * 4)
    if method == YESNO:
        return st.sampled_from([D(0), max_points])
    if method == CHOICE:
        return st.sampled_from(choices_of(max_points))
    if method == DEDUCTION:
        return st.integers(-steps, 0).map(lambda q: D(q) / 4)
    return st.integers(0, steps).map(lambda q: D(q) / 4)


def choices_of(max_points: Decimal) -> list[Decimal]:
    return [D(0), max_points / 2, max_points]


@st.composite
def sheets(draw, methods=METHODS, *, valid: bool = True) -> list[LeafScore]:
    """A score sheet of up to 8 leaves over fields 1-3; scores valid or any 2-place value."""
    out = []
    for i in range(draw(st.integers(0, 8))):
        method = draw(st.sampled_from(methods))
        lf = leaf(f"{draw(st.integers(1, 3))}.{i}", method, draw(quarters))
        value = valid_score(method, lf.max_points) if valid else cents
        out.append(LeafScore(lf, draw(st.none() | value), not_arising=draw(st.booleans())))
    return out


@PROPERTY
@given(sheets(methods=(NUMBER, CHOICE, YESNO, DEDUCTION, SURVEY)))
def test_prop_index_within_0_100_without_bonus(scores):
    for s in scores:  # the strategy only makes values the entry checks accept
        if s.score is not None:
            lf = s.leaf
            assert value_problem(method=lf.method, max_points=lf.max_points, value=s.score,
                                 step=D("0.25"), choices=choices_of(lf.max_points)) is None  # fmt: skip
    t = agency_totals(scores)
    assert 0 <= t.ratio <= 1
    assert D(0) <= t.index <= D(100)
    assert t.total_without_survey <= t.total  # survey values are never negative here


@PROPERTY
@given(sheets(valid=False))
def test_prop_total_never_negative(scores):
    t = agency_totals(scores)
    assert t.total >= 0
    assert t.total_without_survey >= 0
    assert t.index >= 0
    # Whatever was entered, a deduction stays within [-floor, 0] and a bonus never exceeds its cap
    # (a negative bonus is refused on entry by value_problem, not here).
    for s in scores:
        if s.score is not None and s.leaf.method == DEDUCTION:
            assert -s.leaf.max_points <= contribution(s.leaf, s.score) <= 0
        if s.score is not None and s.leaf.method == BONUS:
            assert contribution(s.leaf, s.score) <= s.leaf.max_points


@PROPERTY
@given(sheets(valid=False))
def test_prop_unscored_lists_exactly_the_missing_base_leaves(scores):
    missing = unscored(scores)
    expected = [
        s.leaf.code for s in scores
        if s.score is None and not s.not_arising and s.leaf.method not in (BONUS, DEDUCTION)
    ]  # fmt: skip
    assert missing == expected
    for s in scores:
        if s.leaf.code in missing:
            assert s.score is None and not s.not_arising and s.leaf.method not in (BONUS, DEDUCTION)


# Totals drawn from a small grid so that ties on the index and on every breaker happen often.
small = st.integers(0, 4).map(D)
totals_st = st.builds(
    lambda total, maximum, survey, f1, f2: Totals(
        total, max(total - survey, D(0)), maximum, {"1": f1, "2": f2}
    ),
    total=small,
    maximum=st.sampled_from([D(4), D(8)]),
    survey=small,
    f1=small,
    f2=small,
)


@PROPERTY
@given(st.lists(totals_st, min_size=1, max_size=8), st.sampled_from([(), BOTH_BREAKERS]))
def test_prop_ranks(group, breakers):
    keys = {i: rank_key(t, field_codes=("1", "2"), tie_breakers=breakers) for i, t in enumerate(group)}
    ranks = competition_ranks(keys)
    n = len(group)
    assert set(ranks) == set(keys)
    for i, r in ranks.items():
        assert 1 <= r <= n
        # Competition ranking: exactly r - 1 agencies rank strictly better.
        assert sum(1 for other in ranks.values() if other < r) == r - 1
        for j, other in ranks.items():
            if keys[i] == keys[j]:
                assert r == other
            if group[i].ratio > group[j].ratio:
                assert r < other  # a higher exact index never ranks lower
            if keys[i] > keys[j]:
                assert r < other


@PROPERTY
@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["g1", "g2"]), sheets()), min_size=1,
                max_size=6))  # fmt: skip
def test_prop_compute_period_ranks_follow_the_index(rows):
    agencies = [
        AgencyInput(i, group, scores, demotion_steps=steps, previous_rank=steps or None)
        for i, (steps, group, scores) in enumerate(rows)
    ]
    results = compute_period(agencies, period_rules(from_position=1, max_per_group=2))
    for a in results:
        assert a.tier_before_demotion <= a.tier <= len(CCHC_TIERS) - 1
        assert a.demoted == (a.previous_rank is not None)  # steps > 0 here
        assert a.change == (None if a.previous_rank is None else a.previous_rank - a.rank)
        assert 1 <= a.rank <= sum(1 for b in results if b.group == a.group)
        assert not (a.award_proposed and (a.demoted or a.tier > 1))
        for b in results:
            if a.group == b.group and a.totals.ratio > b.totals.ratio:
                assert a.rank < b.rank


@PROPERTY
@given(
    position=st.integers(0, 5),
    tier_count=st.integers(1, 6),
    steps=st.integers(-2, 8),
    cap=st.none() | st.integers(-1, 8),
)
def test_prop_demotion_never_raises_and_stays_in_range(position, tier_count, steps, cap):
    position = min(position, tier_count - 1)
    lowered = demoted_position(position, tier_count=tier_count, steps=steps, cap_position=cap)
    assert position <= lowered <= tier_count - 1
    assert lowered >= min(position + max(steps, 0), tier_count - 1)
    if cap is not None:
        assert lowered >= min(cap, tier_count - 1)


tier_schemes = st.lists(
    st.decimals(min_value=D("0.01"), max_value=100, places=2, allow_nan=False, allow_infinity=False),
    max_size=5,
    unique=True,
).map(lambda bounds: [TierDef(str(i), b) for i, b in enumerate(sorted(bounds, reverse=True) + [D(0)])])
index_totals = st.decimals(min_value=0, max_value=110, places=2, allow_nan=False, allow_infinity=False)


@PROPERTY
@given(tier_schemes, index_totals, index_totals, st.sampled_from([D(100), D(80), D("97.5")]))
def test_prop_tier_position_is_monotone_and_exact(tiers, low, high, maximum):
    low, high = sorted((low, high))
    p_low = tier_position(Totals(low, low, maximum, {}), tiers)
    p_high = tier_position(Totals(high, high, maximum, {}), tiers)
    assert p_high <= p_low  # a higher index never gets a lower tier
    for total, p in ((low, p_low), (high, p_high)):
        exact = Fraction(total) * 100 / Fraction(maximum)
        assert exact >= Fraction(tiers[p].min_index)
        if p > 0:
            assert exact < Fraction(tiers[p - 1].min_index)


candidates_st = st.lists(
    st.tuples(st.sampled_from(["g1", "g2"]), st.integers(1, 6), st.integers(0, 4), st.booleans()),
    max_size=12,
).map(lambda rows: [Candidate(i, g, rank, tier, dem) for i, (g, rank, tier, dem) in enumerate(rows)])
award_rules = st.builds(
    AwardRule,
    from_position=st.none() | st.integers(0, 4),
    max_per_group=st.none() | st.integers(0, 3),
    exclude_demoted=st.booleans(),
)


@PROPERTY
@given(candidates_st, award_rules)
def test_prop_awards(candidates, rule):
    proposed = propose_awards(candidates, rule)
    by_key = {c.key: c for c in candidates}
    assert len(proposed) == len(set(proposed))
    if rule.from_position is None:
        assert proposed == []
        return
    for k in proposed:
        c = by_key[k]
        assert c.tier_position <= rule.from_position
        assert not (rule.exclude_demoted and c.demoted)
    for group in ("g1", "g2"):
        eligible = sorted(
            (c.rank for c in candidates
             if c.group == group and c.tier_position <= rule.from_position
             and not (rule.exclude_demoted and c.demoted)),
        )  # fmt: skip
        got = [by_key[k].rank for k in proposed if by_key[k].group == group]
        assert got == sorted(got)  # best ranks first
        n = rule.max_per_group
        if n is None or len(eligible) <= n:
            assert got == eligible
        elif n == 0:
            assert got == []
        else:
            # More than N only where the extra ones tie the N-th at the cut.
            cut = eligible[n - 1]
            assert got == [r for r in eligible if r <= cut]
            assert all(r == cut for r in got[n:])
