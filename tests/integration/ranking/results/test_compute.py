"""results_compute, awards_propose and the compute_results command (ranking/services/results.py).

Data are built with factories; figures are worked out by hand in each test. Messages are
the English msgids (`override("en")`), independent of the Vietnamese catalogue.
"""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import override

from ranking.enums import Method, Phase
from ranking.errors import ServiceError
from ranking.models import AwardEntry, HistoricalResult, Period, Result
from ranking.results.compute import results_compute
from tests.factories import (
    AgencyFactory,
    AgencyGroupFactory,
    AssessmentFactory,
    CriterionFactory,
    DemotionFactory,
    PeriodFactory,
    ScoreFactory,
    make_tiers,
)

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture(autouse=True)
def _english():
    with override("en"):
        yield


def make_period(
    *, year=2025, code=None, award_from_tier="Rất tốt", tiers=True, phase=Phase.FINALIZATION, **fields
):
    """A period whose criteria are: 1 → 1.1 number 60, 1.2 number 40; 2 bonus 5; 3 deduction 2.

    The maximum is 100, so an agency's index equals its total.
    """
    period = PeriodFactory(
        year=year, code=code or f"CCHC-{year}", phase=phase, award_from_tier=award_from_tier, **fields
    )
    if tiers:
        make_tiers(period)
    field = CriterionFactory(period=period, code="1", max_points=D("100"))
    leaves = {
        "1.1": CriterionFactory(period=period, code="1.1", parent=field, max_points=D("60")),
        "1.2": CriterionFactory(period=period, code="1.2", parent=field, max_points=D("40")),
        "2": CriterionFactory(period=period, code="2", max_points=D("5"), method=Method.BONUS),
        "3": CriterionFactory(period=period, code="3", max_points=D("2"), method=Method.DEDUCTION),
    }
    return period, leaves


def take_part(period, leaves, agency, scores: dict[str, str | None]):
    """An assessment with final scores; a leaf missing from `scores` has no Score row."""
    assessment = AssessmentFactory(period=period, agency=agency)
    for code, value in scores.items():
        ScoreFactory(
            assessment=assessment,
            criterion=leaves[code],
            final_score=D(value) if value is not None else None,
        )
    return assessment


def scored(total: str) -> dict[str, str]:
    """Scores for 1.1 and 1.2 adding up to `total` (≤ 100); bonus and deduction left out."""
    number = D(total)
    first = min(number, D(60))
    return {"1.1": str(first), "1.2": str(number - first)}


def results(period) -> dict[str, tuple]:
    rows = Result.objects.filter(period=period).select_related("agency", "tier")
    return {r.agency.code: (r.total, r.maximum, r.index, r.tier.label, r.rank, r.previous_rank) for r in rows}


def awards(period) -> dict[str, tuple[bool, bool, str]]:
    rows = AwardEntry.objects.filter(period=period).select_related("agency")
    return {e.agency.code: (e.proposed, e.included, e.reason) for e in rows}


@pytest.fixture
def sbn():
    return AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành", order=2)


@pytest.fixture
def qh():
    return AgencyGroupFactory(code="QH", name="Khối quận, huyện", order=3)


def agency(code, group):
    return AgencyFactory(code=code, name=f"Đơn vị {code}", group=group)


# --- refusals --------------------------------------------------------------------------------------


def refusal(period) -> list[str]:
    with pytest.raises(ServiceError) as raised:
        results_compute(period=period)
    return raised.value.messages


def test_refuses_a_period_without_tier_scheme(sbn):
    period, leaves = make_period(tiers=False)
    take_part(period, leaves, agency("SNV", sbn), scored("90"))
    assert refusal(period) == ["Period CCHC-2025 has no tier scheme."]
    assert Result.objects.count() == 0


def test_refuses_a_period_without_criteria(sbn):
    period = PeriodFactory(code="CCHC-2025", year=2025, phase=Phase.FINALIZATION)
    make_tiers(period)
    AssessmentFactory(period=period, agency=agency("SNV", sbn))
    assert refusal(period) == ["Period CCHC-2025 has no criteria."]


def test_refuses_a_period_without_assessments():
    period, _leaves = make_period()
    assert refusal(period) == ["Period CCHC-2025 has no assessments."]


def test_refuses_unscored_leaves_and_names_agency_and_leaves(sbn, qh):
    period, leaves = make_period()
    leaves["1.10"] = CriterionFactory(
        period=period, code="1.10", parent=leaves["1.1"].parent, max_points=D(5)
    )
    leaves["1.9"] = CriterionFactory(period=period, code="1.9", parent=leaves["1.1"].parent, max_points=D(5))
    take_part(period, leaves, agency("SNV", sbn), {"1.1": "50", "1.2": None, "1.9": "5", "1.10": "5"})
    take_part(period, leaves, agency("QHC", qh), {"1.2": "30"})
    take_part(period, leaves, agency("STC", sbn), {"1.1": "50", "1.2": "30", "1.9": "5", "1.10": "5"})
    assert refusal(period) == [
        "Results of period CCHC-2025 cannot be computed: the agencies below have leaves without a "
        "final score. Complete their scores, or choose for each one on the results page: "
        "“Not assessed”, or “Not ranked” once every leaf is scored.",
        "Đơn vị SNV (SNV) has no final score for 1.2.",
        "Đơn vị QHC (QHC) has no final score for 1.1, 1.9, 1.10.",
    ]
    assert Result.objects.count() == 0
    assert AwardEntry.objects.count() == 0


def test_a_self_score_without_final_score_is_unscored(sbn):
    period, leaves = make_period()
    assessment = take_part(period, leaves, agency("SNV", sbn), {"1.1": "60"})
    ScoreFactory(assessment=assessment, criterion=leaves["1.2"], self_score=D(40), final_score=None)
    assert refusal(period) == [
        "Results of period CCHC-2025 cannot be computed: the agencies below have leaves without a "
        "final score. Complete their scores, or choose for each one on the results page: "
        "“Not assessed”, or “Not ranked” once every leaf is scored.",
        "Đơn vị SNV (SNV) has no final score for 1.2.",
    ]


def test_unscored_list_is_cut_after_twenty_agencies(sbn):
    period, leaves = make_period()
    for number in range(23):
        take_part(period, leaves, agency(f"DV{number:02d}", sbn), {"1.1": "60"})
    messages = refusal(period)
    assert len(messages) == 22
    assert messages[0] == (
        "Results of period CCHC-2025 cannot be computed: the agencies below have leaves without a "
        "final score. Complete their scores, or choose for each one on the results page: "
        "“Not assessed”, or “Not ranked” once every leaf is scored."
    )
    assert messages[-1] == "… and 3 more agencies."


def test_refuses_a_published_period(sbn):
    period, leaves = make_period(phase=Phase.PUBLISHED)
    take_part(period, leaves, agency("SNV", sbn), scored("95"))
    assert refusal(period) == [
        "Results of period CCHC-2025 are published and frozen; reopen the period to correct them."
    ]
    assert Result.objects.count() == 0


def test_refuses_an_award_tier_that_is_not_in_the_scheme(sbn):
    period, leaves = make_period(award_from_tier="Xuất sắc")
    take_part(period, leaves, agency("SNV", sbn), scored("95"))
    assert refusal(period) == ["The certificate tier “Xuất sắc” is not a tier of period CCHC-2025."]


def test_refusal_keeps_earlier_results(sbn):
    period, leaves = make_period()
    take_part(period, leaves, agency("SNV", sbn), scored("95"))
    results_compute(period=period)
    take_part(period, leaves, agency("STC", sbn), {"1.1": "60"})
    refusal(period)
    assert results(period) == {"SNV": (D("95"), D("100"), D("95"), "Rất tốt", 1, None)}
    assert awards(period) == {"SNV": (True, True, "")}


# --- computing -------------------------------------------------------------------------------------


def test_empty_bonus_and_deduction_leaves_are_fine(sbn):
    period, leaves = make_period()
    take_part(period, leaves, agency("SNV", sbn), {"1.1": "55", "1.2": "36", "2": None})  # 3 has no row
    take_part(period, leaves, agency("STC", sbn), {"1.1": "50", "1.2": "35", "2": "4", "3": "-1.5"})
    summary = results_compute(period=period)
    assert summary.agencies == 2
    assert results(period) == {
        "SNV": (D("91"), D("100"), D("91"), "Rất tốt", 1, None),
        "STC": (D("87.5"), D("100"), D("87.5"), "Tốt", 2, None),
    }
    assert awards(period) == {"SNV": (True, True, "")}
    assert summary.proposed_awards == 1


def test_leaves_of_other_groups_and_leaves_that_did_not_arise_need_no_score(sbn, qh):
    period, leaves = make_period()
    leaves["1.3"] = CriterionFactory(
        period=period, code="1.3", parent=leaves["1.1"].parent, max_points=D(20), allow_not_arising=True
    )
    leaves["1.4"] = CriterionFactory(period=period, code="1.4", parent=leaves["1.1"].parent, max_points=D(10))
    leaves["1.4"].groups.set([qh])
    snv = take_part(period, leaves, agency("SNV", sbn), {"1.1": "54", "1.2": "36"})
    ScoreFactory(assessment=snv, criterion=leaves["1.3"], not_arising=True)
    take_part(period, leaves, agency("QHC", qh), {"1.1": "60", "1.2": "40", "1.3": "20", "1.4": "6"})
    results_compute(period=period)
    assert results(period) == {
        "SNV": (D("90"), D("100"), D("90"), "Rất tốt", 1, None),
        "QHC": (D("126"), D("130"), D("96.9230769231"), "Rất tốt", 1, None),
    }


def test_previous_periods_computed_ranks_win_over_its_imported_ranks(sbn):
    before, before_leaves = make_period(year=2024)
    now, now_leaves = make_period(year=2025, previous=before)
    codes = ["SNV", "STC", "SXD"]
    agencies = {code: agency(code, sbn) for code in codes}
    # 2024 computed: SNV 80 (3), STC 90 (2), SXD 95 (1); imported 2024 ranks say the opposite.
    for code, total in zip(codes, ["80", "90", "95"], strict=True):
        take_part(before, before_leaves, agencies[code], scored(total))
    results_compute(period=before)
    for code, rank in zip(codes, [1, 2, 3], strict=True):
        HistoricalResult.objects.create(period=before, agency=agencies[code], rank=rank)
    for code, total in zip(codes, ["96", "91", "85"], strict=True):
        take_part(now, now_leaves, agencies[code], scored(total))
    results_compute(period=now)
    assert {code: (r[4], r[5]) for code, r in results(now).items()} == {
        "SNV": (1, 3),
        "STC": (2, 2),
        "SXD": (3, 1),
    }


def test_imported_ranks_are_used_when_the_previous_period_was_not_computed(sbn):
    before = PeriodFactory(year=2024, code="CCHC-2024")
    now, leaves = make_period(year=2025, previous=before)
    snv, stc, sxd = agency("SNV", sbn), agency("STC", sbn), agency("SXD", sbn)
    HistoricalResult.objects.create(period=before, agency=snv, rank=2)
    HistoricalResult.objects.create(period=before, agency=stc, rank=1)
    take_part(now, leaves, snv, scored("96"))
    take_part(now, leaves, stc, scored("91"))
    take_part(now, leaves, sxd, scored("85"))
    results_compute(period=now)
    got = {code: (r[4], r[5]) for code, r in results(now).items()}
    assert got == {"SNV": (1, 2), "STC": (2, 1), "SXD": (3, None)}
    change = {r.agency.code: r.change for r in Result.objects.filter(period=now).select_related("agency")}
    assert change == {"SNV": 1, "STC": -1, "SXD": None}


def test_recompute_replaces_results(sbn):
    period, leaves = make_period()
    snv = take_part(period, leaves, agency("SNV", sbn), scored("95"))
    take_part(period, leaves, agency("STC", sbn), scored("85"))
    results_compute(period=period)
    snv.scores.filter(criterion__code="1.1").update(final_score=D(40))
    results_compute(period=period)
    assert results(period) == {
        "SNV": (D("75"), D("100"), D("75"), "Khá", 2, None),
        "STC": (D("85"), D("100"), D("85"), "Tốt", 1, None),
    }
    assert Result.objects.count() == 2


# --- the award list ------------------------------------------------------------------------------


def test_recompute_keeps_council_decisions_and_follows_the_rule_elsewhere(sbn):
    period, leaves = make_period()
    assessments = {
        code: take_part(period, leaves, agency(code, sbn), scored(total))
        for code, total in [("SNV", "95"), ("STC", "92"), ("SXD", "85"), ("SYT", "80"), ("SGTVT", "75")]
    }
    results_compute(period=period)
    assert awards(period) == {"SNV": (True, True, ""), "STC": (True, True, "")}

    # The council removes STC, adds SXD, both with a reason, and approves the list; SYT is an
    # entry nobody decided on (no reason), left from an earlier proposal.
    AwardEntry.objects.filter(agency__code="STC").update(included=False, reason="Có sai phạm được phát hiện")
    AwardEntry.objects.create(
        period=period,
        agency=assessments["SXD"].agency,
        proposed=False,
        included=True,
        reason="Thành tích đột xuất",
    )
    AwardEntry.objects.create(period=period, agency=assessments["SYT"].agency, proposed=True, included=True)
    Period.objects.filter(pk=period.pk).update(awards_approved_at=timezone.now())

    # SNV falls to 89 (Tốt): the rule no longer proposes it.
    assessments["SNV"].scores.filter(criterion__code="1.2").update(final_score=D(29))
    summary = results_compute(period=period)

    # Entries nobody decided on follow the rule: no longer proposed, off the list (kept for
    # their history).
    assert awards(period) == {
        "SNV": (False, False, ""),
        "STC": (True, False, "Có sai phạm được phát hiện"),
        "SXD": (False, True, "Thành tích đột xuất"),
        "SYT": (False, False, ""),
    }
    assert summary.proposed_awards == 1
    period.refresh_from_db()
    assert period.awards_approved_at is None
    assert period.results_computed_at is not None


def test_a_council_entry_that_the_rule_now_proposes_keeps_its_decision(sbn):
    period, leaves = make_period()
    snv = take_part(period, leaves, agency("SNV", sbn), scored("85"))
    results_compute(period=period)
    AwardEntry.objects.create(
        period=period, agency=snv.agency, proposed=False, included=False, reason="Chưa đủ"
    )
    snv.scores.filter(criterion__code="1.2").update(final_score=D(40))  # 85 → 100
    results_compute(period=period)
    assert awards(period) == {"SNV": (True, False, "Chưa đủ")}


def test_award_limit_per_group_and_demoted_agencies(sbn, qh):
    period, leaves = make_period(award_max_per_group=1)
    for code, group, total in [("SNV", sbn, "97"), ("STC", sbn, "95"), ("QHC", qh, "93"), ("QTK", qh, "96")]:
        take_part(period, leaves, agency(code, group), scored(total))
    DemotionFactory(period=period, agency=period.assessments.get(agency__code="QTK").agency, steps=1)
    summary = results_compute(period=period)
    # QTK, first in its group, is demoted: the one place of the group goes to QHC.
    assert awards(period) == {"SNV": (True, True, ""), "QHC": (True, True, "")}
    assert [(g.code, counts) for g, counts in summary.tier_counts] == [
        ("SBN", [("Rất tốt", 2), ("Tốt", 0), ("Khá", 0), ("Trung bình", 0), ("Yếu", 0)]),
        ("QH", [("Rất tốt", 1), ("Tốt", 1), ("Khá", 0), ("Trung bình", 0), ("Yếu", 0)]),
    ]
    qtk = Result.objects.select_related("tier", "tier_before_demotion").get(agency__code="QTK")
    assert (qtk.tier_before_demotion.label, qtk.tier.label, qtk.demoted, qtk.rank) == (
        "Rất tốt",
        "Tốt",
        True,
        1,
    )


# --- the command -----------------------------------------------------------------------------------


def test_command_prints_tier_counts_per_group_in_group_order(sbn, qh):
    tw = AgencyGroupFactory(code="TW", name="Khối cơ quan Trung ương", order=1)
    period, leaves = make_period()
    for code, group, total in [
        ("QHC", qh, "96"),
        ("QTK", qh, "72.5"),
        ("SNV", sbn, "91"),
        ("STC", sbn, "85"),
        ("SXD", sbn, "40"),
        ("KBNN", tw, "90"),
    ]:
        take_part(period, leaves, agency(code, group), scored(total))
    out = io.StringIO()
    call_command("compute_results", " CCHC-2025 ", stdout=out)
    assert out.getvalue().splitlines() == [
        "Khối cơ quan Trung ương: Rất tốt 1, Tốt 0, Khá 0, Trung bình 0, Yếu 0",
        "Khối sở, ban, ngành: Rất tốt 1, Tốt 1, Khá 0, Trung bình 0, Yếu 1",
        "Khối quận, huyện: Rất tốt 1, Tốt 0, Khá 1, Trung bình 0, Yếu 0",
        "6 agencies ranked; 3 proposed for a certificate of merit.",
    ]
    assert Result.objects.filter(period=period).count() == 6


def test_command_fails_for_an_unknown_period():
    with pytest.raises(CommandError) as raised:
        call_command("compute_results", "CCHC-1999", stdout=io.StringIO())
    assert str(raised.value) == "Unknown period “CCHC-1999”."


def test_command_fails_with_the_service_message(sbn):
    period, leaves = make_period()
    take_part(period, leaves, agency("SNV", sbn), {"1.1": "60"})
    with pytest.raises(CommandError) as raised:
        call_command("compute_results", "CCHC-2025", stdout=io.StringIO())
    assert str(raised.value) == (
        "Results of period CCHC-2025 cannot be computed: the agencies below have leaves without a "
        "final score. Complete their scores, or choose for each one on the results page: "
        "“Not assessed”, or “Not ranked” once every leaf is scored.\n"
        "Đơn vị SNV (SNV) has no final score for 1.2."
    )


# --- queries ---------------------------------------------------------------------------------------


def period_with_agencies(year: int, count: int, *, award_from_tier: str, groups) -> Period:
    period, leaves = make_period(year=year, award_from_tier=award_from_tier)
    for number in range(count):
        group = groups[number % len(groups)]
        take_part(period, leaves, agency(f"D{year}{number}", group), scored(str(91 + number % 5)))
    return period


@pytest.mark.parametrize("award_from_tier", ["", "Rất tốt"], ids=["no awards", "every agency proposed"])
def test_queries_do_not_grow_with_the_number_of_agencies(award_from_tier, sbn, qh, django_assert_num_queries):
    warm = period_with_agencies(2023, 1, award_from_tier=award_from_tier, groups=[sbn])
    two = period_with_agencies(2024, 2, award_from_tier=award_from_tier, groups=[sbn, qh])
    six = period_with_agencies(2025, 6, award_from_tier=award_from_tier, groups=[sbn, qh])
    results_compute(period=warm)
    with CaptureQueriesContext(connection) as queries:
        results_compute(period=two)
    with django_assert_num_queries(len(queries.captured_queries)):
        results_compute(period=six)
    assert Result.objects.filter(period=six).count() == 6
