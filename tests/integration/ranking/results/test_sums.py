"""The database sums of `results_compute` agree with the pure definition in `scoring`.

`results_compute` lets the database add up a period's scores per assessment and field
(`ranking.results.compute.field_sums`). Here random periods — every scoring method, leaves
applying to one group only, leaves that did not arise (in the agency's word, overruled
either way by the reviewer's), deductions past their floor, bonuses
past their cap, empty bonus and deduction leaves, scores of leaves that do not apply to the
agency's group, four-decimal scores — are computed both ways: the stored results must equal,
agency by agency, what `scoring.compute_period` gives from the scores read one by one.
"""

import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ranking import scoring
from ranking.enums import Method, Phase
from ranking.models import Criterion, Result, Score, Tier
from ranking.results.compute import leaves_of, period_rules, results_compute
from tests.factories import (
    AgencyFactory,
    AgencyGroupFactory,
    AssessmentFactory,
    CriterionFactory,
    DemotionFactory,
    PeriodFactory,
    make_tiers,
)

pytestmark = pytest.mark.django_db

D = Decimal

# code, method, maximum, allow_not_arising, only for the first group
LEAVES = [
    ("1.1", Method.NUMBER, D("20"), False, False),
    ("1.2", Method.NUMBER, D("10"), True, True),
    ("1.3", Method.CHOICE, D("5"), True, False),
    ("2.1", Method.SURVEY, D("10"), False, False),
    ("2.2", Method.YESNO, D("5"), True, False),
    ("2.3", Method.DEDUCTION, D("2"), False, False),
    ("3", Method.BONUS, D("3"), True, False),
    ("4.1", Method.DEDUCTION, None, False, True),
    ("4.2", Method.BONUS, D("1.5"), False, False),
]


def value_for(rng: random.Random, method: str, maximum: Decimal | None) -> Decimal | None:
    if method == Method.DEDUCTION:
        return rng.choice([None, D(0), -D(rng.randint(1, 40)) / 8, D("-5.1234")])
    if method == Method.BONUS:
        return rng.choice([None, D(0), D(rng.randint(0, 30)) / 8, D("4.3333")])
    if method == Method.YESNO:
        return rng.choice([D(0), maximum])
    return (maximum * D(rng.randint(0, 10000)) / 10000).quantize(D("0.0001"))


def build_period(seed: int, agencies: int = 24, award_from_tier: str = "Tốt"):
    rng = random.Random(seed)
    period = PeriodFactory(year=2040 + seed, phase=Phase.FINALIZATION, award_from_tier=award_from_tier)
    make_tiers(period)
    first, second = AgencyGroupFactory(code=f"A{seed}"), AgencyGroupFactory(code=f"B{seed}")
    fields = {
        code: CriterionFactory(period=period, code=code, max_points=D("40")) for code in ("1", "2", "4")
    }
    leaves = []
    for code, method, maximum, may_not_arise, first_only in LEAVES:
        leaf = CriterionFactory(
            period=period,
            code=code,
            parent=fields.get(code.split(".")[0]) if "." in code else None,
            method=method,
            max_points=maximum,
            allow_not_arising=may_not_arise,
        )
        if first_only:
            leaf.groups.add(first)
        leaves.append(leaf)
    scores = []
    for n in range(agencies):
        group = first if n % 2 else second
        agency = AgencyFactory(code=f"S{seed}-{n:02d}", group=group)
        assessment = AssessmentFactory(period=period, agency=agency)
        for leaf in leaves:
            not_arising = leaf.allow_not_arising and rng.random() < 0.25
            # The reviewer's word, where given, decides whether the leaf arose.
            overruled = rng.choice([None, None, None, True, False]) if leaf.allow_not_arising else None
            left_out = scoring.final_not_arising(not_arising, overruled)
            # A leaf that does not apply to the group may still hold a stray score.
            value = value_for(rng, leaf.method, leaf.max_points)
            scores.append(
                Score(
                    assessment=assessment,
                    criterion=leaf,
                    final_score=None if left_out and rng.random() < 0.5 else value,
                    not_arising=not_arising,
                    reviewer_not_arising=overruled,
                )
            )
        if n % 7 == 3:
            DemotionFactory(period=period, agency=agency, steps=1)
    Score.objects.bulk_create(scores)
    return period


def reference(period) -> dict[int, scoring.AgencyResult]:
    """What `scoring.compute_period` gives from the scores read row by row."""
    criteria = list(Criterion.objects.filter(period=period).prefetch_related("groups"))
    tiers = list(Tier.objects.filter(period=period).order_by("order"))
    leaves = leaves_of(criteria)
    inputs = []
    for assessment in period.assessments.select_related("agency"):
        recorded = {s.criterion_id: s for s in Score.objects.filter(assessment=assessment)}
        scores = []
        for leaf in leaves:
            groups = {g.id for g in leaf.groups.all()}
            if groups and assessment.agency.group_id not in groups:
                continue
            score = recorded.get(leaf.id)
            scores.append(
                scoring.LeafScore(
                    leaf=scoring.Leaf(
                        leaf.code, leaf.method, leaf.max_points or 0, scoring.Leaf.field_of(leaf.code)
                    ),
                    score=score.final_score if score else None,
                    not_arising=score.final_not_arising if score else False,
                )
            )
        demotion = period.demotions.filter(agency=assessment.agency).first()
        inputs.append(
            scoring.AgencyInput(
                key=assessment.agency_id,
                group=assessment.agency.group_id,
                scores=scores,
                demotion_steps=demotion.steps if demotion else 0,
            )
        )
    rules = period_rules(period=period, tiers=tiers, criteria=criteria)
    return {r.key: r for r in scoring.compute_period(inputs, rules)}, tiers


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_database_sums_equal_the_pure_definition(seed):
    period = build_period(seed)
    expected, tiers = reference(period)

    summary = results_compute(period=period)

    results = {r.agency_id: r for r in Result.objects.filter(period=period)}
    assert summary.agencies == 24
    assert set(results) == set(expected)
    for agency_id, want in expected.items():
        got = results[agency_id]
        assert (got.total, got.total_without_survey, got.maximum) == (
            want.totals.total,
            want.totals.total_without_survey,
            want.totals.maximum,
        ), agency_id
        assert got.index == want.totals.index.quantize(D("1E-10"))
        assert {code: D(value) for code, value in got.field_scores.items()} == {
            code: want.totals.field_scores.get(code, D(0)) for code in ("1", "2", "3", "4")
        }
        # Component indices: each field's maximum by the maximum's rule, its points over it.
        assert {code: D(value) for code, value in got.field_maxima.items()} == {
            code: want.totals.field_maxima.get(code, D(0)) for code in ("1", "2", "3", "4")
        }
        indices = want.totals.field_indices
        assert got.field_indices == {
            code: None if indices.get(code) is None else str(indices[code].quantize(D("1E-10")))
            for code in ("1", "2", "3", "4")
        }
        assert (got.tier_before_demotion_id, got.tier_id) == (
            tiers[want.tier_before_demotion].id,
            tiers[want.tier].id,
        )
        assert (got.rank, got.demoted) == (want.rank, want.demoted)
    # The random data reach every case the sums treat apart.
    full = {period.criteria.get(code="1.2").groups.get().id: D(50)}  # else 40: 1.2 applies to one group
    assert any(r.totals.maximum < full.get(r.group, D(40)) for r in expected.values())  # did not arise
    assert any(r.totals.total_without_survey < r.totals.total for r in expected.values())
    assert any(r.demoted for r in expected.values())
    overruled = Score.objects.filter(assessment__period=period, reviewer_not_arising__isnull=False)
    assert overruled.filter(reviewer_not_arising=True, not_arising=False).exists()
    assert overruled.filter(reviewer_not_arising=False, not_arising=True).exists()


def queries_to_compute(seed: int, agencies: int) -> int:
    period = build_period(seed, agencies, award_from_tier="Yếu")  # every undemoted agency proposed
    with CaptureQueriesContext(connection) as queries:
        results_compute(period=period)
    assert Result.objects.filter(period=period).count() == agencies
    return len(queries)


def test_the_queries_do_not_grow_with_the_agencies():
    assert queries_to_compute(7, 4) == queries_to_compute(8, 40) == 17
