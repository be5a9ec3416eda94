"""Reads of the evaluation for pages and exports.

Every selector runs a fixed number of queries, however many agencies a period has.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count

from accounts.models import AgencyGroup

from . import scoring
from .models import Assessment, AwardEntry, Criterion, Evidence, Period, Result, Score

# The group a result was computed in is a snapshot (`Result.group`): an agency that has
# moved since is still listed where it was ranked.
GROUP_ORDER = ("group__order", "group__code")


def period_results(*, period: Period) -> list[Result]:
    """The period's results with agency, group and tier, by group order, rank and agency code.

    One query.
    """
    return list(
        Result.objects.filter(period=period)
        .select_related("agency", "group", "tier")
        .order_by(*GROUP_ORDER, "rank", "agency__code")
    )


def period_fields(*, period: Period) -> list[Criterion]:
    """The fields of the period (its top-level criteria: `1`, `2`, …) in code order.

    One query.
    """
    return list(Criterion.objects.filter(period=period, parent=None).order_by("sort_key"))


def tier_counts(*, period: Period) -> list[tuple[AgencyGroup, dict[str, int]]]:
    """For every group with results in the period, in group order, the number of agencies per tier.

    Each dict holds every tier of the period's scheme, highest first, zeros included, so
    the counts of all groups line up in the same columns. Three queries.
    """
    labels = list(period.tiers.order_by("order").values_list("label", flat=True))
    counted: dict[int, dict[str, int]] = defaultdict(dict)
    for group_id, label, count in (
        Result.objects.filter(period=period)
        .values_list("group_id", "tier__label")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        counted[group_id][label] = count
    groups = AgencyGroup.objects.filter(pk__in=counted.keys()).order_by("order", "code")
    return [(group, {label: counted[group.pk].get(label, 0) for label in labels}) for group in groups]


def award_list(*, period: Period) -> list[AwardEntry]:
    """The certificate-of-merit list of the period: the entries the council kept on it.

    Each entry carries `result` (the agency's `Result` in the period, with group and tier;
    None if the agency has none) and `group` (the group it was ranked in, or its current
    group without a result). Ordered by group order, then rank, then agency code. Two queries.
    """
    entries = list(AwardEntry.objects.filter(period=period, included=True).select_related("agency__group"))
    results = {
        result.agency_id: result
        for result in Result.objects.filter(
            period=period, agency_id__in=[e.agency_id for e in entries]
        ).select_related("group", "tier")
    }
    for entry in entries:
        entry.result = results.get(entry.agency_id)
        entry.group = entry.result.group if entry.result else entry.agency.group

    def position(entry: AwardEntry) -> tuple:
        # An entry without a result has no rank: it goes last in its group.
        rank = entry.result.rank if entry.result else float("inf")
        return (entry.group.order, entry.group.code, rank, entry.agency.code)

    return sorted(entries, key=position)


# --- one assessment as a sheet ----------------------------------------------------------


@dataclass
class SheetRow:
    """One node of the criteria tree as an agency sees it, with its score and subtotals."""

    criterion: Criterion
    is_leaf: bool
    max_points: Decimal
    score: Score | None = None
    evidence: list[Evidence] = field(default_factory=list)
    explanation_evidence: list[Evidence] = field(default_factory=list)
    self_subtotal: Decimal = Decimal(0)
    reviewed_subtotal: Decimal = Decimal(0)
    final_subtotal: Decimal = Decimal(0)

    @property
    def depth(self) -> int:
        return self.criterion.depth

    @property
    def is_field(self) -> bool:
        return self.criterion.parent_id is None

    @property
    def required(self) -> bool:
        """A leaf the agency must score before submitting."""
        return self.is_leaf and self.criterion.method not in scoring.OUTSIDE_BASE + (scoring.SURVEY,)

    @property
    def scored(self) -> bool:
        return self.score is not None and (self.score.self_score is not None or self.score.not_arising)

    @property
    def missing_evidence(self) -> bool:
        s = self.score
        return (
            self.is_leaf
            and self.criterion.evidence_required
            and s is not None
            and s.self_score is not None
            and not s.not_arising
            and not self.evidence
            and not s.no_evidence_reason.strip()
        )

    @property
    def differs(self) -> bool:
        s = self.score
        return bool(s and s.reviewed_score is not None and s.reviewed_score != s.self_score)


@dataclass
class AssessmentSheet:
    assessment: Assessment
    rows: list[SheetRow]
    self_totals: scoring.Totals
    reviewed_totals: scoring.Totals
    final_totals: scoring.Totals

    @property
    def leaves(self) -> list[SheetRow]:
        return [row for row in self.rows if row.is_leaf]

    @property
    def required_count(self) -> int:
        return sum(1 for row in self.leaves if row.required)

    @property
    def scored_count(self) -> int:
        return sum(1 for row in self.leaves if row.required and row.scored)

    @property
    def unscored(self) -> list[SheetRow]:
        return [row for row in self.leaves if row.required and not row.scored]

    @property
    def missing_evidence(self) -> list[SheetRow]:
        return [row for row in self.leaves if row.missing_evidence]

    @property
    def unreviewed(self) -> list[SheetRow]:
        """Leaves still without a reviewed score (survey leaves are imported, not reviewed)."""
        return [
            row
            for row in self.leaves
            if row.criterion.method != scoring.SURVEY
            and not (row.score and (row.score.reviewed_score is not None or row.score.not_arising))
            and row.criterion.method not in scoring.OUTSIDE_BASE
        ]

    @property
    def uncommented(self) -> list[SheetRow]:
        return [row for row in self.leaves if row.differs and not row.score.review_comment.strip()]

    def row(self, criterion_id: int) -> SheetRow | None:
        return next((r for r in self.rows if r.criterion.id == criterion_id), None)


def applicable_criteria(*, period: Period, group_id: int) -> tuple[list[Criterion], set[int]]:
    """The period's criteria that apply to a group, in tree order, and the ids of the leaves.

    A parent is kept when at least one of its leaves applies. Two queries.
    """
    criteria = list(Criterion.objects.filter(period=period).prefetch_related("groups").order_by("sort_key"))
    parent_ids = {c.parent_id for c in criteria if c.parent_id}
    leaves = {
        c.id
        for c in criteria
        if c.id not in parent_ids and (not c.groups.all() or any(g.id == group_id for g in c.groups.all()))
    }
    by_id = {c.id: c for c in criteria}
    kept = set(leaves)
    for leaf_id in leaves:
        parent_id = by_id[leaf_id].parent_id
        while parent_id and parent_id not in kept:
            kept.add(parent_id)
            parent_id = by_id[parent_id].parent_id
    return [c for c in criteria if c.id in kept], leaves


def assessment_sheet(*, assessment: Assessment) -> AssessmentSheet:
    """The whole assessment as a tree with scores, evidence, subtotals and totals.

    Four queries, however many leaves the criteria set has.
    """
    criteria, leaf_ids = applicable_criteria(period=assessment.period, group_id=assessment.agency.group_id)
    scores = {s.criterion_id: s for s in Score.objects.filter(assessment=assessment)}
    evidence: dict[int, list[Evidence]] = defaultdict(list)
    for item in Evidence.objects.filter(score__assessment=assessment).order_by("uploaded_at", "pk"):
        evidence[item.score_id].append(item)
    rows = []
    by_id: dict[int, SheetRow] = {}
    for criterion in criteria:
        is_leaf = criterion.id in leaf_ids
        score = scores.get(criterion.id)
        files = evidence.get(score.id, []) if score else []
        row = SheetRow(
            criterion=criterion,
            is_leaf=is_leaf,
            max_points=Decimal(0),
            score=score,
            evidence=[f for f in files if f.purpose == Evidence.Purpose.SELF_ASSESSMENT],
            explanation_evidence=[f for f in files if f.purpose == Evidence.Purpose.EXPLANATION],
        )
        rows.append(row)
        by_id[criterion.id] = row
    self_scores, reviewed_scores, final_scores = [], [], []
    for row in rows:
        if not row.is_leaf:
            continue
        c = row.criterion
        leaf = scoring.Leaf(
            code=c.code, method=c.method, max_points=c.max_points or Decimal(0), field=c.field_code
        )
        s = row.score
        not_arising = bool(s and s.not_arising)
        row.max_points = leaf.max_points
        values = (
            (s.self_score if s else None),
            (s.reviewed_score if s else None),
            (s.final_score if s else None),
        )
        self_scores.append(scoring.LeafScore(leaf, values[0], not_arising))
        reviewed_scores.append(scoring.LeafScore(leaf, values[1], not_arising))
        final_scores.append(scoring.LeafScore(leaf, values[2], not_arising))
        points = [
            scoring.contribution(leaf, v) if v is not None and not not_arising else Decimal(0) for v in values
        ]
        parent_id = c.parent_id
        while parent_id:
            parent = by_id[parent_id]
            if c.method not in scoring.OUTSIDE_BASE:
                parent.max_points += leaf.max_points
            parent.self_subtotal += points[0]
            parent.reviewed_subtotal += points[1]
            parent.final_subtotal += points[2]
            parent_id = parent.criterion.parent_id
    return AssessmentSheet(
        assessment=assessment,
        rows=rows,
        self_totals=scoring.agency_totals(self_scores),
        reviewed_totals=scoring.agency_totals(reviewed_scores),
        final_totals=scoring.agency_totals(final_scores),
    )
