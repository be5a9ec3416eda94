"""The survey's statistics: responses against the quotas, how each question was answered, and
every answer for the export. Reads only; a fixed number of queries whatever the number of
agencies, responses or answers."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count

from accounts.models import Agency
from ranking.enums import SurveySource
from ranking.models import Period, RespondentGroup, SurveyAnswer, SurveyQuestion
from ranking.surveys.aggregation import rounded
from ranking.surveys.selectors import ProgressCell, SurveyProgress, survey_progress

PERCENT_PLACES = Decimal("0.1")


def share(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` in %, rounded half up to one decimal; None of nothing."""
    return rounded(Fraction(part * 100, whole), PERCENT_PLACES) if whole else None


@dataclass(frozen=True)
class OptionCount:
    option: str
    label: str
    percent_of_maximum: Decimal
    count: int
    share: Decimal | None  # % of the question's answers


@dataclass(frozen=True)
class QuestionDistribution:
    question: SurveyQuestion
    options: list[OptionCount]
    answers: int
    # Answers whose option is no longer on the question's scale (the scale changed after).
    other: int

    @property
    def groups(self) -> str:
        return ", ".join(group.name for group in self.question.groups.all())


@dataclass(frozen=True)
class QuotaTotals:
    quota: int
    web: int
    paper: int

    @property
    def responses(self) -> int:
        return self.web + self.paper

    @property
    def share(self) -> Decimal | None:
        return share(self.responses, self.quota)


@dataclass(frozen=True)
class SurveyStatistics:
    progress: SurveyProgress
    group_totals: list[QuotaTotals]
    total: QuotaTotals
    questions: list[QuestionDistribution]

    @property
    def rows(self) -> list[tuple[Agency, list[tuple[ProgressCell, Decimal | None]]]]:
        """Per agency, each group's cell of the progress with its responses in % of the quota."""
        return [
            (row.agency, [(cell, share(cell.responses, cell.quota)) for cell in row.cells])
            for row in self.progress.rows
        ]

    @property
    def group_rows(self) -> list[tuple[RespondentGroup, QuotaTotals]]:
        return list(zip(self.progress.groups, self.group_totals, strict=True))

    def chart(self) -> dict:
        """The data of the stacked bar chart (static/js/charts.js): one bar per question, one
        segment per option, as % of the question's answers; the counts for the tooltips."""
        options: list[str] = []
        for item in self.questions:
            for counted in item.options:
                if counted.option not in options:
                    options.append(counted.option)
        datasets = []
        for option in options:
            found = [next((o for o in item.options if o.option == option), None) for item in self.questions]
            datasets.append(
                {
                    "label": option,
                    "data": [float(o.share) if o is not None and o.share is not None else 0 for o in found],
                    "counts": [o.count if o is not None else 0 for o in found],
                }
            )
        return {"labels": [item.question.code for item in self.questions], "datasets": datasets}


def survey_statistics(*, period: Period) -> SurveyStatistics:
    """Seven queries: the progress (four), the questions with their scales and groups (two),
    and the answers counted per question and option (one)."""
    progress = survey_progress(period=period)
    group_totals = []
    for position, group in enumerate(progress.groups):
        cells = [row.cells[position] for row in progress.rows]
        group_totals.append(
            QuotaTotals(
                quota=group.quota * len(cells),
                web=sum(cell.web for cell in cells),
                paper=sum(cell.paper for cell in cells),
            )
        )
    total = QuotaTotals(
        quota=sum(t.quota for t in group_totals),
        web=sum(t.web for t in group_totals),
        paper=sum(t.paper for t in group_totals),
    )
    questions = list(
        SurveyQuestion.objects.filter(period=period)
        .select_related("scale", "criterion")
        .prefetch_related("groups")
        .order_by("order", "code", "pk")
    )
    counts: dict[tuple[int, str], int] = {
        (question_id, option): count
        for question_id, option, count in SurveyAnswer.objects.filter(question__period=period)
        .values_list("question_id", "option")
        .annotate(count=Count("pk"))
        .order_by()
    }
    answered: dict[int, int] = {}
    for (question_id, _option), count in counts.items():
        answered[question_id] = answered.get(question_id, 0) + count
    distributions = []
    for question in questions:
        whole = answered.get(question.pk, 0)
        conversion = question.scale.conversion
        options = [
            OptionCount(
                option=option,
                label=label,
                percent_of_maximum=conversion[option],
                count=counts.get((question.pk, option), 0),
                share=share(counts.get((question.pk, option), 0), whole),
            )
            for option, label in question.scale.choices
        ]
        distributions.append(
            QuestionDistribution(
                question=question,
                options=options,
                answers=whole,
                other=whole - sum(o.count for o in options),
            )
        )
    return SurveyStatistics(
        progress=progress, group_totals=group_totals, total=total, questions=distributions
    )


@dataclass(frozen=True)
class RawAnswer:
    period_code: str
    agency_code: str
    agency_name: str
    group_name: str
    form: str  # the response's number (web) or the paper form's number, never a person
    source: str
    question_code: str
    question_text: str
    criterion_code: str
    option: str
    percent: Decimal | None
    day: datetime.date


def raw_answers(*, period: Period) -> list[RawAnswer]:
    """Every answer of the period, agency by agency, form by form. Two queries."""
    conversions = {scale.pk: scale.conversion for scale in period.survey_scales.all()}
    answers = (
        SurveyAnswer.objects.filter(response__period=period)
        .select_related("response__agency", "response__group", "question__criterion")
        .order_by(
            "response__agency__code",
            "response__group__order",
            "response__group__code",
            "response__source",
            "response__reference",
            "response_id",
            "question__order",
            "question__code",
        )
    )
    return [
        RawAnswer(
            period_code=period.code,
            agency_code=answer.response.agency.code,
            agency_name=answer.response.agency.name,
            group_name=answer.response.group.name,
            form=answer.response.reference
            if answer.response.source == SurveySource.PAPER and answer.response.reference
            else str(answer.response_id),
            source=answer.response.source,
            question_code=answer.question.code,
            question_text=answer.question.text,
            criterion_code=answer.question.criterion.code,
            option=answer.option,
            percent=conversions.get(answer.question.scale_id, {}).get(answer.option),
            day=answer.response.submitted_on,
        )
        for answer in answers
    ]
