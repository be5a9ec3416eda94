"""Reads of the home pages and the council's pages: progress, set-up tasks, survey grid, awards.

Every function runs a fixed number of queries, however many agencies, assessments or
periods there are.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import get_format

from accounts.models import AGENCY_ROLES, Agency, AgencyGroup, User

from . import scoring
from .enums import AssessmentStatus, Method, Phase
from .models import Assessment, AwardEntry, Criterion, Period, Score, Tier

# The order in which the council reads a period's progress, from the agency's desk to the end.
STATUS_ORDER = [
    AssessmentStatus.DRAFT,
    AssessmentStatus.SUBMITTED,
    AssessmentStatus.IN_REVIEW,
    AssessmentStatus.RETURNED,
    AssessmentStatus.REVIEWED,
    AssessmentStatus.APPROVED,
    AssessmentStatus.EXPLAINED,
    AssessmentStatus.FINALIZED,
]

# The deadline an agency works towards in each phase.
PHASE_DEADLINE = {
    Phase.SETUP: "self_assessment_deadline",
    Phase.SELF_ASSESSMENT: "self_assessment_deadline",
    Phase.APPRAISAL: "appraisal_deadline",
    Phase.EXPLANATION: "explanation_deadline",
}


def unpublished_periods() -> list[Period]:
    """Periods still running, newest first. One query."""
    return list(Period.objects.exclude(phase=Phase.PUBLISHED).order_by("-year", "subject"))


def phase_deadline(period: Period) -> datetime.date | None:
    name = PHASE_DEADLINE.get(period.phase)
    return getattr(period, name) if name else None


def days_left(deadline: datetime.date | None) -> int | None:
    """Days from today to the deadline: 0 on its last day, negative once it has passed."""
    if deadline is None:
        return None
    return (deadline - timezone.localdate()).days


# --- progress per group -----------------------------------------------------------------


@dataclass
class GroupProgress:
    group: AgencyGroup
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class PeriodProgress:
    period: Period
    groups: list[GroupProgress]

    @property
    def counts(self) -> list[int]:
        return [sum(column) for column in zip(*(g.counts for g in self.groups), strict=True)] or [0] * len(
            STATUS_ORDER
        )

    @property
    def total(self) -> int:
        return sum(self.counts)


def periods_progress(*, periods: list[Period]) -> list[PeriodProgress]:
    """For each period, each group's number of agencies in every status. Two queries."""
    position = {status: i for i, status in enumerate(STATUS_ORDER)}
    counted: dict[int, dict[int, list[int]]] = defaultdict(dict)
    for period_id, group_id, status, count in (
        Assessment.objects.filter(period__in=periods)
        .values_list("period_id", "agency__group_id", "status")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        counts = counted[period_id].setdefault(group_id, [0] * len(STATUS_ORDER))
        counts[position[status]] += count
    group_ids = {group_id for per_group in counted.values() for group_id in per_group}
    groups = list(AgencyGroup.objects.filter(pk__in=group_ids).order_by("order", "code")) if group_ids else []
    return [
        PeriodProgress(
            period=period,
            groups=[
                GroupProgress(group=group, counts=counted[period.pk][group.pk])
                for group in groups
                if group.pk in counted[period.pk]
            ],
        )
        for period in periods
    ]


# --- an agency's year -------------------------------------------------------------------


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
        and (not c.groups.all() or any(g.id == group_id for g in c.groups.all()))
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


# --- a reviewer's desk ------------------------------------------------------------------


def reviewer_counts(*, user: User, periods: list[Period]) -> list[tuple[Period, list[int]]]:
    """For each running period, the reviewer's assigned assessments per status. One query."""
    position = {status: i for i, status in enumerate(STATUS_ORDER)}
    counted: dict[int, list[int]] = defaultdict(lambda: [0] * len(STATUS_ORDER))
    for period_id, status, count in (
        Assessment.objects.filter(reviewer=user, period__in=periods)
        .values_list("period_id", "status")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        counted[period_id][position[status]] += count
    return [(period, counted[period.pk]) for period in periods if period.pk in counted]


# --- the administrator's set-up tasks ---------------------------------------------------


@dataclass
class SetupTasks:
    periods_in_setup: int
    periods_incomplete: list[Period]
    unassigned: list[tuple[Period, int]]
    agencies_without_members: list[Agency]

    @property
    def unassigned_total(self) -> int:
        return sum(count for _period, count in self.unassigned)


def setup_tasks(*, periods: list[Period]) -> SetupTasks:
    """What an administrator still has to prepare for the running `periods`. Four queries."""
    # Past periods imported for the change column have neither, and need neither.
    incomplete = list(
        Period.objects.filter(pk__in=[p.pk for p in periods])
        .filter(
            ~Exists(Tier.objects.filter(period=OuterRef("pk")))
            | ~Exists(Criterion.objects.filter(period=OuterRef("pk")))
        )
        .order_by("-year", "subject")
    )
    by_id = {p.pk: p for p in periods}
    unassigned = [
        (by_id[period_id], count)
        for period_id, count in Assessment.objects.filter(reviewer__isnull=True, period__in=periods)
        .values_list("period_id")
        .annotate(count=Count("pk"))
        .order_by()
    ]
    unassigned.sort(key=lambda pair: periods.index(pair[0]))
    members = User.objects.filter(agency=OuterRef("pk"), role__in=AGENCY_ROLES, is_active=True)
    return SetupTasks(
        periods_in_setup=Period.objects.filter(phase=Phase.SETUP).count(),
        periods_incomplete=incomplete,
        unassigned=unassigned,
        agencies_without_members=list(
            Agency.objects.filter(is_active=True).filter(~Exists(members)).order_by("group__order", "code")
        ),
    )


# --- the council's pages ----------------------------------------------------------------


def period_assessments(*, period: Period) -> list[Assessment]:
    """Every assessment of the period with agency, group, reviewer and period. One query."""
    return list(
        Assessment.objects.filter(period=period)
        .select_related("period", "agency__group", "reviewer")
        .order_by("agency__group__order", "agency__group__code", "agency__code")
    )


@dataclass
class SurveyCell:
    criterion: Criterion
    applies: bool
    value: Decimal | None = None
    typed: str | None = None
    error: str = ""

    @property
    def shown(self) -> str:
        """What the input shows: what the user typed after a refusal, else the stored value."""
        if self.typed is not None:
            return self.typed
        return "" if self.value is None else scoring_text(self.value)


@dataclass
class SurveyRow:
    assessment: Assessment
    cells: list[SurveyCell] = field(default_factory=list)


def scoring_text(value: Decimal) -> str:
    """A stored score as a person types it in the page's language: 7,5 rather than 7.5000."""
    return format(value.normalize(), "f").replace(".", get_format("DECIMAL_SEPARATOR"))


def survey_leaves(*, period: Period) -> list[Criterion]:
    """The survey leaves of a period, in code order, with their groups. Two queries."""
    return list(
        Criterion.objects.filter(period=period, method=Method.SURVEY, children__isnull=True)
        .prefetch_related("groups")
        .order_by("sort_key")
    )


def survey_grid(*, period: Period) -> tuple[list[Criterion], list[SurveyRow]]:
    """Agencies × survey leaves with the stored survey scores. Four queries."""
    leaves = survey_leaves(period=period)
    assessments = period_assessments(period=period)
    values = {
        (assessment_id, criterion_id): final
        for assessment_id, criterion_id, final in Score.objects.filter(
            assessment__period=period, criterion__in=leaves
        ).values_list("assessment_id", "criterion_id", "final_score")
    }
    rows = []
    for assessment in assessments:
        row = SurveyRow(assessment=assessment)
        for leaf in leaves:
            groups = leaf.groups.all()
            row.cells.append(
                SurveyCell(
                    criterion=leaf,
                    applies=not groups or any(g.id == assessment.agency.group_id for g in groups),
                    value=values.get((assessment.pk, leaf.pk)),
                )
            )
        rows.append(row)
    return leaves, rows


def award_entries(*, period: Period) -> list[AwardEntry]:
    """Every entry of the award list, kept or removed, with agency and group. One query."""
    return list(
        AwardEntry.objects.filter(period=period)
        .select_related("agency__group", "changed_by")
        .order_by("agency__group__order", "agency__group__code", "agency__code")
    )
