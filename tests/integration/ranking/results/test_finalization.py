"""The council's year end (ranking/services/finalization.py): phases, survey scores, demotions,
results, the award list, publication and reopening.

Period CCHC 2025 (phase: finalization; certificates from "Rất tốt") has the criteria

    1     field          1.1 number, max 60      1.2 number, max 30
    2     field          2.1 survey, max 10
    3     deduction, floor 2

so the maximum is 100 and an index equals a total. Three departments (group SBN) have
finalized assessments; last year (CCHC 2024, imported) STC ranked 1 and SNV 2:

    agency  1.1  1.2  2.1   total  tier      rank
    SNV      58   29    8      95  Rất tốt      1
    STC      55   28    9      92  Rất tốt      2
    SXD      50   25    7      82  Tốt          3

Messages are asserted as the English msgids (`override("en")`).
"""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from accounts.models import Agency, Role, User
from ranking.enums import AssessmentStatus, Method, Phase
from ranking.errors import ServiceError
from ranking.models import (
    Assessment,
    AwardEntry,
    Criterion,
    Demotion,
    HistoricalResult,
    Period,
    Publication,
    Result,
    Score,
    Tier,
)
from ranking.results.compute import results_compute
from ranking.results.finalization import (
    award_change,
    demotion_remove,
    demotion_set,
    period_phase_set,
    period_publish,
    period_reopen,
    results_approve,
    results_compute_by,
    survey_score_set,
)
from ranking.rules import PERMISSION_MESSAGES
from tests.factories import (
    AgencyFactory,
    AgencyGroupFactory,
    AssessmentFactory,
    CriterionFactory,
    PeriodFactory,
    ScoreFactory,
    UserFactory,
    make_tiers,
)

pytestmark = pytest.mark.django_db

D = Decimal
SITE = "https://danhgia.danang.gov.vn"
GROUP = "Khối sở, ban, ngành"
FINAL = {"SNV": ("58", "29", "8"), "STC": ("55", "28", "9"), "SXD": ("50", "25", "7")}
NAMES = {"SNV": "Sở Nội vụ", "STC": "Sở Tài chính", "SXD": "Sở Xây dựng"}


@pytest.fixture(autouse=True)
def _english():
    with override("en"):
        yield


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Nobody signs in here: hashing every user's password with PBKDF2 would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


@dataclass
class Year:
    period: Period
    agencies: dict[str, Agency]
    assessments: dict[str, Assessment]
    leaves: dict[str, Criterion]
    tiers: list[Tier]
    council: User
    admin: User
    reviewer: User
    viewer: User
    head: User

    def fresh(self) -> Period:
        return Period.objects.get(pk=self.period.pk)

    def score(self, agency: str, code: str) -> Score:
        return Score.objects.get(assessment=self.assessments[agency], criterion=self.leaves[code])


@pytest.fixture
def year() -> Year:
    sbn = AgencyGroupFactory(code="SBN", name=GROUP, order=1)
    agencies = {code: AgencyFactory(code=code, name=name, group=sbn) for code, name in NAMES.items()}
    previous = PeriodFactory(code="CCHC-2024", year=2024, name="CCHC 2024", phase=Phase.PUBLISHED)
    HistoricalResult.objects.create(period=previous, agency=agencies["STC"], rank=1)
    HistoricalResult.objects.create(period=previous, agency=agencies["SNV"], rank=2)
    period = PeriodFactory(
        code="CCHC-2025", year=2025, name="CCHC 2025", phase=Phase.FINALIZATION, previous=previous
    )
    tiers = make_tiers(period)
    one = CriterionFactory(period=period, code="1", max_points=D("90"))
    two = CriterionFactory(period=period, code="2", max_points=D("10"))
    leaves = {
        "1.1": CriterionFactory(period=period, code="1.1", parent=one, max_points=D("60")),
        "1.2": CriterionFactory(period=period, code="1.2", parent=one, max_points=D("30")),
        "2.1": CriterionFactory(
            period=period, code="2.1", parent=two, max_points=D("10"), method=Method.SURVEY
        ),
        "3": CriterionFactory(period=period, code="3", max_points=D("2"), method=Method.DEDUCTION),
    }
    reviewer = UserFactory(username="thamdinh", role=Role.REVIEWER)
    assessments = {}
    for code, values in FINAL.items():
        assessments[code] = AssessmentFactory(
            period=period, agency=agencies[code], reviewer=reviewer, status=AssessmentStatus.FINALIZED
        )
        for leaf, value in zip(("1.1", "1.2", "2.1"), values, strict=True):
            ScoreFactory(
                assessment=assessments[code],
                criterion=leaves[leaf],
                self_score=D(value),
                reviewed_score=D(value),
                final_score=D(value),
            )
    return Year(
        period=period,
        agencies=agencies,
        assessments=assessments,
        leaves=leaves,
        tiers=tiers,
        council=UserFactory(username="hoidong", role=Role.COUNCIL),
        admin=UserFactory(username="quantri", role=Role.ADMIN),
        reviewer=reviewer,
        viewer=UserFactory(username="ubnd", role=Role.VIEWER),
        head=UserFactory(username="lanhdao_snv", role=Role.HEAD, agency=agencies["SNV"]),
    )


def last_change(obj) -> tuple:
    entry = obj.history.first()
    return entry.history_user, entry.history_change_reason


def recorded(msgid: str, **params) -> str:
    """A history reason as the services write it: in the site's language, whoever acted."""
    with override(settings.LANGUAGE_CODE):
        text = gettext(msgid)
        return text % params if params else text


def compute(year: Year) -> None:
    results_compute_by(user=year.council, period=year.fresh())


def ready(year: Year) -> None:
    """Computed and approved: ready to publish."""
    compute(year)
    results_approve(user=year.council, period=year.fresh())


# --- period_phase_set ------------------------------------------------------------------------


def test_moving_forward(year):
    Period.objects.filter(pk=year.period.pk).update(phase=Phase.SELF_ASSESSMENT)

    period_phase_set(user=year.admin, period=year.fresh(), phase=Phase.APPRAISAL)

    period = year.fresh()
    assert period.phase == Phase.APPRAISAL
    assert last_change(period) == (year.admin, recorded("Phase: %(phase)s", phase=Phase.APPRAISAL.label))


@pytest.mark.parametrize("reason", ["", "   "])
def test_going_back_needs_a_reason(year, reason):
    with pytest.raises(ServiceError) as refused:
        period_phase_set(user=year.council, period=year.fresh(), phase=Phase.EXPLANATION, reason=reason)

    assert refused.value.messages == ["Write the reason for going back to an earlier phase."]
    assert year.fresh().phase == Phase.FINALIZATION


def test_going_back_with_a_reason(year):
    period_phase_set(
        user=year.council, period=year.fresh(), phase=Phase.EXPLANATION, reason=" Gia hạn giải trình "
    )

    period = year.fresh()
    assert period.phase == Phase.EXPLANATION
    assert last_change(period) == (
        year.council,
        recorded("Phase: %(phase)s", phase=Phase.EXPLANATION.label) + " — Gia hạn giải trình",
    )


@pytest.mark.parametrize("phase", [Phase.PUBLISHED, "closed"])
def test_publication_is_not_a_phase_to_set(year, phase):
    with pytest.raises(ServiceError) as refused:
        period_phase_set(user=year.council, period=year.fresh(), phase=phase)

    assert refused.value.messages == ["Publish the results with the publication step."]
    assert year.fresh().phase == Phase.FINALIZATION


@pytest.mark.parametrize("who", ["reviewer", "viewer", "head"])
def test_only_the_council_and_administrators_set_the_phase(year, who):
    with pytest.raises(PermissionDenied) as refused:
        period_phase_set(user=getattr(year, who), period=year.fresh(), phase=Phase.EXPLANATION, reason="x")

    assert str(refused.value) == PERMISSION_MESSAGES["ranking.set_phase"]
    assert year.fresh().phase == Phase.FINALIZATION


def test_a_published_period_keeps_its_phase(year):
    ready(year)
    period_publish(user=year.council, period=year.fresh())

    with pytest.raises(PermissionDenied):
        period_phase_set(user=year.admin, period=year.fresh(), phase=Phase.FINALIZATION, reason="Sửa")

    assert year.fresh().phase == Phase.PUBLISHED


def test_finalization_finalizes_the_approved_assessments(year):
    Period.objects.filter(pk=year.period.pk).update(phase=Phase.EXPLANATION)
    statuses = {
        "SNV": AssessmentStatus.APPROVED,
        "STC": AssessmentStatus.EXPLAINED,
        "SXD": AssessmentStatus.FINALIZED,
    }
    for code, status in statuses.items():
        Assessment.objects.filter(pk=year.assessments[code].pk).update(status=status)

    period_phase_set(user=year.council, period=year.fresh(), phase=Phase.FINALIZATION)

    after = {a.agency.code: a.status for a in Assessment.objects.filter(period=year.period)}
    assert after == {
        "SNV": AssessmentStatus.FINALIZED,
        "STC": AssessmentStatus.EXPLAINED,
        "SXD": AssessmentStatus.FINALIZED,
    }
    assert last_change(year.assessments["SNV"]) == (
        year.council,
        recorded("No explanation before finalization"),
    )
    assert last_change(year.fresh()) == (
        year.council,
        recorded("Phase: %(phase)s", phase=Phase.FINALIZATION.label),
    )


# --- survey_score_set ----------------------------------------------------------------------------


def survey(year: Year, value: str | None, code="2.1", user=None, agency="SNV"):
    return survey_score_set(
        user=user or year.council,
        assessment=Assessment.objects.select_related("period", "agency").get(pk=year.assessments[agency].pk),
        criterion_id=year.leaves[code].id,
        value=None if value is None else D(value),
    )


def test_a_survey_result_is_every_score_of_the_leaf(year):
    survey(year, "8.75")

    score = year.score("SNV", "2.1")
    assert (score.self_score, score.reviewed_score, score.final_score, score.version) == (
        D("8.75"),
        D("8.75"),
        D("8.75"),
        2,
    )
    assert last_change(score) == (year.council, recorded("Survey result"))


def test_the_same_survey_result_again_changes_nothing(year):
    survey(year, "8")

    assert year.score("SNV", "2.1").version == 1


def test_a_survey_result_for_a_new_leaf_row(year):
    survey(year, "6", agency="SXD")
    survey(year, None, agency="STC")

    assert year.score("SXD", "2.1").final_score == D("6")
    assert year.score("STC", "2.1").final_score is None


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("1.1", "50", "Only survey criteria are entered here."),
        ("2.1", "11", "Score 11 is above the maximum of 10."),
        ("2.1", "-1", "Score -1 cannot be negative."),
    ],
)
def test_survey_results_are_checked(year, code, value, message):
    with pytest.raises(ServiceError) as refused:
        survey(year, value, code=code)

    assert refused.value.messages == [message]
    assert year.score("SNV", code).final_score == D(FINAL["SNV"][("1.1", "1.2", "2.1").index(code)])


def test_survey_results_are_the_councils_during_finalization(year):
    with pytest.raises(PermissionDenied) as refused:
        survey(year, "5", user=year.reviewer)
    assert str(refused.value) == PERMISSION_MESSAGES["ranking.finalize_period"]

    Period.objects.filter(pk=year.period.pk).update(phase=Phase.EXPLANATION)
    with pytest.raises(PermissionDenied):
        survey(year, "5")

    assert year.score("SNV", "2.1").final_score == D("8")


# --- demotions -------------------------------------------------------------------------------


def test_demoting_by_steps(year):
    demotion = demotion_set(
        user=year.council,
        period=year.fresh(),
        agency=year.agencies["SNV"],
        reason=" Vi phạm kỷ luật ",
        steps=2,
    )

    stored = Demotion.objects.get()
    assert stored.pk == demotion.pk
    assert (stored.agency, stored.steps, stored.cap_tier, stored.reason, stored.created_by) == (
        year.agencies["SNV"],
        2,
        None,
        "Vi phạm kỷ luật",
        year.council,
    )
    assert stored.history.first().history_user == year.council


def test_capping_at_a_tier_replaces_the_earlier_demotion(year):
    demotion_set(user=year.council, period=year.fresh(), agency=year.agencies["SNV"], reason="Lần 1", steps=2)
    fair = year.tiers[2]

    demotion_set(
        user=year.council,
        period=year.fresh(),
        agency=year.agencies["SNV"],
        reason="Minh chứng không trung thực",
        cap_tier=fair,
    )

    stored = Demotion.objects.get()
    assert (stored.steps, stored.cap_tier, stored.reason) == (None, fair, "Minh chứng không trung thực")


def test_a_demotion_shows_in_the_computed_results(year):
    demotion_set(
        user=year.council, period=year.fresh(), agency=year.agencies["SNV"], reason="Kỷ luật", steps=1
    )

    compute(year)

    snv = Result.objects.get(period=year.period, agency=year.agencies["SNV"])
    assert (snv.tier_before_demotion.label, snv.tier.label, snv.demoted, snv.rank) == (
        "Rất tốt",
        "Tốt",
        True,
        1,
    )
    assert set(AwardEntry.objects.filter(included=True).values_list("agency__code", flat=True)) == {"STC"}


@pytest.mark.parametrize(
    ("reason", "steps", "cap", "message"),
    [
        ("  ", 1, False, "Write the reason for the demotion."),
        ("Kỷ luật", None, False, "Give the number of tiers, or the highest tier allowed."),
        ("Kỷ luật", 0, False, "Give the number of tiers, or the highest tier allowed."),
        ("Kỷ luật", -1, False, "Demote by 1 to 4 tiers: the scheme has 5."),
        ("Kỷ luật", None, True, "That tier belongs to another period."),
    ],
)
def test_demotions_are_checked(year, reason, steps, cap, message):
    foreign = Tier.objects.create(period=year.period.previous, order=1, label="Rất tốt", min_index=D("90"))

    with pytest.raises(ServiceError) as refused:
        demotion_set(
            user=year.council,
            period=year.fresh(),
            agency=year.agencies["SNV"],
            reason=reason,
            steps=steps,
            cap_tier=foreign if cap else None,
        )

    assert refused.value.messages == [message]
    assert not Demotion.objects.exists()


def test_demotions_are_the_councils_during_finalization(year):
    with pytest.raises(PermissionDenied):
        demotion_set(user=year.admin, period=year.fresh(), agency=year.agencies["SNV"], reason="x", steps=1)
    Period.objects.filter(pk=year.period.pk).update(phase=Phase.EXPLANATION)
    with pytest.raises(PermissionDenied):
        demotion_set(user=year.council, period=year.fresh(), agency=year.agencies["SNV"], reason="x", steps=1)

    assert not Demotion.objects.exists()


def test_lifting_a_demotion_needs_a_reason(year):
    demotion = demotion_set(
        user=year.council, period=year.fresh(), agency=year.agencies["SNV"], reason="Kỷ luật", steps=1
    )

    with pytest.raises(ServiceError) as refused:
        demotion_remove(user=year.council, demotion=demotion, reason=" ")

    assert refused.value.messages == ["Write the reason for lifting the demotion."]
    assert Demotion.objects.filter(pk=demotion.pk).exists()


def test_lifting_a_demotion(year):
    demotion = demotion_set(
        user=year.council, period=year.fresh(), agency=year.agencies["SNV"], reason="Kỷ luật", steps=1
    )
    demotion_id = demotion.pk

    demotion_remove(user=year.council, demotion=demotion, reason=" Quyết định kỷ luật bị hủy ")

    assert not Demotion.objects.exists()
    gone = Demotion.history.get(id=demotion_id, history_type="-")
    assert (gone.history_user, gone.history_change_reason) == (year.council, "Quyết định kỷ luật bị hủy")


def test_only_the_council_lifts_a_demotion(year):
    demotion = demotion_set(
        user=year.council, period=year.fresh(), agency=year.agencies["SNV"], reason="Kỷ luật", steps=1
    )

    with pytest.raises(PermissionDenied):
        demotion_remove(user=year.reviewer, demotion=demotion, reason="Sai")

    assert Demotion.objects.filter(pk=demotion.pk).exists()


# --- results, award list, approval ------------------------------------------------------------


def test_computing_is_the_councils(year):
    with pytest.raises(PermissionDenied):
        results_compute_by(user=year.admin, period=year.fresh())

    compute(year)

    ranks = dict(Result.objects.filter(period=year.period).values_list("agency__code", "rank"))
    assert ranks == {"SNV": 1, "STC": 2, "SXD": 3}
    assert year.fresh().results_computed_at is not None


def test_the_award_list_waits_for_the_results(year):
    with pytest.raises(ServiceError) as refused:
        award_change(
            user=year.council, period=year.fresh(), agency=year.agencies["SXD"], included=True, reason="x"
        )

    assert refused.value.messages == ["Compute the results first."]
    assert not AwardEntry.objects.exists()


def test_an_award_change_needs_a_reason(year):
    compute(year)

    with pytest.raises(ServiceError) as refused:
        award_change(
            user=year.council, period=year.fresh(), agency=year.agencies["SXD"], included=True, reason=""
        )

    assert refused.value.messages == ["Write the reason for changing the list."]


def awards(year: Year) -> dict[str, tuple]:
    return {
        e.agency.code: (e.proposed, e.included, e.reason, e.changed_by)
        for e in AwardEntry.objects.filter(period=year.period).select_related("agency", "changed_by")
    }


def test_the_council_adds_and_removes_agencies(year):
    compute(year)
    assert awards(year) == {"SNV": (True, True, "", None), "STC": (True, True, "", None)}

    award_change(
        user=year.council,
        period=year.fresh(),
        agency=year.agencies["SXD"],
        included=True,
        reason=" Thành tích đột xuất ",
    )
    award_change(
        user=year.council,
        period=year.fresh(),
        agency=year.agencies["STC"],
        included=False,
        reason="Bị kỷ luật",
    )

    assert awards(year) == {
        "SNV": (True, True, "", None),
        "STC": (True, False, "Bị kỷ luật", year.council),
        "SXD": (False, True, "Thành tích đột xuất", year.council),
    }
    entry = AwardEntry.objects.get(agency=year.agencies["SXD"])
    assert entry.history.first().history_user == year.council


def test_an_award_change_withdraws_the_approval(year):
    ready(year)
    assert year.fresh().awards_approved_at is not None

    award_change(
        user=year.council, period=year.fresh(), agency=year.agencies["SXD"], included=True, reason="Bổ sung"
    )

    period = year.fresh()
    assert period.awards_approved_at is None
    assert last_change(period) == (year.council, recorded("Award list changed"))
    assert not year.council.has_perm("ranking.publish_period", period)


def test_approval_waits_for_the_results(year):
    with pytest.raises(ServiceError) as refused:
        results_approve(user=year.council, period=year.fresh())

    assert refused.value.messages == ["Compute the results first."]
    assert year.fresh().awards_approved_at is None


def test_the_council_approves_the_results(year):
    compute(year)
    with pytest.raises(PermissionDenied):
        results_approve(user=year.reviewer, period=year.fresh())
    before = timezone.now()

    results_approve(user=year.council, period=year.fresh())

    period = year.fresh()
    assert before <= period.awards_approved_at <= timezone.now()
    assert last_change(period) == (year.council, recorded("Results and award list approved"))
    assert year.council.has_perm("ranking.publish_period", period)


@pytest.mark.parametrize("change", ["demotion", "survey score"])
def test_changing_the_inputs_after_approval_calls_for_a_new_approval(year, change):
    """DOMAIN: demotions applied, results computed, then the council approves and publishes.
    An approval given before a demotion or a new survey score would publish results that do
    not reflect it: the council must compute and approve again first."""
    ready(year)

    if change == "demotion":
        demotion_set(
            user=year.council, period=year.fresh(), agency=year.agencies["SNV"], reason="Kỷ luật", steps=1
        )
    else:
        survey(year, "2", agency="SNV")

    assert not year.council.has_perm("ranking.publish_period", year.fresh())


def test_results_are_not_published_over_an_unanswered_explanation(year):
    """Issue 3: the reviewer accepts, accepts in part or rejects every explanation. Once the
    period is published no explanation can be decided any more, so publishing while one
    awaits its decision would leave the agency without an answer for good."""
    stc = year.assessments["STC"]
    Assessment.objects.filter(pk=stc.pk).update(status=AssessmentStatus.EXPLAINED)
    Score.objects.filter(assessment=stc, criterion=year.leaves["1.1"]).update(
        explanation="Đã có văn bản", proposed_score=D("60")
    )

    with pytest.raises((ServiceError, PermissionDenied)):
        compute(year)
        results_approve(user=year.council, period=year.fresh())
        period_publish(user=year.council, period=year.fresh())

    assert year.fresh().phase == Phase.FINALIZATION
    assert not Publication.objects.exists()


# --- period_publish -------------------------------------------------------------------------------


def test_publishing_needs_computed_and_approved_results(year):
    with pytest.raises(PermissionDenied) as refused:
        period_publish(user=year.council, period=year.fresh())
    assert str(refused.value) == PERMISSION_MESSAGES["ranking.publish_period"]

    compute(year)
    with pytest.raises(PermissionDenied):
        period_publish(user=year.council, period=year.fresh())

    results_approve(user=year.council, period=year.fresh())
    with pytest.raises(PermissionDenied):
        period_publish(user=year.admin, period=year.fresh())

    assert not Publication.objects.exists()
    assert year.fresh().phase == Phase.FINALIZATION


def snapshot_row(code, rank, total, tier, previous_rank, survey=None):
    first, second, surveyed = FINAL[code]
    return {
        "group": GROUP,
        "group_code": "SBN",
        "group_order": 1,
        "rank": rank,
        "agency": code,
        "agency_id": Agency.objects.get(code=code).pk,
        "name": NAMES[code],
        "total": f"{total}.0000",
        "maximum": "100.0000",
        "index": f"{total}.0000000000",
        # Field 3 (a deduction) was left empty: it scores 0.
        "field_scores": {
            "1": f"{int(first) + int(second)}.0000",
            "2": f"{survey or surveyed}.0000",
            "3": "0",
        },
        # Field 1 has 90 points, field 2 (the survey) 10; field 3 (a deduction) none: no index.
        "field_maxima": {"1": "90.0000", "2": "10.0000", "3": "0.0000"},
        "field_indices": {
            "1": str(((D(first) + D(second)) * 100 / 90).quantize(D("1E-10"))),
            "2": str((D(survey or surveyed) * 10).quantize(D("1E-10"))),
            "3": None,
        },
        "tier": tier,
        "tier_before_demotion": tier,
        "demoted": False,
        "previous_rank": previous_rank,
        "standing": "ranked",
        "standing_reason": "",
        "late": False,
    }


def award_row(code):
    return {
        "agency": code,
        "agency_id": Agency.objects.get(code=code).pk,
        "name": NAMES[code],
        "group": GROUP,
        "group_code": "SBN",
        "group_order": 1,
    }


def test_publishing_freezes_a_snapshot(year, mailoutbox, django_capture_on_commit_callbacks):
    ready(year)
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        publication = period_publish(user=year.council, period=year.fresh())

    stored = Publication.objects.get()
    assert stored.pk == publication.pk
    assert (stored.version, stored.published_by, stored.reopened_at) == (1, year.council, None)
    assert stored.results == [
        snapshot_row("SNV", 1, 95, "Rất tốt", 2),
        snapshot_row("STC", 2, 92, "Rất tốt", 1),
        snapshot_row("SXD", 3, 82, "Tốt", None),
    ]
    assert stored.awards == [award_row("SNV"), award_row("STC")]
    assert stored.excluded == []
    assert stored.tier_labels == ["Rất tốt", "Tốt", "Khá", "Trung bình", "Yếu"]
    assert stored.field_codes == ["1", "2", "3"]
    period = year.fresh()
    assert period.phase == Phase.PUBLISHED
    assert before <= period.published_at <= timezone.now()
    assert stored.published_at == period.published_at
    assert last_change(period) == (year.council, recorded("Published (version %(version)d)", version=1))
    assert year.viewer.has_perm("ranking.view_public_results", period)


def test_publishing_tells_agencies_reviewers_and_the_council(
    year, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(username="canbo_stc", role=Role.OFFICER, agency=year.agencies["STC"])
    UserFactory(username="canbo_sxd", role=Role.OFFICER, agency=year.agencies["SXD"], email="")
    UserFactory(username="thamdinh_cu", role=Role.REVIEWER, is_active=False)
    ready(year)

    with django_capture_on_commit_callbacks(execute=True):
        period_publish(user=year.council, period=year.fresh())

    assert sorted(address for m in mailoutbox for address in m.to) == [
        "canbo_stc@example.gov.vn",
        "hoidong@example.gov.vn",
        "lanhdao_snv@example.gov.vn",
        "thamdinh@example.gov.vn",
    ]
    link = SITE + reverse("public_results", args=["CCHC-2025"])
    for message in mailoutbox:
        assert "CCHC 2025" in message.subject
        assert link in message.body


# --- period_reopen --------------------------------------------------------------------------------


@pytest.fixture
def published(year) -> Year:
    ready(year)
    period_publish(user=year.council, period=year.fresh())
    return year


def test_published_results_are_frozen(published):
    with pytest.raises(ServiceError) as refused:
        results_compute(period=published.fresh())

    assert refused.value.messages == [
        "Results of period CCHC-2025 are published and frozen; reopen the period to correct them."
    ]
    for action in (
        lambda: results_compute_by(user=published.council, period=published.fresh()),
        lambda: survey(published, "1"),
        lambda: demotion_set(
            user=published.council,
            period=published.fresh(),
            agency=published.agencies["SNV"],
            reason="x",
            steps=1,
        ),
        lambda: award_change(
            user=published.council,
            period=published.fresh(),
            agency=published.agencies["SXD"],
            included=True,
            reason="x",
        ),
    ):
        with pytest.raises(PermissionDenied):
            action()
    assert Result.objects.filter(period=published.period).count() == 3


@pytest.mark.parametrize("reason", ["", "  "])
def test_reopening_needs_a_reason(published, reason):
    with pytest.raises(ServiceError) as refused:
        period_reopen(user=published.council, period=published.fresh(), reason=reason)

    assert refused.value.messages == ["Write the reason for the correction."]
    assert published.fresh().phase == Phase.PUBLISHED


@pytest.mark.parametrize("who", ["admin", "reviewer", "viewer"])
def test_only_the_council_reopens_results(published, who):
    with pytest.raises(PermissionDenied) as refused:
        period_reopen(user=getattr(published, who), period=published.fresh(), reason="Sửa")

    assert str(refused.value) == PERMISSION_MESSAGES["ranking.reopen_period"]


def test_an_unpublished_period_cannot_be_reopened(year):
    with pytest.raises(PermissionDenied):
        period_reopen(user=year.council, period=year.fresh(), reason="Sửa")


def test_reopening_makes_a_new_version(published):
    year = published
    computed_at = year.fresh().results_computed_at
    before = timezone.now()

    period_reopen(user=year.council, period=year.fresh(), reason=" Sai điểm điều tra của SXD ")

    period = year.fresh()
    assert (period.phase, period.version, period.awards_approved_at) == (Phase.FINALIZATION, 2, None)
    assert period.results_computed_at == computed_at
    assert last_change(period) == (
        year.council,
        recorded("Reopened for correction: %(reason)s", reason="Sai điểm điều tra của SXD"),
    )
    first = Publication.objects.get()
    assert (first.version, first.reopened_by, first.reopen_reason) == (
        1,
        year.council,
        "Sai điểm điều tra của SXD",
    )
    assert before <= first.reopened_at <= timezone.now()
    # The public page keeps showing version 1 until version 2 is published, and the pages link it.
    assert year.viewer.has_perm("ranking.view_public_results", period)


def test_a_correction_is_published_as_the_next_version(published):
    year = published
    period_reopen(user=year.council, period=year.fresh(), reason="Sai điểm điều tra của SXD")
    survey(year, "10", agency="SXD")
    compute(year)
    results_approve(user=year.council, period=year.fresh())

    second = period_publish(user=year.council, period=year.fresh())

    assert second.version == 2
    assert list(Publication.objects.order_by("version").values_list("version", "reopen_reason")) == [
        (1, "Sai điểm điều tra của SXD"),
        (2, ""),
    ]
    assert second.results[2] == snapshot_row("SXD", 3, 85, "Tốt", None, survey=10)
    assert Publication.objects.get(version=1).results[2] == snapshot_row("SXD", 3, 82, "Tốt", None)
    period = year.fresh()
    assert (period.phase, period.version) == (Phase.PUBLISHED, 2)
    assert last_change(period) == (year.council, recorded("Published (version %(version)d)", version=2))
