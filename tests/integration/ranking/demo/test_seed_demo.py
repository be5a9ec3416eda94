"""`manage.py seed_demo`: the demonstration city year, its facts, and that it is idempotent."""

from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory

from accounts.models import Agency, AgencyGroup, Role, User
from ranking import scoring
from ranking.assessments.services import assessment_submit, submission_problems
from ranking.assessments.sheets import assessment_sheet
from ranking.enums import AssessmentStatus, Decision, Method, Phase
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

pytestmark = pytest.mark.django_db

BANNER = {
    "quantri": Role.ADMIN,
    "hoidong": Role.COUNCIL,
    "thamdinh1": Role.REVIEWER,
    "thamdinh2": Role.REVIEWER,
    "thamdinh3": Role.REVIEWER,
    "canbo.snv": Role.OFFICER,
    "lanhdao.snv": Role.HEAD,
    "canbo.stc": Role.OFFICER,
    "lanhdao.stc": Role.HEAD,
    "xem": Role.VIEWER,
}
MODELS = (AgencyGroup, Agency, User, Period, Tier, Criterion, Assessment, Score, Result, AwardEntry)


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module, inside a transaction rolled back at its end; each test runs
    in a savepoint of its own, so the tests that change the demo do not affect the others."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed()
        transaction.set_rollback(True)


@pytest.fixture
def output(seeded, db) -> str:
    return seeded


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def tier_counts(code: str) -> dict[str, dict[str, int]]:
    found: dict[str, Counter] = {}
    for group, label in Result.objects.filter(period__code=code).values_list("group__code", "tier__label"):
        found.setdefault(group, Counter())[label] += 1
    return {group: dict(c) for group, c in found.items()}


def leaves_of(code: str) -> list[Criterion]:
    criteria = list(Criterion.objects.filter(period__code=code).prefetch_related("groups"))
    parents = {c.parent_id for c in criteria}
    return [c for c in criteria if c.id not in parents]


def sign_in():
    """The request a sign-in comes with (the lockout backend needs one)."""
    return RequestFactory().post("/dang-nhap/")


def test_groups_and_agencies(output):
    assert list(AgencyGroup.objects.values_list("code", "name")) == [
        ("TW", "Khối cơ quan Trung ương"),
        ("SBN", "Khối sở, ban, ngành"),
        ("QH", "Khối quận, huyện"),
        ("SN", "Khối đơn vị sự nghiệp"),
    ]
    assert Agency.objects.count() == 42
    assert Counter(Agency.objects.values_list("group__code", flat=True)) == {
        "TW": 6,
        "SBN": 20,
        "QH": 8,
        "SN": 8,
    }
    assert Agency.objects.get(code="SNV").name == "Sở Nội vụ"
    assert Agency.objects.get(code="H-HV").name == "UBND huyện Hòa Vang"


def test_periods_and_phases(output):
    periods = {p.code: p for p in Period.objects.select_related("previous")}
    assert {code: p.phase for code, p in periods.items()} == {
        "CCHC-2024": Phase.PUBLISHED,
        "VTLT-2024": Phase.PUBLISHED,
        "CCHC-2025": Phase.PUBLISHED,
        "VTLT-2025": Phase.PUBLISHED,
        "CCHC-2026": Phase.SELF_ASSESSMENT,
        "VTLT-2026": Phase.APPRAISAL,
    }
    assert {code: p.previous.code if p.previous else None for code, p in periods.items()} == {
        "CCHC-2024": None,
        "VTLT-2024": None,
        "CCHC-2025": "CCHC-2024",
        "VTLT-2025": "VTLT-2024",
        "CCHC-2026": "CCHC-2025",
        "VTLT-2026": "VTLT-2025",
    }
    assert periods["CCHC-2025"].name == "Chỉ số CCHC năm 2025"
    assert periods["VTLT-2025"].name == "Công tác văn thư – lưu trữ năm 2025"
    for code in ("CCHC-2025", "VTLT-2025"):
        assert periods[code].published_at is not None
        assert periods[code].awards_approved_at is not None
        assert periods[code].results_computed_at is not None
        publication = Publication.objects.get(period__code=code)
        assert (publication.version, publication.published_by.username) == (1, "hoidong")
        assert len(publication.results) == 42
    cchc = periods["CCHC-2026"]
    assert [
        str(d) for d in (cchc.self_assessment_deadline, cchc.appraisal_deadline, cchc.explanation_deadline)
    ] == [
        "2026-12-15",
        "2027-01-15",
        "2027-01-31",
    ]
    assert str(periods["VTLT-2026"].self_assessment_deadline) == "2026-11-15"
    assert (cchc.award_from_tier, cchc.award_max_per_group, cchc.award_exclude_demoted) == (
        "Rất tốt",
        None,
        True,
    )
    vtlt = periods["VTLT-2026"]
    assert (vtlt.award_from_tier, vtlt.award_max_per_group, vtlt.award_exclude_demoted) == (
        "Xuất sắc",
        4,
        True,
    )
    assert list(cchc.tiers.values_list("label", "min_index")) == [
        ("Rất tốt", Decimal(90)),
        ("Tốt", Decimal(80)),
        ("Khá", Decimal(70)),
        ("Trung bình", Decimal(50)),
        ("Yếu", Decimal(0)),
    ]
    assert list(vtlt.tiers.values_list("label", flat=True)) == [
        "Xuất sắc",
        "Tốt",
        "Khá",
        "Trung bình khá",
        "Trung bình",
        "Yếu",
    ]


def test_criteria_sets(output):
    assert Criterion.objects.filter(period__code="CCHC-2026", parent=None).count() == 9
    assert Criterion.objects.filter(period__code="VTLT-2026", parent=None).count() == 7
    cchc = leaves_of("CCHC-2026")
    assert len(cchc) == 46
    assert Counter(c.method for c in cchc) == {
        Method.NUMBER: 20,
        Method.YESNO: 11,
        Method.CHOICE: 8,
        Method.SURVEY: 4,
        Method.DEDUCTION: 2,
        Method.BONUS: 1,
    }
    assert len(leaves_of("VTLT-2026")) == 26
    # 2026 is a copy of 2025.
    for subject in ("CCHC", "VTLT"):
        fields = ("code", "title", "max_points", "method", "step", "options", "allow_not_arising")
        assert list(Criterion.objects.filter(period__code=f"{subject}-2026").values_list(*fields)) == list(
            Criterion.objects.filter(period__code=f"{subject}-2025").values_list(*fields)
        )
    by_code = {c.code: c for c in cchc}
    assert [g.code for g in by_code["3.4"].groups.all()] == ["QH"]
    assert [g.code for g in by_code["2.1"].groups.all()] == ["SBN"]
    assert by_code["1.1.1"].options == [
        ["Đúng hạn", "1"],
        ["Trễ dưới 5 ngày", "0.5"],
        ["Trễ từ 5 ngày trở lên", "0"],
    ]
    assert by_code["9.2"].title == "Điểm trừ: báo cáo trễ hạn"
    assert all(c.guidance for c in cchc)
    # Parents sum their children, bonus and deduction leaves aside (they lie outside the base).
    for parent in Criterion.objects.filter(children__isnull=False).distinct():
        assert parent.max_points == sum(
            child.max_points for child in parent.children.all() if child.method not in ("bonus", "deduction")
        )
    assert Criterion.objects.get(period__code="CCHC-2026", code="9").max_points == 0
    # The base leaves of every group add up to exactly 100 points.
    for code in ("CCHC-2026", "VTLT-2026"):
        leaves = leaves_of(code)
        for group in AgencyGroup.objects.all():
            applying = [c for c in leaves if not c.groups.all() or group in c.groups.all()]
            base = [c for c in applying if c.method not in (Method.BONUS, Method.DEDUCTION)]
            assert sum(c.max_points for c in base) == 100, (code, group.code)


def test_results_2025(output):
    assert Result.objects.filter(period__code="CCHC-2025").count() == 42
    assert Result.objects.filter(period__code="VTLT-2025").count() == 42
    top = Result.objects.filter(period__code="CCHC-2025", group__code="SBN", rank__lte=3).order_by("rank")
    assert [(r.rank, r.agency.code) for r in top] == [(1, "SNV"), (2, "STTTT"), (3, "STC")]
    assert tier_counts("CCHC-2025") == {
        "TW": {"Rất tốt": 3, "Tốt": 3},
        "SBN": {"Rất tốt": 13, "Tốt": 3, "Khá": 3, "Trung bình": 1},
        "QH": {"Rất tốt": 4, "Tốt": 3, "Khá": 1},
        "SN": {"Rất tốt": 2, "Tốt": 4, "Khá": 1, "Trung bình": 1},
    }
    # In VTLT, DRT, BVDN (Tốt) and BXTDT (Khá) are ranked with the departments (data.VTLT_GROUPS).
    assert tier_counts("VTLT-2025") == {
        "TW": {"Xuất sắc": 2, "Tốt": 3, "Khá": 1},
        "SBN": {"Xuất sắc": 8, "Tốt": 8, "Khá": 4, "Trung bình khá": 2, "Trung bình": 1},
        "QH": {"Xuất sắc": 3, "Tốt": 3, "Khá": 1, "Trung bình khá": 1},
        "SN": {"Xuất sắc": 2, "Khá": 1, "Trung bình khá": 1, "Trung bình": 1},
    }
    groups = {
        (r.period.code, r.agency.code): r.group.code
        for r in Result.objects.filter(agency__code__in=["DRT", "BVDN", "BXTDT", "TTHCC"]).select_related(
            "period", "agency", "group"
        )
    }
    assert groups == {
        ("CCHC-2025", "DRT"): "SN",
        ("CCHC-2025", "BVDN"): "SN",
        ("CCHC-2025", "BXTDT"): "SN",
        ("CCHC-2025", "TTHCC"): "SN",
        ("VTLT-2025", "DRT"): "SBN",
        ("VTLT-2025", "BVDN"): "SBN",
        ("VTLT-2025", "BXTDT"): "SBN",
        ("VTLT-2025", "TTHCC"): "SN",
    }
    assert set(
        Assessment.objects.filter(period__code="VTLT-2026", agency__code__in=["DRT", "BVDN"]).values_list(
            "group__code", flat=True
        )
    ) == {"SBN"}
    excellent = Result.objects.filter(period__code="VTLT-2025", group__code="SBN", tier__label="Xuất sắc")
    assert set(excellent.values_list("agency__code", flat=True)) == {
        "BQL-KCN",
        "SNV",
        "STC",
        "STTTT",
        "SGTVT",
        "SVHTT",
        "BQL-KCNC",
        "SCT",
    }

    demotion = Demotion.objects.get()
    assert (demotion.period.code, demotion.agency.code, demotion.steps) == ("CCHC-2025", "SXD", 1)
    assert demotion.reason.startswith("Người đứng đầu bị kỷ luật khiển trách")
    demoted = Result.objects.get(period__code="CCHC-2025", agency__code="SXD")
    assert (demoted.tier_before_demotion.label, demoted.tier.label, demoted.demoted) == (
        "Rất tốt",
        "Tốt",
        True,
    )

    # Certificates: every "Rất tốt" agency in CCHC; at most 4 "Xuất sắc" per group in VTLT.
    assert AwardEntry.objects.filter(period__code="CCHC-2025", included=True).count() == 22
    vtlt_awards = AwardEntry.objects.filter(period__code="VTLT-2025", included=True)
    assert vtlt_awards.count() == 11
    assert set(vtlt_awards.filter(agency__group__code="SBN").values_list("agency__code", flat=True)) == {
        "BQL-KCN",
        "SNV",
        "STC",
        "STTTT",
    }

    # The change column compares with the imported 2024 results.
    assert HistoricalResult.objects.filter(period__code="CCHC-2024").count() == 41
    assert HistoricalResult.objects.filter(period__code="VTLT-2024").count() == 41
    new = Result.objects.get(period__code="CCHC-2025", agency__code="BQL-BDST")
    assert new.previous_rank is None
    assert Result.objects.filter(period__code="CCHC-2025", previous_rank__isnull=False).count() == 41
    risen = Result.objects.get(period__code="CCHC-2025", agency__code="STTTT")
    assert risen.previous_rank == 11
    assert risen.change == 9


def test_scores_2025(output):
    decisions = Counter(
        Score.objects.exclude(decision="").values_list("assessment__period__code", "decision")
    )
    assert decisions == {
        ("CCHC-2025", Decision.ACCEPTED): 2,
        ("CCHC-2025", Decision.PARTIAL): 1,
        ("CCHC-2025", Decision.REJECTED): 1,
        ("VTLT-2025", Decision.REJECTED): 1,
    }
    scores = Score.objects.filter(assessment__period__year=2025)
    assert set(Assessment.objects.filter(period__year=2025).values_list("status", flat=True)) == {
        AssessmentStatus.FINALIZED
    }
    # The reviewer comments wherever the reviewed score differs from the self-score.
    differing = [s for s in scores.exclude(self_score=None) if s.self_score != s.reviewed_score]
    assert differing
    assert all(s.review_comment for s in differing)
    explained = Assessment.objects.filter(period__year=2025).exclude(explanation_submitted_at=None)
    assert sorted(explained.values_list("agency__code", flat=True)) == [
        "BQLDA-DDCN",
        "Q-LC",
        "SDL",
        "SGDDT",
        "SKHCN",
    ]
    assert not Assessment.objects.filter(period__year=2025, reviewed_at=None).exists()
    # Survey leaves are imported: no self-score, the reviewed score counts.
    survey = scores.filter(criterion__method=Method.SURVEY)
    assert survey.count() == 42 * 4
    assert not survey.exclude(self_score=None).exists()
    assert not survey.filter(final_score=None).exists()


def test_every_score_is_allowed_by_its_leaf(output):
    problems = []
    for score in Score.objects.select_related("criterion"):
        c = score.criterion
        choices = [p for _, p in c.option_values] if c.method == Method.CHOICE else ()
        for value in (score.self_score, score.reviewed_score, score.proposed_score, score.final_score):
            if value is not None and scoring.value_problem(
                method=c.method, max_points=c.max_points, value=value, step=c.step, choices=choices
            ):
                problems.append((c.code, value))
    assert problems == []


def test_year_2026_in_progress(output):
    cchc = Assessment.objects.filter(period__code="CCHC-2026")
    vtlt = Assessment.objects.filter(period__code="VTLT-2026")
    assert Counter(cchc.values_list("status", flat=True)) == {
        AssessmentStatus.DRAFT: 28,
        AssessmentStatus.SUBMITTED: 14,
    }
    assert Counter(vtlt.values_list("status", flat=True)) == {
        AssessmentStatus.SUBMITTED: 14,
        AssessmentStatus.IN_REVIEW: 14,
        AssessmentStatus.REVIEWED: 14,
    }
    # Drafts: half with every self-scored leaf filled, half partly filled.
    leaves = leaves_of("CCHC-2026")
    complete = 0
    for assessment in cchc.filter(status=AssessmentStatus.DRAFT).select_related("agency"):
        applying = [
            c
            for c in leaves
            if c.method != Method.SURVEY and (not c.groups.all() or assessment.agency.group in c.groups.all())
        ]
        filled = assessment.scores.exclude(self_score=None, not_arising=False).count()
        assert 0 < filled <= len(applying)
        complete += filled == len(applying)
    assert complete == 14
    assert (
        not Score.objects.filter(assessment__period__code="CCHC-2026").exclude(reviewed_score=None).exists()
    )
    # VTLT: reviewed ones have every arising leaf reviewed, under review ones part of them.
    for assessment in vtlt:
        arising = assessment.scores.filter(not_arising=False)
        reviewed = arising.exclude(reviewed_score=None).count()
        expected = {
            AssessmentStatus.SUBMITTED: reviewed == 0,
            AssessmentStatus.IN_REVIEW: 0 < reviewed < arising.count(),
            AssessmentStatus.REVIEWED: reviewed == arising.count(),
        }
        assert expected[assessment.status], (assessment.agency.code, assessment.status, reviewed)
        assert not arising.exclude(reviewed_score=None).filter(final_score=None).exists()
    assert not vtlt.filter(status=AssessmentStatus.REVIEWED, reviewed_at=None).exists()
    assert not vtlt.filter(status=AssessmentStatus.IN_REVIEW, review_opened_at=None).exists()
    # Where evidence is required the agency wrote why no file is attached (the demo stores none),
    # so complete drafts can be submitted.
    assert not (
        Score.objects.filter(criterion__evidence_required=True, not_arising=False)
        .exclude(self_score=None)
        .filter(no_evidence_reason="")
        .exists()
    )
    # Every assessment has a reviewer; every submitted one says when and by whom.
    for assessment in Assessment.objects.select_related("reviewer", "submitted_by"):
        assert assessment.reviewer.role == Role.REVIEWER
        if assessment.status != AssessmentStatus.DRAFT:
            assert assessment.submitted_at is not None
            assert assessment.submitted_by.role == Role.HEAD
            assert assessment.submitted_by.agency_id == assessment.agency_id
    assert (
        Assessment.objects.get(period__code="CCHC-2026", agency__code="SNV").reviewer.username == "thamdinh1"
    )
    assert (
        Assessment.objects.get(period__code="CCHC-2026", agency__code="Q-HC").reviewer.username == "thamdinh2"
    )


def test_users_roles_and_password(output):
    users = {u.username: u for u in User.objects.filter(username__in=BANNER).select_related("agency")}
    assert {name: u.role for name, u in users.items()} == BANNER
    assert (users["quantri"].is_staff, users["quantri"].is_superuser) == (True, True)
    assert (users["hoidong"].is_staff, users["hoidong"].is_superuser) == (True, False)
    assert users["canbo.snv"].agency.code == "SNV"
    assert users["lanhdao.stc"].agency.code == "STC"
    assert all(u.first_name and u.last_name and u.position for u in users.values())
    for name in BANNER:
        assert authenticate(sign_in(), username=name, password="demo@2026") == users[name]
    assert authenticate(sign_in(), username="quantri", password="sai-mat-khau") is None
    # Every agency has an officer and a head.
    assert User.objects.filter(role=Role.OFFICER).count() == 42
    assert User.objects.filter(role=Role.HEAD).count() == 42
    assert not User.objects.filter(role__in=(Role.OFFICER, Role.HEAD), agency=None).exists()


def test_output_lists_the_logins(output):
    for name in BANNER:
        assert f"  {name} " in output
    assert "demo@2026" in output
    assert "Quản trị hệ thống" in output
    assert "Khối sở, ban, ngành: Rất tốt 13, Tốt 3, Khá 3, Trung bình 1, Yếu 0" in output


def test_running_twice_changes_nothing(output):
    before = counts()
    again = seed()
    assert counts() == before
    for name in BANNER:
        assert f"  {name} " in again
    assert "Rất tốt 13" not in again


def test_reset_builds_the_same_demo_again(output):
    def results():
        return list(
            Result.objects.order_by("period__code", "agency__code").values_list(
                "period__code", "agency__code", "total", "maximum", "rank"
            )
        )

    def self_scores():
        return list(
            Score.objects.order_by(
                "assessment__period__code", "assessment__agency__code", "criterion__code"
            ).values_list("self_score", flat=True)
        )

    before, first_results, first_scores = counts(), results(), self_scores()
    seed("--reset")
    assert counts() == before
    assert results() == first_results
    assert self_scores() == first_scores


def test_the_workflow_accepts_the_demo_states(output):
    """The demo's states are ones the services and sheets of the app agree with."""
    complete, partial = [], []
    for assessment in Assessment.objects.filter(period__code="CCHC-2026").select_related("period", "agency"):
        problems = submission_problems(assessment=assessment)
        if assessment.status == AssessmentStatus.SUBMITTED:
            assert problems == [], assessment.agency.code
        elif problems:
            partial.append(assessment.agency.code)
        else:
            complete.append(assessment.agency.code)
    assert (len(complete), len(partial)) == (14, 14)
    assert "SNV" in complete
    assert "STC" in partial

    for assessment in Assessment.objects.filter(period__code="VTLT-2026").select_related("period", "agency"):
        sheet = assessment_sheet(assessment=assessment)
        assert sheet.uncommented == [], assessment.agency.code
        if assessment.status == AssessmentStatus.REVIEWED:
            assert sheet.unreviewed == [], assessment.agency.code
        else:
            assert sheet.unreviewed, assessment.agency.code

    # The head of Sở Nội vụ can sign off the complete draft of CCHC-2026.
    snv = Assessment.objects.get(period__code="CCHC-2026", agency__code="SNV")
    assessment_submit(user=User.objects.get(username="lanhdao.snv"), assessment=snv)
    snv.refresh_from_db()
    assert snv.status == AssessmentStatus.SUBMITTED
