"""The council's pages (ranking/views/council.py): progress, phases, survey scores, demotions,
results, the award list, approval, publication and reopening.

One small year is built by hand (`build_year`, tests/builders.py, with each agency's total):
the criteria add up to 100 points, so an agency's index equals its total, and every figure
below is worked out in the comments.
Requests are sent in English (`django_language` cookie) so messages are the msgids.
"""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from accounts.models import Role
from ranking.enums import AssessmentStatus, Phase
from ranking.models import (
    Assessment,
    AwardEntry,
    Demotion,
    Period,
    Publication,
    Result,
    Score,
)
from ranking.rules import PERMISSION_MESSAGES
from tests.builders import (
    COUNCIL_AGENCIES,
    NOT_RANKED_AND_LATE_ROWS,
    build_two_subjects,
    build_year,
    build_year_not_ranked_and_late,
    group_tabs,
    table_rows,
    text,
)
from tests.factories import (
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Factories hash a password for every user; the slow production hasher adds nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


D = Decimal


def person(role, username, agency=None, **fields):
    return UserFactory(username=username, role=role, agency=agency, **fields)


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def council(client, english):
    user = person(Role.COUNCIL, "hoidong", first_name="Thanh Hoa", last_name="Nguyễn Thị")
    client.force_login(user)
    return user


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def follow_post(client, url, data=None):
    response = client.post(url, data or {}, follow=True)
    assert response.status_code == 200
    return response


def compute(client, year):
    return follow_post(client, f"/hoi-dong/{year.period.code}/tinh-ket-qua/")


# --- who may do what --------------------------------------------------------------------------------


def finalization_posts(year) -> list[tuple[str, dict]]:
    """Every POST of the council's year end, with data the council would send."""
    snv, stp = year.assessments["SNV"], year.assessments["STP"]
    return [
        ("/hoi-dong/CCHC-2025/tinh-ket-qua/", {}),
        ("/hoi-dong/CCHC-2025/phe-duyet/", {}),
        ("/hoi-dong/CCHC-2025/cong-bo/", {}),
        ("/hoi-dong/CCHC-2025/mo-lai/", {"reason": "Sửa sai sót"}),
        ("/hoi-dong/CCHC-2025/khen-thuong/", {"agency": stp.agency_id, "included": "0", "reason": "Vi phạm"}),
        ("/hoi-dong/CCHC-2025/ha-bac/", {"agency": snv.agency_id, "steps": "1", "reason": "Vi phạm"}),
        ("/hoi-dong/CCHC-2025/dieu-tra/", {f"s-{snv.pk}-{year.leaves['2.1'].pk}": "7"}),
    ]


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.OFFICER, Role.HEAD, Role.ADMIN, Role.VIEWER])
def test_only_the_council_posts_finalization_actions(client, english, role):
    year = build_year()
    agency = year.assessments["SNV"].agency if role in (Role.OFFICER, Role.HEAD) else None
    client.force_login(person(role, "nguoi.khac", agency=agency, is_staff=role == Role.ADMIN))

    for url, data in finalization_posts(year):
        assert client.post(url, data).status_code == 403, url

    assert Result.objects.count() == 0
    assert Demotion.objects.count() == 0
    assert (
        Score.objects.get(assessment=year.assessments["SNV"], criterion=year.leaves["2.1"]).final_score == 9
    )
    assert year.reload().phase == Phase.FINALIZATION


def test_a_refusal_names_the_rule(client, english):
    build_year()
    client.force_login(person(Role.REVIEWER, "thamdinh"))

    response = client.post("/hoi-dong/CCHC-2025/tinh-ket-qua/")

    assert response.status_code == 403
    # PERMISSION_MESSAGES is built when ranking.rules is imported (see the report): compare
    # with it rather than with one language.
    assert escape(str(PERMISSION_MESSAGES["ranking.finalize_period"])) in response.content.decode()


def test_anonymous_is_sent_to_sign_in(client):
    build_year()

    for url in ("/hoi-dong/CCHC-2025/", "/hoi-dong/CCHC-2025/ket-qua/", "/hoi-dong/CCHC-2025/cong-bo/"):
        response = client.post(url) if url.endswith("cong-bo/") else client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/dang-nhap/?next={url}"


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.OFFICER, Role.VIEWER])
def test_council_pages_are_closed_to_others(client, english, role):
    year = build_year()
    agency = year.assessments["SNV"].agency if role == Role.OFFICER else None
    client.force_login(person(role, "nguoi.khac", agency=agency))

    for page in ("", "dieu-tra/", "ha-bac/", "ket-qua/"):
        assert client.get(f"/hoi-dong/CCHC-2025/{page}").status_code == 403, page


def test_an_administrator_sees_progress_without_the_councils_actions(client, english):
    build_year()
    client.force_login(person(Role.ADMIN, "quantri", is_staff=True))

    response = client.get("/hoi-dong/CCHC-2025/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'action="/hoi-dong/CCHC-2025/tinh-ket-qua/"' not in html
    assert 'action="/hoi-dong/CCHC-2025/cong-bo/"' not in html
    # An administrator may move phases (ranking.set_phase).
    assert 'action="/hoi-dong/CCHC-2025/giai-doan/"' in html
    # ...and reads an agency's page, not the reviewer's.
    assert f'href="/danh-gia/{Assessment.objects.first().pk}/"' in html


# --- the dashboard ----------------------------------------------------------------------------------


def test_dashboard_shows_phase_deadlines_counts_and_rows(client, council):
    year = build_year(phase=Phase.APPRAISAL, status=AssessmentStatus.IN_REVIEW)
    period = year.period
    period.self_assessment_deadline = "2025-11-30"
    period.appraisal_deadline = "2025-12-20"
    period.save()
    reviewer = person(Role.REVIEWER, "thamdinh", first_name="Thanh Hải", last_name="Phan")
    Assessment.objects.filter(pk=year.assessments["STC"].pk).update(
        status=AssessmentStatus.REVIEWED, reviewer=reviewer
    )
    Assessment.objects.filter(pk=year.assessments["QHC"].pk).update(status=AssessmentStatus.SUBMITTED)

    response = client.get("/hoi-dong/CCHC-2025/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="fw-semibold current-phase">Appraisal</span>' in html
    deadlines = re.search(r'<dl class="row mb-0 small deadlines">(.*?)</dl>', html, re.S).group(1)
    assert text(deadlines) == "Self-assessment 30/11/2025 Appraisal 20/12/2025 Explanation —"
    # Columns: draft, submitted, in review, returned, reviewed, approved, explained, finalized, total.
    assert table_rows(html, "progress-table") == [
        ["Khối sở, ban, ngành", "0", "0", "3", "0", "1", "0", "0", "0", "4"],
        ["Khối quận, huyện", "0", "1", "0", "0", "0", "0", "0", "0", "1"],
    ]
    footer = re.search(r"<tfoot>(.*?)</tfoot>", html, re.S).group(1)
    assert text(footer) == "All groups 0 1 3 0 1 0 0 0 5"
    rows = {row[0]: row for row in table_rows(html, "assessments-table")}
    # The group of the period, with the link to change it.
    assert rows["Sở Tài chính"][1:4] == ["Khối sở, ban, ngành Change", "Appraised", "Phan Thanh Hải"]
    assert rows["Sở Tài chính"][4] == "Approve appraisal Reopen… Reopen"
    assert rows["Sở Nội vụ"][1:5] == ["Khối sở, ban, ngành Change", "Under appraisal", "—", "Reopen… Reopen"]
    assert rows["UBND quận Hải Châu"][2] == "Submitted"
    stc = year.assessments["STC"].pk
    assert f'action="/hoi-dong/danh-gia/{stc}/duyet/"' in html
    assert html.count('action="/hoi-dong/danh-gia/') == 1 + 5  # one approval, five reopenings
    assert f'href="/tham-dinh/{stc}/"' in html
    assert f'<a class="small change-group" href="/hoi-dong/danh-gia/{stc}/khoi/">Change</a>' in html
    assert "period-group-badge" not in html
    # Not in finalization: no computing; not published: no reopening of results.
    assert 'action="/hoi-dong/CCHC-2025/tinh-ket-qua/"' not in html
    assert 'action="/hoi-dong/CCHC-2025/mo-lai/"' not in html


def dashboard_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/hoi-dong/CCHC-2025/").status_code == 200
    return len(queries)


def test_dashboard_queries_do_not_grow_with_agencies(client, council):
    build_year(extra=1)
    few = dashboard_queries(client)
    Period.objects.all().delete()
    build_year(extra=20)

    assert dashboard_queries(client) == few


def test_council_approves_an_appraisal(client, council, mailoutbox, django_capture_on_commit_callbacks):
    year = build_year(phase=Phase.APPRAISAL, status=AssessmentStatus.REVIEWED)
    assessment = year.assessments["SNV"]
    person(Role.OFFICER, "canbo.snv", agency=assessment.agency)

    with django_capture_on_commit_callbacks(execute=True):
        response = follow_post(client, f"/hoi-dong/danh-gia/{assessment.pk}/duyet/")

    assert response.redirect_chain == [("/hoi-dong/CCHC-2025/", 302)]
    assert messages_of(response) == ["The appraisal of Sở Nội vụ is approved."]
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.APPROVED
    assert [m.to for m in mailoutbox] == [["canbo.snv@example.gov.vn"]]


def test_a_reviewer_cannot_approve_an_appraisal(client, english):
    year = build_year(phase=Phase.APPRAISAL, status=AssessmentStatus.REVIEWED)
    assessment = year.assessments["SNV"]
    reviewer = person(Role.REVIEWER, "thamdinh")
    Assessment.objects.filter(pk=assessment.pk).update(reviewer=reviewer)
    client.force_login(reviewer)

    response = client.post(f"/hoi-dong/danh-gia/{assessment.pk}/duyet/")

    assert response.status_code == 403
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.REVIEWED


def test_council_reopens_an_assessment_with_a_reason(client, council):
    year = build_year(phase=Phase.APPRAISAL, status=AssessmentStatus.SUBMITTED)
    assessment = year.assessments["STC"]

    refused = follow_post(client, f"/hoi-dong/danh-gia/{assessment.pk}/mo-lai/", {"reason": " "})
    assert messages_of(refused) == ["Write the reason for reopening."]
    response = follow_post(
        client, f"/hoi-dong/danh-gia/{assessment.pk}/mo-lai/", {"reason": "Thiếu minh chứng"}
    )

    assert messages_of(response) == ["The self-assessment of Sở Tài chính is open again for the agency."]
    assessment.refresh_from_db()
    assert (assessment.status, assessment.reopened) == (AssessmentStatus.DRAFT, True)
    # History reasons are written in the site's language (Vietnamese), whoever acts.
    assert assessment.history.first().history_change_reason == "Mở lại: Thiếu minh chứng"


# --- phases -----------------------------------------------------------------------------------------


def test_phase_change_records_the_reason(client, council):
    year = build_year()

    refused = follow_post(client, "/hoi-dong/CCHC-2025/giai-doan/", {"phase": "explanation", "reason": ""})
    assert messages_of(refused) == ["Write the reason for going back to an earlier phase."]
    assert year.reload().phase == Phase.FINALIZATION

    response = follow_post(
        client,
        "/hoi-dong/CCHC-2025/giai-doan/",
        {"phase": "explanation", "reason": "Sở Tài chính xin giải trình bổ sung"},
    )

    assert response.redirect_chain == [("/hoi-dong/CCHC-2025/", 302)]
    assert messages_of(response) == ["CCHC 2025 is now in the phase “Explanation”."]
    assert year.reload().phase == Phase.EXPLANATION
    assert (
        year.period.history.first().history_change_reason
        == "Giai đoạn: Giải trình — Sở Tài chính xin giải trình bổ sung"
    )
    assert year.period.history.first().history_user.username == "hoidong"


def test_publication_is_not_a_phase_change(client, council):
    year = build_year()

    response = follow_post(client, "/hoi-dong/CCHC-2025/giai-doan/", {"phase": "published"})

    assert messages_of(response) == ["Publish the results with the publication step."]
    assert year.reload().phase == Phase.FINALIZATION


# --- survey scores ----------------------------------------------------------------------------------


def survey_field(year, code):
    return f"s-{year.assessments[code].pk}-{year.leaves['2.1'].pk}"


def survey_values(year) -> dict[str, Decimal | None]:
    scores = {
        s.assessment_id: s.final_score
        for s in Score.objects.filter(criterion=year.leaves["2.1"], assessment__period=year.period)
    }
    return {code: scores.get(a.pk) for code, a in year.assessments.items()}


def test_survey_page_lists_agencies_and_survey_leaves(client, council):
    year = build_year(survey=False)
    Score.objects.create(
        assessment=year.assessments["STC"], criterion=year.leaves["2.1"], final_score=D("8.5")
    )

    response = client.get("/hoi-dong/CCHC-2025/dieu-tra/")

    assert response.status_code == 200
    html = response.content.decode()
    inputs = re.findall(r'name="(s-\d+-\d+)" value="([^"]*)"', html)
    assert inputs == [
        (survey_field(year, code), "8.5" if code == "STC" else "")
        for code in ("SNV", "STC", "STP", "SYT", "QHC")
    ]
    assert 'href="/admin/ranking/score/import/"' not in html  # the council is not staff
    assert "An administrator can also import them all at once from the Diem sheet" in html


def test_survey_scores_save_all_or_nothing(client, council):
    year = build_year(survey=False)
    before = survey_values(year)

    response = client.post(
        "/hoi-dong/CCHC-2025/dieu-tra/",
        {
            survey_field(year, "SNV"): "9",
            survey_field(year, "STC"): "12",
            survey_field(year, "STP"): "9,5",
            survey_field(year, "SYT"): "bảy",
            survey_field(year, "QHC"): "",
        },
    )

    assert response.status_code == 200
    assert survey_values(year) == before == dict.fromkeys(COUNCIL_AGENCIES)
    html = response.content.decode()
    problems = re.search(r'<div class="alert alert-danger survey-problems".*?</div>', html, re.S).group(0)
    assert text(problems) == (
        "Nothing was saved. Correct these cells and save again: "
        "Sở Tài chính, criterion 2.1: Score 12 is above the maximum of 10. "
        "Sở Y tế, criterion 2.1: “bảy” is not a number."
    )
    # What was typed stays in the form, the refused cells marked.
    assert f'name="{survey_field(year, "STP")}" value="9,5"' in html
    assert html.count("survey-input is-invalid") == 2

    response = follow_post(
        client,
        "/hoi-dong/CCHC-2025/dieu-tra/",
        {
            survey_field(year, "SNV"): "9",
            survey_field(year, "STC"): "8.5",
            survey_field(year, "STP"): "9,5",
            survey_field(year, "SYT"): "7",
            survey_field(year, "QHC"): "",
        },
    )

    assert messages_of(response) == ["4 survey scores saved."]
    assert survey_values(year) == {"SNV": D(9), "STC": D("8.5"), "STP": D("9.5"), "SYT": D(7), "QHC": None}
    score = Score.objects.get(assessment=year.assessments["STP"], criterion=year.leaves["2.1"])
    assert (score.self_score, score.reviewed_score, score.final_score) == (D("9.5"),) * 3
    assert score.history.first().history_change_reason == "Kết quả điều tra xã hội học"

    unchanged = follow_post(client, "/hoi-dong/CCHC-2025/dieu-tra/", {survey_field(year, "SNV"): "9,0"})
    assert messages_of(unchanged) == ["Nothing was changed."]


def test_survey_page_is_read_only_outside_finalization(client, council):
    year = build_year(phase=Phase.EXPLANATION)

    html = client.get("/hoi-dong/CCHC-2025/dieu-tra/").content.decode()
    assert html.count("disabled>") == 5
    assert "Save survey scores" not in html
    assert client.post("/hoi-dong/CCHC-2025/dieu-tra/", {survey_field(year, "SNV"): "1"}).status_code == 403


# --- demotions, computing and the provisional ranking -----------------------------------------------


def test_demotion_with_reason_then_compute_shows_the_demoted_tier(client, council):
    year = build_year()
    snv = year.assessments["SNV"].agency

    refused = client.post("/hoi-dong/CCHC-2025/ha-bac/", {"agency": snv.pk, "steps": "1", "reason": ""})
    assert refused.status_code == 200
    assert "Write the reason for the demotion." in refused.content.decode()
    assert Demotion.objects.count() == 0

    response = follow_post(
        client,
        "/hoi-dong/CCHC-2025/ha-bac/",
        {"agency": snv.pk, "steps": "1", "reason": "Người đứng đầu bị kỷ luật"},
    )
    assert messages_of(response) == ["Sở Nội vụ is demoted."]
    demotion = Demotion.objects.get()
    assert (demotion.agency, demotion.steps, demotion.cap_tier, demotion.reason) == (
        snv,
        1,
        None,
        "Người đứng đầu bị kỷ luật",
    )
    assert "Người đứng đầu bị kỷ luật" in response.content.decode()

    computed = compute(client, year)

    html = computed.content.decode()
    row = next(r for r in table_rows(html, "results-table") if r[1] == "Sở Nội vụ")
    # 92 is Rất tốt; one tier down gives Tốt.
    assert row[5] == "Tốt demoted"
    assert 'title="Demoted by the council from Rất tốt"' in html
    result = Result.objects.get(agency=snv)
    assert (result.tier.label, result.tier_before_demotion.label, result.demoted) == ("Tốt", "Rất tốt", True)


def test_a_demotion_is_lifted_with_a_reason(client, council):
    year = build_year()
    demotion = Demotion.objects.create(
        period=year.period, agency=year.assessments["STC"].agency, steps=1, reason="x"
    )

    refused = follow_post(client, f"/hoi-dong/CCHC-2025/ha-bac/{demotion.pk}/xoa/", {"reason": ""})
    assert messages_of(refused) == ["Write the reason for lifting the demotion."]
    response = follow_post(
        client, f"/hoi-dong/CCHC-2025/ha-bac/{demotion.pk}/xoa/", {"reason": "Đã xem xét lại"}
    )

    assert messages_of(response) == ["The demotion of Sở Tài chính is lifted."]
    assert Demotion.objects.count() == 0
    assert Demotion.history.first().history_change_reason == "Đã xem xét lại"


def test_compute_refuses_and_lists_unscored_leaves(client, council):
    year = build_year(survey=False)

    response = compute(client, year)

    assert response.redirect_chain == [("/hoi-dong/CCHC-2025/ket-qua/", 302)]
    assert messages_of(response) == [
        "Results of period CCHC-2025 cannot be computed: the agencies below have leaves without a "
        "final score. Complete their scores, or choose for each one on the results page: "
        "“Not assessed”, or “Not ranked” once every leaf is scored.",
        "Sở Nội vụ (SNV) has no final score for 2.1.",
        "Sở Tài chính (STC) has no final score for 2.1.",
        "Sở Tư pháp (STP) has no final score for 2.1.",
        "Sở Y tế (SYT) has no final score for 2.1.",
        "UBND quận Hải Châu (QHC) has no final score for 2.1.",
    ]
    assert Result.objects.count() == 0


def test_provisional_ranking_shows_exact_ranks_tiers_and_indexes(client, council):
    year = build_year()

    response = compute(client, year)

    assert messages_of(response) == ["Results computed: 5 agencies ranked."]
    html = response.content.decode()
    # Rank, agency, total, maximum, index, tier, previous rank, change, field 1, field 2.
    # SBN by index: STP 94,5 (was 2: ▲1), SNV 92 (was 1: ▼1), STC 83,5 (was 6: ▲3), SYT 67 (new).
    assert table_rows(html, "results-table") == [
        # Field points, then their component indices: 85 of 90 = 94,44 %, 9,5 of 10 = 95 %.
        ["1", "Sở Tư pháp", "94.50", "100.00", "94.50", "Rất tốt", "2", "▲1",
         "85.00", "9.50", "94.44", "95.00"],
        ["2", "Sở Nội vụ", "92.00", "100.00", "92.00", "Rất tốt", "1", "▼1",
         "83.00", "9.00", "92.22", "90.00"],
        ["3", "Sở Tài chính", "83.50", "100.00", "83.50", "Tốt", "6", "▲3",
         "75.00", "8.50", "83.33", "85.00"],
        ["4", "Sở Y tế", "67.00", "100.00", "67.00", "Trung bình", "—", "new",
         "60.00", "7.00", "66.67", "70.00"],
        ["1", "UBND quận Hải Châu", "79.00", "100.00", "79.00", "Khá", "1", "=",
         "71.00", "8.00", "78.89", "80.00"],
    ]  # fmt: skip
    assert "Khối sở, ban, ngành 2 Rất tốt, 1 Tốt, 1 Trung bình Rank Agency" in text(html)
    assert "Khối quận, huyện 1 Khá Rank Agency" in text(html)
    # The award rule proposes the top tier: STP and SNV.
    assert table_rows(html, "awards-table") == [
        ["Khối sở, ban, ngành", "1", "Sở Tư pháp", "Rất tốt", "proposed by the rule", "", "Remove"],
        ["Khối sở, ban, ngành", "2", "Sở Nội vụ", "Rất tốt", "proposed by the rule", "", "Remove"],
    ]
    assert "2 agencies on the list" in html
    # Not yet approved: no publication.
    assert 'action="/hoi-dong/CCHC-2025/phe-duyet/"' in html
    assert 'action="/hoi-dong/CCHC-2025/cong-bo/"' not in html


def provisional_queries(client, query: str = "") -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/hoi-dong/CCHC-2025/ket-qua/{query}").status_code == 200
    return len(queries)


def test_provisional_results_and_survey_queries_do_not_grow(client, council):
    from ranking.results.compute import results_compute

    year = build_year(extra=1)
    results_compute(period=year.period)
    few = provisional_queries(client)
    with CaptureQueriesContext(connection) as survey_few:
        client.get("/hoi-dong/CCHC-2025/dieu-tra/")
    Result.objects.all().delete()
    Period.objects.all().delete()
    build_year(extra=25)
    results_compute(period=Period.objects.get(code="CCHC-2025"))

    assert provisional_queries(client) == few
    with CaptureQueriesContext(connection) as survey_many:
        client.get("/hoi-dong/CCHC-2025/dieu-tra/")
    assert len(survey_many) == len(survey_few)


# --- the award list, approval, publication, reopening -----------------------------------------------


def test_award_removal_needs_a_reason(client, council):
    year = build_year()
    compute(client, year)
    stp = year.assessments["STP"].agency

    refused = follow_post(client, "/hoi-dong/CCHC-2025/khen-thuong/", {"agency": stp.pk, "included": "0"})
    assert messages_of(refused) == ["Write the reason for changing the list."]
    assert AwardEntry.objects.get(agency=stp).included is True

    response = follow_post(
        client,
        "/hoi-dong/CCHC-2025/khen-thuong/",
        {"agency": stp.pk, "included": "0", "reason": "Có cán bộ vi phạm pháp luật"},
    )

    assert response.redirect_chain == [("/hoi-dong/CCHC-2025/ket-qua/#awards", 302)]
    assert messages_of(response) == ["Sở Tư pháp is removed from the certificate-of-merit list."]
    entry = AwardEntry.objects.get(agency=stp)
    assert (entry.proposed, entry.included, entry.reason) == (True, False, "Có cán bộ vi phạm pháp luật")
    html = response.content.decode()
    assert table_rows(html, "awards-table")[0] == [
        "Khối sở, ban, ngành",
        "1",
        "Sở Tư pháp",
        "Rất tốt",
        "removed by the council",
        "Có cán bộ vi phạm pháp luật",
        "Put back",
    ]
    assert "1 agency on the list" in html


def test_council_adds_an_agency_to_the_award_list(client, council):
    year = build_year()
    compute(client, year)
    qhc = year.assessments["QHC"].agency

    response = follow_post(
        client,
        "/hoi-dong/CCHC-2025/khen-thuong/",
        {"agency": qhc.pk, "included": "1", "reason": "Thành tích đột xuất"},
    )

    assert messages_of(response) == ["UBND quận Hải Châu is added to the certificate-of-merit list."]
    entry = AwardEntry.objects.get(agency=qhc)
    assert (entry.proposed, entry.included, entry.reason) == (False, True, "Thành tích đột xuất")
    assert table_rows(response.content.decode(), "awards-table")[2][:5] == [
        "Khối quận, huyện",
        "1",
        "UBND quận Hải Châu",
        "Khá",
        "added by the council",
    ]


def test_approve_publish_and_reopen(client, council, mailoutbox, django_capture_on_commit_callbacks):
    year = build_year()
    head = person(Role.HEAD, "lanhdao.snv", agency=year.assessments["SNV"].agency)
    officer = person(Role.OFFICER, "canbo.stc", agency=year.assessments["STC"].agency)
    person(Role.OFFICER, "khong.email", agency=year.assessments["STP"].agency, email="")
    person(Role.VIEWER, "xem")
    compute(client, year)

    approved = follow_post(client, "/hoi-dong/CCHC-2025/phe-duyet/")
    assert messages_of(approved) == ["The results and the certificate-of-merit list are approved."]
    assert year.reload().awards_approved_at is not None
    assert 'action="/hoi-dong/CCHC-2025/cong-bo/"' in approved.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        published = follow_post(client, "/hoi-dong/CCHC-2025/cong-bo/")

    assert published.redirect_chain == [("/hoi-dong/CCHC-2025/", 302)]
    assert messages_of(published) == ["The results of CCHC 2025 are published (version 1)."]
    period = year.reload()
    assert (period.phase, period.version) == (Phase.PUBLISHED, 1)
    publication = Publication.objects.get()
    assert (publication.version, publication.published_by.username) == (1, "hoidong")
    assert [(r["agency"], r["rank"], r["tier"]) for r in publication.results] == [
        ("STP", 1, "Rất tốt"),
        ("SNV", 2, "Rất tốt"),
        ("STC", 3, "Tốt"),
        ("SYT", 4, "Trung bình"),
        ("QHC", 1, "Khá"),
    ]
    # Agency members, reviewers and the council with an e-mail address; not the viewer.
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [head.email, officer.email, "hoidong@example.gov.vn"]
    )
    assert all(f"{settings.SITE_URL}/ket-qua/CCHC-2025/" in m.body for m in mailoutbox)
    html = published.content.decode()
    assert 'action="/hoi-dong/CCHC-2025/mo-lai/"' in html
    assert 'action="/hoi-dong/CCHC-2025/giai-doan/"' not in html
    assert 'href="/ket-qua/CCHC-2025/"' in html

    # Published results are frozen.
    assert client.post("/hoi-dong/CCHC-2025/tinh-ket-qua/").status_code == 403
    assert client.post("/hoi-dong/CCHC-2025/giai-doan/", {"phase": "finalization"}).status_code == 403

    refused = follow_post(client, "/hoi-dong/CCHC-2025/mo-lai/", {"reason": ""})
    assert messages_of(refused) == ["Write the reason for the correction."]
    assert year.reload().phase == Phase.PUBLISHED

    reopened = follow_post(client, "/hoi-dong/CCHC-2025/mo-lai/", {"reason": "Sai điểm điều tra của Sở Y tế"})

    assert messages_of(reopened) == [
        "CCHC 2025 is reopened for correction; publishing again makes a new version."
    ]
    period = year.reload()
    assert (period.phase, period.version, period.awards_approved_at) == (Phase.FINALIZATION, 2, None)
    publication.refresh_from_db()
    assert publication.reopen_reason == "Sai điểm điều tra của Sở Y tế"
    assert '<span class="badge text-bg-light border">version 2</span>' in reopened.content.decode()

    compute(client, year)
    follow_post(client, "/hoi-dong/CCHC-2025/phe-duyet/")
    again = follow_post(client, "/hoi-dong/CCHC-2025/cong-bo/")
    assert messages_of(again) == ["The results of CCHC 2025 are published (version 2)."]
    assert list(Publication.objects.values_list("version", flat=True)) == [2, 1]


def test_publication_needs_approval(client, council):
    year = build_year()
    compute(client, year)

    assert client.post("/hoi-dong/CCHC-2025/cong-bo/").status_code == 403
    assert year.reload().phase == Phase.FINALIZATION


# --- an agency's group in the period ---------------------------------------------------------------
# tests/builders.py `build_two_subjects`: SXD is in SBN for CCHC and, by the council's choice, in SN
# for VTLT (tests/integration/ranking/periods/test_groups.py has the figures).


def group_page(client, assessment):
    return client.get(f"/hoi-dong/danh-gia/{assessment.pk}/khoi/")


def test_the_group_page_shows_both_groups_and_the_form(client, council):
    two = build_two_subjects()
    assessment = two.assessments[("VTLT", "SXD")]

    response = group_page(client, assessment)

    assert response.status_code == 200
    html = response.content.decode()
    block = re.search(r'<dl class="row small mb-3 period-group">(.*?)</dl>', html, re.S).group(1)
    assert text(block) == "Usual group Khối sở, ban, ngành Group in this period Khối đơn vị sự nghiệp"
    assert (
        f'<form method="post" action="/hoi-dong/danh-gia/{assessment.pk}/khoi/" class="period-group-form"'
        in html
    )
    assert '<option value="SBN">Khối sở, ban, ngành</option>' in html
    assert '<option value="SN" selected>Khối đơn vị sự nghiệp</option>' in html
    assert 'class="alert alert-secondary mb-0 refusal"' not in html


def test_the_council_changes_the_group_with_a_reason(client, council):
    two = build_two_subjects(moved=False)
    assessment = two.assessments[("VTLT", "STC")]

    response = client.post(
        f"/hoi-dong/danh-gia/{assessment.pk}/khoi/", {"group": "SN", "reason": "Lưu trữ chuyên ngành"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/hoi-dong/VTLT-2025/"
    page = client.get(response["Location"])
    assert messages_of(page) == [
        "Sở Tài chính is ranked in Khối đơn vị sự nghiệp for VTLT 2025; compute the results again."
    ]
    assessment.refresh_from_db()
    assert assessment.group.code == "SN"
    latest = assessment.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (
        council,
        "Khối trong kỳ: Khối đơn vị sự nghiệp — Lưu trữ chuyên ngành",
    )
    rows = {row[0]: row for row in table_rows(page.content.decode(), "assessments-table")}
    assert rows["Sở Tài chính"][1] == "Khối đơn vị sự nghiệp this period Change"


def test_a_change_without_a_reason_shows_the_form_again(client, council):
    two = build_two_subjects(moved=False)
    assessment = two.assessments[("VTLT", "STC")]

    response = client.post(f"/hoi-dong/danh-gia/{assessment.pk}/khoi/", {"group": "SN", "reason": "  "})

    assert response.status_code == 200
    html = response.content.decode()
    assert '<div class="invalid-feedback d-block">This field is required.</div>' in html
    assessment.refresh_from_db()
    assert assessment.group.code == "SBN"


def test_an_unknown_group_is_refused_by_the_form(client, council):
    two = build_two_subjects(moved=False)
    assessment = two.assessments[("VTLT", "STC")]

    response = client.post(f"/hoi-dong/danh-gia/{assessment.pk}/khoi/", {"group": "XYZ", "reason": "Lý do"})

    assert response.status_code == 200
    assert (
        "Select a valid choice. That choice is not one of the available choices." in response.content.decode()
    )
    assessment.refresh_from_db()
    assert assessment.group.code == "SBN"


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.VIEWER])
def test_others_may_not_change_groups(client, english, role):
    two = build_two_subjects(moved=False)
    client.force_login(person(role, "nguoikhac"))
    assessment = two.assessments[("VTLT", "STC")]

    assert group_page(client, assessment).status_code == 403
    response = client.post(f"/hoi-dong/danh-gia/{assessment.pk}/khoi/", {"group": "SN", "reason": "Lý do"})

    assert response.status_code == 403
    assessment.refresh_from_db()
    assert assessment.group.code == "SBN"


def test_no_change_once_the_award_list_is_approved(client, council):
    two = build_two_subjects(moved=False)
    Period.objects.filter(pk=two.periods["VTLT"].pk).update(
        results_computed_at="2025-12-01T08:00:00Z", awards_approved_at="2025-12-02T08:00:00Z"
    )
    assessment = two.assessments[("VTLT", "STC")]
    client.cookies["django_language"] = "vi"

    page = group_page(client, assessment)
    refused = client.post(f"/hoi-dong/danh-gia/{assessment.pk}/khoi/", {"group": "SN", "reason": "Lý do"})

    message = (
        "Chỉ hội đồng thẩm định hoặc quản trị viên được đổi khối của đơn vị trong một kỳ, "
        "trước khi danh sách khen thưởng được phê duyệt hoặc kết quả được công bố."
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<p class="alert alert-secondary mb-0 refusal">{message}</p>' in html
    assert "period-group-form" not in html
    assert refused.status_code == 403
    assert message in refused.content.decode()
    assessment.refresh_from_db()
    assert assessment.group.code == "SBN"
    dashboard = client.get("/hoi-dong/VTLT-2025/").content.decode()
    assert "change-group" not in dashboard


# --- a large period: one group per page, and the full table -------------------------------------

RESULT_ROWS = [
    ["1", "Sở Tư pháp", "94.50", "100.00", "94.50", "Rất tốt", "2", "▲1", "85.00", "9.50", "94.44", "95.00"],
    ["2", "Sở Nội vụ", "92.00", "100.00", "92.00", "Rất tốt", "1", "▼1", "83.00", "9.00", "92.22", "90.00"],
    ["3", "Sở Tài chính", "83.50", "100.00", "83.50", "Tốt", "6", "▲3", "75.00", "8.50", "83.33", "85.00"],
    ["4", "Sở Y tế", "67.00", "100.00", "67.00", "Trung bình", "—", "new", "60.00", "7.00", "66.67", "70.00"],
    ["1", "UBND quận Hải Châu", "79.00", "100.00", "79.00", "Khá", "1", "=",
     "71.00", "8.00", "78.89", "80.00"],
]  # fmt: skip


def standing_agencies(html: str) -> list[str]:
    return [row[1] for row in table_rows(html, "standings-table")]


def candidates(html: str) -> list[str]:
    select = re.search(r'<select[^>]*id="award-agency"[^>]*>(.*?)</select>', html, re.S)
    return re.findall(r'<option value="\d+">([^<]*)</option>', select.group(1)) if select else []


def test_a_large_period_shows_the_council_one_group_per_page(client, council, settings):
    settings.RESULTS_PAGE_ROWS = 3  # 5 agencies: 4 in SBN, 1 in QH
    year = build_year()
    compute(client, year)
    # Sở Tài chính removed from the list, so that it can be put back (a candidate).
    AwardEntry.objects.create(period=year.period, agency=year.assessments["STC"].agency, included=False)

    html = client.get("/hoi-dong/CCHC-2025/ket-qua/").content.decode()

    assert group_tabs(html) == [
        ("?khoi=SBN", "Khối sở, ban, ngành 4", True),
        ("?khoi=QH", "Khối quận, huyện 1", False),
        ("?khoi=tat-ca", "Full table of every group (to print) 5", False),
    ]
    assert table_rows(html, "results-table") == RESULT_ROWS[:4]
    assert standing_agencies(html) == ["Sở Nội vụ", "Sở Tài chính", "Sở Tư pháp", "Sở Y tế"]
    assert [row[2] for row in table_rows(html, "awards-table")] == ["Sở Tư pháp", "Sở Nội vụ", "Sở Tài chính"]
    assert candidates(html) == ["Sở Y tế (Khối sở, ban, ngành, Trung bình)"]
    # Every group's tier counts stay in the count of the list.
    assert "2 agencies on the list" in html
    # The standing forms of one agency at a time: a link on each row.
    snv = year.assessments["SNV"]
    assert 'class="input-group input-group-sm mb-1 standing-form"' not in html
    assert f'href="?khoi=SBN&amp;sua={snv.pk}#standing-{snv.pk}">Change</a>' in html

    html = client.get("/hoi-dong/CCHC-2025/ket-qua/?khoi=QH").content.decode()
    assert [current for _href, _text, current in group_tabs(html)] == [False, True, False]
    assert table_rows(html, "results-table") == RESULT_ROWS[4:]
    assert standing_agencies(html) == ["UBND quận Hải Châu"]
    assert table_rows(html, "awards-table") == []
    assert "No agency of this group on the list." in html
    assert candidates(html) == ["UBND quận Hải Châu (Khối quận, huyện, Khá)"]


def test_the_council_changes_one_agency_of_a_large_period_at_a_time(client, council, settings):
    settings.RESULTS_PAGE_ROWS = 3
    year = build_year()
    compute(client, year)
    snv, qhc = year.assessments["SNV"], year.assessments["QHC"]

    html = client.get(f"/hoi-dong/CCHC-2025/ket-qua/?khoi=SBN&sua={snv.pk}").content.decode()

    forms = re.findall(r'<form method="post" action="(/hoi-dong/danh-gia/\d+/[\w-]+/)"', html)
    assert [f for f in forms if "/danh-gia/" in f] == [
        f"/hoi-dong/danh-gia/{snv.pk}/xep-hang/",
        f"/hoi-dong/danh-gia/{snv.pk}/nop-muon/",
    ]
    assert f'<tr data-agency="SNV" id="standing-{snv.pk}">' in html
    # Back on the group's page after a change.
    response = client.post(
        f"/hoi-dong/danh-gia/{qhc.pk}/xep-hang/", {"standing": "not_ranked", "reason": "Kỷ luật"}
    )
    assert (response.status_code, response["Location"]) == (
        302,
        "/hoi-dong/CCHC-2025/ket-qua/?khoi=QH#standings",
    )
    response = client.post(f"/hoi-dong/danh-gia/{qhc.pk}/nop-muon/", {"late": "1", "reason": "Nộp sau hạn"})
    assert response["Location"] == "/hoi-dong/CCHC-2025/ket-qua/?khoi=QH#standings"
    html = client.get(response["Location"]).content.decode()
    assert table_rows(html, "standings-table") == [
        ["Khối quận, huyện", "UBND quận Hải Châu", "Finalized", "Not ranked Kỷ luật", "Late Nộp sau hạn",
         "Change"],
    ]  # fmt: skip
    response = client.post(
        "/hoi-dong/CCHC-2025/khen-thuong/",
        {"agency": year.assessments["STP"].agency.pk, "included": "0", "reason": "Vi phạm"},
    )
    assert response["Location"] == "/hoi-dong/CCHC-2025/ket-qua/?khoi=SBN#awards"


def test_the_councils_full_table_lists_every_group(client, council, settings):
    settings.RESULTS_PAGE_ROWS = 3
    year = build_year()
    compute(client, year)

    html = client.get("/hoi-dong/CCHC-2025/ket-qua/?khoi=tat-ca").content.decode()

    assert [current for _href, _text, current in group_tabs(html)] == [False, False, True]
    assert table_rows(html, "results-table") == RESULT_ROWS
    assert len(standing_agencies(html)) == 5
    assert [row[2] for row in table_rows(html, "awards-table")] == ["Sở Tư pháp", "Sở Nội vụ"]


def test_a_period_within_the_limit_keeps_the_councils_single_page(client, council, settings):
    year = build_year()
    compute(client, year)
    masked = re.compile(r'"X-CSRFToken": "\w+"|name="csrfmiddlewaretoken" value="\w+"')
    before = masked.sub("", client.get("/hoi-dong/CCHC-2025/ket-qua/").content.decode())

    settings.RESULTS_PAGE_ROWS = 5  # exactly the period's agencies
    for query in ("", "?khoi=QH", "?khoi=tat-ca", f"?sua={year.assessments['SNV'].pk}"):
        html = masked.sub("", client.get(f"/hoi-dong/CCHC-2025/ket-qua/{query}").content.decode())
        # The language buttons come back to the address asked for.
        assert html.replace(query.replace("&", "&amp;"), "") == before, query
    assert "group-pages" not in before
    assert table_rows(before, "results-table") == RESULT_ROWS
    assert before.count('class="input-group input-group-sm mb-1 standing-form"') == 5


def test_the_pages_of_a_large_period_run_a_fixed_number_of_queries(client, council, settings):
    from ranking.results.compute import results_compute

    settings.RESULTS_PAGE_ROWS = 3
    pages = ("", "?khoi=QH", "?khoi=tat-ca")
    year = build_year(extra=1)
    results_compute(period=year.period)
    few = [provisional_queries(client, query) for query in pages]
    Result.objects.all().delete()
    Period.objects.all().delete()
    build_year(extra=25)
    results_compute(period=Period.objects.get(code="CCHC-2025"))

    assert [provisional_queries(client, query) for query in pages] == few
    assert len(set(few)) == 1


def test_a_large_period_writes_standing_late_and_change_as_the_small_page_does(client, council, settings):
    """The council's lean rows write the standing, the late badge and the change themselves:
    they must say what the small page's includes say."""
    year = build_year_not_ranked_and_late(council)
    compute(client, year)
    settings.RESULTS_PAGE_ROWS = 100
    small = client.get("/hoi-dong/CCHC-2025/ket-qua/").content.decode()
    settings.RESULTS_PAGE_ROWS = 3

    lean = client.get("/hoi-dong/CCHC-2025/ket-qua/?khoi=tat-ca").content.decode()

    assert table_rows(lean, "results-table") == table_rows(small, "results-table")
    assert [row[:2] for row in table_rows(lean, "results-table")] == NOT_RANKED_AND_LATE_ROWS
