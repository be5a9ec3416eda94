"""The what-if figures (ranking/whatif.py) are exact.

Every answer X is checked against `scoring.compute_period`, run on the whole group with the
agency's points raised: with X the agency reaches the next tier (or a better rank), with
X − 0.01 (and X − 1 where X ≥ 1) it does not. Example cases show the arithmetic in
comments; a hypothesis property covers random periods.
"""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ranking import scoring
from ranking.reports.whatif import (
    CENT,
    RankWhatIf,
    TierWhatIf,
    fill_order,
    headroom,
    points_to_next_rank,
    points_to_next_tier,
    with_points,
)
from ranking.scoring import AgencyInput, Leaf, LeafScore, PeriodRules, TierDef

D = Decimal
TIERS = [TierDef("Rất tốt", D(90)), TierDef("Tốt", D(80)), TierDef("Khá", D(70)), TierDef("Yếu", D(0))]

# Field 1: 1.1 number 30, 1.2 number 30; field 2: 2.1 number 30, 2.2 survey 10; 3 bonus 5;
# 4 deduction 2. The base maximum is 100, so the index equals the total.
L11 = Leaf("1.1", scoring.NUMBER, D(30), "1")
L12 = Leaf("1.2", scoring.NUMBER, D(30), "1")
L21 = Leaf("2.1", scoring.NUMBER, D(30), "2")
L22 = Leaf("2.2", scoring.SURVEY, D(10), "2")
BONUS = Leaf("3", scoring.BONUS, D(5), "3")
DEDUCTION = Leaf("4", scoring.DEDUCTION, D(2), "4")
RULES = PeriodRules(tiers=TIERS, field_codes=["1", "2", "3", "4"])


def agency(
    key, s11, s12, s21, s22, bonus=None, deduction=None, *, group="SBN", late=scoring.ZERO, **options
) -> AgencyInput:
    """`deduction`: the deduction leaf's score; `late`: the points the late rule takes off."""
    values = [(L11, s11), (L12, s12), (L21, s21), (L22, s22), (BONUS, bonus), (DEDUCTION, deduction)]
    scores = [LeafScore(leaf, None if v is None else D(v)) for leaf, v in values]
    return AgencyInput(key=key, group=group, scores=scores, deduction=late, **options)


def recomputed(agencies, key, points, rules=RULES) -> scoring.AgencyResult:
    """The agency's result when everything is recomputed with `points` added to it."""
    changed = [with_points(a, points) if a.key == key and points > 0 else a for a in agencies]
    return next(r for r in scoring.compute_period(changed, rules) if r.key == key)


def assert_tier_exact(agencies, key, answer: TierWhatIf, rules=RULES):
    before = recomputed(agencies, key, D(0), rules)
    reached = recomputed(agencies, key, answer.points, rules)
    assert reached.tier_before_demotion == answer.position < before.tier_before_demotion
    assert reached.tier == answer.position_after_demotion
    for less in (answer.points - CENT, answer.points - 1):
        if less >= 0:
            assert recomputed(agencies, key, less, rules).tier_before_demotion == before.tier_before_demotion


def assert_rank_exact(agencies, key, answer: RankWhatIf, rules=RULES):
    before = recomputed(agencies, key, D(0), rules)
    reached = recomputed(agencies, key, answer.points, rules)
    assert reached.rank == answer.rank < before.rank
    for less in (answer.points - CENT, answer.points - 1):
        if less >= 0:
            assert recomputed(agencies, key, less, rules).rank == before.rank


# --- points to the next tier --------------------------------------------------------------


def test_next_tier_from_87_65():
    # 87.65 of 100 is Tốt; Rất tốt needs 90 × 100 / 100 = 90 points: 90 − 87.65 = 2.35.
    a = agency("A", "30", "27.65", "25", "5")
    answer = points_to_next_tier(a, RULES)
    assert answer == TierWhatIf(
        points=D("2.35"), reachable=True, headroom=D("7.35"), position=0, position_after_demotion=0
    )
    # Headroom: 1.1 full, 1.2 30 − 27.65 = 2.35, 2.1 30 − 25 = 5; the survey leaf does not count.
    assert_tier_exact([a], "A", answer)


def test_next_tier_with_a_maximum_that_is_not_100():
    # 1.2 does not arise: maximum 70. 2.2 survey 10 of 10, 1.1 25, 2.1 24.5: total 59.5,
    # index 85.0 (Tốt). Rất tốt: 90 % of 70 = 63 points → 63 − 59.5 = 3.50.
    a = AgencyInput(
        key="A",
        group="SBN",
        scores=[
            LeafScore(L11, D("25")),
            LeafScore(L12, None, not_arising=True),
            LeafScore(L21, D("24.5")),
            LeafScore(L22, D("10")),
        ],
    )
    answer = points_to_next_tier(a, RULES)
    assert (answer.points, answer.position, answer.headroom) == (D("3.50"), 0, D("10.5"))
    assert_tier_exact([a], "A", answer)


def test_next_tier_rounds_up_to_the_next_hundredth():
    # Maximum 97.35 (2.1 of 27.35): Rất tốt needs 0.9 × 97.35 = 87.615 points. The total
    # 87 needs 0.615, i.e. 0.62 in steps of 0.01: 87.61 / 97.35 = 89.9949 % stays Tốt.
    leaf = Leaf("2.1", scoring.NUMBER, D("27.35"), "2")
    a = AgencyInput(
        key="A",
        group="SBN",
        scores=[LeafScore(L11, D(30)), LeafScore(L12, D(30)), LeafScore(leaf, D(17)), LeafScore(L22, D(10))],
    )
    answer = points_to_next_tier(a, RULES)
    assert answer.points == D("0.62")
    assert_tier_exact([a], "A", answer)


def test_next_tier_counts_bonus_and_deduction_in_the_total():
    # 27 + 28 + 25 + 5 = 85, bonus +2, deduction −1.5: total 85.5 → Rất tốt needs 4.50.
    a = agency("A", "27", "28", "25", "5", bonus="2", deduction="-1.5")
    answer = points_to_next_tier(a, RULES)
    assert answer.points == D("4.50")
    assert_tier_exact([a], "A", answer)


def test_next_tier_of_a_late_agency_counts_the_points_it_loses():
    # 27 + 28 + 25 + 5 = 85, less 3 points for submitting late: 82, Tốt. Rất tốt needs 90 after
    # the deduction: 8.00 points, not the 5.00 the scores alone would suggest.
    a = agency("A", "27", "28", "25", "5", deduction=None, late=D(3))
    answer = points_to_next_tier(a, RULES)
    assert (answer.points, answer.position) == (D("8.00"), 0)
    assert_tier_exact([a], "A", answer)


def test_no_next_tier_at_the_top():
    assert points_to_next_tier(agency("A", "30", "30", "30", "0"), RULES) is None


def test_demoted_agency_gets_the_points_before_demotion_and_keeps_its_demotion():
    # 85 is Tốt before demotion, Khá after one step down. 5.00 points reach Rất tốt before
    # demotion; the demotion still applies: Tốt.
    a = agency("A", "30", "25", "25", "5", demotion_steps=1)
    answer = points_to_next_tier(a, RULES)
    assert (answer.points, answer.position, answer.position_after_demotion) == (D("5.00"), 0, 1)
    assert_tier_exact([a], "A", answer)


def test_agency_capped_at_its_tier_stays_there():
    # Capped at Tốt (position 1): with 5.00 points it reaches Rất tốt before demotion, still Tốt.
    a = agency("A", "30", "25", "25", "5", cap_position=1)
    answer = points_to_next_tier(a, RULES)
    assert (answer.points, answer.position, answer.position_after_demotion) == (D("5.00"), 0, 1)
    assert_tier_exact([a], "A", answer)


def test_demoted_agency_at_the_top_before_demotion_has_no_next_tier():
    assert points_to_next_tier(agency("A", "30", "30", "30", "1", demotion_steps=1), RULES) is None


def test_reachable_up_to_the_headroom_and_not_beyond():
    # 30 + 30 + 25 + survey 1 = 86 (Tốt): Rất tốt needs 4.00; only 2.1 has room (5): reachable.
    a = agency("A", "30", "30", "25", "1")
    answer = points_to_next_tier(a, RULES)
    assert (answer.points, answer.reachable, answer.headroom) == (D("4.00"), True, D("5"))
    # 30 + 30 + 28 + 0 = 88: needs 2.00, exactly its room of 2: still reachable.
    answer = points_to_next_tier(agency("B", "30", "30", "28", "0"), RULES)
    assert (answer.points, answer.reachable, answer.headroom) == (D("2.00"), True, D("2"))
    # 2.1 of maximum 29 scored 29, survey 0 of 11: maximum 100, total 89. Rất tốt needs
    # 1.00 but every leaf the agency can gain on is full: not reachable.
    full = AgencyInput(
        key="C",
        group="SBN",
        scores=[
            LeafScore(L11, D(30)),
            LeafScore(L12, D(30)),
            LeafScore(Leaf("2.1", scoring.NUMBER, D(29), "2"), D(29)),
            LeafScore(Leaf("2.2", scoring.SURVEY, D(11), "2"), D(0)),
        ],
    )
    answer = points_to_next_tier(full, RULES)
    assert (answer.points, answer.reachable, answer.headroom) == (D("1.00"), False, D(0))
    assert_tier_exact([full], "C", answer)


def test_nothing_to_gain_on():
    # Only a survey leaf arose: no points can be added by the agency.
    a = AgencyInput(
        key="A",
        group="SBN",
        scores=[LeafScore(L11, None, True), LeafScore(L22, D(5))],
    )
    answer = points_to_next_tier(a, RULES)
    assert (answer.points, answer.reachable) == (None, False)


# --- points to the next rank --------------------------------------------------------------


def group_of_three(*, b_survey: str, c_survey: str):
    """A 92 (rank 1), B 90.50 (rank 2), C 88 (rank 3); index = total (maximum 100).

    B: 30 + 30 + (30.5 − survey) + survey; C: 30 + 25 + (33 − survey) + survey.
    """
    a = agency("A", "30", "30", "27", "5")
    b = agency("B", "30", "30", str(D("30.5") - D(b_survey)), b_survey)
    c = agency("C", "30", "25", str(D(33) - D(c_survey)), c_survey)
    return [a, b, c]


def test_next_rank_ties_the_index_and_wins_on_total_without_survey():
    # B 90.50 with survey 10 → 80.50 without survey. C 88 with survey 5 → 83. With 2.50
    # points C reaches 90.50 = B's index and 85.50 without survey > 80.50: rank 2.
    # With 2.49 its index 90.49 stays below B's. C's room: 1.2 5 + 2.1 2 = 7.
    agencies = group_of_three(b_survey="10", c_survey="5")
    answer = points_to_next_rank(agencies, "C", RULES)
    assert answer == RankWhatIf(points=D("2.50"), reachable=True, headroom=D(7), rank=2)
    assert_rank_exact(agencies, "C", answer)


def test_next_rank_needs_one_step_more_when_the_tie_breaker_is_lost():
    # B 90.50 with survey 0.5 → 90 without survey. C 88 with survey 10 → 78. At 2.50 the
    # index ties but 80.50 < 90 without survey: 2.51 (index 90.51) is needed.
    agencies = group_of_three(b_survey="0.5", c_survey="10")
    answer = points_to_next_rank(agencies, "C", RULES)
    assert (answer.points, answer.rank) == (D("2.51"), 2)
    assert_rank_exact(agencies, "C", answer)


def test_next_rank_decided_by_the_field_scores():
    # Only the field tie-breaker. B: field 1 = 30 + 30 = 60, field 2 = 25.5 + 5 = 30.5 (90.50).
    # C: field 1 = 30 + 29 = 59 (room 1), field 2 = 24 + 5 = 29 (room 6): 88. The points go
    # to field 2 (most headroom): at 2.50 field 1 is 59 < 60, so C stays below; 2.51 passes
    # on the index.
    rules = PeriodRules(tiers=TIERS, field_codes=["1", "2", "3", "4"], tie_breakers=(scoring.TIE_FIELDS,))
    b = agency("B", "30", "30", "25.5", "5")
    c = agency("C", "30", "29", "24", "5")
    assert fill_order(c.scores)[0] == 2  # 2.1 first
    answer = points_to_next_rank([b, c], "C", rules)
    assert (answer.points, answer.rank) == (D("2.51"), 1)
    assert_rank_exact([b, c], "C", answer, rules)
    # B: field 1 = 30 + 27 = 57, field 2 = 28.5 + 5 = 33.5. C: field 1 = 30 + 27 = 57 (room
    # 3), field 2 = 26 + 5 = 31 (room 4). The points go to field 2: at 2.50 C equals B on the
    # index and on every field, and shares rank 1.
    b = agency("B", "30", "27", "28.5", "5")
    c = agency("C", "30", "27", "26", "5")
    answer = points_to_next_rank([b, c], "C", rules)
    assert (answer.points, answer.rank) == (D("2.50"), 1)
    assert_rank_exact([b, c], "C", answer, rules)


def test_next_rank_with_no_tie_breaker_shares_the_rank():
    # Index only: at 2.50 C equals B (90.50) and shares rank 2.
    rules = PeriodRules(tiers=TIERS, field_codes=["1", "2"], tie_breakers=())
    agencies = group_of_three(b_survey="0.5", c_survey="10")
    answer = points_to_next_rank(agencies, "C", rules)
    assert (answer.points, answer.rank) == (D("2.50"), 2)
    assert_rank_exact(agencies, "C", answer, rules)


def test_next_rank_behind_a_shared_first_place():
    # A and B share rank 1 at 92 (identical keys); C at 30 + 30 + 23 + 5 = 88 is 3rd. Its
    # room is all in 2.1 (7): with 4.00 it equals A and B on every key and shares rank 1.
    a = agency("A", "30", "30", "27", "5")
    b = agency("B", "30", "30", "27", "5")
    c = agency("C", "30", "30", "23", "5")
    answer = points_to_next_rank([a, b, c], "C", RULES)
    assert (answer.points, answer.rank) == (D("4.00"), 1)
    assert_rank_exact([a, b, c], "C", answer)


def test_next_rank_compares_exact_indices_across_maxima():
    # B: 1.2 does not arise, maximum 70, total 63.35 → 90.5 %. C: 88 of 100. C needs
    # 90.5 % of 100 = 90.5 → 2.50 points; at 2.50 its index equals B's exactly and the
    # total without survey 85.5 (survey 5) beats B's 58.35: rank 1.
    b = AgencyInput(
        key="B",
        group="SBN",
        scores=[
            LeafScore(L11, D("30")),
            LeafScore(L12, None, True),
            LeafScore(L21, D("28.35")),
            LeafScore(L22, D("5")),
        ],
    )
    c = agency("C", "30", "25", "28", "5")
    answer = points_to_next_rank([b, c], "C", RULES)
    assert (answer.points, answer.rank) == (D("2.50"), 1)
    assert_rank_exact([b, c], "C", answer)


def test_next_rank_ignores_other_groups():
    other = agency("X", "30", "30", "30", "10", group="QH")
    c = agency("C", "30", "25", "28", "5")
    assert points_to_next_rank([other, c], "C", RULES) is None


def test_no_next_rank_at_rank_1():
    agencies = group_of_three(b_survey="0.5", c_survey="5")
    assert points_to_next_rank(agencies, "A", RULES) is None


def test_next_rank_not_reachable():
    # C: 1.1, 1.2 and 2.1 full (90) with a survey of 0 → 90, room 0. B: 95 → C needs 5.00.
    b = agency("B", "30", "30", "30", "5")
    c = agency("C", "30", "30", "30", "0")
    answer = points_to_next_rank([b, c], "C", RULES)
    assert answer == RankWhatIf(points=D("5.00"), reachable=False, headroom=D(0), rank=1)
    assert_rank_exact([b, c], "C", answer)


def test_with_points_fills_the_field_with_most_headroom_first():
    # Field 1 room 5 + 3 = 8, field 2 room 6: field 1 first (1.1 then 1.2), then 2.1.
    a = agency("A", "25", "27", "24", "5")
    assert headroom(a) == D(14)
    filled = with_points(a, D("9.5"))
    assert [s.score for s in filled.scores[:4]] == [D(30), D(30), D("25.5"), D(5)]
    # Beyond the headroom the rest lands on the first leaf filled.
    assert with_points(a, D(15)).scores[0].score == D(31)


# --- the property ---------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=4000).map(lambda c: D(c) * CENT)


@st.composite
def periods(draw):
    """A random period: 2–4 fields of 1–3 leaves, random tiers and tie-breakers, 2–6 agencies
    in one group and one agency in another."""
    leaves = []
    for f in range(1, draw(st.integers(2, 4)) + 1):
        for n in range(1, draw(st.integers(1, 3)) + 1):
            method = draw(st.sampled_from([scoring.NUMBER, scoring.NUMBER, scoring.SURVEY, scoring.BONUS]))
            maximum = D(draw(st.integers(50, 4000))) * CENT
            leaves.append(Leaf(f"{f}.{n}", method, maximum, str(f)))
    leaves.append(Leaf("9", scoring.DEDUCTION, D(3), "9"))
    bounds = sorted({draw(st.integers(1, 9999)) for _ in range(draw(st.integers(1, 4)))}, reverse=True)
    tiers = [TierDef(f"T{i}", D(b) * CENT) for i, b in enumerate(bounds)] + [TierDef("last", D(0))]
    breakers = draw(
        st.sampled_from(
            [
                (),
                (scoring.TIE_TOTAL_WITHOUT_SURVEY,),
                (scoring.TIE_FIELDS,),
                (scoring.TIE_TOTAL_WITHOUT_SURVEY, scoring.TIE_FIELDS),
                (scoring.TIE_FIELDS, scoring.TIE_TOTAL_WITHOUT_SURVEY),
            ]
        )
    )
    rules = PeriodRules(
        tiers=tiers, field_codes=sorted({leaf.field for leaf in leaves}), tie_breakers=breakers
    )

    def scores():
        result = []
        for leaf in leaves:
            not_arising = leaf.method == scoring.NUMBER and draw(st.integers(0, 9)) == 0
            top = int(leaf.max_points / CENT)
            # Coarse steps make ties between agencies frequent.
            step = draw(st.sampled_from([1, 25, 100]))
            value = D(draw(st.integers(0, top // step)) * step) * CENT
            if leaf.method == scoring.DEDUCTION:
                value = -value
            result.append(LeafScore(leaf, None if not_arising else value, not_arising))
        return result

    count = draw(st.integers(2, 6))
    agencies = [
        AgencyInput(
            key=k,
            group="G",
            scores=scores(),
            demotion_steps=draw(st.integers(0, 2)),
            cap_position=draw(st.none() | st.integers(0, len(tiers) - 1)),
        )
        for k in range(count)
    ]
    agencies.append(AgencyInput(key="other", group="H", scores=scores()))
    return agencies, rules


@settings(max_examples=300, deadline=None)
@given(periods(), st.data())
def test_what_if_is_exact(period, data):
    agencies, rules = period
    key = data.draw(st.integers(0, len(agencies) - 2))
    target = agencies[key]
    before = recomputed(agencies, key, D(0), rules)
    room = headroom(target)

    tier = points_to_next_tier(target, rules)
    if before.tier_before_demotion == 0:
        assert tier is None
    elif tier.points is None:
        assert not before.totals.maximum or not fill_order(target.scores)
    else:
        assert tier.reachable == (tier.points <= room)
        assert_tier_exact(agencies, key, tier, rules)

    rank = points_to_next_rank(agencies, key, rules)
    if before.rank == 1:
        assert rank is None
    elif rank.points is None:
        assert not before.totals.maximum or not fill_order(target.scores)
    else:
        assert rank.reachable == (rank.points <= room)
        assert_rank_exact(agencies, key, rank, rules)
        if rank.reachable:
            # Within the headroom no leaf goes past its maximum.
            raised = with_points(target, rank.points)
            assert all(s.score is None or s.score <= s.leaf.max_points for s in raised.scores)


@pytest.mark.parametrize("points", [D("0.01"), D("1"), D("7.35")])
def test_with_points_adds_exactly(points):
    a = agency("A", "30", "27.65", "25", "5")
    before = scoring.agency_totals(a.scores)
    after = scoring.agency_totals(with_points(a, points).scores)
    assert after.total - before.total == points
    assert after.total_without_survey - before.total_without_survey == points
    assert after.maximum == before.maximum
