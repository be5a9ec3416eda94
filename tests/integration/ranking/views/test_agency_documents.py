"""The self-assessment for signing: the printable page, the Excel download and who may read them."""

import datetime
import re
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from accounts.models import Role
from ranking.assessments.services import assessment_submit, score_self_set
from ranking.models import Assessment
from tests.builders import SelfAssessmentYear, table_rows, text
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SUBMITTED = datetime.datetime(2026, 3, 9, 2, 0, tzinfo=datetime.UTC)


@pytest.fixture
def year(settings):
    settings.CONFERENCE_ISSUER = ["UBND THÀNH PHỐ ĐÀ NẴNG", "SỞ NỘI VỤ"]
    settings.CONFERENCE_PLACE = "Đà Nẵng"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    fx = SelfAssessmentYear()
    fx.fill_everything()
    score_self_set(
        user=fx.officer_a, assessment=fx.assessment, criterion_id=fx.choice.pk, value=Decimal("0.5")
    )
    return fx


def tfoot_rows(html: str) -> list[list[str]]:
    body = re.search(r"<tfoot>(.*?)</tfoot>", html, re.S).group(1)
    return [
        [text(cell) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_the_printable_page_after_submission(client, year):
    assessment_submit(user=year.head_a, assessment=year.assessment)
    Assessment.objects.filter(pk=year.assessment.pk).update(submitted_at=SUBMITTED)
    client.force_login(year.officer_a)

    response = client.get(year.url("in/"))

    assert response.status_code == 200
    html = response.content.decode()
    assert text(re.search(r"data-superior>(.*?)<", html).group(1)) == "UBND THÀNH PHỐ ĐÀ NẴNG"
    assert text(re.search(r"data-agency>(.*?)<", html).group(1)) == "SỞ NỘI VỤ"
    assert text(re.search(r"data-date>(.*?)<", html).group(1)) == "Đà Nẵng, ngày 09 tháng 3 năm 2026"
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html
    assert "Độc lập - Tự do - Hạnh phúc" in html
    assert text(re.search(r"data-title>(.*?)<", html).group(1)) == (
        "BẢNG TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CÔNG TÁC CẢI CÁCH HÀNH CHÍNH NĂM 2026"
    )
    assert table_rows(html, "signed-table") == [
        ["1", "Công tác chỉ đạo, điều hành", "4,00", "3,50", ""],
        ["1.1", "Ban hành kế hoạch CCHC năm", "2,00", "2,00", ""],
        ["1.2", "Báo cáo định kỳ đúng hạn", "1,00", "0,50", ""],
        ["1.3", "Tổ chức hội nghị tập huấn", "1,00", "1,00", ""],
        ["2", "Điểm thưởng, điểm trừ và điều tra", "3,00", "0,00", ""],
        ["2.1", "Chậm báo cáo", "2,00", "", ""],
        ["2.2", "Sáng kiến được công nhận", "1,00", "", ""],
        ["2.3", "Sự hài lòng của người dân", "3,00", "", ""],
    ]
    assert tfoot_rows(html) == [
        ["Tổng điểm tự đánh giá", "3,50", ""],
        ["Tổng điểm tối đa", "7,00", ""],
        ["Chỉ số (%)", "50,00", ""],
    ]
    signature = text(re.search(r"data-signature>(.*?)</div>\s*</section>", html, re.S).group(1))
    assert signature == "THỦ TRƯỞNG CƠ QUAN (Ký, ghi rõ họ tên, đóng dấu) Phạm Văn Nam"
    assert "/static/css/signed.css" in html


@pytest.mark.parametrize("who", ["officer_a", "head_a", "reviewer", "council"])
def test_the_agency_and_its_appraisers_may_read_the_document(client, year, who):
    client.force_login(getattr(year, who))

    page = client.get(year.url("in/"))
    download = client.get(year.url("tu-danh-gia.xlsx"))

    assert page.status_code == 200
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="tu-danh-gia-CCHC-2026-SNV.xlsx"'
    ws = load_workbook(BytesIO(download.content)).active
    assert ws["A2"].value == "SỞ NỘI VỤ"
    assert [ws["A18"].value, ws["D18"].value] == ["Chỉ số (%)", 50]


@pytest.mark.parametrize("suffix", ["in/", "tu-danh-gia.xlsx"])
@pytest.mark.parametrize("who", ["other agency", "other reviewer"])
def test_another_agency_or_reviewer_is_refused(client, year, suffix, who):
    other = year.officer_b if who == "other agency" else UserFactory(username="thamdinh2", role=Role.REVIEWER)
    client.force_login(other)

    response = client.get(year.url(suffix))

    assert response.status_code == 403
    assert "Ban hành kế hoạch CCHC năm" not in response.content.decode()


@pytest.mark.parametrize("suffix", ["in/", "tu-danh-gia.xlsx"])
def test_anonymous_is_sent_to_the_login_page(client, year, suffix):
    response = client.get(year.url(suffix))

    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/?next=")


def test_an_unknown_assessment_is_not_found(client, year):
    client.force_login(year.officer_a)

    assert client.get("/danh-gia/999999/in/").status_code == 404


def test_the_assessment_page_links_to_the_document(client, year):
    client.force_login(year.officer_a)

    html = client.get(year.url()).content.decode()

    assert f'href="/danh-gia/{year.assessment.pk}/in/" data-signed-document' in html
