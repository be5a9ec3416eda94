"""A period's results wherever they are shown: as published, or as they stand now.

A publication freezes the results as they were announced (`Publication`). Everything that
presents published results — the public site, the conference workbook of a published period,
the printed certificate list, an agency's own report — reads them from the publication, never
from the live tables: renaming an agency or a group, changing a tier scheme or reopening the
period for a correction changes nothing already announced. The council's working views
(provisional results, analyses of the scores) read the current results.

Both are a `ResultsView` whose rows and entries answer to the names the templates and the
workbook were written against: a row has `agency.code`, `agency.name`, `group.name`,
`group_id`, `rank`, `total`, `maximum`, `index`, `field_scores`, `field_maxima`,
`field_indices` (field code → component index, a decimal string or None), `tier.label`,
`demoted`, `previous_rank`, `change`, `standing`, `standing_reason` and `late`; an award entry
has `agency`, `group` and `result`; an agency left out of the results (`excluded`) has
`agency`, `group`, `standing_reason` and `late`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import Exists, OuterRef, Q, Subquery

from accounts.models import Agency
from ranking.enums import Phase
from ranking.enums import Standing as StandingChoice
from ranking.models import Assessment, Period, Publication, Result, criterion_sort_key
from ranking.periods.criteria import period_fields
from ranking.results.selectors import (
    AwardChange,
    CouncilNotes,
    award_list,
    council_notes,
    period_results,
    tier_counts,
    workbook_results,
)

# --- a publication's rows, read back ------------------------------------------------------------


@dataclass(frozen=True)
class PublishedGroup:
    # What rows are grouped by: the code, or the name in a version published before codes were kept.
    pk: str
    code: str
    name: str
    order: int


@dataclass(frozen=True)
class PublishedAgency:
    pk: int | None
    code: str
    name: str


@dataclass(frozen=True)
class PublishedTier:
    label: str


@dataclass(frozen=True)
class PublishedField:
    code: str


@dataclass(frozen=True)
class PublishedResult:
    agency: PublishedAgency
    group: PublishedGroup
    rank: int | None
    total: Decimal | None
    maximum: Decimal | None
    index: Decimal | None
    tier: PublishedTier
    tier_before_demotion: PublishedTier
    demoted: bool
    previous_rank: int | None
    field_scores: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    field_maxima: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    field_indices: dict[str, str | None] = field(default_factory=dict, compare=False, hash=False)
    # A version published before standings were kept ranked every agency it lists.
    standing: str = StandingChoice.RANKED
    standing_reason: str = ""
    late: bool = False

    def get_standing_display(self) -> str:
        return StandingChoice(self.standing).label

    @property
    def group_id(self) -> str:
        return self.group.pk

    @property
    def agency_id(self) -> int | None:
        return self.agency.pk

    @property
    def change(self) -> int | None:
        """Places moved up since the previous period (negative: moved down), as `Result.change`."""
        if self.previous_rank is None or self.rank is None:
            return None
        return self.previous_rank - self.rank


@dataclass(frozen=True)
class PublishedExcluded:
    agency: PublishedAgency
    group: PublishedGroup
    standing_reason: str
    late: bool


@dataclass(frozen=True)
class PublishedAward:
    agency: PublishedAgency
    group: PublishedGroup
    result: PublishedResult | None


def _decimal(value) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


class _Groups:
    """The groups of one publication, each made once, in the order they first appear."""

    def __init__(self):
        self.by_key: dict[str, PublishedGroup] = {}

    def of(self, row: dict) -> PublishedGroup:
        code = row.get("group_code") or ""
        name = row.get("group") or ""
        key = code or name
        if key not in self.by_key:
            order = row.get("group_order")
            self.by_key[key] = PublishedGroup(
                pk=key, code=code, name=name, order=len(self.by_key) if order is None else order
            )
        return self.by_key[key]


def _agency(row: dict) -> PublishedAgency:
    return PublishedAgency(pk=row.get("agency_id"), code=row.get("agency") or "", name=row.get("name") or "")


def _result(row: dict, groups: _Groups) -> PublishedResult:
    tier = row.get("tier") or ""
    return PublishedResult(
        agency=_agency(row),
        group=groups.of(row),
        rank=row.get("rank"),
        total=_decimal(row.get("total")),
        maximum=_decimal(row.get("maximum")),
        index=_decimal(row.get("index")),
        tier=PublishedTier(tier),
        tier_before_demotion=PublishedTier(row.get("tier_before_demotion") or tier),
        demoted=bool(row.get("demoted")),
        previous_rank=row.get("previous_rank"),
        field_scores=dict(row.get("field_scores") or {}),
        field_maxima=dict(row.get("field_maxima") or {}),
        field_indices=dict(row.get("field_indices") or {}),
        standing=row.get("standing") or StandingChoice.RANKED,
        standing_reason=row.get("standing_reason") or "",
        late=bool(row.get("late")),
    )


def _notes(rows: list[dict], groups: _Groups) -> CouncilNotes:
    """The council's reasons as published (none in a version published before they were kept)."""
    demotions = {row["agency"]: row["demotion_reason"] for row in rows if row.get("demotion_reason")}
    changed = sorted(
        (row for row in rows if row.get("award_change")),
        key=lambda row: (groups.of(row).order, row.get("agency") or ""),
    )
    changes = [
        AwardChange(
            code=row.get("agency") or "",
            name=row.get("name") or "",
            added=bool(row["award_change"].get("added")),
            reason=row["award_change"].get("reason") or "",
        )
        for row in changed
    ]
    return CouncilNotes(demotions=demotions, award_changes=changes)


def excluded_rows(rows: list[dict], groups: _Groups) -> list[PublishedExcluded]:
    return [
        PublishedExcluded(
            agency=_agency(row),
            group=groups.of(row),
            standing_reason=row.get("standing_reason") or "",
            late=bool(row.get("late")),
        )
        for row in rows
    ]


# --- what a page or a workbook presents -----------------------------------------------------------


def component_indices(result, field_codes) -> list[Decimal | None]:
    """The result's component index of each field, in the order of `field_codes`: None where the
    field had no maximum for the agency, or the result was computed or published without them."""
    return [_decimal(result.field_indices.get(code)) for code in field_codes]


@dataclass(frozen=True)
class ResultLine:
    result: object
    # In the order of the fields the page shows.
    indices: list[Decimal | None]


@dataclass
class GroupResults:
    group: object
    results: list
    # (tier label, number of agencies) of the tiers the group has agencies in, highest first.
    tier_counts: list[tuple[str, int]]
    field_codes: list[str] = field(default_factory=list)

    @property
    def lines(self) -> list[ResultLine]:
        """The results with their component indices of `field_codes`."""
        return [ResultLine(r, component_indices(r, self.field_codes)) for r in self.results]


class ResultsView:
    """A period's results as one page or workbook presents them (see the module's docstring).

    `results`: rows in group order, then rank; `fields`: the period's fields (with `code`);
    `counts`: per group with results, in group order, the agencies in every tier of the
    scheme (zeros included); `tier_labels`: the scheme, highest first; `awards`: the
    certificate list in group order, then rank; `excluded`: the agencies not assessed, in group
    order; `awards_approved`: whether that list is the approved one; `publication`: the
    version shown, or None for the current results; `notes`: the council's reasons for its
    demotions and award changes.
    """

    period: Period
    publication: Publication | None = None
    results: list
    fields: list
    counts: list[tuple[object, dict[str, int]]]
    tier_labels: list[str]
    awards: list
    excluded: list
    awards_approved: bool
    notes: CouncilNotes

    def by_group(self, field_codes: Sequence[str] = ()) -> list[GroupResults]:
        """The results by group; each line carries the component indices of `field_codes`."""
        per_group = {group.pk: per_tier for group, per_tier in self.counts}
        blocks: list[GroupResults] = []
        for result in self.results:
            if not blocks or blocks[-1].group.pk != result.group_id:
                counts = per_group.get(result.group_id, {})
                blocks.append(
                    GroupResults(
                        group=result.group,
                        results=[],
                        tier_counts=[(label, n) for label, n in counts.items() if n],
                        field_codes=list(field_codes),
                    )
                )
            blocks[-1].results.append(result)
        return blocks

    def awards_by_group(self) -> list[dict]:
        blocks: list[dict] = []
        for entry in self.awards:
            if not blocks or blocks[-1]["group"].pk != entry.group.pk:
                blocks.append({"group": entry.group, "entries": []})
            blocks[-1]["entries"].append(entry)
        return blocks


class CurrentResults(ResultsView):
    """The period's results as they stand: each part read when first asked for (the queries of
    `period_results`, `period_fields`, `tier_counts` and `award_list`)."""

    def __init__(self, period: Period):
        self.period = period

    @cached_property
    def results(self) -> list[Result]:
        return period_results(period=self.period)

    @cached_property
    def fields(self) -> list:
        return period_fields(period=self.period)

    @cached_property
    def counts(self) -> list:
        return tier_counts(period=self.period)

    @cached_property
    def tier_labels(self) -> list[str]:
        # Only an empty period has no counted group; it still shows its scheme.
        if self.counts:
            return list(self.counts[0][1])
        return [t.label for t in self.period.tiers.order_by("order")]

    @cached_property
    def awards(self) -> list:
        return award_list(period=self.period)

    @cached_property
    def excluded(self) -> list[PublishedExcluded]:
        # Kept on the period when the results were computed: no query.
        return excluded_rows(self.period.results_excluded, _Groups())

    @property
    def awards_approved(self) -> bool:
        return self.period.awards_approved_at is not None

    @cached_property
    def notes(self) -> CouncilNotes:
        return council_notes(period=self.period)


class CurrentWorkbookResults(CurrentResults):
    """The current results as a workbook writes them: the rows read as values
    (`workbook_results`: the same columns and order as `period_results`, no model instances)."""

    @cached_property
    def results(self) -> list:
        return workbook_results(period=self.period)


class PublishedResults(ResultsView):
    """One publication's results, read from its snapshot alone: no query.

    A version published before a key was kept reads without it: no score, maximum or
    component index per field, not demoted, the group known by its name, the tiers in the
    order they first appear.
    """

    # Publishing needs the approved certificate list.
    awards_approved = True

    def __init__(self, publication: Publication):
        self.publication = publication
        self.period = publication.period
        groups = _Groups()
        self.results = [_result(row, groups) for row in publication.results]
        by_code = {r.agency.code: r for r in self.results}
        self.awards = [
            PublishedAward(agency=_agency(row), group=groups.of(row), result=by_code.get(row.get("agency")))
            for row in publication.awards
        ]
        self.excluded = excluded_rows(publication.excluded, groups)
        codes = list(publication.field_codes) or sorted(
            {code for r in self.results for code in r.field_scores}, key=criterion_sort_key
        )
        self.fields = [PublishedField(code) for code in codes]
        self.notes = _notes(publication.results, groups)
        labels = list(publication.tier_labels)
        for result in self.results:
            for label in (result.tier_before_demotion.label, result.tier.label):
                if label not in labels:
                    labels.append(label)
        self.tier_labels = labels
        counted: dict[str, dict[str, int]] = {}
        for result in self.results:
            per_tier = counted.setdefault(result.group_id, dict.fromkeys(labels, 0))
            per_tier[result.tier.label] += 1
        self.counts = [(groups.by_key[key], per_tier) for key, per_tier in counted.items()]

    def of_agency(self, agency: Agency) -> PublishedResult | None:
        """The agency's row: by its id, or by its code in a version that did not keep ids."""
        for result in self.results:
            if result.agency.pk is not None:
                if result.agency.pk == agency.pk:
                    return result
            elif result.agency.code == agency.code:
                return result
        return None

    def group_size(self, result: PublishedResult) -> int:
        return sum(1 for r in self.results if r.group_id == result.group_id)


def latest_publication(*, period: Period) -> Publication | None:
    """The period's last published version, or None. One query."""
    publication = Publication.objects.filter(period=period).order_by("-version").first()
    if publication is not None:
        publication.period = period
    return publication


def shown_results(*, period: Period) -> ResultsView:
    """The results a workbook or report of `period` presents.

    While the period is published: its last publication. While it is worked on, or reopened
    for a correction: its current results (the council's draft of the next version). A period
    marked published without any publication (a past year brought in with the year workbook)
    has nothing frozen: its current results. One query for a published period.
    """
    if period.phase == Phase.PUBLISHED:
        publication = latest_publication(period=period)
        if publication is not None:
            return PublishedResults(publication)
    return CurrentResults(period)


def shown_workbook_results(*, period: Period) -> ResultsView:
    """`shown_results` for a workbook: the current results read as values (`CurrentWorkbookResults`)."""
    shown = shown_results(period=period)
    return CurrentWorkbookResults(period) if type(shown) is CurrentResults else shown


# --- the public site ------------------------------------------------------------------------------


@dataclass
class PublicResults:
    """What the public site shows of a period: one published version and the list of all."""

    period: Period
    results: ResultsView
    # Newest first, without their snapshots.
    versions: list[Publication]
    # The version shown; None for a period marked published without any publication.
    shown: Publication | None

    @property
    def latest(self) -> Publication | None:
        return self.versions[0] if self.versions else None

    @property
    def superseded(self) -> bool:
        """The version shown is not the last one published."""
        return self.shown is not None and self.shown.version != self.latest.version

    @property
    def being_corrected(self) -> bool:
        """The last version was reopened for a correction; the next is not published yet."""
        return self.latest is not None and self.latest.reopened_at is not None


def public_results(*, period: Period, version: int | None = None) -> PublicResults | None:
    """What the public site shows of `period`, or None when nothing of it is public.

    `version`: that published version; by default the last one, which stays shown while the
    period is reopened for a correction, until the next version is published. A period marked
    published without any publication shows its current results. Two queries, then those of
    the current results for a period without a publication.
    """
    versions = list(
        Publication.objects.filter(period=period)
        .only("pk", "period_id", "version", "published_at", "reopened_at")
        .order_by("-version")
    )
    if versions:
        wanted = versions[0] if version is None else next((v for v in versions if v.version == version), None)
        if wanted is None:
            return None
        shown = Publication.objects.get(pk=wanted.pk)
        shown.period = period
        return PublicResults(period=period, results=PublishedResults(shown), versions=versions, shown=shown)
    if version is None and period.phase == Phase.PUBLISHED:
        return PublicResults(period=period, results=CurrentResults(period), versions=[], shown=None)
    return None


def public_periods() -> list[Period]:
    """The periods the public site lists, newest first: those with a publication (reopened ones
    included) and those marked published without one. Each carries `shown_version`,
    `shown_published_at` and `being_corrected`, of its last publication when it has one. One query.
    """
    latest = Publication.objects.filter(period=OuterRef("pk")).order_by("-version")
    periods = list(
        Period.objects.filter(Q(phase=Phase.PUBLISHED) | Exists(latest))
        .annotate(
            last_version=Subquery(latest.values("version")[:1]),
            last_published_at=Subquery(latest.values("published_at")[:1]),
            last_reopened_at=Subquery(latest.values("reopened_at")[:1]),
        )
        .order_by("-year", "subject")
    )
    for period in periods:
        published = period.last_version is not None
        period.shown_version = period.last_version if published else period.version
        period.shown_published_at = period.last_published_at if published else period.published_at
        period.being_corrected = period.last_reopened_at is not None
    return periods


@dataclass(frozen=True)
class Standing:
    """An agency's published result in one period, for its home page."""

    period: Period
    result: PublishedResult | Result
    being_corrected: bool


def agency_standings(*, agency: Agency) -> list[Standing]:
    """The agency's published results, newest period first: from each period's last publication
    (kept while the period is reopened), or its current result in a period marked published
    without one. Two queries."""
    newer = Publication.objects.filter(period=OuterRef("period"), version__gt=OuterRef("version"))
    took_part = Assessment.objects.filter(period=OuterRef("period"), agency=agency)
    standings = []
    for publication in Publication.objects.filter(~Exists(newer), Exists(took_part)).select_related("period"):
        result = PublishedResults(publication).of_agency(agency)
        if result is not None:
            standings.append(Standing(publication.period, result, publication.reopened_at is not None))
    for result in (
        Result.objects.filter(agency=agency, period__phase=Phase.PUBLISHED)
        .filter(~Exists(Publication.objects.filter(period=OuterRef("period"))))
        .select_related("period", "tier")
    ):
        standings.append(Standing(result.period, result, False))
    standings.sort(key=lambda s: (-s.period.year, s.period.subject))
    return standings


def tier_chart(counts) -> dict:
    """The stacked bar chart of tiers per group, as Chart.js reads it (charts.js adds the colours)."""
    labels = list(counts[0][1]) if counts else []
    return {
        "labels": [group.name for group, _per_tier in counts],
        "datasets": [
            {"label": label, "data": [per_tier[label] for _group, per_tier in counts]} for label in labels
        ],
    }
