"""One agency's report for a period: its full sheet, its fields against its group, its
history in the subject, and what it would take to reach the next tier or rank.

`agency_report` runs a fixed number of queries, however many leaves, agencies and years
there are. The arithmetic is `ranking.scoring`'s and `ranking.reports.whatif`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils.translation import gettext as _

from accounts.models import Agency
from ranking import scoring
from ranking.assessments.sheets import AssessmentSheet, SheetRow, assessment_sheet
from ranking.enums import LateRule
from ranking.models import Assessment, Demotion, HistoricalResult, Period, Result, Score, Tier
from ranking.reports import whatif
from ranking.results.publications import PublishedAgency, PublishedResult, PublishedResults, shown_results

CHANGE_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Comparison:
    """One line of the comparison with the group: a field, the total or the index."""

    code: str
    title: str
    maximum: Decimal | None
    self_score: Decimal | None
    reviewed: Decimal | None
    final: Decimal
    group_average: Decimal
    group_best: Decimal

    @property
    def difference(self) -> Decimal:
        """Above (positive) or below (negative) the group's average."""
        return self.final - self.group_average

    @property
    def is_best(self) -> bool:
        return self.final == self.group_best


@dataclass(frozen=True)
class ComponentLine:
    """A field's component index for the agency, against the previous period's.

    `maximum`, `points` and `index` are the stored ones (None where the result or the
    publication did not keep them, or the field had no maximum for the agency); `previous`:
    the index of the field with the same code in the previous period, None where there is none.
    """

    code: str
    title: str
    maximum: Decimal | None
    points: Decimal | None
    index: Decimal | None
    previous: Decimal | None

    @property
    def change(self) -> Decimal | None:
        """Percentage points gained (positive) or lost since the previous period, from the
        exact indices, rounded to the 2 decimals shown."""
        if self.index is None or self.previous is None:
            return None
        return (self.index - self.previous).quantize(CHANGE_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class HistoryPoint:
    """The agency's result in one period of the subject: computed here or imported."""

    year: int
    period: Period
    rank: int
    tier_label: str
    index: Decimal | None
    total: Decimal | None
    group_size: int | None
    imported: bool
    current: bool
    # Field code → component index (a decimal string or None); empty for an imported result.
    field_indices: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass
class AgencyReport:
    period: Period
    agency: Agency
    result: Result
    assessment: Assessment
    sheet: AssessmentSheet
    group_size: int
    fields: list[Comparison]
    # Per field, its component index and the change since the previous period.
    components: list[ComponentLine]
    total: Comparison
    index: Comparison
    demotion: Demotion | None
    history: list[HistoryPoint]
    tiers: list[Tier]
    next_tier: whatif.TierWhatIf | None
    next_rank: whatif.RankWhatIf | None
    # False when the final scores no longer give the stored result (changed since it was
    # computed): the what-if is worked out on the scores as they are now.
    current: bool
    # While the period is published, the agency's row of its last publication: the result the
    # report shows, with the names as announced (`shown_result`, `shown_agency`).
    published: PublishedResult | None = None

    @property
    def shown_result(self) -> Result | PublishedResult:
        return self.published or self.result

    @property
    def shown_agency(self) -> Agency | PublishedAgency:
        return self.published.agency if self.published else self.agency

    @property
    def rows(self) -> list[SheetRow]:
        return self.sheet.rows

    @property
    def top_tier(self) -> Tier:
        return self.tiers[0]

    @property
    def next_tier_label(self) -> str:
        return self.tiers[self.next_tier.position].label if self.next_tier else ""

    @property
    def next_tier_after_demotion_label(self) -> str:
        return self.tiers[self.next_tier.position_after_demotion].label if self.next_tier else ""

    @property
    def demotion_still_applies(self) -> bool:
        """With the points, the tier would still be lowered by the demotion."""
        return bool(self.next_tier and self.next_tier.position_after_demotion != self.next_tier.position)

    def chart_data(self) -> dict:
        """Rank and index per year, for the history chart (fed by json_script)."""
        return {
            "years": [str(point.year) for point in self.history],
            "rank": [point.rank for point in self.history],
            "index": [
                None if point.index is None else float(round(point.index, 2)) for point in self.history
            ],
            "labels": {"rank": _("Rank in the group"), "index": _("Index (%)")},
        }


def report_period_ids(*, agency: Agency, periods: Sequence[Period]) -> set[int]:
    """The ids of `periods` in which `agency` has a report (`agency_report` is not None: a
    result and an assessment). One query."""
    took_part = Assessment.objects.filter(period=OuterRef("period"), agency=agency)
    return set(
        Result.objects.filter(agency=agency, period__in=[p.pk for p in periods])
        .filter(Exists(took_part))
        .values_list("period_id", flat=True)
    )


def agency_report(*, period: Period, agency: Agency) -> AgencyReport | None:
    """The report of `agency` in `period`, or None when it has no result there.

    Twelve queries, and one more for a published period: its last publication, whose result
    and group size of the agency the report shows.
    """
    result = (
        Result.objects.filter(period=period, agency=agency)
        .select_related("group", "tier", "tier_before_demotion")
        .first()
    )
    if result is None:
        return None
    assessment = (
        Assessment.objects.filter(period=period, agency=agency)
        .select_related("period", "agency__group", "group", "reviewer")
        .first()
    )
    if assessment is None:
        return None
    sheet = assessment_sheet(assessment=assessment)
    group_results = list(
        Result.objects.filter(period=period, group_id=result.group_id).select_related("agency", "tier")
    )
    tiers = list(Tier.objects.filter(period=period).order_by("order"))
    demotion = Demotion.objects.filter(period=period, agency=agency).select_related("cap_tier").first()

    fields = [
        Comparison(
            code=row.criterion.code,
            title=row.criterion.title,
            maximum=field_maximum(row),
            self_score=own_points(row, "self_score"),
            reviewed=own_points(row, "reviewed_score"),
            final=field_score(result, row.criterion.code),
            group_average=average(field_score(r, row.criterion.code) for r in group_results),
            group_best=max(field_score(r, row.criterion.code) for r in group_results),
        )
        for row in sheet.rows
        if row.is_field
    ]
    total = Comparison(
        code="total",
        title=_("Total"),
        maximum=result.maximum,
        self_score=sheet.self_totals.total,
        reviewed=sheet.reviewed_totals.total,
        final=result.total,
        group_average=average(r.total for r in group_results),
        group_best=max(r.total for r in group_results),
    )
    index = Comparison(
        code="index",
        title=_("Index (%)"),
        maximum=None,
        self_score=sheet.self_totals.index,
        reviewed=sheet.reviewed_totals.index,
        final=result.index,
        group_average=average(r.index for r in group_results),
        group_best=max(r.index for r in group_results),
    )

    inputs, rules = whatif_inputs(
        period=period,
        sheet=sheet,
        group_results=group_results,
        tiers=tiers,
        agency=agency,
        demotion=demotion,
    )
    shown = shown_results(period=period)
    published = shown.of_agency(agency) if isinstance(shown, PublishedResults) else None
    history = agency_history(period=period, agency=agency)
    target = next(a for a in inputs if a.key == agency.id)
    recomputed = next(r for r in scoring.compute_period(inputs, rules) if r.key == agency.id)
    current = (
        recomputed.totals.total == result.total
        and recomputed.totals.maximum == result.maximum
        and recomputed.rank == result.rank
        and tiers[recomputed.tier_before_demotion].id == result.tier_before_demotion_id
    )
    return AgencyReport(
        period=period,
        agency=agency,
        result=result,
        assessment=assessment,
        sheet=sheet,
        group_size=shown.group_size(published) if published else len(group_results),
        fields=fields,
        components=component_lines(
            fields, published or result, previous=previous_indices(period=period, history=history)
        ),
        total=total,
        index=index,
        demotion=demotion,
        history=history,
        tiers=tiers,
        next_tier=whatif.points_to_next_tier(target, rules),
        next_rank=whatif.points_to_next_rank(inputs, agency.id, rules) if result.rank is not None else None,
        current=current,
        published=published,
    )


def stored_decimal(value) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def previous_indices(*, period: Period, history: list[HistoryPoint]) -> dict:
    """The agency's component indices in the previous period (empty without a computed result)."""
    for point in history:
        if point.period.pk == period.previous_id:
            return point.field_indices
    return {}


def component_lines(
    fields: list[Comparison], shown: Result | PublishedResult, *, previous: dict
) -> list[ComponentLine]:
    """The component index of every field of the report, as the shown result stores it."""
    return [
        ComponentLine(
            code=line.code,
            title=line.title,
            maximum=stored_decimal(shown.field_maxima.get(line.code)),
            points=stored_decimal(shown.field_scores.get(line.code)),
            index=stored_decimal(shown.field_indices.get(line.code)),
            previous=stored_decimal(previous.get(line.code)),
        )
        for line in fields
    ]


def field_maximum(row: SheetRow) -> Decimal:
    # A field that is itself a leaf: a bonus or deduction adds nothing to the maximum.
    if row.is_leaf and row.criterion.method in scoring.OUTSIDE_BASE:
        return Decimal(0)
    return row.max_points


def own_points(row: SheetRow, name: str) -> Decimal:
    """The self or reviewed points of a field: its subtotal, or its own score if it is a leaf."""
    if not row.is_leaf:
        return row.self_subtotal if name == "self_score" else row.reviewed_subtotal
    value = getattr(row.score, name, None)
    left_out = row.score.not_arising if name == "self_score" else row.score.final_not_arising
    if value is None or left_out:
        return Decimal(0)
    leaf = scoring.Leaf(row.criterion.code, row.criterion.method, row.max_points, row.criterion.code)
    return scoring.contribution(leaf, value)


def field_score(result: Result, code: str) -> Decimal:
    # A field none of whose leaves applies to the group scores 0 for every agency of it.
    return Decimal(result.field_scores.get(code) or 0)


def average(values) -> Decimal:
    values = list(values)
    return sum(values, Decimal(0)) / len(values)


def whatif_inputs(
    *,
    period: Period,
    sheet: AssessmentSheet,
    group_results: list[Result],
    tiers: list[Tier],
    agency: Agency,
    demotion: Demotion | None,
) -> tuple[list[scoring.AgencyInput], scoring.PeriodRules]:
    """The scoring inputs of the agency's group, as `results_compute` builds them. One query.

    Every agency of the group is scored on the leaves that apply to the group (the agency's
    own sheet); only the agency's demotion matters, since demotions never change ranks.
    """
    leaves = [
        (
            row.criterion.id,
            scoring.Leaf(
                code=row.criterion.code,
                method=row.criterion.method,
                max_points=row.criterion.max_points or Decimal(0),
                field=scoring.Leaf.field_of(row.criterion.code),
            ),
        )
        for row in sheet.leaves
    ]
    recorded: dict[int, dict[int, tuple]] = {r.agency_id: {} for r in group_results}
    rows = Score.objects.filter(
        assessment__period=period, assessment__agency_id__in=recorded.keys()
    ).values_list(
        "assessment__agency_id", "criterion_id", "final_score", "not_arising", "reviewer_not_arising"
    )
    for agency_id, criterion_id, final, not_arising, overruled in rows:
        recorded[agency_id][criterion_id] = (final, scoring.final_not_arising(not_arising, overruled))
    positions = {tier.id: position for position, tier in enumerate(tiers)}
    inputs = []
    for r in group_results:
        scores = []
        for criterion_id, leaf in leaves:
            final, not_arising = recorded[r.agency_id].get(criterion_id, (None, False))
            scores.append(scoring.LeafScore(leaf=leaf, score=final, not_arising=not_arising))
        own = r.agency_id == agency.id and demotion is not None
        late_rule = period.late_rule if r.late else LateRule.NONE
        inputs.append(
            scoring.AgencyInput(
                key=r.agency_id,
                group=r.group_id,
                scores=scores,
                demotion_steps=((demotion.steps or 0) if own else 0)
                + (1 if r.agency_id == agency.id and late_rule == LateRule.DEMOTE else 0),
                cap_position=positions.get(demotion.cap_tier_id) if own else None,
                # As computed: an agency without a rank stays out of the ranks.
                ranked=r.rank is not None,
                deduction=(period.late_deduction or Decimal(0))
                if late_rule == LateRule.DEDUCT
                else Decimal(0),
            )
        )
    rules = scoring.PeriodRules(
        tiers=[scoring.TierDef(t.label, t.min_index) for t in tiers],
        field_codes=[row.criterion.code for row in sheet.rows if row.is_field],
        tie_breakers=tuple(period.tie_breakers),
    )
    return inputs, rules


def agency_history(*, period: Period, agency: Agency) -> list[HistoryPoint]:
    """The agency's results in the periods of the same subject up to `period`, oldest first.

    Results computed here win over imported past results of the same period. Two queries.
    """
    group_size = (
        Result.objects.filter(period=OuterRef("period"), group=OuterRef("group"))
        .order_by()
        .values("period")
        .annotate(count=Count("pk"))
        .values("count")
    )
    points: dict[int, HistoryPoint] = {}
    for past in HistoricalResult.objects.filter(
        agency=agency, period__subject=period.subject, period__year__lte=period.year
    ).select_related("period"):
        points[past.period_id] = HistoryPoint(
            year=past.period.year,
            period=past.period,
            rank=past.rank,
            tier_label=past.tier_label,
            index=past.index,
            total=past.total,
            group_size=None,
            imported=True,
            current=past.period_id == period.id,
        )
    for computed in (
        Result.objects.filter(agency=agency, period__subject=period.subject, period__year__lte=period.year)
        .select_related("period", "tier")
        .annotate(group_size=Subquery(group_size))
    ):
        points[computed.period_id] = HistoryPoint(
            year=computed.period.year,
            period=computed.period,
            rank=computed.rank,
            tier_label=computed.tier.label,
            index=computed.index,
            total=computed.total,
            group_size=computed.group_size,
            imported=False,
            current=computed.period_id == period.id,
            field_indices=computed.field_indices,
        )
    return sorted(points.values(), key=lambda point: point.year)


def tie_breaker_labels(codes: Sequence[str]) -> list[str]:
    labels = {
        scoring.TIE_TOTAL_WITHOUT_SURVEY: _("the total without survey"),
        scoring.TIE_FIELDS: _("the field scores in field order"),
    }
    return [labels.get(code, code) for code in codes]
