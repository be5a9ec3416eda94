"""Reads of the survey: a group's questionnaire, an invitation, the progress, the outcomes."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q

from accounts.models import Agency
from ranking.enums import Method, SurveySource
from ranking.models import (
    Assessment,
    Criterion,
    Period,
    RespondentGroup,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
    SurveyScale,
)
from ranking.surveys.aggregation import LeafOutcome, leaf_outcome


def questions_of(*, group: RespondentGroup) -> list[SurveyQuestion]:
    """The questionnaire of a respondent group: its questions in order, with their scales."""
    return list(group.questions.select_related("scale").order_by("order", "code", "pk"))


def invitation_by_token(*, token: str) -> SurveyInvitation | None:
    return SurveyInvitation.objects.select_related("period", "agency", "group").filter(token=token).first()


def invitations_of(*, period: Period, agency: Agency) -> list[SurveyInvitation]:
    """An agency's invitations of the period, group by group, the unanswered first. One query."""
    return list(
        SurveyInvitation.objects.filter(period=period, agency=agency)
        .select_related("agency", "group")
        .order_by("group__order", "group__code", "used_on", "pk")
    )


@dataclass(frozen=True)
class ProgressCell:
    group: RespondentGroup
    issued: int
    used: int
    web: int
    paper: int

    @property
    def quota(self) -> int:
        return self.group.quota

    @property
    def responses(self) -> int:
        return self.web + self.paper

    @property
    def can_issue(self) -> int:
        """How many more invitations the quota allows."""
        return max(self.group.quota - self.issued, 0)


@dataclass(frozen=True)
class AgencyProgress:
    agency: Agency
    cells: list[ProgressCell]


@dataclass(frozen=True)
class SurveyProgress:
    groups: list[RespondentGroup]
    rows: list[AgencyProgress]

    @property
    def can_issue(self) -> int:
        return sum(cell.can_issue for row in self.rows for cell in row.cells)


def survey_agencies(*, period: Period) -> list[Agency]:
    """The agencies surveyed for a period: those assessed in it, in code order."""
    return [
        a.agency
        for a in Assessment.objects.filter(period=period).select_related("agency").order_by("agency__code")
    ]


def survey_progress(*, period: Period) -> SurveyProgress:
    """Per agency × respondent group: invitations issued and answered, responses by source,
    against the quota. Four queries, whatever the number of agencies."""
    groups = list(RespondentGroup.objects.filter(period=period).order_by("order", "code"))
    agencies = survey_agencies(period=period)
    invitations = {
        (row["agency_id"], row["group_id"]): row
        for row in SurveyInvitation.objects.filter(period=period)
        .values("agency_id", "group_id")
        .annotate(issued=Count("pk"), used=Count("pk", filter=Q(used_on__isnull=False)))
        .order_by()
    }
    responses = {
        (row["agency_id"], row["group_id"]): row
        for row in SurveyResponse.objects.filter(period=period)
        .values("agency_id", "group_id")
        .annotate(
            web=Count("pk", filter=Q(source=SurveySource.WEB)),
            paper=Count("pk", filter=Q(source=SurveySource.PAPER)),
        )
        .order_by()
    }
    rows = []
    for agency in agencies:
        cells = []
        for group in groups:
            issued = invitations.get((agency.pk, group.pk), {})
            answered = responses.get((agency.pk, group.pk), {})
            cells.append(
                ProgressCell(
                    group=group,
                    issued=issued.get("issued", 0),
                    used=issued.get("used", 0),
                    web=answered.get("web", 0),
                    paper=answered.get("paper", 0),
                )
            )
        rows.append(AgencyProgress(agency=agency, cells=cells))
    return SurveyProgress(groups=groups, rows=rows)


@dataclass(frozen=True)
class ConvertedAnswer:
    agency_id: int
    group_code: str
    criterion_id: int
    question_code: str
    option: str
    percent: Decimal | None  # None: the option is no longer on the question's scale


def converted_answers(*, period: Period) -> list[ConvertedAnswer]:
    """Every answer of the period with its option converted to a percent. Two queries."""
    conversions = {scale.pk: scale.conversion for scale in SurveyScale.objects.filter(period=period)}
    rows = (
        SurveyAnswer.objects.filter(response__period=period)
        .values_list(
            "response__agency_id",
            "response__group__code",
            "question__criterion_id",
            "question__code",
            "question__scale_id",
            "option",
        )
        .order_by("response_id", "question__order", "question__code")
    )
    return [
        ConvertedAnswer(
            agency_id=agency_id,
            group_code=group_code,
            criterion_id=criterion_id,
            question_code=question_code,
            option=option,
            percent=conversions.get(scale_id, {}).get(option),
        )
        for agency_id, group_code, criterion_id, question_code, scale_id, option in rows
    ]


def survey_leaves(*, period: Period) -> list[Criterion]:
    """The period's survey leaves, with the groups they apply to. Two queries."""
    return list(
        Criterion.objects.filter(period=period, method=Method.SURVEY, children__isnull=True)
        .prefetch_related("groups")
        .order_by("sort_key")
    )


def survey_outcomes(*, period: Period) -> dict[tuple[int, int], LeafOutcome]:
    """(agency id, criterion id) → the leaf's percent and points from the answers, for every
    agency and survey leaf with at least one answer (`ranking.surveys.aggregation`)."""
    weights = dict(RespondentGroup.objects.filter(period=period).values_list("code", "weight"))
    maxima = {leaf.pk: leaf.max_points for leaf in survey_leaves(period=period)}
    answers: dict[tuple[int, int], dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    for answer in converted_answers(period=period):
        if answer.percent is not None and answer.criterion_id in maxima:
            answers[answer.agency_id, answer.criterion_id][answer.group_code].append(answer.percent)
    outcomes = {}
    for (agency_id, criterion_id), by_group in answers.items():
        maximum = maxima[criterion_id]
        if maximum is None:
            continue
        outcome = leaf_outcome(maximum=maximum, answers=by_group, weights=weights)
        if outcome is not None:
            outcomes[agency_id, criterion_id] = outcome
    return outcomes
