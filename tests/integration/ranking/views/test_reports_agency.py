"""The agency report (ranking/views/reports_agency.py, ranking/agency_report.py): the page, the
printable view and the Excel file, with every figure worked out by hand below.

The year (CCHC 2025), criteria (maximum 100 when everything arises):
  1  (50) → 1.1 number 30, 1.2 number 20
  2  (50) → 2.1 number 40 (may not arise), 2.2 survey 10
  3  (0)  → 3.1 bonus 2, 3.2 deduction 2
Tiers: Rất tốt ≥ 90, Tốt ≥ 80, Khá ≥ 70, Trung bình ≥ 50, Yếu. Tie-breakers: total without
survey, then fields 1, 2, 3.

Final scores, group "Khối sở, ban, ngành" (SBN):
  agency  1.1    1.2   2.1  2.2  3.1  3.2 | total  max   index         field 1  field 2  field 3
  SNV     28     19    36   9    1    0   | 93     100   93            47       45       1
  STP     29     18.5  35   8.5  —    −1  | 90     100   90            47.5     43.5     −1
  STC     27.15  17.5  34   9    —    —   | 87.65  100   87.65         44.65    43       0
  SYT     25     16    n/a  8    —    —   | 49     60    81.666…       41       8        0
  SXD     20     15    30   7    —    —   | 72     100   72            35       37       0
Ranks: SNV 1, STP 2, STC 3, SYT 4, SXD 5. STC is demoted one tier: Tốt → Khá.
Group "Khối quận, huyện" (QH): QHC 30 + 20 + 40 + 10 = 100 (rank 1), QH2 30 + 20 + 40 + 0 = 90
(rank 2).

STC, the agency of the report: self 29, 17.5, 38, 9 (= 93.5), reviewed 27, 17.5, 34, 9 (= 87.5);
on 1.1 its explanation (proposed 28) was accepted in part → 27.15; on 2.1 rejected → 34.

Group SBN, per field (average over 5 agencies, best):
  field 1: 47 + 47.5 + 44.65 + 41 + 35 = 215.15 → 43.03; best 47.5; STC 44.65 − 43.03 = +1.62
  field 2: 45 + 43.5 + 43 + 8 + 37 = 176.5 → 35.30; best 45; STC 43 − 35.3 = +7.70
  field 3: 1 − 1 + 0 + 0 + 0 = 0 → 0.00; best 1; STC 0.00
  total: 93 + 90 + 87.65 + 49 + 72 = 391.65 → 78.33; best 93; STC +9.32
  index: 93 + 90 + 87.65 + 81.6666666667 + 72 = 424.3166666667 → 84.8633… → 84.86; best 93;
         STC 87.65 − 84.8633… = +2.7867 → +2.79

What-if for STC (total 87.65 of 100; it can still gain 1.1 2.85 + 1.2 2.5 + 2.1 6 = 11.35;
field 2 has the most room (6 against 5.35), so the points go to 2.1 first):
  next tier: Rất tốt needs 90 → 90 − 87.65 = 2.35 ("2,35 … Rất tốt"); the demotion still applies:
             with it the agency would be Tốt.
  next rank: STP (rank 2) has index 90 and 90 − 8.5 = 81.5 without survey. With 2.35 STC ties the
             index, but 87.65 − 9 + 2.35 = 81.0 < 81.5 without survey: it needs 2.36 (index
             90.01) → rank 2.
SYT (49 of 60, can gain 5 + 4 = 9): Rất tốt needs 0.9 × 60 = 54 → 5.00. Rank 3 means STC's index
  0.8765 × 60 = 52.59 → 3.59, where the index ties and 49 − 8 + 3.59 = 44.59 < 78.65 without
  survey → 3.60.
QH2 (90 of 100, every leaf it scores itself is full): rank 1 needs QHC's 100 → 10.00, where the
  index ties and 100 > 90 without survey wins; not reachable (at most 0.00 points to gain).

History of STC in CCHC: 2023 imported (rank 4, Tốt, 85.50); 2024 computed here (rank 2 of 4,
Rất tốt, 91.20 — an imported rank 5 for 2024 is overridden); 2025 rank 3 of 5, Khá, 87.65.
Previous rank 2 → ▼1. VTLT results never appear.
"""

import io
import json
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from accounts.models import Role
from ranking.enums import Decision, Method, Phase, Subject
from ranking.models import Assessment, Demotion, HistoricalResult, Period, Result
from ranking.results.compute import results_compute
from tests.builders import by_attribute, text
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
PAGE = "/bao-cao/CCHC-2025/don-vi/{code}/"
PRINT = "/bao-cao/CCHC-2025/don-vi/{code}/in/"
XLSX = "/bao-cao/CCHC-2025/don-vi/{code}/bao-cao.xlsx"

# A <script> without src that is not a JSON data block would be inline code (the CSP forbids it).
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<[^>]*\sstyle\s*=", re.I)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


# --- the year -------------------------------------------------------------------------------------

# agency: 1.1, 1.2, 2.1 (None: does not arise), 2.2, 3.1, 3.2 (None: no score row)
FINAL = {
    "SNV": ("28", "19", "36", "9", "1", "0"),
    "STP": ("29", "18.5", "35", "8.5", None, "-1"),
    "STC": ("27.15", "17.5", "34", "9", None, None),
    "SYT": ("25", "16", None, "8", None, None),
    "SXD": ("20", "15", "30", "7", None, None),
    "QHC": ("30", "20", "40", "10", None, None),
    "QH2": ("30", "20", "40", "0", None, None),
}
NAMES = {
    "SNV": "Sở Nội vụ",
    "STP": "Sở Tư pháp",
    "STC": "Sở Tài chính",
    "SYT": "Sở Y tế",
    "SXD": "Sở Xây dựng",
    "QHC": "Quận Hải Châu",
    "QH2": "Quận Thanh Khê",
}
LEAVES = ("1.1", "1.2", "2.1", "2.2", "3.1", "3.2")


@dataclass
class World:
    period: Period
    agencies: dict
    assessments: dict
    leaves: dict
    reviewer: object

    def publish(self):
        Period.objects.filter(pk=self.period.pk).update(phase=Phase.PUBLISHED)


def build(*, extra: int = 0) -> World:
    """The year above; `extra` more SBN agencies at 35 points (ranked last) for the query counts."""
    sbn = AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành", order=2)
    qh = AgencyGroupFactory(code="QH", name="Khối quận, huyện", order=3)
    agencies = {
        code: AgencyFactory(code=code, name=NAMES[code], group=qh if code.startswith("QH") else sbn)
        for code in FINAL
    }
    # A district without an assessment in 2025.
    agencies["QHX"] = AgencyFactory(code="QHX", name="Quận Sơn Trà", group=qh)
    reviewer = UserFactory(username="thamdinh", role=Role.REVIEWER)

    p2023 = PeriodFactory(year=2023, phase=Phase.PUBLISHED)
    p2024 = PeriodFactory(year=2024, phase=Phase.PUBLISHED, previous=p2023)
    vtlt = PeriodFactory(year=2024, subject=Subject.VTLT, phase=Phase.PUBLISHED)
    period = PeriodFactory(year=2025, phase=Phase.FINALIZATION, previous=p2024)
    make_tiers(period)
    tiers_2024 = {t.label: t for t in make_tiers(p2024)}

    HistoricalResult.objects.create(
        period=p2023, agency=agencies["STC"], rank=4, tier_label="Tốt", index=D("85.5"), total=D("85.5")
    )
    # Overridden by the result computed for 2024.
    HistoricalResult.objects.create(
        period=p2024, agency=agencies["STC"], rank=5, tier_label="Khá", index=D("75"), total=D("75")
    )
    HistoricalResult.objects.create(
        period=vtlt, agency=agencies["STC"], rank=1, tier_label="Xuất sắc", index=D("99"), total=D("99")
    )
    for rank, (code, index, tier) in enumerate(
        [("SNV", "95", "Rất tốt"), ("STC", "91.2", "Rất tốt"), ("STP", "88", "Tốt"), ("SYT", "70", "Khá")],
        start=1,
    ):
        Result.objects.create(
            period=p2024,
            agency=agencies[code],
            group=sbn,
            total=D(index),
            total_without_survey=D(index),
            maximum=D(100),
            index=D(index),
            field_scores={},
            tier_before_demotion=tiers_2024[tier],
            tier=tiers_2024[tier],
            rank=rank,
        )

    f1 = CriterionFactory(period=period, code="1", title="Công tác chỉ đạo, điều hành", max_points=D(50))
    f2 = CriterionFactory(period=period, code="2", title="Thủ tục hành chính", max_points=D(50))
    f3 = CriterionFactory(period=period, code="3", title="Điểm thưởng, điểm trừ", max_points=D(0))
    leaves = {
        "1.1": CriterionFactory(
            period=period, parent=f1, code="1.1", title="Kế hoạch CCHC", max_points=D(30)
        ),
        "1.2": CriterionFactory(period=period, parent=f1, code="1.2", title="Báo cáo CCHC", max_points=D(20)),
        "2.1": CriterionFactory(
            period=period,
            parent=f2,
            code="2.1",
            title="Giải quyết hồ sơ trực tuyến",
            max_points=D(40),
            allow_not_arising=True,
        ),
        "2.2": CriterionFactory(
            period=period,
            parent=f2,
            code="2.2",
            title="Mức độ hài lòng",
            max_points=D(10),
            method=Method.SURVEY,
        ),
        "3.1": CriterionFactory(
            period=period, parent=f3, code="3.1", title="Sáng kiến", max_points=D(2), method=Method.BONUS
        ),
        "3.2": CriterionFactory(
            period=period,
            parent=f3,
            code="3.2",
            title="Báo cáo trễ hạn",
            max_points=D(2),
            method=Method.DEDUCTION,
        ),
    }
    finals = dict(FINAL)
    for n in range(extra):
        code = f"X{n:02d}"
        agencies[code] = AgencyFactory(code=code, name=f"Ban {n}", group=sbn)
        finals[code] = ("10", "10", "10", "5", None, None)
    assessments = {}
    for code, values in finals.items():
        assessment = AssessmentFactory(
            period=period, agency=agencies[code], reviewer=reviewer if code == "STC" else None
        )
        assessments[code] = assessment
        for leaf_code, value in zip(LEAVES, values, strict=True):
            leaf = leaves[leaf_code]
            if value is None and leaf_code != "2.1":
                continue
            if value is None:
                ScoreFactory(assessment=assessment, criterion=leaf, not_arising=True)
                continue
            if code == "STC":
                continue
            ScoreFactory(
                assessment=assessment,
                criterion=leaf,
                self_score=D(value),
                reviewed_score=D(value),
                final_score=D(value),
            )
    stc = assessments["STC"]
    ScoreFactory(
        assessment=stc,
        criterion=leaves["1.1"],
        self_score=D(29),
        reviewed_score=D(27),
        review_comment="Kế hoạch ban hành chậm",
        explanation="Kế hoạch đã ban hành đúng hạn theo văn bản số 12/KH",
        proposed_score=D(28),
        decision=Decision.PARTIAL,
        decision_reason="Chấp nhận một phần minh chứng",
        final_score=D("27.15"),
    )
    ScoreFactory(
        assessment=stc,
        criterion=leaves["1.2"],
        self_score=D("17.5"),
        reviewed_score=D("17.5"),
        final_score=D("17.5"),
    )
    ScoreFactory(
        assessment=stc,
        criterion=leaves["2.1"],
        self_score=D(38),
        reviewed_score=D(34),
        review_comment="Tỷ lệ hồ sơ trực tuyến chưa đạt",
        explanation="Đề nghị giữ điểm tự chấm",
        proposed_score=D(38),
        decision=Decision.REJECTED,
        decision_reason="Số liệu không khớp với hệ thống",
        final_score=D(34),
    )
    ScoreFactory(
        assessment=stc, criterion=leaves["2.2"], self_score=D(9), reviewed_score=D(9), final_score=D(9)
    )
    Demotion.objects.create(
        period=period, agency=agencies["STC"], steps=1, reason="Người đứng đầu bị kỷ luật khiển trách"
    )
    results_compute(period=period)
    period.refresh_from_db()
    return World(period, agencies, assessments, leaves, reviewer)


@pytest.fixture
def world():
    return build()


# --- reading pages --------------------------------------------------------------------------------


def rows_by(html: str, attribute: str) -> dict[str, list[str]]:
    """The cells' text of every table row with `data-<attribute>`, by the attribute's value."""
    return {
        key: [text(cell) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", body, re.S)]
        for key, body in re.findall(rf'<tr[^>]*\bdata-{attribute}="([^"]+)"[^>]*>(.*?)</tr>', html, re.S)
    }


def chart_data(html: str) -> dict:
    block = re.search(r'<script id="agency-history-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


def signed_in(client, role, username, agency=None):
    user = UserFactory(username=username, role=role, agency=agency)
    client.force_login(user)
    return user


# --- the page -------------------------------------------------------------------------------------

FIELD_ROWS = {
    # field: maximum, self, reviewed, final, group average, group best, against the average
    "1": ["1. Công tác chỉ đạo, điều hành", "50.00", "46.50", "44.50", "44.65", "43.03", "47.50", "+1.62"],
    "2": ["2. Thủ tục hành chính", "50.00", "47.00", "43.00", "43.00", "35.30", "45.00", "+7.70"],
    "3": ["3. Điểm thưởng, điểm trừ", "0.00", "0.00", "0.00", "0.00", "0.00", "1.00", "0.00"],
    "total": ["Total", "100.00", "93.50", "87.50", "87.65", "78.33", "93.00", "+9.32"],
    "index": ["Index (%)", "—", "93.50", "87.50", "87.65", "84.86", "93.00", "+2.79"],
}
HISTORY_ROWS = {
    "2023": ["2023", "CCHC 2023 imported", "4", "Tốt", "85.50", "85.50"],
    "2024": ["2024", "CCHC 2024", "2 / 4", "Rất tốt", "91.20", "91.20"],
    "2025": ["2025", "CCHC 2025", "3 / 5", "Khá", "87.65", "87.65"],
}
SHEET_ROWS = {
    "1": ["1", "Công tác chỉ đạo, điều hành", "50.00", "46.50", "44.50", "44.65", ""],
    "1.1": [
        "1.1",
        "Kế hoạch CCHC",
        "30.00",
        "29.00",
        "27.00",
        "27.15",
        "Kế hoạch ban hành chậm",
        "Kế hoạch đã ban hành đúng hạn theo văn bản số 12/KH Proposed score: 28.00",
        "Accepted in part Chấp nhận một phần minh chứng",
    ],
    "1.2": ["1.2", "Báo cáo CCHC", "20.00", "17.50", "17.50", "17.50", "", "", ""],
    "2": ["2", "Thủ tục hành chính", "50.00", "47.00", "43.00", "43.00", ""],
    "2.1": [
        "2.1",
        "Giải quyết hồ sơ trực tuyến",
        "40.00",
        "38.00",
        "34.00",
        "34.00",
        "Tỷ lệ hồ sơ trực tuyến chưa đạt",
        "Đề nghị giữ điểm tự chấm Proposed score: 38.00",
        "Rejected Số liệu không khớp với hệ thống",
    ],
    "2.2": ["2.2", "Mức độ hài lòng Survey", "10.00", "9.00", "9.00", "9.00", "", "", ""],
    "3": ["3", "Điểm thưởng, điểm trừ", "0.00", "0.00", "0.00", "0.00", ""],
    "3.1": ["3.1", "Sáng kiến Bonus", "2.00", "—", "—", "—", "", "", ""],
    "3.2": ["3.2", "Báo cáo trễ hạn Deduction", "−2.00", "—", "—", "—", "", "", ""],
}
TIER_WHATIF = (
    "2.35 more points to reach Rất tốt (before demotion). "
    "The demotion still applies: the agency would be ranked Tốt."
)
RANK_WHATIF = "2.36 more points to move up to rank 2."


def test_report_page_shows_every_figure(client, english, world):
    world.publish()
    signed_in(client, Role.OFFICER, "canbo.stc", world.agencies["STC"])

    response = client.get(PAGE.format(code="STC"))

    assert response.status_code == 200
    html = response.content.decode()
    assert by_attribute(html, "figure") == {
        "index": "87.65",
        "tier": "Khá",
        "demoted": "demoted from Tốt",
        "demotion-reason": "Reason for the demotion: Người đứng đầu bị kỷ luật khiển trách",
        "total": "87.65",
        "maximum": "100.00",
        "rank": "3",
        "group-size": "5",
        "previous-rank": "2",
        "change": "▼1",
    }
    whatif = by_attribute(html, "whatif")
    assert whatif["tier"] == TIER_WHATIF
    assert whatif["demotion"] == "The demotion still applies: the agency would be ranked Tốt."
    assert whatif["rank"] == RANK_WHATIF
    assert "stale" not in whatif
    assert rows_by(html, "field") == FIELD_ROWS
    assert rows_by(html, "year") == HISTORY_ROWS
    assert rows_by(html, "code") == SHEET_ROWS
    assert "Fields against the group (Khối sở, ban, ngành, 5 agencies)" in text(html)
    assert (
        "Ranks are recomputed for the whole group: by index, then the total without survey, the field "
        in (text(html))
    )
    assert chart_data(html) == {
        "years": ["2023", "2024", "2025"],
        "rank": [4, 2, 3],
        "index": [85.5, 91.2, 87.65],
        "labels": {"rank": "Rank in the group", "index": "Index (%)"},
    }
    assert 'src="/static/js/agency_report.js"' in html
    assert 'href="/static/css/agency_report.css"' in html
    assert not INLINE_SCRIPT.search(html)
    assert not INLINE_HANDLER.search(html)
    assert not INLINE_STYLE.search(html)
    # Links to the printable view and the Excel file.
    assert 'href="/bao-cao/CCHC-2025/don-vi/STC/in/"' in html
    assert 'href="/bao-cao/CCHC-2025/don-vi/STC/bao-cao.xlsx"' in html


def test_report_page_in_vietnamese_formats(client, world):
    """Vietnamese numbers: the sentences read "… 2,35 … Rất tốt" and "… 2,36 … 2"."""
    world.publish()
    signed_in(client, Role.COUNCIL, "hoidong")

    html = client.get(PAGE.format(code="STC")).content.decode()

    whatif = by_attribute(html, "whatif")
    assert "2,35" in whatif["tier"] and "Rất tốt" in whatif["tier"]
    assert "2,36" in whatif["rank"] and re.search(r"\b2\b", whatif["rank"].replace("2,36", ""))
    assert by_attribute(html, "figure")["index"] == "87,65"
    assert rows_by(html, "field")["1"][5] == "43,03"


def test_what_if_of_other_agencies(client, english, world):
    world.publish()
    signed_in(client, Role.COUNCIL, "hoidong")

    def whatif(code):
        return by_attribute(client.get(PAGE.format(code=code)).content.decode(), "whatif")

    assert whatif("SYT") == {
        "tier": "5.00 more points to reach Rất tốt.",
        "rank": "3.60 more points to move up to rank 3.",
    }
    assert whatif("SNV") == {"tier": "Already in the highest tier.", "rank": "First in the group."}
    # QH2 is ranked in its own group: 10.00 behind QHC, with nothing left to gain.
    assert whatif("QH2") == {
        "tier": "Already in the highest tier.",
        "rank": (
            "10.00 more points to move up to rank 1. not reachable At most 0.00 points can still be gained."
        ),
        "rank-unreachable": "not reachable",
    }


def test_report_warns_when_scores_changed_since_the_results(client, english, world):
    # 1.2 of STC raised to 20 after the results: the stored result stays, the what-if is worked
    # out on the scores as they are (90.15: Rất tốt before demotion, so no next tier).
    world.assessments["STC"].scores.filter(criterion=world.leaves["1.2"]).update(final_score=D(20))
    signed_in(client, Role.COUNCIL, "hoidong")

    html = client.get(PAGE.format(code="STC")).content.decode()

    assert by_attribute(html, "figure")["total"] == "87.65"
    whatif = by_attribute(html, "whatif")
    assert "stale" in whatif
    assert (
        whatif["tier"] == "Already in the highest tier, Rất tốt, before demotion; the demotion still applies."
    )


# --- the printable view ---------------------------------------------------------------------------


def test_print_view(client, english, world):
    world.publish()
    signed_in(client, Role.HEAD, "lanhdao.stc", world.agencies["STC"])

    response = client.get(PRINT.format(code="STC"))

    assert response.status_code == 200
    html = response.content.decode()
    heading = text(re.search(r'<header class="official-heading">(.*?)</header>', html, re.S).group(1))
    assert heading.startswith("UBND THÀNH PHỐ ĐÀ NẴNG SỞ NỘI VỤ")
    assert "AGENCY EVALUATION REPORT" in html
    assert "Sở Tài chính — Khối sở, ban, ngành" in text(html)
    # No navigation: the page stands alone, its toolbar is left out of print.
    assert "navbar" not in html and "breadcrumb" not in html
    assert re.search(r'<div class="print-toolbar no-print">', html)
    assert by_attribute(html, "figure") == {
        "total": "87.65 / 100.00",
        "index": "87.65",
        "tier": "Khá (demoted from Tốt)",
        "rank": "3 / 5",
        "previous-rank": "2",
        "change": "▼1",
        "demotion-reason": "Người đứng đầu bị kỷ luật khiển trách",
    }
    whatif = by_attribute(html, "whatif")
    assert (whatif["tier"], whatif["rank"]) == (TIER_WHATIF, RANK_WHATIF)
    assert rows_by(html, "field") == FIELD_ROWS
    assert rows_by(html, "year") == HISTORY_ROWS
    assert rows_by(html, "code") == SHEET_ROWS
    assert 'href="/static/css/agency_report.css"' in html
    assert not INLINE_SCRIPT.search(html)
    assert not INLINE_HANDLER.search(html)
    assert not INLINE_STYLE.search(html)


def test_print_stylesheet_is_a4_without_navigation():
    from django.contrib.staticfiles import finders

    with open(finders.find("css/agency_report.css"), encoding="utf-8") as stylesheet:
        css = stylesheet.read()
    assert "size: A4 landscape" in css
    printed = css[css.index("@media print") :]
    for hidden in (".no-print", ".navbar", ".footer-gov", ".breadcrumb"):
        assert hidden in printed


# --- the Excel file -------------------------------------------------------------------------------


def workbook_of(response):
    return load_workbook(io.BytesIO(response.content))


def section_rows(ws, title: str) -> list[tuple]:
    """The rows under a section title, up to the blank row before the next section."""
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == title)
    found = []
    for row in rows[start + 1 :]:
        if all(v is None for v in row):
            break
        found.append(row)
    return found


def number(value) -> Decimal:
    return D(str(value)).quantize(D("0.01"))


def test_excel_file(client, english, world):
    world.publish()
    signed_in(client, Role.VIEWER, "xem")

    response = client.get(XLSX.format(code="STC"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="bao-cao-CCHC-2025-STC.xlsx"' in response["Content-Disposition"]
    workbook = workbook_of(response)
    assert workbook.sheetnames == ["STC"]
    ws = workbook["STC"]
    assert (ws["A1"].value, ws["A2"].value) == ("UBND THÀNH PHỐ ĐÀ NẴNG", "SỞ NỘI VỤ")
    assert ws["A4"].value == "Evaluation report of Sở Tài chính"
    assert ws["A5"].value == "CCHC 2025 · Khối sở, ban, ngành"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4

    summary = {row[0]: row[2] for row in section_rows(ws, "Result")}
    assert {k: (number(v) if isinstance(v, int | float) else v) for k, v in summary.items()} == {
        "Total": D("87.65"),
        "Maximum": D("100.00"),
        "Index (%)": D("87.65"),
        "Tier": "Khá",
        "Tier before demotion": "Tốt",
        "Reason for the demotion": "Người đứng đầu bị kỷ luật khiển trách",
        "Rank in the group": D("3.00"),
        "Agencies in the group": D("5.00"),
        "Previous rank": D("2.00"),
        "Change": D("-1.00"),
    }

    whatif = section_rows(ws, "What it would take")
    assert [(row[0], number(row[2]), row[3]) for row in whatif] == [
        (
            "Points to the next tier",
            D("2.35"),
            "2.35 more points to reach Rất tốt — the demotion still applies: Tốt",
        ),
        ("Points to the next rank", D("2.36"), "2.36 more points to move up to rank 2"),
    ]

    fields = section_rows(ws, "Fields against the group")
    assert fields[0][:9] == (
        "Code",
        "Field",
        "Maximum",
        "Self-score",
        "Reviewed score",
        "Final score",
        "Group average",
        "Group best",
        "Against the average",
    )
    assert [
        [row[0], row[1], *(None if v is None else number(v) for v in row[2:9])] for row in fields[1:]
    ] == [
        [code or None, title, *(None if v == "—" else D(v.lstrip("+")) for v in values)]
        for (code, title), values in zip(
            [
                ("1", "Công tác chỉ đạo, điều hành"),
                ("2", "Thủ tục hành chính"),
                ("3", "Điểm thưởng, điểm trừ"),
                ("", "Total"),
                ("", "Index (%)"),
            ],
            [v[1:] for v in FIELD_ROWS.values()],
            strict=True,
        )
    ]

    history = section_rows(ws, "Rank and tier across the years")
    assert [row[:7] for row in history[1:]] == [
        (2023, "CCHC 2023 (imported)", 4, None, 85.5, 85.5, "Tốt"),
        (2024, "CCHC 2024", 2, 4, 91.2, 91.2, "Rất tốt"),
        (2025, "CCHC 2025", 3, 5, 87.65, 87.65, "Khá"),
    ]

    sheet = section_rows(ws, "Score sheet")
    by_code = {row[0]: row for row in sheet[1:]}
    assert list(by_code) == ["1", "1.1", "1.2", "2", "2.1", "2.2", "3", "3.1", "3.2"]
    assert by_code["1"][:6] == ("1", "Công tác chỉ đạo, điều hành", 50, 46.5, 44.5, 44.65)
    assert by_code["1.1"] == (
        "1.1",
        "Kế hoạch CCHC",
        30,
        29,
        27,
        27.15,
        28,
        "Accepted in part",
        "Kế hoạch ban hành chậm",
        "Kế hoạch đã ban hành đúng hạn theo văn bản số 12/KH",
        "Chấp nhận một phần minh chứng",
    )
    assert by_code["2.1"][3:8] == (38, 34, 34, 38, "Rejected")
    assert by_code["3.2"][:6] == ("3.2", "Báo cáo trễ hạn", 2, None, None, None)

    # Bold headers, borders and 2-decimal formats.
    header_row = next(r for r in ws.iter_rows() if r[0].value == "Code" and r[1].value == "Content")
    assert all(cell.font.b and cell.border.left.style == "thin" for cell in header_row)
    total_cell = next(r for r in ws.iter_rows() if r[0].value == "Total")[2]
    assert total_cell.number_format == "#,##0.00"
    final_cell = next(r for r in ws.iter_rows() if r[0].value == "1.1")[5]
    assert (final_cell.number_format, final_cell.border.left.style) == ("#,##0.00", "thin")


# --- who may read it ------------------------------------------------------------------------------

ROLES = {
    "officer A": (Role.OFFICER, "STC"),
    "head A": (Role.HEAD, "STC"),
    "officer B": (Role.OFFICER, "SNV"),
    "reviewer assigned": (Role.REVIEWER, None),
    "reviewer not assigned": (Role.REVIEWER, None),
    "council": (Role.COUNCIL, None),
    "admin": (Role.ADMIN, None),
    "viewer": (Role.VIEWER, None),
}
PUBLISHED = {
    "officer A": 200,
    "head A": 200,
    "officer B": 403,
    "reviewer assigned": 200,
    "reviewer not assigned": 200,
    "council": 200,
    "admin": 200,
    "viewer": 200,
}
UNPUBLISHED = {
    "officer A": 403,
    "head A": 403,
    "officer B": 403,
    "reviewer assigned": 403,
    "reviewer not assigned": 403,
    "council": 200,
    "admin": 200,
    "viewer": 403,
}


def login_as(client, world, who):
    role, agency = ROLES[who]
    if who == "reviewer assigned":
        client.force_login(world.reviewer)
        return
    signed_in(client, role, who.replace(" ", "-"), world.agencies[agency] if agency else None)


@pytest.mark.parametrize("url", [PAGE, PRINT, XLSX])
@pytest.mark.parametrize("published", [True, False])
@pytest.mark.parametrize("who", list(ROLES))
def test_who_may_read_the_report(client, world, url, published, who):
    if published:
        world.publish()
    login_as(client, world, who)

    status = client.get(url.format(code="STC")).status_code

    assert status == (PUBLISHED if published else UNPUBLISHED)[who]
    # Only GET: a signed-in POST is refused whoever asks.
    assert client.post(url.format(code="STC")).status_code == 405


@pytest.mark.parametrize("url", [PAGE, PRINT, XLSX])
def test_anonymous_is_sent_to_sign_in(client, world, url):
    world.publish()
    response = client.get(url.format(code="STC"))
    assert response.status_code == 302
    assert response["Location"] == f"/dang-nhap/?next={url.format(code='STC')}"


@pytest.mark.parametrize("url", [PAGE, PRINT, XLSX])
def test_unknown_agency_or_no_result_is_not_found(client, world, url):
    world.publish()
    signed_in(client, Role.COUNCIL, "hoidong")
    assert client.get(url.format(code="KHONG-CO")).status_code == 404
    # A district without an assessment, hence without a result, in 2025.
    assert client.get(url.format(code="QHX")).status_code == 404
    assert client.get(url.replace("CCHC-2025", "CCHC-2099").format(code="STC")).status_code == 404


def test_no_result_yet_is_not_found(client, world):
    Result.objects.filter(period=world.period).delete()
    signed_in(client, Role.COUNCIL, "hoidong")
    assert client.get(PAGE.format(code="STC")).status_code == 404


# --- bounded queries ------------------------------------------------------------------------------


def queries(client, django_assert_num_queries, url, count):
    with django_assert_num_queries(count):
        assert client.get(url.format(code="STC")).status_code == 200


@pytest.mark.parametrize("extra", [0, 6])
@pytest.mark.parametrize("url", [PAGE, PRINT, XLSX])
def test_queries_do_not_grow_with_the_group(client, django_assert_num_queries, url, extra):
    world = build(extra=extra)
    world.publish()
    # More years of history for the larger size.
    for year in range(2015, 2015 + extra):
        past = PeriodFactory(year=year, phase=Phase.PUBLISHED)
        HistoricalResult.objects.create(period=past, agency=world.agencies["STC"], rank=1, tier_label="Tốt")
    assert Assessment.objects.filter(period=world.period).count() == 7 + extra
    signed_in(client, Role.COUNCIL, "hoidong")
    # Session, user, period, agency; then the report: result, assessment, criteria and their
    # groups, scores, evidence, group results, tiers, demotion, group scores, the published
    # period's last publication (none here: its current result is shown), history (2).
    queries(client, django_assert_num_queries, url, 17)
