"""Issue 12's survey from the printed QR code to the conference workbook, in a real browser.

The year is `build_survey_year` (tests/survey_builders.py) kept to three agencies: SNV and STC
(group SBN) and QHC (group QH). Leaf 2.1 (survey, maximum 10) is asked through Q1 (A/B/C/D =
100/60/20/0 %, groups LD and ND) and Q2 (Likert 1–5 = 0/25/50/75/100 %, ND only); group
weights LD 2, ND 1. The council issues the invitations; for each agency and group one link is
followed as a phone would: the QR code's PNG, served by the council's page of links, is decoded
(zxing-cpp) to the very URL printed beside it, and the anonymous form is answered there. Three
paper forms come in through the sheet PhieuKhaoSat. The council computes the survey points.

HAND CALCULATION (group mean = mean of the group's converted answers to the leaf's questions;
leaf % = (2 × mean LD + 1 × mean ND) / 3; points = 10 × % / 100, half up to 2 decimals)

  agency  web                              paper                    LD mean   ND mean
  SNV     LD Q1=A 100 | ND Q1=B 60, Q2=4 75   LD Q1=B 60              80        67,5
  STC     LD Q1=C 20  | ND Q1=A 100, Q2=5 100 ND Q1=C 20, Q2=2 25     20        61,25
  QHC     LD Q1=B 60  | ND Q1=D 0, Q2=3 50    LD Q1=A 100             80        25

  SNV  (160 + 67,5) / 3 = 75,8333… %  → 7,58333… → 7,58
  STC  (40 + 61,25) / 3 = 33,75 %     → 3,375    → 3,38 (half up)
  QHC  (160 + 25) / 3   = 61,6666… %  → 6,16666… → 6,17

The other leaves (build_year): SNV 55 + 28, STC 50 + 25, QHC 45 + 26; maximum 100.
  totals and index: SNV 90,58 · STC 78,38 · QHC 77,17 (the hand-typed survey points 9, 8,5 and
  8 are replaced). Ranks: SBN SNV 1, STC 2; QH QHC 1.
"""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from playwright.sync_api import expect

from ranking.models import Assessment, Result, Score, SurveyAnswer, SurveyResponse
from tests.e2e.pages import Browsing, navigate
from tests.e2e.qr import qr_text
from tests.survey_builders import build_survey_year
from tests.workbooks import write_workbook

D = Decimal
PERIOD = "CCHC-2025"
AGENCIES = ("SNV", "STC", "QHC")
# (agency, group) → the web form's answers {question: option}
WEB = {
    ("SNV", "LD"): {"Q1": "A"},
    ("SNV", "ND"): {"Q1": "B", "Q2": "4"},
    ("STC", "LD"): {"Q1": "C"},
    ("STC", "ND"): {"Q1": "A", "Q2": "5"},
    ("QHC", "LD"): {"Q1": "B"},
    ("QHC", "ND"): {"Q1": "D", "Q2": "3"},
}
GROUP_NAMES = {"LD": "Lãnh đạo cấp phòng", "ND": "Người dân, doanh nghiệp"}
PAPER = [
    ["Mã kỳ", "Mã đơn vị", "Mã nhóm đối tượng", "Số phiếu", "Mã câu hỏi", "Trả lời"],
    [PERIOD, "SNV", "LD", 1, "Q1", "B"],
    [PERIOD, "STC", "ND", 1, "Q1", "C"],
    [PERIOD, "STC", "ND", 1, "Q2", "2"],
    [PERIOD, "QHC", "LD", 1, "Q1", "A"],
]
HAND_POINTS = {"SNV": D("7.58"), "STC": D("3.38"), "QHC": D("6.17")}
HAND_TOTALS = {"SNV": D("90.58"), "STC": D("78.38"), "QHC": D("77.17")}


def follow_the_printed_qr_code(council_page, people, agency: str, group: str) -> str:
    """On the council's page of the agency's links, the first unanswered card of the group:
    its QR code's PNG decoded, checked against the URL printed beside it, then followed in a
    browser that has never signed in. Returns the URL."""
    navigate(council_page, lambda: council_page.goto(f"/hoi-dong/{PERIOD}/khao-sat/phieu/{agency}/"))
    card = (
        council_page.locator(".survey-card")
        .filter(has_text=GROUP_NAMES[group])
        .filter(has_not=council_page.locator(".text-success"))
        .first
    )
    printed = card.locator(".survey-url").inner_text().strip()
    png = council_page.request.get(card.get_by_role("link", name="PNG").get_attribute("href"))
    assert png.status == 200
    assert png.headers["content-type"] == "image/png"
    decoded = qr_text(png.body())
    assert decoded == printed
    assert decoded.startswith(f"{people.base_url}/khao-sat/")

    phone = people.page()
    navigate(phone, lambda: phone.goto(decoded))
    expect(phone.get_by_role("heading", level=1)).to_contain_text(agency_name(agency))
    for question, option in WEB[(agency, group)].items():
        phone.locator(f'input[name="q-{question}"][value="{option}"]').check()
    navigate(phone, lambda: phone.get_by_role("button", name="Gửi phiếu").click())
    expect(phone.locator(".alert-success")).to_have_text("Cảm ơn anh/chị: câu trả lời đã được ghi nhận.")
    return decoded


def agency_name(code: str) -> str:
    return {"SNV": "Sở Nội vụ", "STC": "Sở Tài chính", "QHC": "UBND quận Hải Châu"}[code]


def group_sheet_rows(path, title: str) -> dict[str, dict[str, object]]:
    """The rows of a group sheet of the conference workbook, by agency code, cells by header."""
    sheet = load_workbook(path)[title]
    header = [cell.value for cell in sheet[7]]
    rows = {}
    for values in sheet.iter_rows(min_row=8, values_only=True):
        row = dict(zip(header, values, strict=False))
        if row.get("Mã đơn vị"):
            rows[row["Mã đơn vị"]] = row
    return rows


@pytest.mark.e2e
@pytest.mark.xdist_group("browser")
@pytest.mark.django_db(transaction=True)
def test_answers_from_qr_codes_and_paper_become_the_survey_points_of_the_results(
    browser, live_server, screenshots, settings, tmp_path
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    survey = build_survey_year()
    Assessment.objects.filter(period=survey.period).exclude(agency__code__in=AGENCIES).delete()
    survey.council.last_name, survey.council.first_name = "Nguyễn", "Hoa"
    survey.council.save()
    people = Browsing(browser, live_server.url, screenshots)
    try:
        council = people.sign_in("hoidong", "Nguyễn Hoa")
        navigate(council, lambda: council.goto(f"/hoi-dong/{PERIOD}/khao-sat/"))
        navigate(council, lambda: council.locator('form[action$="/khao-sat/phat-phieu/"] button').click())
        expect(council.locator(".alert-success")).to_contain_text("21")
        assert survey.period.survey_invitations.count() == 3 * (3 + 4)

        links = {key: follow_the_printed_qr_code(council, people, *key) for key in WEB}
        assert len(set(links.values())) == 6
        assert SurveyResponse.objects.filter(source="web").count() == 6

        path = write_workbook(tmp_path / "phieu-giay.xlsx", {"PhieuKhaoSat": PAPER})
        out = StringIO()
        call_command("import_workbook", str(path), stdout=out)
        assert "PhieuKhaoSat: 4" in out.getvalue()
        assert SurveyResponse.objects.filter(source="paper").count() == 3
        assert SurveyAnswer.objects.count() == 9 + 4

        navigate(council, lambda: council.goto(f"/hoi-dong/{PERIOD}/khao-sat/thong-ke/"))
        quota = council.locator("table.survey-quota")
        expect(quota.locator('tr[data-agency="STC"] td[data-group="ND"]')).to_contain_text("2/4")
        expect(quota.locator('tfoot td[data-group="LD"]')).to_contain_text("5/9")
        expect(council.locator("#survey-chart")).to_be_visible()
        people.shot(council, "survey-statistics.png")

        navigate(council, lambda: council.goto(f"/hoi-dong/{PERIOD}/khao-sat/"))
        navigate(council, lambda: council.locator('form[action$="/khao-sat/tinh-diem/"] button').click())
        expect(council.locator(".alert-success")).to_be_visible()
    finally:
        people.close()
    assert people.errors == [], people.errors

    leaf = survey.year.leaves["2.1"]
    points = {
        code: score
        for code, score in Score.objects.filter(criterion=leaf).values_list(
            "assessment__agency__code", "final_score"
        )
    }
    assert points == HAND_POINTS

    call_command("compute_results", PERIOD, stdout=StringIO())
    totals = dict(Result.objects.filter(period=survey.period).values_list("agency__code", "total"))
    assert totals == HAND_TOTALS

    workbook = tmp_path / "hoi-nghi.xlsx"
    call_command("export_results", PERIOD, str(workbook), stdout=StringIO())
    sbn = group_sheet_rows(workbook, "Khối sở, ban, ngành")
    qh = group_sheet_rows(workbook, "Khối quận, huyện")
    assert {
        code: (row["Xếp hạng"], row["2"], row["Tổng điểm"], row["Chỉ số (%)"]) for code, row in sbn.items()
    } == {
        "SNV": (1, 7.58, 90.58, 90.58),
        "STC": (2, 3.38, 78.38, 78.38),
    }
    assert {
        code: (row["Xếp hạng"], row["2"], row["Tổng điểm"], row["Chỉ số (%)"]) for code, row in qh.items()
    } == {
        "QHC": (1, 6.17, 77.17, 77.17),
    }
