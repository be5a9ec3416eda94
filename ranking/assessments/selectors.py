"""Reads of assessments for the home pages and the council: an agency's assessments, a
reviewer's counts, a period's assessments."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q

from accounts.models import Agency, User
from ranking import scoring
from ranking.enums import STATUS_ORDER, Phase
from ranking.models import Assessment, Criterion, Period, Score
from ranking.periods.criteria import applies
from ranking.periods.selectors import days_left, phase_deadline
from ranking.rules import submitted_once_q


@dataclass
class AgencyAssessment:
    assessment: Assessment
    scored: int
    required: int

    @property
    def period(self) -> Period:
        return self.assessment.period

    @property
    def deadline(self) -> datetime.date | None:
        return phase_deadline(self.period)

    @property
    def days_left(self) -> int | None:
        return days_left(self.deadline)

    @property
    def days_overdue(self) -> int | None:
        left = self.days_left
        return -left if left is not None and left < 0 else None


def required_leaves(criteria: list[Criterion], group_id: int) -> set[int]:
    """The leaves an agency of the group must score itself (as `assessment_sheet` counts them)."""
    parent_ids = {c.parent_id for c in criteria if c.parent_id}
    return {
        c.id
        for c in criteria
        if c.id not in parent_ids
        and c.method not in scoring.OUTSIDE_BASE + (scoring.SURVEY,)
        and applies({g.id for g in c.groups.all()}, group_id)
    }


def agency_assessments(*, agency: Agency) -> list[AgencyAssessment]:
    """The agency's assessments of periods not yet published, with progress. Four queries."""
    assessments = list(
        Assessment.objects.filter(agency=agency)
        .exclude(period__phase=Phase.PUBLISHED)
        .select_related("period")
        .order_by("-period__year", "period__subject")
    )
    criteria: dict[int, list[Criterion]] = defaultdict(list)
    for criterion in Criterion.objects.filter(period__in=[a.period_id for a in assessments]).prefetch_related(
        "groups"
    ):
        criteria[criterion.period_id].append(criterion)
    required = {a.pk: required_leaves(criteria[a.period_id], agency.group_id) for a in assessments}
    scored: dict[int, int] = defaultdict(int)
    for assessment_id, criterion_id in (
        Score.objects.filter(assessment__in=assessments)
        .filter(Q(self_score__isnull=False) | Q(not_arising=True))
        .values_list("assessment_id", "criterion_id")
    ):
        if criterion_id in required[assessment_id]:
            scored[assessment_id] += 1
    return [
        AgencyAssessment(assessment=a, scored=scored[a.pk], required=len(required[a.pk])) for a in assessments
    ]


def reviewer_counts(*, user: User, periods: list[Period]) -> list[tuple[Period, list[int]]]:
    """For each running period, the reviewer's assigned assessments per status, once submitted
    (`rules.submitted_once`: a draft the agency never handed in is not theirs yet). One query."""
    position = {status: i for i, status in enumerate(STATUS_ORDER)}
    counted: dict[int, list[int]] = defaultdict(lambda: [0] * len(STATUS_ORDER))
    for period_id, status, count in (
        Assessment.objects.filter(submitted_once_q(), reviewer=user, period__in=periods)
        .values_list("period_id", "status")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        counted[period_id][position[status]] += count
    return [(period, counted[period.pk]) for period in periods if period.pk in counted]


def period_assessments(*, period: Period) -> list[Assessment]:
    """Every assessment of the period with agency, group, reviewer and period. One query."""
    return list(
        Assessment.objects.filter(period=period)
        .select_related("period", "agency__group", "reviewer")
        .order_by("agency__group__order", "agency__group__code", "agency__code")
    )
