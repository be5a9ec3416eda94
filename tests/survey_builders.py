"""The survey year the survey tests share (tests/*/ranking/surveys/), and the least survey
the admin tests need (`one_paper_answer`).

`build_survey_year` adds to `build_year` (CCHC 2025, finalization, five agencies, survey leaf
2.1 of 10 points typed by hand: SNV 9, STC 8,5, STP 9,5, SYT 7, QHC 8) two respondent groups
and two questions mapped to leaf 2.1:

    group  name                          weight  quota
    LD     Lãnh đạo cấp phòng                 2      3
    ND     Người dân, doanh nghiệp            1      4

    question  scale                               answered by
    Q1        A/B/C/D = 100/60/20/0               LD, ND
    Q2        Likert 1–5 = 0/25/50/75/100         ND

`answer_hand_example` records the responses of the hand calculation for SNV:
    LD: Q1=A (100), Q1=B (60)                         → mean 80
    ND: Q1=C (20) Q2=4 (75), Q1=D (0) Q2=5 (100)      → mean 195/4 = 48,75
    leaf % = (2 × 80 + 1 × 48,75) / 3 = 208,75 / 3 = 69,58333…
    points = 10 × 69,58333… / 100 = 6,958333… → 6,96
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from accounts.models import Role, User
from ranking.enums import Phase, SurveyScaleKind, SurveySource
from ranking.models import (
    DEFAULT_SCALE_OPTIONS,
    RespondentGroup,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveyScale,
)
from tests.builders import CouncilYear, build_year
from tests.factories import UserFactory

HAND_POINTS = Decimal("6.96")


@dataclass
class SurveyYear:
    year: CouncilYear
    council: User
    groups: dict[str, RespondentGroup]
    questions: dict[str, SurveyQuestion]

    @property
    def period(self):
        return self.year.period

    def agency(self, code: str):
        return self.year.assessments[code].agency


def scale(period, kind: str) -> SurveyScale:
    return SurveyScale.objects.create(
        period=period,
        code=kind.upper(),
        name=str(SurveyScaleKind(kind).label),
        kind=kind,
        options=[list(item) for item in DEFAULT_SCALE_OPTIONS[kind]],
    )


def build_survey_year(*, phase=Phase.FINALIZATION, extra: int = 0) -> SurveyYear:
    year = build_year(phase=phase, extra=extra)
    period = year.period
    groups = {
        "LD": RespondentGroup.objects.create(
            period=period, code="LD", name="Lãnh đạo cấp phòng", weight=Decimal(2), quota=3, order=1
        ),
        "ND": RespondentGroup.objects.create(
            period=period, code="ND", name="Người dân, doanh nghiệp", weight=Decimal(1), quota=4, order=2
        ),
    }
    abcd, likert = scale(period, SurveyScaleKind.ABCD), scale(period, SurveyScaleKind.LIKERT5)
    leaf = year.leaves["2.1"]
    q1 = SurveyQuestion.objects.create(
        period=period, code="Q1", order=1, text="Thái độ phục vụ của công chức?", criterion=leaf, scale=abcd
    )
    q1.groups.set([groups["LD"], groups["ND"]])
    q2 = SurveyQuestion.objects.create(
        period=period,
        code="Q2",
        order=2,
        text="Mức độ hài lòng về thời gian giải quyết?",
        criterion=leaf,
        scale=likert,
    )
    q2.groups.set([groups["ND"]])
    council = UserFactory(username="hoidong", role=Role.COUNCIL)
    return SurveyYear(year=year, council=council, groups=groups, questions={"Q1": q1, "Q2": q2})


def paper_response(survey: SurveyYear, agency_code: str, group_code: str, answers: dict[str, str]):
    """A response written straight to the tables (no service), as the data of a test."""
    response = SurveyResponse.objects.create(
        period=survey.period,
        agency=survey.agency(agency_code),
        group=survey.groups[group_code],
        source=SurveySource.PAPER,
        submitted_on=timezone.localdate(),
    )
    for code, option in answers.items():
        SurveyAnswer.objects.create(response=response, question=survey.questions[code], option=option)
    return response


def answer_hand_example(survey: SurveyYear, agency_code: str = "SNV") -> None:
    paper_response(survey, agency_code, "LD", {"Q1": "A"})
    paper_response(survey, agency_code, "LD", {"Q1": "B"})
    paper_response(survey, agency_code, "ND", {"Q1": "C", "Q2": "4"})
    paper_response(survey, agency_code, "ND", {"Q1": "D", "Q2": "5"})


def one_paper_answer(period, agency, leaf, *, submitted_on, option: str = "B") -> SurveyResponse:
    """The least survey a period can hold: respondents ND (quota 5), the A/B/C/D scale, one
    question Q1 mapped to `leaf` and one paper form of `agency` answering it with `option`."""
    respondents = RespondentGroup.objects.create(period=period, code="ND", name="Người dân", quota=5)
    question = SurveyQuestion.objects.create(
        period=period,
        code="Q1",
        text="Thái độ phục vụ?",
        criterion=leaf,
        scale=scale(period, SurveyScaleKind.ABCD),
    )
    question.groups.set([respondents])
    response = SurveyResponse.objects.create(
        period=period,
        agency=agency,
        group=respondents,
        source=SurveySource.PAPER,
        reference="1",
        submitted_on=submitted_on,
    )
    SurveyAnswer.objects.create(response=response, question=question, option=option)
    return response
