"""The reviewer's pages: the queue, the side-by-side appraisal, return, close and explanation decisions."""

import datetime
import html as html_lib
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from ranking.enums import AssessmentStatus, Decision, Method, Phase
from ranking.models import Assessment, Criterion, Evidence, Score
from tests.factories import (
    AgencyFactory,
    AgencyGroupFactory,
    AssessmentFactory,
    PeriodFactory,
    UserFactory,
    make_tiers,
)

pytestmark = pytest.mark.django_db

S = AssessmentStatus
HTMX = {"HTTP_HX_REQUEST": "true"}
SUBMITTED_AT = timezone.make_aware(datetime.datetime(2025, 3, 14, 9, 30))


# --- building a year ----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Nobody signs in with a password here (force_login): hashing seven per test is waste."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def leaf(period, code, parent, *, max_points, method=Method.NUMBER, **fields) -> Criterion:
    return Criterion.objects.create(
        period=period,
        parent=parent,
        code=code,
        title=f"Tiêu chí {code}",
        max_points=Decimal(max_points),
        method=method,
        **fields,
    )


def evidence(score: Score, name: str, purpose=Evidence.Purpose.SELF_ASSESSMENT) -> Evidence:
    # The page never reads the file itself: a stored name is enough.
    return Evidence.objects.create(
        score=score,
        purpose=purpose,
        file=f"evidence/{score.assessment.period_id}/{name}",
        original_name=name,
        content_type="application/pdf",
        size=2048,
    )


@pytest.fixture
def year():
    """CCHC 2025 in appraisal: a small tree, agencies A and B of one group, C of another.

    A submitted and is assigned to R1; B is under appraisal by R2; C is a draft nobody reviews.
    """
    period = PeriodFactory(year=2025, phase=Phase.APPRAISAL)
    make_tiers(period)
    departments = AgencyGroupFactory(code="SO", name="Khối sở, ban, ngành", order=1)
    districts = AgencyGroupFactory(code="QH", name="Khối quận, huyện", order=2)
    agency_a = AgencyFactory(code="STP", name="Sở Tư pháp", group=departments)
    agency_b = AgencyFactory(code="STC", name="Sở Tài chính", group=departments)
    agency_c = AgencyFactory(code="QHC", name="Quận Hải Châu", group=districts)

    field1 = leaf(period, "1", None, max_points="4")
    field1.title = "Công tác chỉ đạo, điều hành CCHC"
    field1.save()
    c11 = leaf(
        period,
        "1.1",
        field1,
        max_points="2",
        step=Decimal("0.5"),
        evidence_required=True,
        guidance="Ban hành kế hoạch CCHC năm đúng hạn: 2 điểm.",
    )
    c12 = leaf(
        period,
        "1.2",
        field1,
        max_points="2",
        method=Method.CHOICE,
        options=[["Đúng hạn 100%", "2"], ["Từ 80% đến dưới 100%", "1"], ["Dưới 80%", "0"]],
    )
    field2 = leaf(period, "2", None, max_points="4")
    field2.title = "Cải cách thủ tục hành chính"
    field2.save()
    c21 = leaf(period, "2.1", field2, max_points="4")
    c211 = leaf(period, "2.1.1", c21, max_points="1", method=Method.YESNO)
    c212 = leaf(period, "2.1.2", c21, max_points="3", step=Decimal("0.25"))
    field3 = leaf(period, "3", None, max_points="2")
    c31 = leaf(period, "3.1", field3, max_points="2", method=Method.SURVEY)

    r1 = UserFactory(username="thamdinh1", role=Role.REVIEWER, first_name="Minh", last_name="Lê")
    r2 = UserFactory(username="thamdinh2", role=Role.REVIEWER, first_name="Hoa", last_name="Phạm")
    council = UserFactory(username="hoidong", role=Role.COUNCIL, first_name="Lan", last_name="Võ")
    admin = UserFactory(username="quantri", role=Role.ADMIN)
    officer = UserFactory(username="canbo.stp", role=Role.OFFICER, agency=agency_a)
    head = UserFactory(username="lanhdao.stp", role=Role.HEAD, agency=agency_a)
    officer_b = UserFactory(username="canbo.stc", role=Role.OFFICER, agency=agency_b)

    a = AssessmentFactory(
        period=period,
        agency=agency_a,
        reviewer=r1,
        status=S.SUBMITTED,
        submitted_at=SUBMITTED_AT,
        submitted_by=head,
    )
    self_scores = {
        c11: ("1.5", "Đã ban hành kế hoạch CCHC năm 2025 ngày 10/01/2025."),
        c12: ("2", "Tất cả báo cáo gửi đúng hạn."),
        c211: ("1", ""),
        c212: ("2.75", "Công bố 98% thủ tục hành chính."),
    }
    scores = {
        c.code: Score.objects.create(assessment=a, criterion=c, self_score=Decimal(v), note=note)
        for c, (v, note) in self_scores.items()
    }
    evidence(scores["1.1"], "ke-hoach-cchc-2025.pdf")
    scores["1.2"].no_evidence_reason = "Báo cáo gửi qua hệ thống điện tử."
    scores["1.2"].save()

    b = AssessmentFactory(
        period=period,
        agency=agency_b,
        reviewer=r2,
        status=S.IN_REVIEW,
        submitted_at=SUBMITTED_AT + datetime.timedelta(days=2),
        review_opened_at=SUBMITTED_AT + datetime.timedelta(days=3),
    )
    Score.objects.create(assessment=b, criterion=c11, self_score=Decimal("2"), reviewed_score=Decimal("2"))
    c = AssessmentFactory(period=period, agency=agency_c, status=S.DRAFT)
    return SimpleNamespace(
        period=period,
        departments=departments,
        districts=districts,
        a=a,
        b=b,
        c=c,
        leaves={x.code: x for x in (c11, c12, c211, c212, c31)},
        scores=scores,
        r1=r1,
        r2=r2,
        council=council,
        admin=admin,
        officer=officer,
        head=head,
        officer_b=officer_b,
    )


def as_user(client, user, language="en"):
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def text_of(fragment: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def queue_rows(html: str) -> list[list[str]]:
    rows = re.findall(r'<tr data-queue-row="\d+">(.*?)</tr>', html, re.DOTALL)
    return [[text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)] for row in rows]


def error_lines(html: str) -> list[str]:
    """The lines of every refusal box (ranking/_errors.html) on a page or in a fragment."""
    boxes = re.findall(r'<div class="alert alert-danger mb-2" role="alert">(.*?)</div>', html, re.DOTALL)
    lines = []
    for box in boxes:
        items = re.findall(r"<(?:p|li)[^>]*>(.*?)</(?:p|li)>", box, re.DOTALL)
        lines.extend(text_of(i) for i in items) if items else lines.append(text_of(box))
    return lines


def leaf_block(html: str, criterion: Criterion) -> str:
    """The HTML of one leaf's row, up to the next leaf's (or the end)."""
    start = html.index(f'<div id="leaf-{criterion.id}" ')
    following = re.compile(r'<div id="leaf-\d+" ').search(html, start + 1)
    return html[start : following.start() if following else len(html)]


def flash_messages(html: str) -> list[str]:
    return [
        text_of(m)
        for m in re.findall(
            r'<div class="alert alert-(?:success|info|warning|danger) alert-dismissible[^>]*>(.*?)<button',
            html,
            re.DOTALL,
        )
    ]


INLINE_CODE = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>|<[^>]*\son[a-z]+\s*=", re.IGNORECASE)


def detail(pk):
    return reverse("review_detail", args=[pk])


def save_url(assessment, criterion):
    return reverse("score_review_save", args=[assessment.pk, criterion.id])


# --- the queue ----------------------------------------------------------------------------


def test_queue_lists_only_the_assessments_assigned_to_the_reviewer(client, year):
    response = as_user(client, year.r1).get(reverse("review_queue"))

    assert response.status_code == 200
    assert queue_rows(response.content.decode()) == [
        ["Sở Tư pháp", "Khối sở, ban, ngành", "CCHC 2025", "Submitted", "14/03/2025", "0 / 4", "Appraise"]
    ]
    assert INLINE_CODE.findall(response.content.decode()) == []


def test_queue_of_the_council_lists_every_assessment_actionable_first(client, year):
    response = as_user(client, year.council).get(reverse("review_queue"))

    assert response.status_code == 200
    assert queue_rows(response.content.decode()) == [
        [
            "Sở Tư pháp",
            "Khối sở, ban, ngành",
            "CCHC 2025",
            "Submitted",
            "14/03/2025",
            "0 / 4",
            "Lê Minh",
            "Appraise",
        ],
        [
            "Sở Tài chính",
            "Khối sở, ban, ngành",
            "CCHC 2025",
            "Under appraisal",
            "16/03/2025",
            "1 / 4",
            "Phạm Hoa",
            "Appraise",
        ],
        ["Quận Hải Châu", "Khối quận, huyện", "CCHC 2025", "Draft", "—", "0 / 4", "not assigned", "Open"],
    ]


def test_queue_speaks_vietnamese_by_default(client, year):
    client.force_login(year.r1)

    html = client.get(reverse("review_queue")).content.decode()

    # The label is whatever the Vietnamese catalogue says; the date stays day-first.
    submitted = str(S.SUBMITTED.label)
    assert submitted != "Submitted"
    assert queue_rows(html)[0][:5] == [
        "Sở Tư pháp",
        "Khối sở, ban, ngành",
        "CCHC 2025",
        submitted,
        "14/03/2025",
    ]


@pytest.mark.parametrize(
    ("query", "agencies"),
    [
        ({"status": "in_review"}, ["Sở Tài chính"]),
        ({"status": "draft"}, ["Quận Hải Châu"]),
        ({"group": "QH"}, ["Quận Hải Châu"]),
        ({"group": "SO", "status": "submitted"}, ["Sở Tư pháp"]),
        ({"period": "CCHC-2025", "group": "SO"}, ["Sở Tư pháp", "Sở Tài chính"]),
        ({"period": "CCHC-2024"}, ["Sở Tư pháp"]),
        ({"status": "returned"}, []),
    ],
)
def test_queue_filters_by_period_group_and_status(client, year, query, agencies):
    published = PeriodFactory(year=2024, phase=Phase.PUBLISHED)
    AssessmentFactory(period=published, agency=year.a.agency, reviewer=year.r1, status=S.FINALIZED)

    response = as_user(client, year.council).get(reverse("review_queue"), query)

    assert response.status_code == 200
    assert [row[0] for row in queue_rows(response.content.decode())] == agencies


def test_queue_leaves_published_periods_out_unless_asked(client, year):
    published = PeriodFactory(year=2024, phase=Phase.PUBLISHED)
    AssessmentFactory(period=published, agency=year.a.agency, reviewer=year.r1, status=S.FINALIZED)

    html = as_user(client, year.r1).get(reverse("review_queue")).content.decode()
    chosen = as_user(client, year.r1).get(reverse("review_queue"), {"period": "CCHC-2024"}).content.decode()

    assert [(r[0], r[2], r[3]) for r in queue_rows(html)] == [("Sở Tư pháp", "CCHC 2025", "Submitted")]
    assert [(r[0], r[2], r[3]) for r in queue_rows(chosen)] == [("Sở Tư pháp", "CCHC 2024", "Finalized")]


def test_queue_is_refused_to_agencies_and_anonymous(client, year):
    assert as_user(client, year.officer).get(reverse("review_queue")).status_code == 403
    assert as_user(client, year.admin).get(reverse("review_queue")).status_code == 403
    client.logout()
    response = client.get(reverse("review_queue"))
    assert response.status_code == 302
    assert response["Location"] == "/dang-nhap/?next=/tham-dinh/"


def queue_of(reviewer, count: int) -> None:
    period = PeriodFactory(year=2026 + count, phase=Phase.APPRAISAL)
    group = AgencyGroupFactory(code=f"N{count}", name=f"Khối đo {count}")
    root = leaf(period, "1", None, max_points="2")
    only = leaf(period, "1.1", root, max_points="2")
    for i in range(count):
        agency = AgencyFactory(code=f"Q{count}-{i:03d}", name=f"Đơn vị đo {i}", group=group)
        assessment = AssessmentFactory(
            period=period, agency=agency, reviewer=reviewer, status=S.SUBMITTED, submitted_at=SUBMITTED_AT
        )
        Score.objects.create(assessment=assessment, criterion=only, self_score=1, reviewed_score=1)


@pytest.mark.parametrize("who", ["r1", "council"])
def test_queue_runs_the_same_queries_for_1_and_30_assessments(client, django_user_model, who):
    counts = []
    for size in (1, 30):
        Assessment.objects.all().delete()
        user = UserFactory(username=f"{who}-{size}", role=Role.COUNCIL if who == "council" else Role.REVIEWER)
        queue_of(user, size)
        as_user(client, user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("review_queue"))
        assert response.status_code == 200
        assert len(queue_rows(response.content.decode())) == size
        assert queue_rows(response.content.decode())[0][5] == "1 / 1"
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- the appraisal page -------------------------------------------------------------------


def test_detail_shows_the_self_assessment_side_by_side(client, year):
    response = as_user(client, year.r1).get(detail(year.a.pk))

    assert response.status_code == 200
    html = response.content.decode()
    one = leaf_block(html, year.leaves["1.1"])
    assert '<span class="fs-5 fw-semibold num" data-score="self">1.50</span>' in one
    assert "Đã ban hành kế hoạch CCHC năm 2025 ngày 10/01/2025." in one
    evidence_id = Evidence.objects.get(original_name="ke-hoach-cchc-2025.pdf").pk
    assert f'<a href="/danh-gia/minh-chung/{evidence_id}/">ke-hoach-cchc-2025.pdf</a>' in one
    assert "Ban hành kế hoạch CCHC năm đúng hạn: 2 điểm." in one
    assert f'href="/danh-gia/{year.a.pk}/lich-su/{year.leaves["1.1"].id}/"' in one
    two = leaf_block(html, year.leaves["1.2"])
    assert 'data-score="self">2.00</span>' in two
    assert "— Đúng hạn 100%" in two
    assert "Báo cáo gửi qua hệ thống điện tử." in two
    # The reviewer's side: an input for every scored leaf, a select for choices, none for the survey.
    assert f'name="reviewed_score" id="reviewed-{year.leaves["1.1"].id}"' in one
    assert f'hx-post="/tham-dinh/{year.a.pk}/diem/{year.leaves["1.1"].id}/"' in one
    version = year.scores["1.1"].version
    assert f'<input type="hidden" name="version" value="{version}">' in one
    assert f'<select name="reviewed_score" id="reviewed-{year.leaves["1.2"].id}"' in two
    assert '<option value="1">Từ 80% đến dưới 100% (1)</option>' in two
    assert 'name="reviewed_score"' not in leaf_block(html, year.leaves["3.1"])
    # Totals of both sides and the field subtotals; nothing reviewed yet.
    assert 'data-total="self">7.25</span>' in html
    assert 'data-index="self">72.50</span>' in html
    assert 'data-total="reviewed">0.00</span>' in html
    assert "data-progress>0 / 4</div>" in html
    assert f'href="/danh-gia/{year.a.pk}/lich-su/"' in html
    assert html.count("Accept the self-scores of this field") == 3
    assert INLINE_CODE.findall(html) == []
    assert f'action="/tham-dinh/{year.a.pk}/linh-vuc/2/chap-nhan/"' in html


def test_detail_in_vietnamese_shows_decimal_commas(client, year):
    client.force_login(year.r1)

    html = client.get(detail(year.a.pk)).content.decode()

    assert 'data-score="self">1,50</span>' in html
    assert 'data-index="self">72,50</span>' in html
    assert "Đã ban hành kế hoạch CCHC năm 2025 ngày 10/01/2025." in html


def start_url(assessment):
    return reverse("review_start", args=[assessment.pk])


def state_of(assessment) -> tuple:
    """What opening a page must never change: status, opening time, history of status and scores."""
    assessment.refresh_from_db()
    return (
        assessment.status,
        assessment.review_opened_at,
        Assessment.history.filter(id=assessment.pk).count(),
        Score.history.filter(assessment_id=assessment.pk).count(),
    )


def test_opening_the_page_changes_nothing(client, year):
    """Issue 9, item 13: a GET of the appraisal page used to open the appraisal."""
    year.period.phase = Phase.SELF_ASSESSMENT
    year.period.save()
    before = state_of(year.a)
    assert before[:2] == (S.SUBMITTED, None)

    for user in (year.r1, year.council, year.admin):
        response = as_user(client, user).get(detail(year.a.pk))
        assert response.status_code == 200
        assert state_of(year.a) == before, user.username

    assert year.head.has_perm("ranking.withdraw_assessment", year.a) is True
    html = as_user(client, year.r1).get(detail(year.a.pk)).content.decode()
    assert 'data-status="submitted">Submitted</span>' in html
    assert f'<form method="post" action="/tham-dinh/{year.a.pk}/bat-dau/">' in html
    assert "Start the appraisal" in html
    assert "until it does, the agency may still withdraw its submission" in html
    # The council and administrators read it; only those who may appraise are offered to start.
    assert "Start the appraisal" in as_user(client, year.council).get(detail(year.a.pk)).content.decode()
    assert "Start the appraisal" not in as_user(client, year.admin).get(detail(year.a.pk)).content.decode()


def test_starting_the_appraisal_moves_it_into_appraisal_and_stops_withdrawal(client, year):
    year.period.phase = Phase.SELF_ASSESSMENT
    year.period.save()
    statuses = Assessment.history.filter(id=year.a.pk).count()

    response = as_user(client, year.r1).post(start_url(year.a))

    assert response.status_code == 302
    assert response["Location"] == f"/tham-dinh/{year.a.pk}/"
    year.a.refresh_from_db()
    assert year.a.status == S.IN_REVIEW
    assert year.a.review_opened_at is not None
    assert year.head.has_perm("ranking.withdraw_assessment", year.a) is False
    latest = Assessment.history.filter(id=year.a.pk).order_by("-history_id").first()
    assert Assessment.history.filter(id=year.a.pk).count() == statuses + 1
    assert (latest.history_user, latest.history_change_reason) == (year.r1, "Bắt đầu thẩm định")
    page = client.get(detail(year.a.pk)).content.decode()
    assert flash_messages(page) == [
        "The appraisal of Sở Tư pháp has started: the agency can no longer withdraw its submission."
    ]
    assert 'data-status="in_review">Under appraisal</span>' in page
    assert "Start the appraisal" not in page

    again = client.post(start_url(year.a))

    assert again.status_code == 302
    assert flash_messages(client.get(detail(year.a.pk)).content.decode()) == [
        "The appraisal of this assessment has already started."
    ]
    assert Assessment.history.filter(id=year.a.pk).count() == statuses + 1


def test_starting_the_appraisal_needs_the_permission_and_the_phase(client, year):
    before = state_of(year.a)
    for user in (year.r2, year.officer, year.head, year.admin):
        response = as_user(client, user).post(start_url(year.a))
        assert response.status_code == 403, user.username
        assert state_of(year.a) == before
    assert as_user(client, year.r1).get(start_url(year.a)).status_code == 405

    year.period.phase = Phase.EXPLANATION
    year.period.save()
    response = as_user(client, year.r1).post(start_url(year.a))

    assert response.status_code == 403
    assert "This assessment is not open for your appraisal." in response.content.decode()
    assert state_of(year.a) == before


def test_saving_a_first_reviewed_score_starts_the_appraisal(client, year):
    as_user(client, year.r1)

    response = client.post(
        save_url(year.a, year.leaves["1.2"]), {"reviewed_score": "2", "version": "1"}, **HTMX
    )

    assert response.status_code == 200
    year.a.refresh_from_db()
    assert year.a.status == S.IN_REVIEW
    assert year.a.review_opened_at is not None


def test_council_and_administrator_may_read_without_opening(client, year):
    response = as_user(client, year.admin).get(detail(year.a.pk))
    year.a.refresh_from_db()
    assert response.status_code == 200
    assert year.a.status == S.SUBMITTED
    assert year.a.review_opened_at is None
    assert 'name="reviewed_score"' not in response.content.decode()
    assert "This assessment is not open for appraisal now" in response.content.decode()

    response = as_user(client, year.council).get(detail(year.b.pk))
    assert response.status_code == 200
    assert 'name="reviewed_score"' in response.content.decode()


def test_unassigned_reviewer_and_agency_people_are_refused(client, year):
    c11 = year.leaves["1.1"]
    posts = [
        (save_url(year.a, c11), {"reviewed_score": "1.5", "version": "1"}),
        (reverse("field_accept", args=[year.a.pk, "1"]), {}),
        (reverse("assessment_return", args=[year.a.pk]), {"reason": "Thiếu minh chứng"}),
        (reverse("assessment_mark_reviewed", args=[year.a.pk]), {}),
        (
            reverse("explanation_decide", args=[year.a.pk, c11.id]),
            {"decision": "accepted", "reason": "Đồng ý"},
        ),
    ]
    for user in (year.r2, year.officer, year.head, year.officer_b):
        as_user(client, user)
        response = client.get(detail(year.a.pk))
        assert response.status_code == 403, user.username
        assert (
            "Only the assigned reviewer, the appraisal council and administrators"
            in response.content.decode()
        )
        for url, data in posts:
            assert client.post(url, data, **HTMX).status_code == 403, (user.username, url)
    year.a.refresh_from_db()
    assert (year.a.status, year.a.review_opened_at) == (S.SUBMITTED, None)
    assert (
        list(Score.objects.filter(assessment=year.a).values_list("reviewed_score", flat=True)) == [None] * 4
    )


def test_anonymous_is_sent_to_sign_in(client, year):
    response = client.get(detail(year.a.pk))
    assert response.status_code == 302
    assert response["Location"] == f"/dang-nhap/?next=/tham-dinh/{year.a.pk}/"
    response = client.post(save_url(year.a, year.leaves["1.1"]), {"reviewed_score": "1"})
    assert response.status_code == 302


def test_a_differing_score_needs_a_comment(client, year):
    c11 = year.leaves["1.1"]
    score = year.scores["1.1"]
    as_user(client, year.r1).get(detail(year.a.pk))

    refused = client.post(save_url(year.a, c11), {"reviewed_score": "1", "version": score.version}, **HTMX)

    assert refused.status_code == 422
    # The refusal goes to the row's status area, as every answer to a save (issue 9, item 1).
    assert "HX-Retarget" not in refused
    assert refused.content.decode().lstrip().startswith(f'<div id="leaf-status-{c11.id}" ')
    assert error_lines(refused.content.decode()) == [
        "Write a comment: the reviewed score differs from the self-score."
    ]
    score.refresh_from_db()
    assert (score.reviewed_score, score.final_score, score.version) == (None, None, 1)

    saved = client.post(
        save_url(year.a, c11),
        {
            "reviewed_score": "1",
            "review_comment": "Kế hoạch ban hành trễ hạn 5 ngày.",
            "version": score.version,
        },
        **HTMX,
    )

    assert saved.status_code == 200
    score.refresh_from_db()
    assert (score.reviewed_score, score.final_score) == (Decimal("1"), Decimal("1"))
    assert score.review_comment == "Kế hoạch ban hành trễ hạn 5 ngày."
    assert score.version == 2
    html = saved.content.decode()
    # Only the row's status area comes back: the fields stay as the reviewer is typing in
    # them (issue 9, item 1 changed this from the whole row).
    assert html.lstrip().startswith(
        f'<div id="leaf-status-{c11.id}" class="leaf-status flex-grow-1 small" '
        'data-differs="true" data-uncommented="false">'
    )
    assert 'name="reviewed_score"' not in html
    assert 'name="review_comment"' not in html
    assert '<input type="hidden" name="version" value="2">' in html
    assert "Saved" in html
    # The totals panel and the subtotal of field 1 come out of band.
    assert re.search(r'<div id="review-totals" [^>]*hx-swap-oob="true">', html)
    assert 'data-total="reviewed">1.00</span>' in html
    assert "data-progress>1 / 4</div>" in html
    field1 = Criterion.objects.get(period=year.period, code="1")
    subtotal = html[html.index(f'<span id="subtotal-{field1.id}"') :]
    assert subtotal.startswith(
        f'<span id="subtotal-{field1.id}" class="small d-inline-flex flex-wrap gap-2" hx-swap-oob="true">'
    )
    assert 'data-subtotal="self">3.50</span>' in subtotal
    assert 'data-subtotal="reviewed">1.00</span>' in subtotal
    assert 'data-subtotal="max">4.00</span>' in subtotal


def test_an_equal_score_typed_with_a_decimal_comma_needs_no_comment(client, year):
    c212 = year.leaves["2.1.2"]
    client.force_login(year.r1)

    response = client.post(save_url(year.a, c212), {"reviewed_score": "2,75", "version": "1"}, **HTMX)

    assert response.status_code == 200
    score = Score.objects.get(assessment=year.a, criterion=c212)
    assert (score.reviewed_score, score.final_score, score.review_comment) == (
        Decimal("2.75"),
        Decimal("2.75"),
        "",
    )
    assert 'data-differs="false" data-uncommented="false"' in response.content.decode()
    assert 'name="reviewed_score"' not in response.content.decode()
    year.a.refresh_from_db()
    assert year.a.status == S.IN_REVIEW


def test_an_off_step_or_unreadable_score_is_refused(client, year):
    c11 = year.leaves["1.1"]
    as_user(client, year.r1)

    off_step = client.post(save_url(year.a, c11), {"reviewed_score": "1.2", "review_comment": "x"}, **HTMX)
    garbage = client.post(save_url(year.a, c11), {"reviewed_score": "một", "review_comment": "x"}, **HTMX)

    assert off_step.status_code == 422
    assert garbage.status_code == 422
    assert error_lines(garbage.content.decode()) == ["“một” is not a number."]
    assert Score.objects.get(pk=year.scores["1.1"].pk).reviewed_score is None


def test_a_stale_version_is_refused_and_shows_the_newer_values(client, year):
    c11 = year.leaves["1.1"]
    as_user(client, year.r1)
    first = client.post(
        save_url(year.a, c11), {"reviewed_score": "1", "review_comment": "Trễ hạn", "version": "1"}, **HTMX
    )
    assert first.status_code == 200

    stale = client.post(
        save_url(year.a, c11), {"reviewed_score": "0.5", "review_comment": "Thiếu", "version": "1"}, **HTMX
    )

    assert stale.status_code == 409
    score = Score.objects.get(pk=year.scores["1.1"].pk)
    assert (score.reviewed_score, score.review_comment, score.version) == (Decimal("1"), "Trễ hạn", 2)
    html = stale.content.decode()
    # What the reviewer typed stays in the fields (not in the answer); the newer value is shown
    # beside them with a button that takes it (issue 9, item 1 changed this from redrawing the
    # fields with the newer value).
    assert 'name="reviewed_score"' not in html
    assert "</textarea>" not in html
    assert '<input type="hidden" name="version" value="2">' in html
    assert "Someone else saved this score since you opened the page" in html
    assert "data-newer-score>1</span>" in html
    assert "<q data-newer-comment>Trễ hạn</q>" in html
    assert re.search(
        r'<button type="button" class="btn btn-sm btn-warning" data-take-newer\s+'
        r'data-score="1" data-comment="Trễ hạn" data-not-arising="false">\s+Take the newer value\s+</button>',
        html,
    )

    again = client.post(
        save_url(year.a, c11), {"reviewed_score": "0.5", "review_comment": "Thiếu", "version": "2"}, **HTMX
    )

    assert again.status_code == 200
    score.refresh_from_db()
    assert (score.reviewed_score, score.review_comment, score.version) == (Decimal("0.5"), "Thiếu", 3)


def test_saving_without_htmx_returns_to_the_page(client, year):
    c11 = year.leaves["1.1"]
    as_user(client, year.r1)

    response = client.post(save_url(year.a, c11), {"reviewed_score": "1.5", "version": "1"})

    assert response.status_code == 302
    assert response["Location"] == f"/tham-dinh/{year.a.pk}/#leaf-{c11.id}"
    assert Score.objects.get(pk=year.scores["1.1"].pk).reviewed_score == Decimal("1.5")


def test_accepting_a_field_takes_its_self_scores(client, year):
    as_user(client, year.r1)

    response = client.post(reverse("field_accept", args=[year.a.pk, "2"]))

    assert response.status_code == 302
    assert response["Location"] == f"/tham-dinh/{year.a.pk}/#field-2"
    reviewed = dict(Score.objects.filter(assessment=year.a).values_list("criterion__code", "reviewed_score"))
    assert reviewed == {"1.1": None, "1.2": None, "2.1.1": Decimal("1"), "2.1.2": Decimal("2.75")}
    finals = dict(Score.objects.filter(assessment=year.a).values_list("criterion__code", "final_score"))
    assert finals == {"1.1": None, "1.2": None, "2.1.1": Decimal("1"), "2.1.2": Decimal("2.75")}
    page = client.get(detail(year.a.pk)).content.decode()
    assert flash_messages(page) == [
        "Field 2: 2 leaves not yet reviewed took their self-scores. "
        "0 leaves already reviewed were kept as they are."
    ]
    assert 'data-total="reviewed">3.75</span>' in page
    assert "data-progress>2 / 4</div>" in page


def test_accepting_a_field_with_htmx_answers_with_the_field_and_the_totals(client, year):
    as_user(client, year.r1)

    response = client.post(reverse("field_accept", args=[year.a.pk, "1"]), **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<section class="card shadow-sm mb-4" id="field-1"')
    assert (
        "Field 1: 2 leaves not yet reviewed took their self-scores. "
        "0 leaves already reviewed were kept as they are." in html
    )
    assert re.search(r'<div id="review-totals" [^>]*hx-swap-oob="true">', html)
    assert 'data-total="reviewed">3.50</span>' in html
    assert html.count('class="list-group-item leaf-row') == 2
    reviewed = dict(Score.objects.filter(assessment=year.a).values_list("criterion__code", "reviewed_score"))
    assert reviewed == {"1.1": Decimal("1.5"), "1.2": Decimal("2"), "2.1.1": None, "2.1.2": None}


def test_return_needs_a_reason_then_notifies_the_agency(
    client, year, mailoutbox, django_capture_on_commit_callbacks
):
    # Opening the page no longer starts the appraisal (issue 9, item 13): the reviewer does.
    as_user(client, year.r1).post(start_url(year.a))

    refused = client.post(reverse("assessment_return", args=[year.a.pk]), {"reason": "  "})

    assert refused.status_code == 422
    assert error_lines(refused.content.decode()) == ["Write what the agency must correct."]
    assert 'class="collapse show" id="return-form"' in refused.content.decode()
    year.a.refresh_from_db()
    assert year.a.status == S.IN_REVIEW

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assessment_return", args=[year.a.pk]), {"reason": "Bổ sung minh chứng tiêu chí 1.1."}
        )

    assert response.status_code == 302
    assert response["Location"] == f"/tham-dinh/{year.a.pk}/"
    year.a.refresh_from_db()
    assert (year.a.status, year.a.review_opened_at) == (S.RETURNED, None)
    assert [m.subject for m in mailoutbox] == [
        "Kết quả tự đánh giá của đơn vị đã bị trả lại để chỉnh sửa (CCHC 2025)"
    ] * 2
    assert sorted(m.to[0] for m in mailoutbox) == ["canbo.stp@example.gov.vn", "lanhdao.stp@example.gov.vn"]
    assert "Bổ sung minh chứng tiêu chí 1.1." in mailoutbox[0].body
    page = client.get(detail(year.a.pk)).content.decode()
    assert flash_messages(page) == [
        "The assessment of Sở Tư pháp was returned for correction; the agency has been notified."
    ]
    assert 'name="reviewed_score"' not in page


def test_mark_reviewed_lists_what_is_missing_then_closes(
    client, year, mailoutbox, django_capture_on_commit_callbacks
):
    as_user(client, year.r1).get(detail(year.a.pk))
    url = reverse("assessment_mark_reviewed", args=[year.a.pk])

    refused = client.post(url)

    assert refused.status_code == 422
    assert error_lines(refused.content.decode()) == [
        "The appraisal cannot be closed yet:",
        "1.1 has no reviewed score.",
        "1.2 has no reviewed score.",
        "2.1.1 has no reviewed score.",
        "2.1.2 has no reviewed score.",
    ]
    client.post(reverse("field_accept", args=[year.a.pk, "1"]))
    client.post(reverse("field_accept", args=[year.a.pk, "2"]))
    # A difference left without comment (as an import could leave it) keeps the appraisal open.
    Score.objects.filter(pk=year.scores["1.2"].pk).update(reviewed_score=1, final_score=1)

    refused = client.post(url)

    assert refused.status_code == 422
    assert error_lines(refused.content.decode()) == [
        "The appraisal cannot be closed yet:",
        "1.2 needs a comment: the reviewed score differs.",
    ]
    assert "uncommented border-start border-4 border-danger" in leaf_block(
        refused.content.decode(), year.leaves["1.2"]
    )
    year.a.refresh_from_db()
    assert year.a.status == S.IN_REVIEW

    saved = client.post(
        save_url(year.a, year.leaves["1.2"]),
        {
            "reviewed_score": "1",
            "review_comment": "Một báo cáo quý gửi trễ.",
            "version": Score.objects.get(pk=year.scores["1.2"].pk).version,
        },
        **HTMX,
    )
    assert saved.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)

    assert response.status_code == 302
    year.a.refresh_from_db()
    assert year.a.status == S.REVIEWED
    assert year.a.reviewed_at is not None
    assert [m.to for m in mailoutbox] == [["hoidong@example.gov.vn"]]
    page = client.get(detail(year.a.pk)).content.decode()
    assert flash_messages(page) == [
        "The appraisal of Sở Tư pháp is complete; it awaits the council's approval."
    ]
    assert 'data-total="reviewed">6.25</span>' in page
    assert "This assessment is not open for appraisal now" in page


# --- explanation decisions ----------------------------------------------------------------


@pytest.fixture
def explained(year):
    """A's appraisal approved; the agency explained three leaves and proposed scores."""
    year.period.phase = Phase.EXPLANATION
    year.period.save()
    Assessment.objects.filter(pk=year.a.pk).update(
        status=S.EXPLAINED, review_opened_at=SUBMITTED_AT, explanation_submitted_at=SUBMITTED_AT
    )
    year.a.refresh_from_db()
    reviewed = {"1.1": "1", "1.2": "1", "2.1.1": "1", "2.1.2": "2"}
    proposals = {
        "1.1": ("1.5", "Kế hoạch ban hành ngày 10/01, đúng hạn theo văn bản của UBND."),
        "1.2": ("2", "Báo cáo quý III gửi đúng hạn qua hệ thống."),
        "2.1.2": ("2.75", "Tỷ lệ công bố đạt 98%, có danh mục kèm theo."),
    }
    for code, score in year.scores.items():
        score.reviewed_score = score.final_score = Decimal(reviewed[code])
        score.review_comment = "Chưa đạt" if score.reviewed_score != score.self_score else ""
        if code in proposals:
            score.proposed_score = Decimal(proposals[code][0])
            score.explanation = proposals[code][1]
        score.save()
    evidence(year.scores["1.1"], "cong-van-gia-han.pdf", purpose=Evidence.Purpose.EXPLANATION)
    return year


def decide(client, year, code, **data):
    return client.post(reverse("explanation_decide", args=[year.a.pk, year.leaves[code].id]), data)


def test_explanations_are_shown_with_a_decision_form(client, explained):
    response = as_user(client, explained.r1).get(detail(explained.a.pk))

    assert response.status_code == 200
    html = response.content.decode()
    assert "3 explanations await your decision" in html
    one = leaf_block(html, explained.leaves["1.1"])
    assert "Kế hoạch ban hành ngày 10/01, đúng hạn theo văn bản của UBND." in one
    assert 'data-score="proposed">1.50</span>' in one
    explanation_file = Evidence.objects.get(original_name="cong-van-gia-han.pdf")
    assert f'<a href="/danh-gia/minh-chung/{explanation_file.pk}/">cong-van-gia-han.pdf</a>' in one
    c11 = explained.leaves["1.1"]
    assert f'action="/tham-dinh/{explained.a.pk}/giai-trinh/{c11.id}/#leaf-{c11.id}"' in one
    for value in ("accepted", "partial", "rejected"):
        assert f'name="decision" value="{value}"' in one
    assert 'name="reviewed_score"' not in html
    assert "data-explanation" not in leaf_block(html, explained.leaves["2.1.1"])
    assert 'data-total="final">5.00</span>' in html
    assert INLINE_CODE.findall(html) == []


def test_explanation_decisions_set_the_final_score_and_finalize(
    client, explained, mailoutbox, django_capture_on_commit_callbacks
):
    as_user(client, explained.r1)

    no_reason = decide(client, explained, "1.1", decision="accepted", reason=" ")
    assert no_reason.status_code == 422
    assert error_lines(no_reason.content.decode()) == ["Write the reason for the decision."]
    assert 'value="accepted" id="decision-' in no_reason.content.decode()
    no_score = decide(client, explained, "2.1.2", decision="partial", score="", reason="Đạt một phần")
    assert no_score.status_code == 422
    assert error_lines(no_score.content.decode()) == ["Enter the score accepted in part."]
    assert Score.objects.filter(assessment=explained.a).exclude(decision="").count() == 0

    assert (
        decide(client, explained, "1.1", decision="accepted", reason="Có công văn gia hạn.").status_code
        == 302
    )
    assert (
        decide(
            client, explained, "2.1.2", decision="partial", score="2,5", reason="Danh mục thiếu 2 thủ tục."
        ).status_code
        == 302
    )
    explained.a.refresh_from_db()
    assert explained.a.status == S.EXPLAINED
    with django_capture_on_commit_callbacks(execute=True):
        last = decide(
            client, explained, "1.2", decision="rejected", reason="Hệ thống ghi nhận gửi trễ 3 ngày."
        )
    assert last.status_code == 302

    finals = {
        s.criterion.code: (s.decision, s.final_score)
        for s in Score.objects.filter(assessment=explained.a).select_related("criterion")
    }
    assert finals == {
        "1.1": (Decision.ACCEPTED, Decimal("1.5")),
        "1.2": (Decision.REJECTED, Decimal("1")),
        "2.1.1": ("", Decimal("1")),
        "2.1.2": (Decision.PARTIAL, Decimal("2.5")),
    }
    explained.a.refresh_from_db()
    assert explained.a.status == S.FINALIZED
    assert sorted(m.to[0] for m in mailoutbox) == ["canbo.stp@example.gov.vn", "lanhdao.stp@example.gov.vn"]

    page = client.get(detail(explained.a.pk)).content.decode()
    assert flash_messages(page) == [
        "The decision was saved.",
        "The decision was saved.",
        "Every explanation has been decided: the assessment is finalized.",
    ]
    one = leaf_block(page, explained.leaves["1.1"])
    assert 'data-decision="accepted">Accepted</span>' in one
    assert "Có công văn gia hạn." in one
    assert 'data-score="final">1.50</span>' in one
    assert 'data-decision="partial">Accepted in part</span>' in leaf_block(page, explained.leaves["2.1.2"])
    assert 'data-score="final">2.50</span>' in leaf_block(page, explained.leaves["2.1.2"])
    assert 'data-score="final">1.00</span>' in leaf_block(page, explained.leaves["1.2"])
    assert 'name="decision"' not in page
    assert 'data-total="final">6.00</span>' in page


def test_explanations_cannot_be_decided_by_others(client, explained):
    for user in (explained.r2, explained.officer, explained.head):
        as_user(client, user)
        response = decide(client, explained, "1.1", decision="accepted", reason="Đồng ý")
        assert response.status_code == 403
    assert Score.objects.get(pk=explained.scores["1.1"].pk).decision == ""


# --- bounded queries of the appraisal page ------------------------------------------------


def sheet_of(reviewer, leaves: int, year: int) -> Assessment:
    period = PeriodFactory(year=year, phase=Phase.APPRAISAL)
    group = AgencyGroupFactory(code=f"G{year}", name=f"Khối {year}")
    agency = AgencyFactory(code=f"A{year}", name=f"Đơn vị {year}", group=group)
    assessment = AssessmentFactory(
        period=period,
        agency=agency,
        reviewer=reviewer,
        status=S.IN_REVIEW,
        submitted_at=SUBMITTED_AT,
        review_opened_at=SUBMITTED_AT,
    )
    fields = [leaf(period, str(f), None, max_points="10") for f in (1, 2)]
    for i in range(leaves):
        criterion = leaf(
            period, f"{i % 2 + 1}.{i + 1}", fields[i % 2], max_points="2", evidence_required=True
        )
        score = Score.objects.create(
            assessment=assessment, criterion=criterion, self_score=2, reviewed_score=1, review_comment="Thiếu"
        )
        evidence(score, f"minh-chung-{i}.pdf")
    return assessment


def test_detail_runs_the_same_queries_for_5_and_20_leaves(client):
    reviewer = UserFactory(username="thamdinh.do", role=Role.REVIEWER)
    as_user(client, reviewer)
    counts = []
    for leaves, year in ((5, 2030), (20, 2031)):
        assessment = sheet_of(reviewer, leaves, year)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(detail(assessment.pk))
        assert response.status_code == 200
        assert response.content.decode().count('class="list-group-item leaf-row') == leaves
        assert f"data-progress>{leaves} / {leaves}</div>" in response.content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1]


# A reviewed score saved on a leaf that has a score row: the session, the user and the
# assessment; in the service's transaction (a savepoint here) the assessment locked for the
# permission check (issue 9: checked on the row as it stands), the locked row with its leaf,
# the update and its history; then the sheet's figures for the answer (its status area
# shows no evidence).
SAVE_QUERIES = 10


def test_a_save_runs_the_same_queries_for_5_and_20_leaves(client):
    reviewer = UserFactory(username="thamdinh.do", role=Role.REVIEWER)
    as_user(client, reviewer)
    for leaves, year in ((5, 2030), (20, 2031)):
        assessment = sheet_of(reviewer, leaves, year)
        criterion = Criterion.objects.filter(period=assessment.period, parent__isnull=False).first()
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                save_url(assessment, criterion),
                {"reviewed_score": "2", "review_comment": "", "version": "1"},
                **HTMX,
            )
        assert response.status_code == 200
        html = response.content.decode()
        assert f"data-progress>{leaves} / {leaves}</div>" in html
        assert f"data-differences>{leaves - 1}</span>" in html
        assert len(queries) == SAVE_QUERIES, [q["sql"][:80] for q in queries.captured_queries]


def test_a_criterion_s_history_opened_as_a_page_is_a_whole_page(client, year):
    """The reviewer's "History" link opens the trail as a page of its own (a new tab, no
    JavaScript); htmx asks for the trail alone, to put it in place."""
    client.force_login(year.r1)
    leaf = year.leaves["1.1"]
    url = f"/danh-gia/{year.a.pk}/lich-su/{leaf.id}/"

    page = client.get(url)
    fragment = client.get(url, headers={"HX-Request": "true"})

    assert page.status_code == fragment.status_code == 200
    html = page.content.decode()
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="vi">' in html
    assert "<title>Lịch sử · 1.1 · Sở Tư pháp" in html
    assert '<h1 class="h3 mb-1">Lịch sử tiêu chí 1.1</h1>' in html
    assert html_lib.escape(leaf.title) in html
    assert f'<a href="/danh-gia/{year.a.pk}/">' in html
    piece = fragment.content.decode()
    assert "<html" not in piece and "<h1" not in piece
    assert piece.split("\n", 1)[0] in html
