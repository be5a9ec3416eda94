"""Reads of periods for the home pages and the council: deadlines, progress by status and
group, the set-up tasks still open."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from accounts.models import AGENCY_ROLES, Agency, AgencyGroup, User
from ranking.enums import STATUS_ORDER, Phase
from ranking.models import Assessment, Criterion, Period, Tier

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
        .values_list("period_id", "group_id", "status")
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
