"""The council's survey pages (ranking/views/surveys.py): progress against the quotas,
invitations issued up to them, the links to print with their QR codes, and the points.

The year is tests/survey_builders.py's (groups LD quota 3 weight 2, ND quota 4 weight 1; five
agencies); pages are read in Vietnamese, the site's language.
"""

import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from ranking.models import Score, SurveyInvitation
from tests.builders import table_rows, text
from tests.factories import UserFactory
from tests.survey_builders import HAND_POINTS, answer_hand_example, build_survey_year, paper_response

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def survey(client):
    built = build_survey_year()
    client.force_login(built.council)
    return built


def progress_url(survey) -> str:
    return reverse("survey_progress", args=[survey.period.code])


def flash(html: str) -> list[str]:
    return [
        text(m)
        for m in re.findall(r'<div class="alert alert-\w+ alert-dismissible[^>]*>(.*?)<button', html, re.S)
    ]


EMPTY = ["0/3 đã phát 0 · 0 trực tuyến · 0 giấy", "0/4 đã phát 0 · 0 trực tuyến · 0 giấy"]


def test_the_progress_shows_responses_issued_links_and_quota_per_agency_and_group(client, survey):
    SurveyInvitation.objects.create(
        period=survey.period, agency=survey.agency("SNV"), group=survey.groups["ND"]
    )
    answer_hand_example(survey)

    response = client.get(progress_url(survey))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Điều tra xã hội học · CCHC 2025 ·" in html
    headers = [text(m) for m in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html, re.S)]
    assert headers == [
        "Đơn vị",
        "Lãnh đạo cấp phòng chỉ tiêu 3 · trọng số 2",
        "Người dân, doanh nghiệp chỉ tiêu 4 · trọng số 1",
        "Đường dẫn",
    ]
    assert table_rows(html, "survey-progress") == [
        ["UBND quận Hải Châu", *EMPTY, "In đường dẫn"],
        [
            "Sở Nội vụ",
            "2/3 đã phát 0 · 0 trực tuyến · 2 giấy",
            "2/4 đã phát 1 · 0 trực tuyến · 2 giấy",
            "In đường dẫn",
        ],
        ["Sở Tài chính", *EMPTY, "In đường dẫn"],
        ["Sở Tư pháp", *EMPTY, "In đường dẫn"],
        ["Sở Y tế", *EMPTY, "In đường dẫn"],
    ]
    # 5 agencies × (3 + 4) links, less the one SNV has: the button says how many it issues.
    assert "Phát 34 phiếu để mỗi đơn vị có một đường dẫn cho mỗi phiếu cần thu?" in html
    assert "Tính điểm điều tra xã hội học từ các câu trả lời?" in html


def test_the_progress_page_reads_the_same_number_of_queries_for_one_or_three_agencies(
    client, django_assert_num_queries
):
    from ranking.models import Assessment

    survey = build_survey_year()
    client.force_login(survey.council)
    keep = ["SNV"]
    Assessment.objects.filter(period=survey.period).exclude(agency__code__in=keep).delete()
    answer_hand_example(survey)
    with django_assert_num_queries(8):
        one = client.get(progress_url(survey))
    assert len(table_rows(one.content.decode(), "survey-progress")) == 1

    for code in ("STC", "STP"):
        Assessment.objects.create(period=survey.period, agency=survey.agency(code), status="finalized")
        paper_response(survey, code, "LD", {"Q1": "A"})
    with django_assert_num_queries(8):
        three = client.get(progress_url(survey))
    assert [row[0] for row in table_rows(three.content.decode(), "survey-progress")] == [
        "Sở Nội vụ",
        "Sở Tài chính",
        "Sở Tư pháp",
    ]


def test_issuing_fills_every_quota_once(client, survey):
    response = client.post(reverse("survey_invitations_issue", args=[survey.period.code]), follow=True)

    assert flash(response.content.decode()) == ["Đã phát 35 phiếu."]
    assert SurveyInvitation.objects.count() == 35
    assert (
        SurveyInvitation.objects.filter(agency=survey.agency("SNV"), group=survey.groups["LD"]).count() == 3
    )
    again = client.post(reverse("survey_invitations_issue", args=[survey.period.code]), follow=True)
    assert flash(again.content.decode()) == ["Các chỉ tiêu đều đã có đủ phiếu: không phát thêm phiếu nào."]
    assert SurveyInvitation.objects.count() == 35


def test_issuing_for_one_group_and_one_agency(client, survey):
    response = client.post(
        reverse("survey_invitations_issue", args=[survey.period.code]),
        {"group": survey.groups["ND"].pk, "agency": survey.agency("STP").pk},
        follow=True,
    )

    assert flash(response.content.decode()) == ["Đã phát 4 phiếu."]
    assert set(SurveyInvitation.objects.values_list("agency__code", "group__code")) == {("STP", "ND")}


def test_computing_the_points_writes_the_hand_calculation_and_reports_the_rest(client, survey):
    answer_hand_example(survey)

    response = client.post(reverse("survey_points_compute", args=[survey.period.code]), follow=True)

    assert flash(response.content.decode()) == [
        "Đã ghi điểm điều tra xã hội học: 1 điểm thay đổi, 0 điểm giữ nguyên.",
        "Giữ nguyên vì chưa có câu trả lời nào: UBND quận Hải Châu (2.1); Sở Tài chính (2.1); "
        "Sở Tư pháp (2.1); Sở Y tế (2.1).",
    ]
    score = Score.objects.get(assessment=survey.year.assessments["SNV"], criterion=survey.year.leaves["2.1"])
    assert score.final_score == HAND_POINTS == Decimal("6.96")


def test_the_links_to_print_carry_their_qr_codes(client, survey):
    client.post(reverse("survey_invitations_issue", args=[survey.period.code]))
    tokens = list(
        SurveyInvitation.objects.filter(agency=survey.agency("SNV"))
        .order_by("group__order", "pk")
        .values_list("token", flat=True)
    )

    html = client.get(reverse("survey_links", args=[survey.period.code, "SNV"])).content.decode()

    assert "Đường dẫn khảo sát của Sở Nội vụ" in html
    urls = [text(u) for u in re.findall(r'<p class="mb-1 survey-url">(.*?)</p>', html)]
    assert urls == [f"http://testserver/khao-sat/{token}/" for token in tokens]
    assert html.count('<img src="data:image/svg+xml') == 7
    assert [text(g) for g in re.findall(r'<p class="fw-semibold mb-1">(.*?)</p>', html)] == [
        "Lãnh đạo cấp phòng"
    ] * 3 + ["Người dân, doanh nghiệp"] * 4


def test_a_qr_code_downloads_as_png_and_svg_naming_its_link(client, survey):
    link = SurveyInvitation.objects.create(
        period=survey.period, agency=survey.agency("SNV"), group=survey.groups["LD"]
    )
    address = f"http://testserver/khao-sat/{link.token}/"

    png = client.get(reverse("survey_qr_png", args=[survey.period.code, link.token]))
    svg = client.get(reverse("survey_qr_svg", args=[survey.period.code, link.token]))

    assert (png.status_code, png["Content-Type"]) == (200, "image/png")
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert png["Content-Disposition"] == f'attachment; filename="SNV-LD-{link.pk}.png"'
    assert (svg.status_code, svg["Content-Type"]) == (200, "image/svg+xml")
    assert f"<title>{address}</title>" in svg.content.decode()


def test_an_agency_s_unanswered_qr_codes_download_as_one_zip(client, survey):
    first = SurveyInvitation.objects.create(
        period=survey.period, agency=survey.agency("STC"), group=survey.groups["ND"]
    )
    used = SurveyInvitation.objects.create(
        period=survey.period, agency=survey.agency("STC"), group=survey.groups["ND"], used_on="2025-11-03"
    )

    response = client.get(reverse("survey_qr_zip", args=[survey.period.code, "STC"]))

    assert response["Content-Disposition"] == 'attachment; filename="khao-sat-CCHC-2025-STC.zip"'
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert names == [f"STC-ND-{first.pk}.png", f"STC-ND-{first.pk}.svg"]
    assert used.pk != first.pk


def test_the_pages_are_the_council_s(client, survey):
    client.force_login(UserFactory(username="thamdinh", role=Role.REVIEWER))

    assert client.get(progress_url(survey)).status_code == 403
    assert client.get(reverse("survey_links", args=[survey.period.code, "SNV"])).status_code == 403
    assert client.post(reverse("survey_invitations_issue", args=[survey.period.code])).status_code == 403
    assert SurveyInvitation.objects.count() == 0


def test_an_agency_not_assessed_in_the_period_has_no_links_page(client, survey):
    from tests.factories import AgencyFactory

    AgencyFactory(code="SXD", name="Sở Xây dựng")

    assert client.get(reverse("survey_links", args=[survey.period.code, "SXD"])).status_code == 404


@pytest.mark.parametrize("sent", ["99999999999999999999999", "-1", "NaN", "²"])
def test_a_group_or_agency_no_row_can_be_issues_nothing(client, survey, sent):
    url = reverse("survey_invitations_issue", args=[survey.period.code])

    by_group = client.post(url, {"group": sent}, follow=True)
    by_agency = client.post(url, {"agency": sent}, follow=True)

    assert flash(by_group.content.decode()) == ["Các chỉ tiêu đều đã có đủ phiếu: không phát thêm phiếu nào."]
    assert flash(by_agency.content.decode()) == [
        "Các chỉ tiêu đều đã có đủ phiếu: không phát thêm phiếu nào."
    ]
    assert SurveyInvitation.objects.count() == 0
