"""Where points were lost, how reviewers scored and how well agencies scored themselves.

Reads of a period for the conference pack's analysis pages and workbook sheets. Every
function runs a fixed number of queries however many agencies and leaves the period has;
several of them can share one load: pass `snapshot=period_snapshot(period=...)`.

Conventions shared by all of them:
- an agency's group is the one its result was computed in (`Result.group`), or its group
  in the period (`Assessment.group`) while the period has no results; a leaf applies to an
  agency when it applies to that group;
- a leaf that does not arise is left out for that agency, as in its totals: in the final
  figures that is the reviewer's word once given (`Values.final_not_arising`), in the
  self-assessed ones the agency's;
- a base leaf (number, choice, yes/no, survey) that arose but has no final score counts as
  0 points, exactly as the totals count it.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from fractions import Fraction

from accounts.models import Agency, AgencyGroup, User
from ranking import scoring
from ranking.enums import Decision, Method
from ranking.models import Assessment, Criterion, Period, Result, Score
from ranking.periods.criteria import applies

ZERO = Decimal(0)
HUNDRED = Decimal(100)
# Heat-map colours: ten buckets of 10 % of the maximum each (9 also takes 100 % and above).
BUCKETS = 10


# --- one load of a period ------------------------------------------------------------------


@dataclass(frozen=True)
class Values:
    """What the analysis needs of one score row (no free text)."""

    self_score: Decimal | None
    reviewed_score: Decimal | None
    final_score: Decimal | None
    not_arising: bool
    decision: str
    reviewer_not_arising: bool | None = None

    @property
    def final_not_arising(self) -> bool:
        return scoring.final_not_arising(self.not_arising, self.reviewer_not_arising)


@dataclass
class AgencyEntry:
    """One assessment of the period, with the group it is analysed in and its result."""

    assessment: Assessment
    group: AgencyGroup
    result: Result | None
    scores: dict[int, Values] = field(default_factory=dict)

    @property
    def agency(self) -> Agency:
        return self.assessment.agency

    @property
    def rank(self) -> int | None:
        return self.result.rank if self.result else None


@dataclass
class PeriodSnapshot:
    """The period's criteria, assessments, results and scores, loaded once (five queries)."""

    period: Period
    criteria: list[Criterion]
    leaves: list[Criterion]
    fields: list[Criterion]
    entries: list[AgencyEntry]
    leaf_groups: dict[int, frozenset[int]]

    @property
    def groups(self) -> list[AgencyGroup]:
        """The groups that have agencies in the period, in group order."""
        seen: dict[int, AgencyGroup] = {}
        for entry in self.entries:
            seen.setdefault(entry.group.pk, entry.group)
        return list(seen.values())

    def applies(self, leaf: Criterion, group_id: int) -> bool:
        return applies(self.leaf_groups[leaf.pk], group_id)

    def entries_of(self, group: AgencyGroup | None) -> list[AgencyEntry]:
        return [e for e in self.entries if group is None or e.group.pk == group.pk]


def scoring_leaf(criterion: Criterion) -> scoring.Leaf:
    return scoring.Leaf(
        code=criterion.code,
        method=criterion.method,
        max_points=criterion.max_points or ZERO,
        field=criterion.field_code,
    )


def _entry_order(entry: AgencyEntry) -> tuple:
    rank = entry.rank if entry.rank is not None else float("inf")
    return (entry.group.order, entry.group.code, rank, entry.agency.code)


def _entries(period: Period) -> list[AgencyEntry]:
    """Assessments with agency, group, reviewer and result, in group and rank order. Two queries."""
    results = {r.agency_id: r for r in Result.objects.filter(period=period).select_related("group", "tier")}
    entries = []
    for assessment in Assessment.objects.filter(period=period).select_related("agency", "group", "reviewer"):
        result = results.get(assessment.agency_id)
        group = result.group if result else assessment.group
        entries.append(AgencyEntry(assessment=assessment, group=group, result=result))
    entries.sort(key=_entry_order)
    return entries


def _criteria(period: Period) -> tuple[list[Criterion], list[Criterion], dict[int, frozenset[int]]]:
    """The tree in order, its leaves, and the groups each leaf is limited to. Two queries."""
    criteria = list(Criterion.objects.filter(period=period).prefetch_related("groups").order_by("sort_key"))
    parent_ids = {c.parent_id for c in criteria if c.parent_id}
    leaves = [c for c in criteria if c.pk not in parent_ids]
    leaf_groups = {c.pk: frozenset(g.pk for g in c.groups.all()) for c in leaves}
    return criteria, leaves, leaf_groups


def period_snapshot(*, period: Period) -> PeriodSnapshot:
    """Everything the analysis of a period reads, in five queries."""
    criteria, leaves, leaf_groups = _criteria(period)
    entries = _entries(period)
    by_assessment = {e.assessment.pk: e for e in entries}
    for (
        assessment_id,
        criterion_id,
        self_score,
        reviewed,
        final,
        not_arising,
        decision,
        overruled,
    ) in Score.objects.filter(assessment__period=period).values_list(
        "assessment_id",
        "criterion_id",
        "self_score",
        "reviewed_score",
        "final_score",
        "not_arising",
        "decision",
        "reviewer_not_arising",
    ):
        by_assessment[assessment_id].scores[criterion_id] = Values(
            self_score, reviewed, final, not_arising, decision, overruled
        )
    return PeriodSnapshot(
        period=period,
        criteria=criteria,
        leaves=leaves,
        fields=[c for c in criteria if c.parent_id is None],
        entries=entries,
        leaf_groups=leaf_groups,
    )


def _snapshot(period: Period, snapshot: PeriodSnapshot | None) -> PeriodSnapshot:
    if snapshot is not None and snapshot.period.pk != period.pk:
        raise ValueError("the snapshot belongs to another period")
    return snapshot or period_snapshot(period=period)


def points_lost(criterion: Criterion, final: Decimal | None) -> Decimal:
    """Points an arisen leaf cost the agency: max − final on a base leaf, −final on a deduction."""
    leaf = scoring_leaf(criterion)
    if leaf.method == scoring.DEDUCTION:
        return ZERO if final is None else ZERO - scoring.contribution(leaf, final)
    return leaf.max_points - (final if final is not None else ZERO)


def _divide(numerator: Decimal, denominator: Decimal | int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 28
        return numerator / Decimal(denominator)


# --- 1. where points were lost ---------------------------------------------------------------


@dataclass(frozen=True)
class CriterionLoss:
    """Points lost on one leaf over the agencies to whom it applies and for whom it arose."""

    criterion: Criterion
    field: Criterion
    agencies: int
    losing: int
    lost_total: Decimal
    lost_average: Decimal
    max_points: Decimal

    @property
    def is_deduction(self) -> bool:
        return self.criterion.method == Method.DEDUCTION


def criterion_losses(
    *, period: Period, group: AgencyGroup | None = None, snapshot: PeriodSnapshot | None = None
) -> list[CriterionLoss]:
    """One row per leaf in tree order (bonus leaves excluded) over the period's agencies,
    or one group's.

    A leaf that applies to none of these agencies, or arose for none, has no row.
    Five queries (none with a snapshot).
    """
    data = _snapshot(period, snapshot)
    fields = {f.code: f for f in data.fields}
    entries = data.entries_of(group)
    rows = []
    for leaf in data.leaves:
        if leaf.method == Method.BONUS:
            continue
        losses = []
        for entry in entries:
            if not data.applies(leaf, entry.group.pk):
                continue
            values = entry.scores.get(leaf.pk)
            if values is not None and values.final_not_arising:
                continue
            losses.append(points_lost(leaf, values.final_score if values else None))
        if not losses:
            continue
        total = sum(losses, ZERO)
        rows.append(
            CriterionLoss(
                criterion=leaf,
                field=fields[leaf.field_code],
                agencies=len(losses),
                losing=sum(1 for lost in losses if lost > 0),
                lost_total=total,
                lost_average=_divide(total, len(losses)),
                max_points=leaf.max_points or ZERO,
            )
        )
    return rows


@dataclass(frozen=True)
class HeatCell:
    """One agency's final subtotal of one field against the field's maximum for it."""

    field: Criterion
    subtotal: Decimal
    maximum: Decimal
    percent: Decimal | None
    bucket: int | None


@dataclass(frozen=True)
class HeatRow:
    agency: Agency
    rank: int | None
    cells: list[HeatCell]


@dataclass(frozen=True)
class HeatMap:
    group: AgencyGroup
    fields: list[Criterion]
    rows: list[HeatRow]


def heat_bucket(subtotal: Decimal, maximum: Decimal) -> int | None:
    """0 for under 10 % of the maximum … 9 for 90 % and more, exact; None without a maximum."""
    if not maximum:
        return None
    tenths = Fraction(subtotal) * BUCKETS / Fraction(maximum)
    return min(BUCKETS - 1, max(0, int(tenths // 1)))


def heat_map(*, period: Period, group: AgencyGroup, snapshot: PeriodSnapshot | None = None) -> HeatMap:
    """The group's agencies (by rank) × the fields with a base leaf that applies to the group.

    A field's subtotal is the sum of the final contributions of the agency's applicable,
    arisen leaves (bonus and deductions included); its maximum the sum of the maxima of the
    applicable, arisen base leaves. Five queries (none with a snapshot).
    """
    data = _snapshot(period, snapshot)
    leaves = [leaf for leaf in data.leaves if data.applies(leaf, group.pk)]
    # A field of bonus and deduction leaves only has no maximum to measure against.
    field_codes = {leaf.field_code for leaf in leaves if leaf.method not in scoring.OUTSIDE_BASE}
    fields = [f for f in data.fields if f.code in field_codes]
    rows = []
    for entry in data.entries_of(group):
        subtotals: dict[str, Decimal] = defaultdict(lambda: ZERO)
        maxima: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for leaf in leaves:
            values = entry.scores.get(leaf.pk)
            if values is not None and values.final_not_arising:
                continue
            s_leaf = scoring_leaf(leaf)
            if leaf.method not in scoring.OUTSIDE_BASE:
                maxima[leaf.field_code] += s_leaf.max_points
            if values is not None and values.final_score is not None:
                subtotals[leaf.field_code] += scoring.contribution(s_leaf, values.final_score)
        cells = []
        for f in fields:
            subtotal, maximum = subtotals[f.code], maxima[f.code]
            cells.append(
                HeatCell(
                    field=f,
                    subtotal=subtotal,
                    maximum=maximum,
                    percent=_divide(subtotal * HUNDRED, maximum) if maximum else None,
                    bucket=heat_bucket(subtotal, maximum),
                )
            )
        rows.append(HeatRow(agency=entry.agency, rank=entry.rank, cells=cells))
    return HeatMap(group=group, fields=fields, rows=rows)


@dataclass(frozen=True)
class LossDetailRow:
    """One agency's score on one leaf, from self-assessment to the explanation's decision."""

    agency: Agency
    group: AgencyGroup
    rank: int | None
    reviewer: User | None
    not_arising: bool
    self_score: Decimal | None
    reviewed_score: Decimal | None
    final_score: Decimal | None
    max_points: Decimal
    lost: Decimal | None
    review_comment: str
    explanation: str
    proposed_score: Decimal | None
    decision: str
    decision_reason: str

    @property
    def decision_label(self) -> str:
        return Decision(self.decision).label if self.decision else ""


def is_analysed_leaf(criterion: Criterion) -> bool:
    """A leaf whose points can be lost: not a parent, not a bonus. One query."""
    return criterion.method != Method.BONUS and not criterion.children.exists()


def loss_detail(
    *, period: Period, criterion: Criterion, group: AgencyGroup | None = None
) -> list[LossDetailRow]:
    """Every agency (of one group, if given) to whom the leaf applies, with its scores and
    the texts behind them; not-arisen ones flagged, without a loss.

    Ordered by group, then most points lost, then agency code. Four queries.
    """
    if criterion.period_id != period.pk:
        raise ValueError("the criterion belongs to another period")
    limited = {g.pk for g in criterion.groups.all()}
    scores = {
        s.assessment_id: s for s in Score.objects.filter(assessment__period=period, criterion=criterion)
    }
    maximum = criterion.max_points or ZERO
    rows = []
    for entry in _entries(period):
        if group is not None and entry.group.pk != group.pk:
            continue
        if not applies(limited, entry.group.pk):
            continue
        score = scores.get(entry.assessment.pk)
        not_arising = bool(score and score.final_not_arising)
        final = score.final_score if score else None
        rows.append(
            LossDetailRow(
                agency=entry.agency,
                group=entry.group,
                rank=entry.rank,
                reviewer=entry.assessment.reviewer,
                not_arising=not_arising,
                self_score=score.self_score if score else None,
                reviewed_score=score.reviewed_score if score else None,
                final_score=final,
                max_points=maximum,
                lost=None if not_arising else points_lost(criterion, final),
                review_comment=score.review_comment if score else "",
                explanation=score.explanation if score else "",
                proposed_score=score.proposed_score if score else None,
                decision=score.decision if score else "",
                decision_reason=score.decision_reason if score else "",
            )
        )

    def order(row: LossDetailRow) -> tuple:
        lost = -row.lost if row.lost is not None else Decimal("Infinity")
        return (row.group.order, row.group.code, lost, row.agency.code)

    return sorted(rows, key=order)


@dataclass(frozen=True)
class LossSummary:
    agencies: int
    losing: int
    lost_total: Decimal
    lost_average: Decimal | None


def loss_summary(rows: Iterable[LossDetailRow]) -> LossSummary:
    """The figures of `criterion_losses` for the rows of a drill-down."""
    losses = [row.lost for row in rows if row.lost is not None]
    total = sum(losses, ZERO)
    return LossSummary(
        agencies=len(losses),
        losing=sum(1 for lost in losses if lost > 0),
        lost_total=total,
        lost_average=_divide(total, len(losses)) if losses else None,
    )


# --- 4. reviewer consistency ----------------------------------------------------------------


@dataclass(frozen=True)
class ReviewerRow:
    """How one reviewer scored against the self-scores of the assessments assigned to them.

    Leaves reviewed: arisen, non-survey leaves with a reviewed score. An adjustment is such a
    leaf whose reviewed score differs from a self-score; its change is reviewed − self
    (negative: the reviewer gave less). Explanations count the decided ones on the
    reviewer's assessments.
    """

    reviewer: User
    assessments: int
    leaves_reviewed: int
    adjustments: int
    lowered: int
    raised: int
    total_change: Decimal
    average_change: Decimal | None
    accepted: int
    partial: int
    rejected: int

    @property
    def decided(self) -> int:
        return self.accepted + self.partial + self.rejected

    @property
    def accepted_share(self) -> Decimal | None:
        """(accepted + accepted in part) ÷ decided explanations, a fraction of 1."""
        if not self.decided:
            return None
        return _divide(Decimal(self.accepted + self.partial), self.decided)

    @property
    def accepted_percent(self) -> Decimal | None:
        share = self.accepted_share
        return None if share is None else share * HUNDRED


@dataclass
class _Tally:
    assessments: int = 0
    reviewed: int = 0
    changes: list[Decimal] = field(default_factory=list)
    decisions: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Decision.values, 0))


def reviewer_consistency(*, period: Period, snapshot: PeriodSnapshot | None = None) -> list[ReviewerRow]:
    """One row per reviewer assigned to assessments of the period, by name.

    Five queries (none with a snapshot).
    """
    data = _snapshot(period, snapshot)
    leaves = {leaf.pk: leaf for leaf in data.leaves}
    tallies: dict[int, _Tally] = {}
    reviewers: dict[int, User] = {}
    for entry in data.entries:
        reviewer = entry.assessment.reviewer
        if reviewer is None:
            continue
        reviewers[reviewer.pk] = reviewer
        tally = tallies.setdefault(reviewer.pk, _Tally())
        tally.assessments += 1
        for criterion_id, values in entry.scores.items():
            leaf = leaves.get(criterion_id)
            if leaf is None or not data.applies(leaf, entry.group.pk):
                continue
            if values.decision in tally.decisions:
                tally.decisions[values.decision] += 1
            if values.final_not_arising or leaf.method == Method.SURVEY or values.reviewed_score is None:
                continue
            tally.reviewed += 1
            if values.self_score is not None and values.reviewed_score != values.self_score:
                tally.changes.append(values.reviewed_score - values.self_score)
    rows = []
    for pk, tally in tallies.items():
        total = sum(tally.changes, ZERO)
        rows.append(
            ReviewerRow(
                reviewer=reviewers[pk],
                assessments=tally.assessments,
                leaves_reviewed=tally.reviewed,
                adjustments=len(tally.changes),
                lowered=sum(1 for c in tally.changes if c < 0),
                raised=sum(1 for c in tally.changes if c > 0),
                total_change=total,
                average_change=_divide(total, len(tally.changes)) if tally.changes else None,
                accepted=tally.decisions[Decision.ACCEPTED],
                partial=tally.decisions[Decision.PARTIAL],
                rejected=tally.decisions[Decision.REJECTED],
            )
        )
    rows.sort(
        key=lambda r: (r.reviewer.get_full_name() or r.reviewer.get_username(), r.reviewer.get_username())
    )
    return rows


# --- 5. self-assessment accuracy -------------------------------------------------------------


@dataclass(frozen=True)
class AccuracyRow:
    """An agency's self-assessed total against its final total (each over the leaves that
    arose in its own word: the agency's, the final one).

    `over_rank` ranks the gap in index points within the group, largest first (1: the
    agency that over-scored itself most); equal gaps share a rank.
    """

    agency: Agency
    group: AgencyGroup
    rank: int | None
    maximum: Decimal
    self_total: Decimal
    final_total: Decimal
    gap: Decimal
    self_index: Decimal
    final_index: Decimal
    gap_index: Decimal
    over_rank: int


def _totals(data: PeriodSnapshot, entry: AgencyEntry) -> tuple[scoring.Totals, scoring.Totals]:
    self_scores, final_scores = [], []
    for leaf in data.leaves:
        if not data.applies(leaf, entry.group.pk):
            continue
        values = entry.scores.get(leaf.pk)
        s_leaf = scoring_leaf(leaf)
        # Agencies do not score survey leaves: the imported value stands on both sides.
        self_value = values and (values.final_score if leaf.method == Method.SURVEY else values.self_score)
        self_scores.append(scoring.LeafScore(s_leaf, self_value, bool(values and values.not_arising)))
        final_scores.append(
            scoring.LeafScore(
                s_leaf, values.final_score if values else None, bool(values and values.final_not_arising)
            )
        )
    return scoring.agency_totals(self_scores), scoring.agency_totals(final_scores)


def self_accuracy(*, period: Period, snapshot: PeriodSnapshot | None = None) -> list[AccuracyRow]:
    """Per agency, by group then over-scoring rank: self total, final total and the gaps.

    Totals are `scoring.agency_totals` over the self-scores and over the final scores; survey
    leaves, which agencies do not score, count with their imported (final) value in both, so
    the gap is only what the agency scored itself. Five queries (none with a snapshot).
    """
    data = _snapshot(period, snapshot)
    computed = []
    for entry in data.entries:
        self_totals, final_totals = _totals(data, entry)
        computed.append((entry, self_totals, final_totals))
    keys: dict[int, dict[int, tuple]] = defaultdict(dict)
    for entry, self_totals, final_totals in computed:
        keys[entry.group.pk][entry.assessment.pk] = (self_totals.ratio - final_totals.ratio,)
    over_ranks: dict[int, int] = {}
    for group_keys in keys.values():
        over_ranks.update(scoring.competition_ranks(group_keys))
    rows = [
        AccuracyRow(
            agency=entry.agency,
            group=entry.group,
            rank=entry.rank,
            maximum=final_totals.maximum,
            self_total=self_totals.total,
            final_total=final_totals.total,
            gap=self_totals.total - final_totals.total,
            self_index=self_totals.index,
            final_index=final_totals.index,
            gap_index=self_totals.index - final_totals.index,
            over_rank=over_ranks[entry.assessment.pk],
        )
        for entry, self_totals, final_totals in computed
    ]
    rows.sort(key=lambda r: (r.group.order, r.group.code, r.over_rank, r.agency.code))
    return rows


# The histogram's bins of the gap in points: under 0, exactly 0, then (0; 2], (2; 5], (5; 10]
# and over 10 — each bin after 0 includes its upper bound.
GAP_BIN_BOUNDS = (Decimal(2), Decimal(5), Decimal(10))
GAP_BIN_LABELS = ("< 0", "0", "0 – 2", "2 – 5", "5 – 10", "> 10")


def gap_bin(gap: Decimal) -> int:
    """The histogram bin of a gap in points (an index into GAP_BIN_LABELS)."""
    if gap < 0:
        return 0
    if gap == 0:
        return 1
    for position, bound in enumerate(GAP_BIN_BOUNDS, start=2):
        if gap <= bound:
            return position
    return len(GAP_BIN_LABELS) - 1


@dataclass(frozen=True)
class AccuracyGroup:
    """The distribution of the gap (self total − final total, points) over a group."""

    group: AgencyGroup
    agencies: int
    minimum: Decimal
    median: Decimal
    maximum: Decimal
    mean: Decimal
    histogram: list[int]

    @property
    def bins(self) -> list[tuple[str, int]]:
        return list(zip(GAP_BIN_LABELS, self.histogram, strict=True))


def accuracy_distribution(
    *, period: Period, rows: list[AccuracyRow] | None = None, snapshot: PeriodSnapshot | None = None
) -> list[AccuracyGroup]:
    """Per group, in group order: min, median, max and mean of the gap and its histogram.

    Pass the `rows` of `self_accuracy` to spare the queries (five otherwise, none with a snapshot).
    """
    if rows is None:
        rows = self_accuracy(period=period, snapshot=snapshot)
    by_group: dict[int, list[AccuracyRow]] = defaultdict(list)
    for row in rows:
        by_group[row.group.pk].append(row)
    groups = []
    for group_rows in by_group.values():
        gaps = sorted(row.gap for row in group_rows)
        histogram = [0] * len(GAP_BIN_LABELS)
        for gap in gaps:
            histogram[gap_bin(gap)] += 1
        groups.append(
            AccuracyGroup(
                group=group_rows[0].group,
                agencies=len(gaps),
                minimum=gaps[0],
                median=statistics.median(gaps),
                maximum=gaps[-1],
                mean=_divide(sum(gaps, ZERO), len(gaps)),
                histogram=histogram,
            )
        )
    groups.sort(key=lambda g: (g.group.order, g.group.code))
    return groups
