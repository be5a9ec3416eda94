"""Builders shared by the test files: the years, worlds and page readers that more than one
test file uses. A test file imports them from here, never from another test file.

Each builder's figures are worked out by hand in the docstring of the test file named in its
section; the tests that use a builder elsewhere rely on those figures.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser

from django.utils import timezone

from accounts.models import Agency, AgencyGroup, Role, User
from ranking.assessments.services import score_self_set
from ranking.enums import AssessmentStatus, Decision, Method, Phase, Standing, Subject, SurveyScaleKind
from ranking.models import (
    Assessment,
    AwardEntry,
    Criterion,
    Demotion,
    HistoricalResult,
    Period,
    RespondentGroup,
    Result,
    Score,
    SurveyQuestion,
    SurveyScale,
)
from ranking.periods.groups import assessment_group_set
from ranking.results.compute import results_compute
from ranking.results.finalization import period_publish, results_approve
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

D = Decimal


# --- reading pages -----------------------------------------------------------------------------

# The header htmx sends with every request it makes.
HTMX = {"HTTP_HX_REQUEST": "true"}


def text(html: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    spaced = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
    return re.sub(r" ([,.:])", r"\1", spaced)


class _Collector(HTMLParser):
    """Collects the text inside every element that carries `data-<attribute>`, nesting included."""

    def __init__(self, attribute: str):
        super().__init__()
        self.attribute = f"data-{attribute}"
        self.open: list[list] = []  # [key, tag, depth, parts]
        self.found: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        for item in self.open:
            if item[1] == tag:
                item[2] += 1
        key = dict(attrs).get(self.attribute)
        if key is not None:
            self.open.append([key, tag, 1, []])

    def handle_endtag(self, tag):
        for item in list(self.open):
            if item[1] == tag:
                item[2] -= 1
                if item[2] == 0:
                    self.open.remove(item)
                    self.found[item[0]] = text(" ".join(item[3]))

    def handle_data(self, data):
        for item in self.open:
            item[3].append(data)


def by_attribute(html: str, attribute: str) -> dict[str, str]:
    """The visible text of every element with `data-<attribute>`, keyed by the attribute's value."""
    collector = _Collector(attribute)
    collector.feed(html)
    return collector.found


def group_tabs(html: str) -> list[tuple[str, str, bool]]:
    """(link, text, current) of every link of the groups' bar."""
    bar = re.search(r'<nav class="[^"]*group-pages"[^>]*>(.*?)</nav>', html, re.S).group(1)
    return [
        (href, text(body), "aria-current" in attributes)
        for href, attributes, body in re.findall(
            r'<a class="nav-link[^"]*" href="([^"]*)"([^>]*)>(.*?)</a>', bar, re.S
        )
    ]


def table_rows(html: str, css_class: str) -> list[list[str]]:
    """The cells' text of every body row of the tables with `css_class`."""
    rows = []
    for table in re.findall(rf'<table class="[^"]*\b{css_class}\b[^"]*">(.*?)</table>', html, re.S):
        body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
            rows.append([text(cell) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)])
    return rows


# --- the council's year (tests/integration/ranking/views/test_council.py) ------------------------

# code: (name, group, 1.1 of 60, 1.2 of 30, survey 2.1 of 10) — the total is the index.
COUNCIL_AGENCIES = {
    "SNV": ("Sở Nội vụ", "SBN", "55", "28", "9"),  # 92   → Rất tốt
    "STC": ("Sở Tài chính", "SBN", "50", "25", "8.5"),  # 83,5 → Tốt
    "STP": ("Sở Tư pháp", "SBN", "58", "27", "9.5"),  # 94,5 → Rất tốt
    "SYT": ("Sở Y tế", "SBN", "40", "20", "7"),  # 67   → Trung bình
    "QHC": ("UBND quận Hải Châu", "QH", "45", "26", "8"),  # 79   → Khá
}
# Ranks of 2024 (imported past results); SYT took no part then.
PREVIOUS_RANKS = {"SNV": 1, "STC": 6, "STP": 2, "QHC": 1}


@dataclass
class CouncilYear:
    period: Period
    leaves: dict[str, Criterion]
    assessments: dict[str, Assessment]

    def reload(self) -> Period:
        self.period.refresh_from_db()
        return self.period


def build_year(
    *, phase=Phase.FINALIZATION, survey=True, extra=0, status=AssessmentStatus.FINALIZED
) -> CouncilYear:
    """CCHC 2025 with five agencies (plus `extra` ones in SBN scoring 60,5 each) and final scores.

    `survey=False` leaves the survey leaf 2.1 without a score.
    """
    groups = {
        "SBN": AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành", order=1),
        "QH": AgencyGroupFactory(code="QH", name="Khối quận, huyện", order=2),
    }
    previous = PeriodFactory(year=2024, code="CCHC-2024", name="CCHC 2024", phase=Phase.PUBLISHED)
    period = PeriodFactory(year=2025, code="CCHC-2025", name="CCHC 2025", phase=phase, previous=previous)
    make_tiers(period)
    field1 = CriterionFactory(period=period, code="1", title="Chỉ đạo, điều hành", max_points=D(90))
    field2 = CriterionFactory(period=period, code="2", title="Điều tra xã hội học", max_points=D(10))
    leaves = {
        "1.1": CriterionFactory(period=period, code="1.1", parent=field1, max_points=D(60), step=D("0.5")),
        "1.2": CriterionFactory(period=period, code="1.2", parent=field1, max_points=D(30), step=D("0.5")),
        "2.1": CriterionFactory(
            period=period, code="2.1", parent=field2, max_points=D(10), method=Method.SURVEY
        ),
    }
    rows = dict(COUNCIL_AGENCIES)
    for i in range(extra):
        rows[f"X{i:02d}"] = (f"Đơn vị thêm {i:02d}", "SBN", "30", "25", "5.5")
    assessments = {}
    for code, (name, group, first, second, survey_value) in rows.items():
        agency = AgencyFactory(code=code, name=name, group=groups[group])
        assessment = Assessment.objects.create(period=period, agency=agency, status=status)
        assessments[code] = assessment
        for leaf, value in (("1.1", first), ("1.2", second), ("2.1", survey_value)):
            if leaf == "2.1" and not survey:
                continue
            ScoreFactory(
                assessment=assessment,
                criterion=leaves[leaf],
                self_score=D(value),
                reviewed_score=D(value),
                final_score=D(value),
            )
        if code in PREVIOUS_RANKS:
            HistoricalResult.objects.create(period=previous, agency=agency, rank=PREVIOUS_RANKS[code])
    return CouncilYear(period=period, leaves=leaves, assessments=assessments)


# Published as the public pages show it (tests/integration/ranking/views/test_public.py).
def finalize(year, council):
    Demotion.objects.create(
        period=year.period, agency=year.assessments["SNV"].agency, steps=1, reason="Kỷ luật người đứng đầu"
    )
    results_compute(period=year.period)
    results_approve(user=council, period=year.period)


def build_year_not_ranked_and_late(council):
    """`build_year` with Sở Tài chính not ranked ("Sáp nhập") and Sở Y tế recorded late."""
    from ranking.results.standing import assessment_late_set, assessment_standing_set

    year = build_year()
    assessment_standing_set(
        user=council, assessment=year.assessments["STC"], standing=Standing.NOT_RANKED, reason="Sáp nhập"
    )
    assessment_late_set(user=council, assessment=year.assessments["SYT"], late=True, reason="Nộp ngày 20/12")
    return year


# Rank and agency cells of its results table: Sở Tài chính, not ranked, has no rank and shows
# why; the others close up.
NOT_RANKED_AND_LATE_ROWS = [
    ["1", "Sở Tư pháp"],
    ["2", "Sở Nội vụ"],
    ["3", "Sở Y tế late"],
    ["—", "Sở Tài chính Not ranked Sáp nhập"],
    ["1", "UBND quận Hải Châu"],
]


def publish(year, council):
    finalize(year, council)
    period_publish(user=council, period=year.period)
    return year.reload()


# --- the self-assessment year (tests/integration/ranking/views/test_agency.py) --------------------


def today() -> datetime.date:
    return timezone.localdate()


class SelfAssessmentYear:
    """A period in self-assessment, two agencies, the people of the year and a small tree."""

    def __init__(self):
        self.period = PeriodFactory(
            year=2026,
            phase=Phase.SELF_ASSESSMENT,
            self_assessment_deadline=today() + datetime.timedelta(days=20),
            explanation_deadline=today() + datetime.timedelta(days=40),
        )
        make_tiers(self.period)
        group = AgencyGroupFactory(code="SBN", name="Sở, ban, ngành")
        self.agency_a = AgencyFactory(code="SNV", name="Sở Nội vụ", group=group)
        self.agency_b = AgencyFactory(code="STC", name="Sở Tài chính", group=group)
        self.officer_a = UserFactory(
            username="canbo.snv",
            role=Role.OFFICER,
            agency=self.agency_a,
            last_name="Lê",
            first_name="Thị Hoa",
        )
        self.head_a = UserFactory(
            username="lanhdao.snv",
            role=Role.HEAD,
            agency=self.agency_a,
            last_name="Phạm",
            first_name="Văn Nam",
        )
        self.officer_b = UserFactory(username="canbo.stc", role=Role.OFFICER, agency=self.agency_b)
        self.reviewer = UserFactory(
            username="thamdinh", role=Role.REVIEWER, last_name="Võ", first_name="Minh Tuấn"
        )
        self.council = UserFactory(username="hoidong", role=Role.COUNCIL)
        field1 = self.criterion("1", "Công tác chỉ đạo, điều hành", max_points=None)
        field2 = self.criterion("2", "Điểm thưởng, điểm trừ và điều tra", max_points=None)
        self.number = self.criterion(
            "1.1",
            "Ban hành kế hoạch CCHC năm",
            parent=field1,
            max_points=Decimal("2"),
            step=Decimal("0.5"),
            evidence_required=True,
            guidance="Ban hành trước ngày 31/12: 2 điểm.",
        )
        self.choice = self.criterion(
            "1.2",
            "Báo cáo định kỳ đúng hạn",
            parent=field1,
            method=Method.CHOICE,
            max_points=Decimal("1"),
            options=[["100% đúng hạn", "1"], ["Từ 80% đến dưới 100%", "0.5"], ["Dưới 80%", "0"]],
        )
        self.yesno = self.criterion(
            "1.3",
            "Tổ chức hội nghị tập huấn",
            parent=field1,
            method=Method.YESNO,
            max_points=Decimal("1"),
            allow_not_arising=True,
        )
        self.deduction = self.criterion(
            "2.1", "Chậm báo cáo", parent=field2, method=Method.DEDUCTION, max_points=Decimal("2")
        )
        self.bonus = self.criterion(
            "2.2", "Sáng kiến được công nhận", parent=field2, method=Method.BONUS, max_points=Decimal("1")
        )
        self.survey = self.criterion(
            "2.3", "Sự hài lòng của người dân", parent=field2, method=Method.SURVEY, max_points=Decimal("3")
        )
        self.assessment = AssessmentFactory(period=self.period, agency=self.agency_a, reviewer=self.reviewer)
        self.assessment_b = AssessmentFactory(period=self.period, agency=self.agency_b)

    def criterion(self, code, title, **fields):
        return CriterionFactory(period=self.period, code=code, title=title, **fields)

    def url(self, name_suffix="", assessment=None):
        return f"/danh-gia/{(assessment or self.assessment).pk}/{name_suffix}"

    def save_url(self, criterion):
        return self.url(f"diem/{criterion.pk}/")

    def score(self, criterion) -> Score:
        return Score.objects.get(assessment=self.assessment, criterion=criterion)

    def fill_everything(self, user=None):
        """Score every required leaf; 1.1 keeps no evidence but gets a reason."""
        user = user or self.officer_a
        for criterion, value in ((self.number, "2"), (self.choice, "1"), (self.yesno, "1")):
            score_self_set(
                user=user,
                assessment=self.assessment,
                criterion_id=criterion.pk,
                value=Decimal(value),
                no_evidence_reason="Kế hoạch lưu bản giấy" if criterion == self.number else "",
            )


# --- year over year (tests/integration/ranking/reports/test_comparison.py) -----------------------

# A tier's index in the fixture: inside its band, so the results look like real ones.
INDEX = {"Rất tốt": "95", "Tốt": "85", "Khá": "75", "Trung bình": "60", "Yếu": "40", "Xuất sắc": "95"}

NAMES = {
    "A": "Sở An",
    "B": "Sở Bình",
    "C": "Sở Cường",
    "D": "Sở Dũng",
    "E": "Sở Em",
    "F": "Sở Phúc",
    "G": "Sở Giang",
    "H": "Sở Hải",
    "M": "Sở Minh",
    "Q1": "Quận Một",
    "Q2": "Quận Hai",
    "Q3": "Quận Ba",
    "Q4": "Quận Bốn",
}

RESULTS_2024 = {
    "SBN": [("A", "Rất tốt"), ("B", "Tốt"), ("C", "Tốt"), ("D", "Khá"), ("E", "Khá"),
            ("F", "Trung bình"), ("G", "Trung bình"), ("M", "Tốt")],
    "QH": [("Q1", "Rất tốt"), ("Q2", "Tốt"), ("Q3", "Tốt"), ("Q4", "Khá")],
}  # fmt: skip
RESULTS_2025 = {
    "SBN": [("B", "Rất tốt"), ("C", "Tốt"), ("D", "Tốt"), ("E", "Khá"), ("F", "Khá"),
            ("G", "Trung bình"), ("A", "Khá"), ("H", "Trung bình")],
    "QH": [("Q3", "Rất tốt"), ("Q1", "Rất tốt"), ("M", "Tốt"), ("Q4", "Trung bình"), ("Q2", "Yếu")],
}  # fmt: skip
HISTORY_2023 = [("B", 1, "rất  tốt "), ("A", 2, "Rất tốt"), ("C", 3, "Tốt"), ("D", 4, "Xuất sắc")]


@dataclass
class Years:
    groups: dict[str, AgencyGroup]
    agencies: dict[str, Agency]
    p2023: Period
    p2024: Period
    p2025: Period
    p2026: Period
    vtlt: Period


def add_result(period: Period, agency: Agency, group: AgencyGroup, rank: int, label: str) -> Result:
    tier = period.tiers.get(label=label)
    index = Decimal(INDEX[label])
    return Result.objects.create(
        period=period,
        agency=agency,
        group=group,
        total=index,
        total_without_survey=index,
        maximum=Decimal(100),
        index=index,
        field_scores={},
        tier_before_demotion=tier,
        tier=tier,
        rank=rank,
    )


def build_years(extra: int = 0) -> Years:
    """The fixture of the comparison tests' docstring; `extra` more SBN agencies ranked after the others in
    2024 and 2025 (Khá both years), to count queries at another size."""
    published = {
        "phase": Phase.PUBLISHED,
        "published_at": timezone.now(),
        "awards_approved_at": timezone.now(),
    }
    p2023 = PeriodFactory(year=2023, subject=Subject.CCHC, **published)
    p2024 = PeriodFactory(year=2024, subject=Subject.CCHC, previous=p2023, **published)
    p2025 = PeriodFactory(year=2025, subject=Subject.CCHC, previous=p2024, **published)
    p2026 = PeriodFactory(year=2026, subject=Subject.CCHC, previous=p2025, phase=Phase.FINALIZATION)
    vtlt = PeriodFactory(year=2025, subject=Subject.VTLT, **published)
    for period in (p2023, p2024, p2025, p2026):
        make_tiers(period)
    make_tiers(vtlt, [("Xuất sắc", "90"), ("Yếu", "0")])

    groups = {
        "SBN": AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành", order=1),
        "QH": AgencyGroupFactory(code="QH", name="Khối quận, huyện", order=2),
    }
    # M is a department that has since moved to the districts' group.
    agencies = {
        code: AgencyFactory(code=code, name=name, group=groups["QH" if code[0] in "QM" else "SBN"])
        for code, name in NAMES.items()
    }
    for code, rank, label in HISTORY_2023:
        HistoricalResult.objects.create(
            period=p2023, agency=agencies[code], rank=rank, tier_label=label, index=Decimal(INDEX["Rất tốt"])
        )
    for period, table in ((p2024, RESULTS_2024), (p2025, RESULTS_2025)):
        for group_code, rows in table.items():
            for rank, (code, label) in enumerate(rows, start=1):
                add_result(period, agencies[code], groups[group_code], rank, label)
        for n in range(extra):
            agency = AgencyFactory(code=f"X{n:02d}", name=f"Sở Thêm {n}", group=groups["SBN"])
            agencies[agency.code] = agency
            add_result(period, agency, groups["SBN"], 9 + n, "Khá")
    add_result(p2026, agencies["Q1"], groups["QH"], 1, "Rất tốt")
    add_result(vtlt, agencies["Q1"], groups["QH"], 1, "Xuất sắc")
    return Years(groups, agencies, p2023, p2024, p2025, p2026, vtlt)


# --- the conference pack (tests/integration/ranking/reports/test_exports_pack.py) ----------------

SBN = "Khối sở, ban, ngành"
QH = "Khối quận, huyện"


@dataclass
class Pack:
    period: Period
    previous: Period


def build_pack(extra: int = 0) -> Pack:
    """The fixture of the conference pack tests' docstring; `extra` more SBN agencies (a 1.1 score of 5 each,
    no result) to count queries at another size."""
    previous = PeriodFactory(year=2024, subject=Subject.CCHC, phase=Phase.PUBLISHED)
    make_tiers(previous)
    period = PeriodFactory(year=2025, subject=Subject.CCHC, previous=previous, phase=Phase.PUBLISHED)
    tiers = {t.label: t for t in make_tiers(period)}
    sbn = AgencyGroupFactory(code="SBN", name=SBN, order=1)
    qh = AgencyGroupFactory(code="QH", name=QH, order=2)

    def criterion(code, parent=None, **kwargs):
        return Criterion.objects.create(
            period=period, code=code, title=f"Tiêu chí {code}", parent=parent, **kwargs
        )

    field_1 = criterion("1", max_points=D(12))
    field_2 = criterion("2", max_points=D(15))
    leaves = {
        "1.1": criterion("1.1", field_1, max_points=D(10)),
        "1.2": criterion("1.2", field_1, max_points=D(2), method=Method.DEDUCTION),
        "2.1": criterion("2.1", field_2, max_points=D(10), allow_not_arising=True),
        "2.2": criterion("2.2", field_2, max_points=D(5)),
    }
    leaves["2.2"].groups.add(qh)

    binh = UserFactory(username="binh", first_name="Văn Bình", last_name="Trần", role=Role.REVIEWER)
    hoa = UserFactory(username="hoa", first_name="Thị Hoa", last_name="Lê", role=Role.REVIEWER)
    agencies = {
        "SNV": AgencyFactory(code="SNV", name="Sở Nội vụ", group=sbn),
        "STC": AgencyFactory(code="STC", name="Sở Tài chính", group=sbn),
        "SXD": AgencyFactory(code="SXD", name="Sở Xây dựng", group=sbn),
        "QHC": AgencyFactory(code="QHC", name="Quận Hải Châu", group=qh),
    }
    reviewers = {"SNV": binh, "STC": binh, "SXD": None, "QHC": hoa}
    assessments = {
        code: Assessment.objects.create(period=period, agency=agency, reviewer=reviewers[code])
        for code, agency in agencies.items()
    }

    def score(code, leaf, self_score, reviewed=None, final=None, *, not_arising=False, decision=""):
        Score.objects.create(
            assessment=assessments[code],
            criterion=leaves[leaf],
            self_score=None if self_score is None else D(self_score),
            reviewed_score=None if reviewed is None else D(reviewed),
            final_score=None if final is None else D(final),
            not_arising=not_arising,
            decision=decision,
        )

    score("SNV", "1.1", "9", "8", "8.5", decision=Decision.PARTIAL)
    score("SNV", "1.2", "-0.5", "-1", "-1", decision=Decision.REJECTED)
    score("SNV", "2.1", "10", "9.5", "9.5")
    score("STC", "1.1", "10", "7", "7")
    score("STC", "1.2", "0", "0", "0")
    score("STC", "2.1", None, not_arising=True)
    score("SXD", "1.1", "6")
    score("QHC", "1.1", "8", "8", "8")
    score("QHC", "2.1", "7", "6", "6.5", decision=Decision.ACCEPTED)
    score("QHC", "2.2", "5", "4", "4")
    for n in range(extra):
        agency = AgencyFactory(code=f"SX{n:02d}", name=f"Sở Thêm {n}", group=sbn)
        assessments[agency.code] = Assessment.objects.create(period=period, agency=agency, reviewer=binh)
        score(agency.code, "1.1", "5", "5", "5")

    def result(code, group, total, maximum, index, tier, rank, fields):
        return Result.objects.create(
            period=period,
            agency=agencies[code],
            group=group,
            total=D(total),
            total_without_survey=D(total),
            maximum=D(maximum),
            index=D(index),
            field_scores=fields,
            tier_before_demotion=tiers[tier],
            tier=tiers[tier],
            rank=rank,
            previous_rank={"SNV": 2, "STC": 1}.get(code),
        )

    result("SNV", sbn, "17", "20", "85", "Tốt", 1, {"1": "7.5", "2": "9.5"})
    result("STC", sbn, "7", "10", "70", "Khá", 2, {"1": "7"})
    result("QHC", qh, "18.5", "25", "74", "Khá", 1, {"1": "8", "2": "10.5"})
    AwardEntry.objects.create(period=period, agency=agencies["SNV"])
    HistoricalResult.objects.create(period=previous, agency=agencies["STC"], rank=1, tier_label="Rất tốt")
    HistoricalResult.objects.create(period=previous, agency=agencies["SNV"], rank=2, tier_label="Tốt")
    return Pack(period=period, previous=previous)


# --- the analysis of a period (tests/integration/ranking/reports/test_analysis.py) ---------------

# (self, reviewed, final); None: no value; "n/a": does not arise; a leaf left out has no row.
SCORES = {
    "A1": {
        "1.1": ("4", "3", "3.5"),
        "1.2": ("2", "2", "2"),
        "1.3": ("1", "1", "1"),
        "2.2": (None, "4", "4"),
        "3.1": ("0", "-1", "-1"),
        "3.2": ("1", "0.5", "0.5"),
    },
    "A2": {
        "1.1": ("4", "2", "2"),
        "1.2": ("1", "1", "1"),
        "1.3": ("1", "0", "0"),
        "2.2": ("5", "5", "5"),
        "3.1": ("0", "0", "0"),
        "3.2": ("0", "0", "0"),
    },
    "A3": {
        "1.1": ("2", "2.5", "2.5"),
        "1.2": ("2", "0", "1"),
        "1.3": "n/a",
        "2.2": (None, "3", "3"),
        "3.1": ("-0.5", "-0.5", "-0.5"),
    },
    "B1": {
        "1.1": ("4", "4", "4"),
        "1.2": ("2", "1", "1"),
        "1.3": ("1", "1", "1"),
        "2.1": ("3", "2", "2.5"),
        "2.2": (None, "4.5", "4.5"),
        "3.1": ("0", "0", "0"),
        "3.2": ("1", "1", "1"),
    },
    "B2": {
        "1.1": ("2", "2", "2"),
        "1.2": ("0", "0", "0"),
        "1.3": ("0", "0", "0"),
        "2.1": ("1", "1.5", "1.5"),
        "2.2": ("2", "2", "2"),
        "3.1": ("-2", "-2", "-2"),
        "3.2": ("0", "0", "0"),
    },
}
# (agency, leaf): the reviewer's comment.
COMMENTS = {
    ("A1", "1.1"): "Kế hoạch ban hành chậm 5 ngày.",
    ("A2", "1.1"): "Thiếu báo cáo quý III.",
    ("A2", "1.3"): "Không có văn bản kiểm chứng.",
    ("A3", "1.2"): "Báo cáo chậm 10 ngày.",
    ("B1", "1.2"): "Báo cáo chậm.",
    ("B1", "2.1"): "Chưa rà soát đủ văn bản.",
}
# (agency, leaf): explanation, proposed score, decision, reason.
EXPLANATIONS = {
    ("A1", "1.1"): ("Kế hoạch ký ngày 10/01, đúng hạn.", "3.5", Decision.ACCEPTED, "Đủ minh chứng."),
    ("A2", "1.1"): ("Báo cáo quý III đã gửi qua mạng.", "3", Decision.REJECTED, "Không tìm thấy văn bản."),
    ("A3", "1.2"): ("Chậm do lỗi hệ thống.", "2", Decision.PARTIAL, "Chấp nhận một phần."),
    ("B1", "2.1"): ("Đã rà soát 95% văn bản.", "2.5", Decision.ACCEPTED, "Đúng như giải trình."),
}
ANALYSIS_AGENCIES = {
    "A1": ("Sở Nội vụ", "SBN", "R1"),
    "A2": ("Sở Tài chính", "SBN", "R1"),
    "A3": ("Sở Y tế", "SBN", "R2"),
    "B1": ("UBND quận Hải Châu", "QH", "R1"),
    "B2": ("UBND quận Sơn Trà", "QH", "R2"),
}


@dataclass
class AnalysisYear:
    period: Period
    groups: dict[str, AgencyGroup]
    criteria: dict[str, Criterion]
    agencies: dict[str, Agency]
    reviewers: dict[str, User]
    council: User

    def reload(self) -> Period:
        self.period.refresh_from_db()
        return self.period


def add_agency(
    fx: AnalysisYear, code: str, name: str, group: str, reviewer: str | None, scores: dict
) -> Agency:
    agency = AgencyFactory(code=code, name=name, group=fx.groups[group])
    assessment = Assessment.objects.create(
        period=fx.period,
        agency=agency,
        status=AssessmentStatus.FINALIZED,
        reviewer=fx.reviewers.get(reviewer),
        submitted_at=timezone.now(),
    )
    for leaf, values in scores.items():
        score = Score(assessment=assessment, criterion=fx.criteria[leaf])
        if values == "n/a":
            score.not_arising = True
        else:
            score.self_score, score.reviewed_score, score.final_score = (
                None if v is None else D(v) for v in values
            )
        score.review_comment = COMMENTS.get((code, leaf), "")
        if (code, leaf) in EXPLANATIONS:
            text, proposed, decision, reason = EXPLANATIONS[(code, leaf)]
            score.explanation, score.proposed_score = text, D(proposed)
            score.decision, score.decision_reason = decision, reason
        score.save()
    fx.agencies[code] = agency
    return agency


def add_more(fx: AnalysisYear, count: int) -> None:
    """`count` further agencies in each group, scored like A2 and B2: more rows, same queries."""
    for i in range(count):
        add_agency(fx, f"A9{i}", f"Sở thêm {i}", "SBN", "R1", SCORES["A2"])
        add_agency(fx, f"B9{i}", f"Quận thêm {i}", "QH", "R2", SCORES["B2"])


def build_analysis(*, publish: bool = True, extra: int = 0) -> AnalysisYear:
    groups = {
        "SBN": AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành", order=1),
        "QH": AgencyGroupFactory(code="QH", name="Khối quận, huyện", order=2),
    }
    period = PeriodFactory(year=2025, code="CCHC-2025", name="CCHC 2025", phase=Phase.FINALIZATION)
    make_tiers(period)

    def node(code, title, max_points, method=Method.NUMBER, parent=None, **fields):
        return CriterionFactory(
            period=period,
            code=code,
            title=title,
            max_points=None if max_points is None else D(max_points),
            method=method,
            parent=parent,
            **fields,
        )

    f1 = node("1", "Chỉ đạo, điều hành", "7")
    f2 = node("2", "Thực hiện", "8")
    f3 = node("3", "Điểm thưởng, điểm trừ", "0")
    criteria = {
        "1": f1,
        "2": f2,
        "3": f3,
        "1.1": node("1.1", "Ban hành kế hoạch CCHC", "4", parent=f1, step=D("0.5")),
        "1.2": node(
            "1.2",
            "Báo cáo định kỳ đúng hạn",
            "2",
            Method.CHOICE,
            parent=f1,
            options=[["Đúng hạn", "2"], ["Chậm", "1"], ["Không báo cáo", "0"]],
        ),
        "1.3": node("1.3", "Kiểm tra CCHC", "1", Method.YESNO, parent=f1, allow_not_arising=True),
        "2.1": node("2.1", "Rà soát văn bản QPPL cấp huyện", "3", parent=f2, step=D("0.5")),
        "2.2": node("2.2", "Mức độ hài lòng của người dân", "5", Method.SURVEY, parent=f2),
        "3.1": node("3.1", "Điểm trừ: báo cáo trễ hạn", "2", Method.DEDUCTION, parent=f3),
        "3.2": node("3.2", "Điểm thưởng: sáng kiến", "1", Method.BONUS, parent=f3),
    }
    criteria["2.1"].groups.set([groups["QH"]])
    reviewers = {
        "R1": UserFactory(username="thamdinh1", role=Role.REVIEWER, last_name="Trần", first_name="Thị Bình"),
        "R2": UserFactory(username="thamdinh2", role=Role.REVIEWER, last_name="Lê", first_name="Văn Cường"),
    }
    council = UserFactory(username="hoidong", role=Role.COUNCIL)
    fx = AnalysisYear(period, groups, criteria, {}, reviewers, council)
    for code, (name, group, reviewer) in ANALYSIS_AGENCIES.items():
        add_agency(fx, code, name, group, reviewer, SCORES[code])
    add_more(fx, extra)
    results_compute(period=period)
    if publish:
        results_approve(user=council, period=period)
        period_publish(user=council, period=fx.reload())
    fx.reload()
    return fx


# --- the year workbook (tests/integration/ranking/workbook/test_importer.py) ---------------------

KHOI = ["Mã khối", "Tên khối", "Thứ tự"]
DONVI = ["Mã đơn vị", "Tên đơn vị", "Mã khối"]
KYDANHGIA = [
    "Mã kỳ",
    "Năm",
    "Lĩnh vực",
    "Tên kỳ",
    "Kỳ trước",
    "Khen thưởng từ xếp loại",
    "Khen thưởng tối đa mỗi khối",
]
XEPLOAI = ["Mã kỳ", "Thứ tự", "Xếp loại", "Chỉ số tối thiểu"]
TIEUCHI = [
    "Mã kỳ",
    "Mã tiêu chí",
    "Nội dung",
    "Điểm tối đa",
    "Phương thức",
    "Áp dụng cho khối",
    "Cho phép không phát sinh",
    "Yêu cầu kiểm chứng",
    "Hướng dẫn chấm",
    "Lựa chọn",
]
DIEM = [
    "Mã kỳ",
    "Mã đơn vị",
    "Mã tiêu chí",
    "Điểm tự đánh giá",
    "Điểm thẩm định",
    "Không phát sinh",
    "Ghi chú",
]
HABAC = ["Mã kỳ", "Mã đơn vị", "Số bậc hạ", "Lý do"]
KETQUA = ["Mã kỳ", "Mã đơn vị", "Tổng điểm", "Chỉ số", "Xếp loại", "Xếp hạng"]

P = "CCHC-2025"
TIERS = [("Rất tốt", 90), ("Tốt", 80), ("Khá", 70), ("Trung bình", 50), ("Yếu", 0)]
CHOICE_TEXT = "Đúng hạn=2; Trễ hạn=1; Không thực hiện=0"


def criterion(code, title, maximum=None, method=None, groups=None, may_not_arise=None, options=None):
    return [P, code, title, maximum, method, groups, may_not_arise, None, None, options]


def base_sheets() -> dict[str, list[list]]:
    """A small valid year: 2 groups, 3 agencies, CCHC-2024 (past ranks only) and CCHC-2025.

    CCHC-2025 criteria (parents blank): 1 → 1.1 → 1.1.1 number 10, 1.1.2 number 8;
    1.2 choice 2; 1.3 yesno 6; 1.4 deduction −2 | 2 → 2.1 number 20 (may not arise),
    2.2 number 15 (only QH), 2.3 bonus 3, 2.4 survey 10.
    Maxima: 1.1 = 18, 1 = 18+2+6 = 26 (deduction excluded), 2 = 20+15+10 = 45 (bonus excluded).
    """
    scores = {  # agency: {leaf: (self, reviewed)}
        "SNV": {
            "1.1.1": (10, 9),
            "1.1.2": ("8", "7,5"),
            "1.2": (2, 2),
            "1.3": (6, 6),
            "1.4": (None, "-0,5"),
            "2.1": (20, 19),
            "2.3": (1, 1),
            "2.4": (None, "8,5"),
        },
        "STC": {
            "1.1.1": (9, 9),
            "1.1.2": (8, 8),
            "1.2": (1, 1),
            "1.3": (0, 0),
            "2.1": (18, 18.5),
            "2.4": (None, 9),
        },
        "QHC": {
            "1.1.1": (10, 10),
            "1.1.2": (8, 8),
            "1.2": (2, 2),
            "1.3": (6, 6),
            "2.2": (15, 14),
            "2.4": (None, 7.5),
        },
    }
    diem = [DIEM]
    for agency, leaves in scores.items():
        for code, (own, reviewed) in leaves.items():
            diem.append([P, agency, code, own, reviewed, None, None])
    return {
        "Khoi": [KHOI, ["SBN", "Khối sở, ban, ngành", 1], ["QH", "Khối quận, huyện", 2]],
        "DonVi": [
            DONVI,
            ["SNV", "Sở Nội vụ", "SBN"],
            ["STC", "Sở Tài chính", "SBN"],
            ["QHC", "UBND quận Hải Châu", "QH"],
        ],
        "KyDanhGia": [
            KYDANHGIA,
            ["CCHC-2024", 2024, "CCHC", "CCHC năm 2024", None, "Rất tốt", None],
            [P, 2025, "CCHC", "CCHC năm 2025", "CCHC-2024", "Rất tốt", 2],
        ],
        "XepLoai": [XEPLOAI] + [[P, i, label, bound] for i, (label, bound) in enumerate(TIERS, start=1)],
        "TieuChi": [
            TIEUCHI,
            criterion("1", "Chỉ đạo, điều hành"),
            criterion("1.1", "Kế hoạch"),
            criterion("1.1.1", "Ban hành kế hoạch", 10, "number"),
            criterion("1.1.2", "Thực hiện kế hoạch", 8),
            criterion("1.2", "Báo cáo định kỳ", 2, "choice", options=CHOICE_TEXT),
            criterion("1.3", "Kiểm tra", 6, "yesno"),
            criterion("1.4", "Chậm nhiệm vụ", 2, "deduction"),
            criterion("2", "Thủ tục hành chính"),
            criterion("2.1", "Hồ sơ đúng hạn", 20, "number", may_not_arise="x"),
            criterion("2.2", "Một cửa cấp xã", 15, "number", groups="QH"),
            criterion("2.3", "Sáng kiến", 3, "bonus"),
            criterion("2.4", "Sự hài lòng", 10, "survey"),
        ],
        "Diem": diem,
        "HaBac": [HABAC, [P, "STC", 1, "Vi phạm kỷ luật"]],
        "KetQua": [
            KETQUA,
            ["CCHC-2024", "SNV", 92, 92, "Rất tốt", 1],
            ["CCHC-2024", "STC", "88,5", "88,5", "Tốt", 2],
            ["CCHC-2024", "QHC", 80, 80, "Tốt", 1],
        ],
    }


# The base year with the one score it leaves out, so that CCHC-2025's results can be computed
# (tests/integration/ranking/views/test_jobs.py): 49 data rows.
ROWS = 49


def year_sheets() -> dict:
    sheets = base_sheets()
    sheets["Diem"].append(["CCHC-2025", "QHC", "2.1", 20, 20, None, None])
    return sheets


# --- component indices (tests/integration/ranking/results/test_component_indices.py) -------------

# 2025: field 1 = 1.1 (6 points) + 1.2 (4 points, may not arise); field 2 = 2.1 (10 points).
# code: (name, 1.1, 1.2 or None for "does not arise", 2.1)
COMPONENT_AGENCIES = {
    # Field 1: 5 of 6 (1.2 did not arise) = 83,33 %; field 2: 8,5 of 10 = 85 %; 13,5 of 16 = 84,375 %.
    "SNV": ("Sở Nội vụ", "5", None, "8.5"),
    # Field 1: 9 of 10 = 90 %; field 2: 7 of 10 = 70 %; 16 of 20 = 80 %.
    "STC": ("Sở Tài chính", "6", "3", "7"),
}
# 2024 had fields 1 (1.1 of 6, 1.2 of 4) and 3 (3.1 of 10), no field 2.
# code: (1.1, 1.2, 3.1) — SNV: field 1 9 of 10 = 90 %; STC: 6 of 10 = 60 %.
COMPONENT_PREVIOUS = {"SNV": ("5", "4", "10"), "STC": ("3", "3", "5")}


@dataclass
class ComponentYear:
    period: Period
    previous: Period
    group: AgencyGroup
    agencies: dict[str, Agency]

    def reload(self) -> Period:
        self.period.refresh_from_db()
        return self.period


def _component_scores(period, leaves, agency, values) -> None:
    assessment = Assessment.objects.create(period=period, agency=agency, status=AssessmentStatus.FINALIZED)
    for code, value in zip(leaves, values, strict=True):
        ScoreFactory(
            assessment=assessment,
            criterion=leaves[code],
            self_score=None if value is None else D(value),
            reviewed_score=None if value is None else D(value),
            final_score=None if value is None else D(value),
            not_arising=value is None,
        )


def build_component_year(extra: int = 0) -> ComponentYear:
    """CCHC 2025 with two fields, computed 2024 results, and Sở Nội vụ's leaf 1.2 not arising.

    `extra` more agencies score as Sở Tài chính, in 2025 only.
    """
    group = AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành", order=1)
    previous = PeriodFactory(year=2024, code="CCHC-2024", name="CCHC 2024", phase=Phase.FINALIZATION)
    make_tiers(previous)
    old1 = CriterionFactory(
        period=previous, code="1", title="Công tác chỉ đạo, điều hành CCHC", max_points=D(10)
    )
    old3 = CriterionFactory(period=previous, code="3", title="Cải cách tổ chức bộ máy", max_points=D(10))
    old_leaves = {
        "1.1": CriterionFactory(period=previous, code="1.1", parent=old1, max_points=D(6)),
        "1.2": CriterionFactory(period=previous, code="1.2", parent=old1, max_points=D(4)),
        "3.1": CriterionFactory(period=previous, code="3.1", parent=old3, max_points=D(10)),
    }
    period = PeriodFactory(
        year=2025, code="CCHC-2025", name="CCHC 2025", phase=Phase.FINALIZATION, previous=previous
    )
    make_tiers(period)
    field1 = CriterionFactory(
        period=period, code="1", title="Công tác chỉ đạo, điều hành CCHC", max_points=D(10)
    )
    field2 = CriterionFactory(period=period, code="2", title="Cải cách thủ tục hành chính", max_points=D(10))
    leaves = {
        "1.1": CriterionFactory(period=period, code="1.1", parent=field1, max_points=D(6)),
        "1.2": CriterionFactory(
            period=period, code="1.2", parent=field1, max_points=D(4), allow_not_arising=True
        ),
        "2.1": CriterionFactory(period=period, code="2.1", parent=field2, max_points=D(10)),
    }
    rows = dict(COMPONENT_AGENCIES)
    for i in range(extra):
        rows[f"X{i:02d}"] = (f"Đơn vị thêm {i:02d}", "6", "3", "7")
    agencies = {}
    for code, (name, *values) in rows.items():
        agencies[code] = AgencyFactory(code=code, name=name, group=group)
        _component_scores(period, leaves, agencies[code], values)
        if code in COMPONENT_PREVIOUS:
            _component_scores(previous, old_leaves, agencies[code], COMPONENT_PREVIOUS[code])
    results_compute(period=previous)
    Period.objects.filter(pk=previous.pk).update(phase=Phase.PUBLISHED)
    return ComponentYear(period=period, previous=previous, group=group, agencies=agencies)


# --- a survey on the council year (tests/integration/ranking/workbook/test_paper_answers.py) -----


@dataclass
class SurveySetup:
    scale: SurveyScale
    groups: dict[str, RespondentGroup]
    questions: dict[str, SurveyQuestion]


def add_survey(period: Period, leaf: Criterion) -> SurveySetup:
    """The survey of leaf `leaf`: scale ABCD (A 100, B 60, C 20, D 0 % of the leaf's maximum);
    groups LD (leaders, weight 2, 2 forms per agency) and ND (citizens, weight 1, 3 forms);
    question C1 asked of both groups, C2 of citizens only."""
    scale = SurveyScale.objects.create(
        period=period,
        code="ABCD",
        name="Mức độ hài lòng",
        kind=SurveyScaleKind.ABCD,
        options=[
            ["A", "Rất hài lòng", "100"],
            ["B", "Hài lòng", "60"],
            ["C", "Chưa hài lòng", "20"],
            ["D", "Không hài lòng", "0"],
        ],
    )
    groups = {
        "LD": RespondentGroup.objects.create(
            period=period, code="LD", name="Lãnh đạo cấp phòng", weight=D(2), quota=2, order=1
        ),
        "ND": RespondentGroup.objects.create(
            period=period, code="ND", name="Người dân, doanh nghiệp", weight=D(1), quota=3, order=2
        ),
    }
    first = SurveyQuestion.objects.create(
        period=period,
        code="C1",
        text="Thủ tục được giải quyết đúng hẹn?",
        order=1,
        criterion=leaf,
        scale=scale,
    )
    first.groups.set(groups.values())
    second = SurveyQuestion.objects.create(
        period=period,
        code="C2",
        text="Cán bộ tiếp nhận hướng dẫn rõ ràng?",
        order=2,
        criterion=leaf,
        scale=scale,
    )
    second.groups.set([groups["ND"]])
    return SurveySetup(scale=scale, groups=groups, questions={"C1": first, "C2": second})
# --- one agency in another group for VTLT than for CCHC (tests of per-period groups) -----------

# Agency → (usual group, final scores of leaves 1.1, 1.2, 1.3). Leaf 1.1 (max 60) applies to
# every group, 1.2 (max 40) to SBN only, 1.3 (max 20) to SN only: an SBN agency's maximum is
# 100, an SN agency's 80. SXD is in SBN for CCHC and in SN for VTLT; it scored all three
# leaves, so one of them never counts.
PERIOD_GROUP_AGENCIES = {
    "SNV": ("Sở Nội vụ", "SBN", "55", "35", None),
    "STC": ("Sở Tài chính", "SBN", "50", "30", None),
    "SXD": ("Sở Xây dựng", "SBN", "57", "38", "18"),
    "BVDN": ("Bệnh viện Đà Nẵng", "SN", "54", None, "18"),
    "DRT": ("Đài Phát thanh – Truyền hình Đà Nẵng", "SN", "48", None, "16"),
}


@dataclass
class TwoSubjects:
    groups: dict[str, AgencyGroup]
    periods: dict[str, Period]
    agencies: dict[str, Agency]
    assessments: dict[tuple[str, str], Assessment]
    council: User

    def assessment(self, subject: str, code: str) -> Assessment:
        assessment = self.assessments[(subject, code)]
        assessment.refresh_from_db()
        return assessment


def build_two_subjects(*, phase=Phase.FINALIZATION, moved: bool = True) -> TwoSubjects:
    """CCHC 2025 and VTLT 2025 with the agencies of `PERIOD_GROUP_AGENCIES`, every assessment
    final; with `moved`, SXD is in SN for VTLT (through the council's service)."""
    groups = {
        "SBN": AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành", order=1),
        "SN": AgencyGroupFactory(code="SN", name="Khối đơn vị sự nghiệp", order=2),
    }
    council = UserFactory(username="hoidong", role=Role.COUNCIL)
    agencies = {
        code: AgencyFactory(code=code, name=name, group=groups[group])
        for code, (name, group, *_scores) in PERIOD_GROUP_AGENCIES.items()
    }
    periods, assessments = {}, {}
    for subject in (Subject.CCHC, Subject.VTLT):
        period = PeriodFactory(year=2025, subject=subject, phase=phase)
        periods[subject] = period
        make_tiers(period)
        field = CriterionFactory(period=period, code="1", title="Công tác chung", max_points=D(120))
        leaves = {
            "1.1": CriterionFactory(period=period, code="1.1", parent=field, max_points=D(60)),
            "1.2": CriterionFactory(period=period, code="1.2", parent=field, max_points=D(40)),
            "1.3": CriterionFactory(period=period, code="1.3", parent=field, max_points=D(20)),
        }
        leaves["1.2"].groups.set([groups["SBN"]])
        leaves["1.3"].groups.set([groups["SN"]])
        for code, (_name, _group, *values) in PERIOD_GROUP_AGENCIES.items():
            assessment = Assessment.objects.create(
                period=period, agency=agencies[code], status=AssessmentStatus.FINALIZED
            )
            assessments[(subject, code)] = assessment
            for leaf, value in zip(("1.1", "1.2", "1.3"), values, strict=True):
                if value is not None:
                    ScoreFactory(
                        assessment=assessment,
                        criterion=leaves[leaf],
                        self_score=D(value),
                        reviewed_score=D(value),
                        final_score=D(value),
                    )
    if moved:
        assessment_group_set(
            user=council,
            assessment=assessments[(Subject.VTLT, "SXD")],
            group=groups["SN"],
            reason="Quản lý kho lưu trữ chuyên dụng như đơn vị sự nghiệp",
        )
    return TwoSubjects(
        groups=groups, periods=periods, agencies=agencies, assessments=assessments, council=council
    )
