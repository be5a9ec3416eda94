"""Reads of a period's results for pages and workbooks: results by group and rank, tier
counts, the certificate list, the survey grid."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, QuerySet

from accounts.models import Agency, AgencyGroup
from ranking.assessments.selectors import period_assessments
from ranking.enums import Method, Standing
from ranking.models import Assessment, AwardEntry, Criterion, Demotion, Period, Result, Score, Tier
from ranking.numbers import typed
from ranking.periods.criteria import applies, period_fields

# The group a result was computed in is a snapshot (`Result.group`): an agency that has
# moved since is still listed where it was ranked.
GROUP_ORDER = ("group__order", "group__code")
# Agencies without a rank (assessed but not ranked) come last in their group, on any database.
RANK_ORDER = F("rank").asc(nulls_last=True)


def period_results(*, period: Period, group_id: int | None = None) -> list[Result]:
    """The period's results with agency, group, tier and tier before demotion, by group order,
    rank and agency code; only those of the group `group_id` if given.

    One query.
    """
    rows = Result.objects.filter(period=period)
    if group_id is not None:
        rows = rows.filter(group_id=group_id)
    return list(
        rows.select_related("agency", "group", "tier", "tier_before_demotion").order_by(
            *GROUP_ORDER, RANK_ORDER, "agency__code"
        )
    )


class WorkbookResult:
    """A period's result as the workbooks write it: what `period_results` gives, read as values
    (no model instance per result). `agency` has `pk`, `code` and `name`; `group`, `tier` and
    `tier_before_demotion` are made once each."""

    __slots__ = (
        "agency",
        "agency_id",
        "group",
        "group_id",
        "rank",
        "total",
        "maximum",
        "index",
        "field_scores",
        "field_indices",
        "tier",
        "tier_before_demotion",
        "demoted",
        "previous_rank",
        "standing",
        "standing_reason",
        "late",
    )

    # Places moved up since the previous period (negative: moved down): the result's own rule.
    change = Result.change


class WorkbookAgency:
    __slots__ = ("pk", "code", "name")

    def __init__(self, pk: int, code: str, name: str):
        self.pk = pk
        self.code = code
        self.name = name


WORKBOOK_RESULT_COLUMNS = (
    "agency_id",
    "agency__code",
    "agency__name",
    "group_id",
    "group__code",
    "group__name",
    "group__order",
    "rank",
    "total",
    "maximum",
    "index",
    "field_scores",
    "field_indices",
    "tier_id",
    "tier__label",
    "tier_before_demotion_id",
    "tier_before_demotion__label",
    "demoted",
    "previous_rank",
    "standing",
    "standing_reason",
    "late",
)


def workbook_results(*, period: Period) -> list[WorkbookResult]:
    """The period's results in `period_results`' order, with the columns the workbooks write,
    as values. One query."""
    groups: dict[int, AgencyGroup] = {}
    tiers: dict[int, Tier] = {}
    found = []
    rows = (
        Result.objects.filter(period=period)
        .order_by(*GROUP_ORDER, RANK_ORDER, "agency__code")
        .values_list(*WORKBOOK_RESULT_COLUMNS)
    )
    for (
        agency_id,
        agency_code,
        agency_name,
        group_id,
        group_code,
        group_name,
        group_order,
        rank,
        total,
        maximum,
        index,
        field_scores,
        field_indices,
        tier_id,
        tier_label,
        before_id,
        before_label,
        demoted,
        previous_rank,
        standing,
        standing_reason,
        late,
    ) in rows:
        result = WorkbookResult()
        result.agency = WorkbookAgency(agency_id, agency_code, agency_name)
        result.agency_id = agency_id
        group = groups.get(group_id)
        if group is None:
            group = AgencyGroup(pk=group_id, code=group_code, name=group_name, order=group_order)
            groups[group_id] = group
        result.group = group
        result.group_id = group_id
        tier = tiers.get(tier_id)
        if tier is None:
            tier = tiers[tier_id] = Tier(pk=tier_id, period=period, label=tier_label)
        result.tier = tier
        before = tiers.get(before_id)
        if before is None:
            before = tiers[before_id] = Tier(pk=before_id, period=period, label=before_label)
        result.tier_before_demotion = before
        result.rank = rank
        result.total = total
        result.maximum = maximum
        result.index = index
        result.field_scores = field_scores
        result.field_indices = field_indices
        result.demoted = demoted
        result.previous_rank = previous_rank
        result.standing = standing
        result.standing_reason = standing_reason
        result.late = late
        found.append(result)
    return found


def tally(rows: QuerySet, key: str, label: str) -> dict[object, dict[str, int]]:
    """How many of `rows` share each value of the field `key` and of the field `label`, by key
    then label (pairs without rows are absent). One query."""
    counts: dict[object, dict[str, int]] = defaultdict(dict)
    for value, name, count in rows.values_list(key, label).annotate(count=Count("pk")).order_by():
        counts[value][name] = count
    return counts


def tier_counts(*, period: Period) -> list[tuple[AgencyGroup, dict[str, int]]]:
    """For every group with results in the period, in group order, the number of agencies per tier.

    Each dict holds every tier of the period's scheme, highest first, zeros included, so
    the counts of all groups line up in the same columns. Three queries.
    """
    labels = list(period.tiers.order_by("order").values_list("label", flat=True))
    counted = tally(Result.objects.filter(period=period), "group_id", "tier__label")
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
        # An entry without a result or a rank goes last in its group.
        rank = entry.result.rank if entry.result and entry.result.rank is not None else float("inf")
        return (entry.group.order, entry.group.code, rank, entry.agency.code)

    return sorted(entries, key=position)


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
        return "" if self.value is None else typed(self.value)


@dataclass
class SurveyRow:
    assessment: Assessment
    cells: list[SurveyCell] = field(default_factory=list)


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
            row.cells.append(
                SurveyCell(
                    criterion=leaf,
                    applies=applies({g.id for g in leaf.groups.all()}, assessment.group_id),
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


@dataclass
class ProvisionalBoard:
    """What the council's results page shows: the results by group and the award list."""

    fields: list[Criterion]
    groups: list[dict]
    awards: list[AwardEntry]
    # Agencies the list has not decided on yet; removed ones are put back from their row.
    candidates: list[Result]
    # Every assessment of the period with its standing and late record, for the council to set.
    standings: list[Assessment]

    @property
    def excluded(self) -> list[Assessment]:
        return [a for a in self.standings if a.standing == Standing.EXCLUDED]


def provisional_board(
    *, period: Period, choose: Callable[[list[AgencyGroup]], int | None] | None = None, small: int = 0
) -> ProvisionalBoard:
    """The period's results by group with their field scores, component indices (None: the
    field had no maximum for the agency) and tier counts, and the award list in rank order
    within each group. A fixed number of queries.

    `choose`, given the group of every assessment of the period, may name one group: then only
    that group's results and standings are read (the results page of a large period shows one
    group). A period of at most `small` assessments is read in one query, as it always was;
    a larger one in three (the first `small` + 1 assessments, every group, the group's).
    """
    group_id = None
    standings = period_standings(period=period, limit=small + 1 if choose else None)
    if choose and len(standings) > small:
        group_id = choose(period_groups(period=period))
        standings = period_standings(period=period, group_id=group_id)
    results = period_results(period=period, group_id=group_id)
    fields = period_fields(period=period)
    field_codes = [f.code for f in fields]
    tier_labels = dict(Tier.objects.filter(period=period).values_list("pk", "label"))
    for result in results:
        result.fields = [result.field_scores.get(c) for c in field_codes]
        result.indices = [
            None if result.field_indices.get(c) is None else Decimal(result.field_indices[c])
            for c in field_codes
        ]
        result.tier_before_label = tier_labels.get(result.tier_before_demotion_id, "")
    groups: list[dict] = []
    for result in results:
        if not groups or groups[-1]["group"].pk != result.group_id:
            groups.append({"group": result.group, "results": []})
        groups[-1]["results"].append(result)
    counts = dict((group.pk, per_tier) for group, per_tier in tier_counts(period=period))
    for entry in groups:
        entry["tier_counts"] = [(label, n) for label, n in counts.get(entry["group"].pk, {}).items() if n]
    by_agency = {r.agency_id: r for r in results}
    entries = award_entries(period=period)
    for entry in entries:
        entry.result = by_agency.get(entry.agency_id)
        entry.group = entry.result.group if entry.result else entry.agency.group
    decided = {e.agency_id for e in entries}
    entries.sort(
        key=lambda e: (
            e.group.order,
            e.group.code,
            e.result.rank if e.result and e.result.rank is not None else float("inf"),
            e.agency.code,
        )
    )
    return ProvisionalBoard(
        fields=fields,
        groups=groups,
        awards=entries,
        candidates=[r for r in results if r.agency_id not in decided and r.rank is not None],
        standings=standings,
    )


def period_standings(
    *, period: Period, group_id: int | None = None, limit: int | None = None
) -> list[Assessment]:
    """Every assessment of the period with agency and its group in the period, in group order;
    only those of the group `group_id` if given, only the first `limit` if given. One query."""
    rows = Assessment.objects.filter(period=period)
    if group_id is not None:
        rows = rows.filter(group_id=group_id)
    rows = rows.select_related("agency", "group").order_by("group__order", "group__code", "agency__code")
    return list(rows if limit is None else rows[:limit])


def period_groups(*, period: Period) -> list[AgencyGroup]:
    """The group of every assessment of the period (one per assessment, few distinct objects),
    to count the agencies of each group. One query."""
    groups: dict[int, AgencyGroup] = {}
    found = []
    for pk, code, name, order in Assessment.objects.filter(period=period).values_list(
        "group_id", "group__code", "group__name", "group__order"
    ):
        if pk not in groups:
            groups[pk] = AgencyGroup(pk=pk, code=code, name=name, order=order)
        found.append(groups[pk])
    return found


def period_demotions(*, period: Period) -> list[Demotion]:
    """The period's demotions, by group and agency. One query."""
    return list(
        Demotion.objects.filter(period=period)
        .select_related("agency__group", "cap_tier", "created_by")
        .order_by("agency__group__order", "agency__code")
    )


def period_agencies(*, period: Period) -> list[dict]:
    """The period's agencies per group, for the links to their reports: those ranked by group
    and rank (with rank and tier), then those assessed but without a result. Two queries."""
    groups: list[dict] = []
    by_group: dict[int, dict] = {}

    def add(group: AgencyGroup, agency: Agency, result: Result | None) -> None:
        if group.pk not in by_group:
            by_group[group.pk] = {"group": group, "agencies": []}
            groups.append(by_group[group.pk])
        by_group[group.pk]["agencies"].append({"agency": agency, "result": result})

    results = list(
        Result.objects.filter(period=period)
        .select_related("agency", "group", "tier")
        .order_by("group__order", "group__code", RANK_ORDER, "agency__code")
    )
    for result in results:
        add(result.group, result.agency, result)
    for assessment in (
        Assessment.objects.filter(period=period)
        .exclude(agency_id__in=[r.agency_id for r in results])
        .select_related("agency", "group")
        .order_by("group__order", "group__code", "agency__code")
    ):
        add(assessment.group, assessment.agency, None)
    groups.sort(key=lambda g: (g["group"].order, g["group"].code))
    return groups


@dataclass(frozen=True)
class AwardChange:
    """The council's word on the certificate list where it differs from the award rule."""

    code: str
    name: str
    added: bool
    reason: str


@dataclass(frozen=True)
class CouncilNotes:
    """What the council decided by hand, with its reasons: demotions by agency code, and the
    agencies it added to or removed from the proposed certificate list, by group order and code."""

    demotions: dict[str, str] = field(default_factory=dict)
    award_changes: list[AwardChange] = field(default_factory=list)


def council_notes(*, period: Period) -> CouncilNotes:
    """The reasons the council recorded for the period's demotions and award changes. Two queries."""
    demotions = dict(Demotion.objects.filter(period=period).values_list("agency__code", "reason"))
    changes = [
        AwardChange(code=code, name=name, added=included, reason=reason)
        for code, name, included, reason in AwardEntry.objects.filter(period=period)
        .exclude(proposed=F("included"))
        .order_by("agency__group__order", "agency__code")
        .values_list("agency__code", "agency__name", "included", "reason")
    ]
    return CouncilNotes(demotions=demotions, award_changes=changes)
