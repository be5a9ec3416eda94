"""Year over year: how the agencies of a group moved between two periods of one subject, and
how the tiers were distributed year by year.

A past year is known either by its computed results (`Result`) or, for years before the
application, by the imported published ranks (`HistoricalResult`, which carry a tier label
rather than a tier); computed results win, as they do for the change column.

Every function runs a fixed number of queries, however many agencies and years there are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, F, OuterRef
from django.utils.translation import gettext as _

from accounts.models import Agency, AgencyGroup
from ranking.models import HistoricalResult, Period, Result, Tier
from ranking.results.selectors import tally

# How many risers and fallers a group lists.
MOVERS_SHOWN = 5

RESULTS = "results"
HISTORY = "history"


def _label_key(label: str) -> str:
    # Imported labels come from hand-typed workbooks: "rất  tốt " is "Rất tốt".
    return " ".join(label.split()).casefold()


@dataclass(frozen=True)
class Movement:
    """One agency of the current period, with where it stood in the other one."""

    agency: Agency
    rank: int
    index: Decimal
    tier_label: str
    tier_order: int
    previous_rank: int | None = None
    previous_index: Decimal | None = None
    previous_tier_label: str = ""
    # The previous tier's place in its own scheme (1 = highest); None when its label
    # matches no tier of that scheme.
    previous_tier_order: int | None = None
    # Ranked in another group the other year: its ranks are not comparable.
    moved_from: AgencyGroup | None = None

    @property
    def is_new(self) -> bool:
        return self.previous_rank is None

    @property
    def change(self) -> int | None:
        """Places moved up (positive) or down (negative); None for a newcomer, a move of group or
        an agency not ranked in either year."""
        if self.previous_rank is None or self.rank is None or self.moved_from is not None:
            return None
        return self.previous_rank - self.rank

    @property
    def tier_change(self) -> int | None:
        """Tiers gained (positive) or lost (negative), by tier order; None when unknown."""
        if self.previous_tier_order is None:
            return None
        return self.previous_tier_order - self.tier_order


@dataclass
class GroupComparison:
    group: AgencyGroup
    movements: list[Movement] = field(default_factory=list)

    @property
    def compared(self) -> list[Movement]:
        """The agencies ranked in the group both years."""
        return [m for m in self.movements if m.change is not None]

    @property
    def risers(self) -> list[Movement]:
        """The biggest climbers, most places first (then by current rank)."""
        up = [m for m in self.movements if (m.change or 0) > 0]
        return sorted(up, key=lambda m: (-m.change, m.rank, m.agency.code))[:MOVERS_SHOWN]

    @property
    def fallers(self) -> list[Movement]:
        """The biggest drops, most places first (then by current rank)."""
        down = [m for m in self.movements if (m.change or 0) < 0]
        return sorted(down, key=lambda m: (m.change, m.rank, m.agency.code))[:MOVERS_SHOWN]

    @property
    def kept_tier(self) -> list[Movement]:
        return [m for m in self.movements if m.tier_change == 0]

    @property
    def rose_tier(self) -> list[Movement]:
        return [m for m in self.movements if (m.tier_change or 0) > 0]

    @property
    def lost_tier(self) -> list[Movement]:
        return [m for m in self.movements if (m.tier_change or 0) < 0]

    @property
    def new(self) -> list[Movement]:
        return [m for m in self.movements if m.is_new]

    @property
    def moved(self) -> list[Movement]:
        return [m for m in self.movements if m.moved_from is not None]


@dataclass(frozen=True)
class YearCounts:
    period: Period
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Distribution:
    """Agencies per tier for each year of a subject, oldest first; every year has every label."""

    labels: list[str]
    years: list[YearCounts]

    def chart(self) -> dict:
        """As Chart.js reads it: one stacked dataset per tier, one bar per year."""
        return {
            "labels": [str(y.period.year) for y in self.years],
            "datasets": [
                {"label": label, "data": [y.counts[label] for y in self.years]} for label in self.labels
            ],
        }


@dataclass(frozen=True)
class YearOverYear:
    period: Period
    other: Period | None
    # Where the other year's standing comes from: RESULTS, HISTORY, or None (nothing known).
    source: str | None
    groups: list[GroupComparison]
    distribution: Distribution


def default_other(*, period: Period) -> Period | None:
    """The period a comparison starts from: the period's previous one, else the latest earlier
    period of the same subject. One query at most."""
    if period.previous_id:
        return Period.objects.filter(pk=period.previous_id).first()
    return Period.objects.filter(subject=period.subject, year__lt=period.year).order_by("-year").first()


def comparable_periods(*, period: Period) -> list[Period]:
    """The earlier periods of the subject that have results or past results, newest first. One query."""
    return list(
        Period.objects.filter(subject=period.subject, year__lt=period.year)
        .filter(
            Exists(Result.objects.filter(period=OuterRef("pk")))
            | Exists(HistoricalResult.objects.filter(period=OuterRef("pk")))
        )
        .order_by("-year")
    )


def year_over_year(
    *, period: Period, other: Period | None, visible: Callable[[Period], bool] | None = None
) -> YearOverYear:
    """The movement of every group of `period` since `other`, and the tiers per year.

    `visible` says which years the distribution may show (the reader's permission); the
    period itself and `other` are the caller's to check. Five queries.
    """
    tiers_by_period = _subject_tiers(period)
    current = list(
        Result.objects.filter(period=period)
        .select_related("agency", "group", "tier")
        .order_by("group__order", "group__code", F("rank").asc(nulls_last=True), "agency__code")
    )
    previous, source = _previous_standing(other=other, tiers_by_period=tiers_by_period)

    groups: list[GroupComparison] = []
    for result in current:
        if not groups or groups[-1].group.pk != result.group_id:
            groups.append(GroupComparison(group=result.group))
        before = previous.get(result.agency_id)
        earlier = {}
        if before is not None:
            rank, index, label, order, group = before
            earlier = {
                "previous_rank": rank,
                "previous_index": index,
                "previous_tier_label": label,
                "previous_tier_order": order,
                "moved_from": group if group is not None and group.pk != result.group_id else None,
            }
        movement = Movement(
            agency=result.agency,
            rank=result.rank,
            index=result.index,
            tier_label=result.tier.label,
            tier_order=result.tier.order,
            **earlier,
        )
        groups[-1].movements.append(movement)

    return YearOverYear(
        period=period,
        other=other,
        source=source,
        groups=groups,
        distribution=tier_distribution(period=period, visible=visible, tiers_by_period=tiers_by_period),
    )


def _subject_tiers(period: Period) -> dict[int, list[tuple[str, int]]]:
    """Period id → its scheme's (label, order), for every period of the subject. One query."""
    tiers_by_period: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for period_id, label, order in (
        Tier.objects.filter(period__subject=period.subject)
        .order_by("period_id", "order")
        .values_list("period_id", "label", "order")
    ):
        tiers_by_period[period_id].append((label, order))
    return tiers_by_period


def _previous_standing(
    *, other: Period | None, tiers_by_period: dict[int, list[tuple[str, int]]]
) -> tuple[dict[int, tuple], str | None]:
    """Agency id → (rank, index, tier label, tier order, group or None) in `other`."""
    if other is None:
        return {}, None
    computed = {
        r.agency_id: (r.rank, r.index, r.tier.label, r.tier.order, r.group)
        for r in Result.objects.filter(period=other).select_related("tier", "group")
    }
    if computed:
        return computed, RESULTS
    orders = {_label_key(label): order for label, order in tiers_by_period.get(other.pk, [])}
    past = {
        h.agency_id: (h.rank, h.index, h.tier_label, orders.get(_label_key(h.tier_label)), None)
        for h in HistoricalResult.objects.filter(period=other)
    }
    return past, (HISTORY if past else None)


def tier_distribution(
    *,
    period: Period,
    visible: Callable[[Period], bool] | None = None,
    tiers_by_period: dict[int, list[tuple[str, int]]] | None = None,
) -> Distribution:
    """Agencies per tier for every period of the subject up to `period` with (past) results,
    oldest first; a later year is no part of this year's story.

    The labels follow the period's own scheme; labels of other years that it lacks follow in
    the order they first appear (oldest year first). `visible` says which other years the
    reader may see (all by default). Three queries, four without `tiers_by_period`.
    """
    if tiers_by_period is None:
        tiers_by_period = _subject_tiers(period)
    periods = [
        p
        for p in Period.objects.filter(subject=period.subject, year__lte=period.year).order_by("year")
        if p == period or visible is None or visible(p)
    ]
    wanted = [p.pk for p in periods]
    computed = tally(Result.objects.filter(period_id__in=wanted), "period_id", "tier__label")
    past = tally(HistoricalResult.objects.filter(period_id__in=wanted), "period_id", "tier_label")

    labels = [label for label, _order in tiers_by_period.get(period.pk, [])]
    known = {_label_key(label): label for label in labels}
    years: list[tuple[Period, dict[str, int]]] = []
    for p in periods:
        raw = computed.get(p.pk) or past.get(p.pk)
        if not raw:
            continue
        scheme = {_label_key(label): order for label, order in tiers_by_period.get(p.pk, [])}
        counts: dict[str, int] = defaultdict(int)
        # A year's own labels in its scheme's order, so new labels join the chart in tier order.
        for label, count in sorted(
            raw.items(), key=lambda item: (scheme.get(_label_key(item[0]), 999), item[0])
        ):
            shown = label.strip() or _("No tier")
            key = _label_key(shown)
            if key not in known:
                known[key] = shown
                labels.append(shown)
            counts[known[key]] += count
        years.append((p, counts))
    return Distribution(
        labels=labels,
        years=[
            YearCounts(period=p, counts={label: counts.get(label, 0) for label in labels})
            for p, counts in years
        ],
    )
