"""The world of the permission matrix (tests/integration/test_permission_matrix.py).

Two agencies of the same group, A and B, in four periods, one per moment of the year:

| period    | phase           | A's assessment                                          | B's       |
|-----------|-----------------|---------------------------------------------------------|-----------|
| CCHC-2026 | self-assessment | draft: 1.1 = 7,25 with a secret note and an evidence PDF | draft     |
| VTLT-2026 | appraisal       | under appraisal by R1, every leaf reviewed              | submitted |
| CCHC-2025 | finalization    | finalized; results computed and approved, B demoted     | finalized |
| CCHC-2024 | published       | finalized and published (version 1)                     | finalized |

A's self-assessment is written through the services (its history is real); the rest through
the ORM, results included (test_the_world_s_results_are_computed_ones checks they are what
results_compute makes). The council has exported CCHC-2025's conference workbook (a job).
Reviewer R1 is assigned every assessment of A, reviewer R2 every assessment of B. Some URLs
need A's assessment at another step of the year (submitted, appraised, approved, explained):
`target` moves it there, through the ORM, just before the request.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Agency, AgencyGroup, Role, User
from ranking.assessments.services import evidence_add, score_self_set
from ranking.enums import AssessmentStatus as S
from ranking.enums import Method, Phase, Subject, SurveyScaleKind
from ranking.models import (
    DEFAULT_SCALE_OPTIONS,
    Assessment,
    AwardEntry,
    Criterion,
    Demotion,
    Evidence,
    Job,
    Period,
    Publication,
    RespondentGroup,
    Result,
    Score,
    SurveyInvitation,
    SurveyQuestion,
    SurveyScale,
    Tier,
    criterion_sort_key,
)
from ranking.results.compute import period_inputs
from tests.factories import CCHC_TIERS

D = Decimal
PASSWORD = "mat-khau-thu-nghiem"  # everyone's
NEW_PASSWORD = "Doi-mat-khau-lan-2-nam-2026"

# What agency B must never read before publication.
AGENCY_A = "Sở Kế hoạch và Đầu tư"
AGENCY_B = "Sở Tư pháp"
SECRET_NOTE = "Ghi chú bí mật của A"
SECRET_SCORE = D("7.25")
SECRET_SCORE_TEXTS = ("7,25", "7.25")  # as Vietnamese and English pages write it
SECRET_FILE = "bien-ban-kiem-tra-noi-bo-cua-A.pdf"
EMPTY_XLSX = b"PK\x05\x06" + bytes(18)  # a ZIP container, as every .xlsx
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

ROLES = (
    "anonymous",
    "officer_a",
    "officer_b",
    "head_a",
    "reviewer_assigned",
    "reviewer_other",
    "council",
    "admin",
)

SELF, APPRAISAL, FINAL, PUBLISHED = "CCHC-2026", "VTLT-2026", "CCHC-2025", "CCHC-2024"


@dataclass
class World:
    users: dict[str, User]
    agency_a: Agency
    agency_b: Agency
    periods: dict[str, Period]
    a: dict[str, Assessment]  # A's assessment per period code
    b: dict[str, Assessment]
    leaves: dict[str, dict[str, Criterion]]  # per period code: leaf code → leaf
    evidence: Evidence
    demotion: Demotion
    job: Job


def node(**fields) -> Criterion:
    criterion = Criterion(**fields)
    criterion.sort_key = criterion_sort_key(criterion.code)  # what Criterion.save() sets
    return criterion


def criteria_tree(period: Period) -> dict[str, Criterion]:
    """1 (20 points): 1.1 number in steps of 0,25 needing evidence, 1.2 choice; 2 (10): 2.1 survey."""
    one, two = Criterion.objects.bulk_create(
        [
            node(period=period, code="1", title="Công tác chỉ đạo, điều hành", max_points=20),
            node(period=period, code="2", title="Điều tra xã hội học", max_points=10),
        ]
    )
    leaves = Criterion.objects.bulk_create(
        [
            node(
                period=period,
                parent=one,
                code="1.1",
                title="Ban hành kế hoạch cải cách hành chính năm",
                max_points=10,
                step=D("0.25"),
                evidence_required=True,
                guidance="Có kế hoạch ban hành đúng hạn: 10 điểm.",
            ),
            node(
                period=period,
                parent=one,
                code="1.2",
                title="Mức độ hoàn thành kế hoạch",
                max_points=10,
                method=Method.CHOICE,
                options=[["Hoàn thành 100%", "10"], ["Từ 80% đến dưới 100%", "5"], ["Dưới 80%", "0"]],
            ),
            node(
                period=period,
                parent=two,
                code="2.1",
                title="Sự hài lòng của người dân",
                max_points=10,
                method=Method.SURVEY,
            ),
        ]
    )
    return {c.code: c for c in leaves}


def period_with_tree(code: str, year: int, subject: str, phase: str, **fields) -> tuple[Period, dict]:
    name = code.replace("-", " ")
    period = Period.objects.create(
        code=code, year=year, subject=subject, name=name, phase=phase, award_from_tier="Rất tốt", **fields
    )
    Tier.objects.bulk_create(
        Tier(period=period, order=i, label=label, min_index=D(bound))
        for i, (label, bound) in enumerate(CCHC_TIERS, start=1)
    )
    return period, criteria_tree(period)


def scored(assessment: Assessment, leaves: dict[str, Criterion], values: dict[str, tuple]) -> None:
    """values: leaf code → (self, reviewed, final[, review comment])."""
    Score.objects.bulk_create(
        Score(
            assessment=assessment,
            criterion=leaves[code],
            self_score=None if row[0] is None else D(row[0]),
            reviewed_score=None if row[1] is None else D(row[1]),
            final_score=None if row[2] is None else D(row[2]),
            review_comment=row[3] if len(row) > 3 else "",
        )
        for code, row in values.items()
    )


def results(period: Period, agency_a: Agency, agency_b: Agency, *, a_fields, b_fields, b_demoted) -> None:
    """The results of A (ranked 1st) and B (2nd) out of 30 points, and A's certificate.

    A scores 27 or 27,5 (index 90 or 91,67: Rất tốt); B scores 18,5 (61,67: Trung bình),
    one tier lower (Yếu) when demoted. The previous ranks come from the previous period.
    """
    tiers = {t.label: t for t in Tier.objects.filter(period=period)}
    previous = 1 if period.previous_id else None
    rows = []
    for rank, (agency, fields, demoted) in enumerate(
        ((agency_a, a_fields, False), (agency_b, b_fields, b_demoted)), start=1
    ):
        total = D(fields[0]) + D(fields[1])
        before = tiers["Rất tốt"] if rank == 1 else tiers["Trung bình"]
        rows.append(
            Result(
                period=period,
                agency=agency,
                group_id=agency.group_id,
                total=total,
                total_without_survey=D(fields[0]),
                maximum=D(30),
                index=(total * 100 / 30).quantize(D("1E-10")),
                field_scores={"1": f"{D(fields[0]):.4f}", "2": f"{D(fields[1]):.4f}"},
                tier_before_demotion=before,
                tier=tiers["Yếu"] if demoted else before,
                demoted=demoted,
                rank=rank,
                previous_rank=previous and rank,
            )
        )
    Result.objects.bulk_create(rows)
    AwardEntry.objects.create(period=period, agency=agency_a, proposed=True, included=True)


def people(agency_a: Agency, agency_b: Agency) -> dict[str, User]:
    password = make_password(PASSWORD)

    def person(username, role, agency=None, **fields):
        return User(username=username, role=role, agency=agency, password=password, **fields)

    users = {
        "officer_a": person("canbo.a", Role.OFFICER, agency_a, last_name="Trần", first_name="Văn Bình"),
        "officer_b": person("canbo.b", Role.OFFICER, agency_b, last_name="Lê", first_name="Thị Cúc"),
        "head_a": person("lanhdao.a", Role.HEAD, agency_a, last_name="Ngô", first_name="Quang Dũng"),
        "reviewer_assigned": person("thamdinh1", Role.REVIEWER, last_name="Phan", first_name="Thanh Hải"),
        "reviewer_other": person("thamdinh2", Role.REVIEWER, last_name="Võ", first_name="Thu Hà"),
        # As in the demo: the council chair has staff status, the administrator is a superuser.
        "council": person("hoidong", Role.COUNCIL, last_name="Nguyễn", first_name="Thanh Hoa", is_staff=True),
        "admin": person(
            "quantri", Role.ADMIN, last_name="Lê", first_name="Minh Tuấn", is_staff=True, is_superuser=True
        ),
    }
    User.objects.bulk_create(users.values())
    return users


def build_world() -> World:
    group = AgencyGroup.objects.create(code="SBN", name="Khối sở, ban, ngành", order=1)
    agency_a = Agency.objects.create(code="SKHDT", name=AGENCY_A, group=group)
    agency_b = Agency.objects.create(code="STP", name=AGENCY_B, group=group)
    users = people(agency_a, agency_b)
    r1, r2, head_a = users["reviewer_assigned"], users["reviewer_other"], users["head_a"]
    now = timezone.now()
    today, week = timezone.localdate(), datetime.timedelta(days=7)

    published, leaves_4 = period_with_tree(PUBLISHED, 2024, Subject.CCHC, Phase.PUBLISHED)
    final, leaves_3 = period_with_tree(FINAL, 2025, Subject.CCHC, Phase.FINALIZATION, previous=published)
    appraisal, leaves_2 = period_with_tree(
        APPRAISAL, 2026, Subject.VTLT, Phase.APPRAISAL, self_assessment_deadline=today - week
    )
    current, leaves_1 = period_with_tree(
        SELF,
        2026,
        Subject.CCHC,
        Phase.SELF_ASSESSMENT,
        previous=final,
        self_assessment_deadline=today + week * 4,
    )

    def assessment(period, agency, reviewer, status, **fields):
        return Assessment(
            period=period, agency=agency, group=agency.group, reviewer=reviewer, status=status, **fields
        )

    submitted = {"submitted_at": now, "submitted_by": head_a}
    a = {
        SELF: assessment(current, agency_a, r1, S.DRAFT),
        APPRAISAL: assessment(appraisal, agency_a, r1, S.IN_REVIEW, review_opened_at=now, **submitted),
        FINAL: assessment(final, agency_a, r1, S.FINALIZED, reviewed_at=now, **submitted),
        PUBLISHED: assessment(published, agency_a, r1, S.FINALIZED, reviewed_at=now, **submitted),
    }
    b = {
        SELF: assessment(current, agency_b, r2, S.DRAFT),
        APPRAISAL: assessment(appraisal, agency_b, r2, S.SUBMITTED, submitted_at=now),
        FINAL: assessment(final, agency_b, r2, S.FINALIZED, reviewed_at=now, submitted_at=now),
        PUBLISHED: assessment(published, agency_b, r2, S.FINALIZED, reviewed_at=now, submitted_at=now),
    }
    Assessment.objects.bulk_create([*a.values(), *b.values()])

    # This year's self-assessment of A, through the services: scores, the note, the evidence.
    officer_a = users["officer_a"]
    score_self_set(
        user=officer_a,
        assessment=a[SELF],
        criterion_id=leaves_1["1.1"].id,
        value=SECRET_SCORE,
        note=SECRET_NOTE,
    )
    score_self_set(user=officer_a, assessment=a[SELF], criterion_id=leaves_1["1.2"].id, value=D(5))
    evidence = evidence_add(
        user=officer_a,
        assessment=a[SELF],
        criterion_id=leaves_1["1.1"].id,
        upload=SimpleUploadedFile(SECRET_FILE, PDF, content_type="application/pdf"),
        purpose=Evidence.Purpose.SELF_ASSESSMENT,
    )
    Score.objects.create(
        assessment=b[SELF], criterion=leaves_1["1.1"], self_score=D(6), note="Ghi chú của đơn vị B"
    )

    # The appraisal: A's every leaf reviewed, 1.2 lowered with a comment.
    scored(a[APPRAISAL], leaves_2, {"1.1": (8, 8, 8), "1.2": (10, 5, 5, "Chỉ hoàn thành 90% kế hoạch")})
    scored(b[APPRAISAL], leaves_2, {"1.1": (6, None, None), "1.2": (5, None, None)})

    # Finalization: final scores and the survey; B demoted one tier; results computed and approved
    # (as results_compute makes them: test_the_world_s_results_are_computed_ones checks it).
    scored(a[FINAL], leaves_3, {"1.1": (9, 9, 9), "1.2": (10, 10, 10), "2.1": (8, 8, 8)})
    scored(b[FINAL], leaves_3, {"1.1": (6.5, 6.5, 6.5), "1.2": (5, 5, 5), "2.1": (7, 7, 7)})
    demotion = Demotion.objects.create(
        period=final,
        agency=agency_b,
        steps=1,
        reason="Người đứng đầu bị kỷ luật",
        created_by=users["council"],
    )
    results(final, agency_a, agency_b, a_fields=("19", "8"), b_fields=("11.5", "7"), b_demoted=True)
    Period.objects.filter(pk=final.pk).update(results_computed_at=now, awards_approved_at=now)

    # Last year: computed, approved and published (version 1).
    scored(a[PUBLISHED], leaves_4, {"1.1": (8.5, 8.5, 8.5), "1.2": (10, 10, 10), "2.1": (9, 9, 9)})
    scored(b[PUBLISHED], leaves_4, {"1.1": (6, 6, 6), "1.2": (5, 5, 5), "2.1": (7.5, 7.5, 7.5)})
    results(published, agency_a, agency_b, a_fields=("18.5", "9"), b_fields=("11", "7.5"), b_demoted=False)
    Period.objects.filter(pk=published.pk).update(
        results_computed_at=now, awards_approved_at=now, published_at=now
    )
    # The fingerprint results_compute stores with results: they are those of these inputs
    # (last year's ranks included, hence once both periods are written).
    for period in (final, published):
        Period.objects.filter(pk=period.pk).update(
            results_fingerprint=period_inputs(period=period).fingerprint
        )
    Publication.objects.create(
        period=published,
        version=1,
        published_at=now,
        published_by=users["council"],
        results=[
            {"group": group.name, "rank": 1, "agency": agency_a.code, "name": AGENCY_A, "tier": "Rất tốt"},
            {"group": group.name, "rank": 2, "agency": agency_b.code, "name": AGENCY_B, "tier": "Trung bình"},
        ],
        awards=[{"agency": agency_a.code, "name": AGENCY_A, "group": group.name}],
    )
    for period in (final, published):
        period.refresh_from_db()

    # The council produced this year's conference workbook (a background job, done).
    job = Job(
        kind=Job.Kind.EXPORT,
        user=users["council"],
        period=final,
        status=Job.Status.DONE,
        file_name=f"hoi-nghi-{FINAL}.xlsx",
        done=1,
        total=1,
    )
    job.file.save(job.file_name, ContentFile(EMPTY_XLSX), save=False)
    job.save()

    return World(
        users=users,
        agency_a=agency_a,
        agency_b=agency_b,
        periods={SELF: current, APPRAISAL: appraisal, FINAL: final, PUBLISHED: published},
        a=a,
        b=b,
        leaves={SELF: leaves_1, APPRAISAL: leaves_2, FINAL: leaves_3, PUBLISHED: leaves_4},
        evidence=evidence,
        demotion=demotion,
        job=job,
    )


# --- the object each URL gets ------------------------------------------------------------------


def _status(assessment: Assessment, status: str, **fields) -> None:
    Assessment.objects.filter(pk=assessment.pk).update(status=status, **fields)


def _explanation_phase(world: World) -> None:
    Period.objects.filter(pk=world.periods[APPRAISAL].pk).update(
        phase=Phase.EXPLANATION, explanation_deadline=timezone.localdate() + datetime.timedelta(days=10)
    )


def target(world: World, key: str | None) -> dict:
    """The URL kwargs of `key`, after putting A's assessment in the state the key names."""
    a1, a2 = world.a[SELF], world.a[APPRAISAL]
    leaf_1, leaf_2 = world.leaves[SELF], world.leaves[APPRAISAL]
    if key is None:
        return {}
    if key.startswith("A1 late"):  # the self-assessment deadline passed yesterday
        Period.objects.filter(pk=a1.period_id).update(
            self_assessment_deadline=timezone.localdate() - datetime.timedelta(days=1)
        )
        key = key.replace(" late", "")
    if key == "A1":  # this year's draft
        return {"pk": a1.pk}
    if key == "A1 leaf":
        return {"pk": a1.pk, "criterion_id": leaf_1["1.1"].pk}
    if key == "A1 evidence":
        return {"evidence_id": world.evidence.pk}
    if key == "A1 submitted":  # the head submitted it; no reviewer has opened it yet
        _status(a1, S.SUBMITTED, submitted_at=timezone.now(), submitted_by=world.users["head_a"])
        return {"pk": a1.pk}
    if key == "A1 field":
        return {"pk": a1.pk, "field_code": "1"}
    if key == "A2":  # under appraisal
        return {"pk": a2.pk}
    if key == "A2 leaf":
        return {"pk": a2.pk, "criterion_id": leaf_2["1.1"].pk}
    if key == "A2 field":
        return {"pk": a2.pk, "field_code": "1"}
    if key == "A2 reviewed":  # appraised, awaiting the council's approval
        _status(a2, S.REVIEWED, reviewed_at=timezone.now())
        return {"pk": a2.pk}
    if key == "A2 reviewed period":  # the same, approved with others from the period's list
        _status(a2, S.REVIEWED, reviewed_at=timezone.now())
        return {"code": APPRAISAL}
    if key in ("A2 approved", "A2 approved leaf"):  # the explanation phase is open
        _explanation_phase(world)
        _status(a2, S.APPROVED, reviewed_at=timezone.now())
        return {"pk": a2.pk} | ({"criterion_id": leaf_2["1.2"].pk} if key.endswith("leaf") else {})
    if key == "A2 explained leaf":  # A explained 1.2 and proposes 10 points
        _explanation_phase(world)
        _status(a2, S.EXPLAINED, reviewed_at=timezone.now(), explanation_submitted_at=timezone.now())
        Score.objects.filter(assessment=a2, criterion=leaf_2["1.2"]).update(
            explanation="Đơn vị đã hoàn thành 100% kế hoạch, có báo cáo kèm theo", proposed_score=D(10)
        )
        return {"pk": a2.pk, "criterion_id": leaf_2["1.2"].pk}
    if key in (SELF, APPRAISAL, FINAL, PUBLISHED):
        return {"code": key}
    if key == "published version 1":
        return {"code": PUBLISHED, "version": 1}
    if key in ("published leaf", "final leaf"):  # the conference pack's drill-down on leaf 1.1
        code = PUBLISHED if key.startswith("published") else FINAL
        return {"code": code, "criterion_id": world.leaves[code]["1.1"].pk}
    if key in ("published A", "final A"):  # A's report in the published / unpublished period
        code = PUBLISHED if key.startswith("published") else FINAL
        return {"code": code, "agency_code": world.agency_a.code}
    if key == "A3":  # finalized, in finalization
        return {"pk": world.a[FINAL].pk}
    if key == "unapproved":  # results computed, the award list not approved
        Period.objects.filter(pk=world.periods[FINAL].pk).update(awards_approved_at=None)
        return {"code": FINAL}
    if key == "job":  # the council's export of CCHC-2025
        return {"pk": world.job.pk}
    if key == "running job":  # the same export, still being produced
        now = timezone.now()
        running = {"status": Job.Status.RUNNING, "started_at": now, "heartbeat_at": now}
        Job.objects.filter(pk=world.job.pk).update(**running)
        return {"pk": world.job.pk}
    if key in ("final survey", "final A survey", "survey invitation", "survey token"):
        invitation = _survey(world)
        if key == "final A survey":
            return {"code": FINAL, "agency_code": world.agency_a.code}
        if key == "survey invitation":
            return {"code": FINAL, "token": invitation.token}
        if key == "survey token":
            return {"token": invitation.token}
        return {"code": FINAL}
    if key.startswith("demotion"):
        if key == "demotion in explanation":
            Period.objects.filter(pk=world.periods[FINAL].pk).update(phase=Phase.EXPLANATION)
        return {"code": FINAL, "demotion_id": world.demotion.pk}
    raise KeyError(key)


def _survey(world: World) -> SurveyInvitation:
    """CCHC-2025's survey: civil servants (quota 2) answer Q1 (A/B/C/D) for leaf 2.1; agency B
    (whose name its own officer may read) holds one invitation, not yet answered."""
    final = world.periods[FINAL]
    group = RespondentGroup.objects.create(period=final, code="CC", name="Công chức", quota=2)
    scale = SurveyScale.objects.create(
        period=final,
        code="ABCD",
        name="A/B/C/D",
        kind=SurveyScaleKind.ABCD,
        options=[list(item) for item in DEFAULT_SCALE_OPTIONS[SurveyScaleKind.ABCD]],
    )
    question = SurveyQuestion.objects.create(
        period=final, code="Q1", text="Thái độ phục vụ?", criterion=world.leaves[FINAL]["2.1"], scale=scale
    )
    question.groups.set([group])
    return SurveyInvitation.objects.create(period=final, agency=world.agency_b, group=group)


# --- what an allowed POST sends: valid data, so that it succeeds ----------------------------------


def post_data(world: World, name: str) -> dict:
    a3 = world.a[FINAL]
    data = {
        "login": {"username": "canbo.a", "password": PASSWORD},
        "password_change": {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        "notification_settings": {"daily_digest": "True"},
        "assessment_standing": {"standing": "not_ranked", "reason": "Người đứng đầu bị kỷ luật"},
        "assessment_late": {"late": "1", "reason": "Nộp sau hạn 3 ngày"},
        "assessment_group": {"group": world.agency_b.group.code, "reason": "Xếp hạng cùng khối khác"},
        "score_self_save": {"value": "7,5", "note": "Đã ban hành kế hoạch", "no_evidence_reason": ""},
        "evidence_upload": {
            "file": SimpleUploadedFile("ke-hoach-bo-sung.pdf", PDF, content_type="application/pdf")
        },
        "explanation_save": {"explanation": "Đã hoàn thành 100% kế hoạch", "proposed_score": "10"},
        "score_review_save": {"reviewed_score": "7,5", "review_comment": "Kế hoạch ban hành chậm 5 ngày"},
        "assessment_return": {"reason": "Bổ sung minh chứng cho tiêu chí 1.1"},
        "explanation_decide": {"decision": "accepted", "reason": "Báo cáo kèm theo chứng minh đủ"},
        "period_phase": {"phase": Phase.APPRAISAL},
        "assessment_reopen": {"reason": "Đơn vị xin bổ sung theo công văn số 12"},
        "appraisals_approve": {"assessment": [str(world.a[APPRAISAL].pk)]},
        "survey_form": {"q-Q1": "B"},
        "survey_scores": {f"s-{a3.pk}-{world.leaves[FINAL]['2.1'].pk}": "9,5"},
        "demotions": {"agency": str(world.agency_a.pk), "steps": "1", "reason": "Vi phạm kỷ luật"},
        "demotion_remove": {"reason": "Quyết định kỷ luật đã được hủy"},
        "award_change": {"agency": str(world.agency_a.pk), "included": "0", "reason": "Để xét năm sau"},
        "period_reopen": {"reason": "Sửa điểm điều tra xã hội học"},
        "decision": {
            "number": "1898/QĐ-UBND",
            "date": "01/06/2025",
            "signer_name": "Huỳnh Đức Thơ",
            "signer_title": "Chủ tịch",
        },
        "job_import": {"file": SimpleUploadedFile("so-lieu-nam-2026.xlsx", EMPTY_XLSX), "dry_run": "1"},
        "pack_export": {"sheets": ["groups", "summary"], "group_columns": ["rank", "name"]},
    }
    return data.get(name, {})
