"""Reads of assessments for the home pages, the council and the reviewers: an agency's
assessments, a reviewer's counts, a period's assessments, a reviewer's queue."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from accounts.models import Agency, AgencyGroup, User
from accounts.rules import is_council
from ranking import scoring
from ranking.assessments.sheets import leaf_uncommented, leaf_unreviewed
from ranking.enums import STATUS_ORDER, AssessmentStatus, Phase
from ranking.models import Assessment, Criterion, Period, Score
from ranking.periods.criteria import applies, final_not_arising_q, leaf_applies
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
    required = {a.pk: required_leaves(criteria[a.period_id], a.group_id) for a in assessments}
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
        .select_related("period", "agency", "group", "reviewer")
        .order_by("group__order", "group__code", "agency__code")
    )


# What a reviewer has to act on comes first in the queue, what is settled last.
QUEUE_ORDER = (
    AssessmentStatus.SUBMITTED,
    AssessmentStatus.IN_REVIEW,
    AssessmentStatus.EXPLAINED,
    AssessmentStatus.RETURNED,
    AssessmentStatus.REVIEWED,
    AssessmentStatus.APPROVED,
    AssessmentStatus.FINALIZED,
    AssessmentStatus.DRAFT,
)

# Leaves a reviewer must score before closing the appraisal (as `AssessmentSheet.unreviewed`).
NOT_REVIEWED_METHODS = (scoring.SURVEY, *scoring.OUTSIDE_BASE)


# The columns the queue sorts by (the only keys accepted from the address), as database orders.
QUEUE_SORTS = {
    "agency": ("agency__name",),
    "group": ("group__order", "group__code"),
    "period": ("period__year", "period__subject"),
    "status": ("queue_position",),
    "submitted": ("submitted_at",),
    "reviewed": ("reviewed_count",),
    "reviewer": ("reviewer__username",),
}


def queue_assessments(
    *,
    user: User,
    period: Period | None = None,
    group: AgencyGroup | None = None,
    status: str = "",
    search: str = "",
    sort: str = "",
) -> QuerySet[Assessment]:
    """The assessments in a user's queue, with counts of reviewed leaves. One query.

    A reviewer sees the assessments assigned to them once submitted (`rules.submitted_once`),
    the council every one. Without a period, only periods not yet published are listed.
    `search` finds agencies by name; `sort` is a key of `QUEUE_SORTS` (`-key` descending),
    otherwise what the reviewer has to act on comes first.
    """
    leaves = (
        Criterion.objects.filter(period=OuterRef("period"))
        .exclude(method__in=NOT_REVIEWED_METHODS)
        .filter(leaf_applies(OuterRef(OuterRef("group_id"))))
        .order_by()
        .values("period")
        .annotate(n=Count("pk"))
        .values("n")
    )
    reviewed = (
        Score.objects.filter(assessment=OuterRef("pk"))
        .filter(Q(reviewed_score__isnull=False) | final_not_arising_q())
        .exclude(criterion__method__in=NOT_REVIEWED_METHODS)
        .order_by()
        .values("assessment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    assessments = Assessment.objects.select_related("period", "agency", "group", "reviewer").annotate(
        leaf_count=Coalesce(Subquery(leaves, output_field=IntegerField()), Value(0)),
        reviewed_count=Coalesce(Subquery(reviewed, output_field=IntegerField()), Value(0)),
        queue_position=Case(
            *(When(status=s, then=Value(i)) for i, s in enumerate(QUEUE_ORDER)),
            default=Value(len(QUEUE_ORDER)),
            output_field=IntegerField(),
        ),
    )
    if not is_council(user):
        assessments = assessments.filter(submitted_once_q(), reviewer=user)
    if period is not None:
        assessments = assessments.filter(period=period)
    else:
        assessments = assessments.exclude(period__phase=Phase.PUBLISHED)
    if group is not None:
        assessments = assessments.filter(group=group)
    if status:
        assessments = assessments.filter(status=status)
    if search:
        assessments = assessments.filter(agency__name__icontains=search)
    default = ("queue_position", "-period__year", "period__subject", "group__order", "agency__code")
    fields = QUEUE_SORTS.get(sort.removeprefix("-"))
    if fields is None:
        return assessments.order_by(*default)
    descending = "-" if sort.startswith("-") else ""
    return assessments.order_by(*(descending + f for f in fields), *default, "pk")


# The deadline of the step an assessment waits for, by its status: the agency's self-assessment,
# the appraisal and its approval, the explanation and its decision.
STEP_DEADLINE = {
    AssessmentStatus.DRAFT: "self_assessment_deadline",
    AssessmentStatus.RETURNED: "self_assessment_deadline",
    AssessmentStatus.SUBMITTED: "appraisal_deadline",
    AssessmentStatus.IN_REVIEW: "appraisal_deadline",
    AssessmentStatus.REVIEWED: "appraisal_deadline",
    AssessmentStatus.APPROVED: "explanation_deadline",
    AssessmentStatus.EXPLAINED: "explanation_deadline",
}


def step_deadline(assessment: Assessment) -> datetime.date | None:
    name = STEP_DEADLINE.get(assessment.status)
    return getattr(assessment.period, name) if name else None


def overdue(assessment: Assessment, today: datetime.date) -> bool:
    """Past the deadline of the step it waits for, and that step not done."""
    deadline = step_deadline(assessment)
    return deadline is not None and deadline < today


@dataclass
class CouncilRow:
    """An assessment in the council's table: totals, open items and whether it is late."""

    assessment: Assessment
    self_total: Decimal
    reviewed_total: Decimal
    unreviewed: int
    uncommented: int
    unanswered: int
    overdue: bool

    @property
    def difference(self) -> Decimal:
        return self.reviewed_total - self.self_total

    @property
    def open_items(self) -> int:
        return self.unreviewed + self.uncommented + self.unanswered


# The columns the council's table sorts by (the only keys accepted from the address).
COUNCIL_SORTS = {
    "agency": lambda r: r.assessment.agency.name,
    "group": lambda r: (r.assessment.group.order, r.assessment.group.code),
    "status": lambda r: STATUS_ORDER.index(r.assessment.status),
    "reviewer": lambda r: r.assessment.reviewer.get_username() if r.assessment.reviewer else "",
    "self": lambda r: r.self_total,
    "reviewed": lambda r: r.reviewed_total,
    "difference": lambda r: r.difference,
    "open": lambda r: r.open_items,
    "overdue": lambda r: r.overdue,
}


def council_rows(
    *, period: Period, search: str = "", status: str = "", sort: str = "", today: datetime.date
) -> list[CouncilRow]:
    """The period's assessments for the council's table, filtered by agency name and status,
    sorted by a column of `COUNCIL_SORTS` (`-key` descending; else by group and agency).

    Totals are `scoring.agency_totals` over the self-scores and over the reviewed scores, as
    the appraisal page adds them up; open items are leaves not reviewed, differences without
    a comment and explanations awaiting a decision. Four queries, however many rows.
    """
    assessments = Assessment.objects.filter(period=period).select_related(
        "period", "agency", "group", "reviewer"
    )
    if search:
        assessments = assessments.filter(agency__name__icontains=search)
    if status:
        assessments = assessments.filter(status=status)
    assessments = list(assessments.order_by("group__order", "group__code", "agency__code"))
    criteria = list(Criterion.objects.filter(period=period).prefetch_related("groups"))
    parent_ids = {c.parent_id for c in criteria if c.parent_id}
    leaves = [c for c in criteria if c.id not in parent_ids]
    scores: dict[int, dict[int, Score]] = defaultdict(dict)
    for score in Score.objects.filter(assessment__in=assessments).order_by():
        scores[score.assessment_id][score.criterion_id] = score
    rows = []
    for assessment in assessments:
        self_scores, reviewed_scores = [], []
        unreviewed = uncommented = unanswered = 0
        for criterion in leaves:
            if not applies({g.id for g in criterion.groups.all()}, assessment.group_id):
                continue
            leaf = scoring.Leaf(
                code=criterion.code,
                method=criterion.method,
                max_points=criterion.max_points or Decimal(0),
                field=criterion.field_code,
            )
            s = scores[assessment.pk].get(criterion.id)
            final_na = bool(s and s.final_not_arising)
            self_scores.append(
                scoring.LeafScore(leaf, s.self_score if s else None, bool(s and s.not_arising))
            )
            reviewed_scores.append(scoring.LeafScore(leaf, s.reviewed_score if s else None, final_na))
            unreviewed += leaf_unreviewed(criterion.method, s.reviewed_score if s else None, final_na)
            if s is not None:
                uncommented += leaf_uncommented(
                    s.self_score, s.reviewed_score, s.review_comment, s.not_arising, s.reviewer_not_arising
                )
                unanswered += bool(s.explanation and not s.decision)
        rows.append(
            CouncilRow(
                assessment=assessment,
                self_total=scoring.agency_totals(self_scores).total,
                reviewed_total=scoring.agency_totals(reviewed_scores).total,
                unreviewed=unreviewed,
                uncommented=uncommented,
                unanswered=unanswered,
                overdue=overdue(assessment, today),
            )
        )
    key = COUNCIL_SORTS.get(sort.removeprefix("-"))
    if key is not None:
        rows.sort(key=key, reverse=sort.startswith("-"))
    return rows
