"""Computing a period's results and proposing its certificate-of-merit list."""

import dataclasses
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Count, DecimalField, Sum, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import AgencyGroup
from ranking import scoring
from ranking.bulk import bulk_insert_values
from ranking.enums import LateRule, Phase, Standing
from ranking.errors import ServiceError, recorded
from ranking.models import (
    SCORE,
    Assessment,
    AwardEntry,
    Criterion,
    Demotion,
    HistoricalResult,
    Period,
    Result,
    Score,
    Tier,
)
from ranking.periods.criteria import applies

# How many problems a refusal lists before it summarises the rest.
MAX_LISTED = 20
INDEX_PLACES = Decimal("1E-10")
# The values of a result `results_compute` writes, in the order it gives them.
RESULT_VALUES = (
    "period_id",
    "agency_id",
    "group_id",
    "total",
    "total_without_survey",
    "maximum",
    "index",
    "field_scores",
    "field_maxima",
    "field_indices",
    "tier_before_demotion_id",
    "tier_id",
    "demoted",
    "rank",
    "previous_rank",
    "standing",
    "standing_reason",
    "late",
)


@dataclass(frozen=True)
class ComputeSummary:
    period: Period
    # The agencies ranked; those not ranked are in the tier counts all the same.
    agencies: int
    tier_counts: list[tuple[AgencyGroup, list[tuple[str, int]]]]
    proposed_awards: int


def previous_ranks(*, period: Period) -> dict[int, int]:
    """Agency id → rank in the period the change column compares with.

    Results computed here win over imported past results of the same period.
    """
    if period.previous_id is None:
        return {}
    computed = dict(Result.objects.filter(period_id=period.previous_id).values_list("agency_id", "rank"))
    if computed:
        return computed
    return dict(
        HistoricalResult.objects.filter(period_id=period.previous_id).values_list("agency_id", "rank")
    )


def leaves_of(criteria: list[Criterion]) -> list[Criterion]:
    parent_ids = {c.parent_id for c in criteria if c.parent_id is not None}
    return [c for c in criteria if c.id not in parent_ids]


def period_rules(*, period: Period, tiers: list[Tier], criteria: list[Criterion]) -> scoring.PeriodRules:
    from_position = None
    if period.award_from_tier:
        labels = [t.label for t in tiers]
        if period.award_from_tier not in labels:
            raise ServiceError(
                _("The certificate tier “%(label)s” is not a tier of period %(code)s.")
                % {"label": period.award_from_tier, "code": period.code}
            )
        from_position = labels.index(period.award_from_tier)
    return scoring.PeriodRules(
        tiers=[scoring.TierDef(t.label, t.min_index) for t in tiers],
        field_codes=[c.code for c in criteria if c.parent_id is None],
        tie_breakers=tuple(period.tie_breakers),
        award=scoring.AwardRule(
            from_position=from_position,
            max_per_group=period.award_max_per_group,
            exclude_demoted=period.award_exclude_demoted,
        ),
    )


def advancing(items: Iterable, progress: Callable[[int, int], None] | None) -> Iterator:
    """Yield `items`, telling `progress(done, total)` as each one is finished."""
    items = list(items)
    if progress is None:
        yield from items
        return
    progress(0, len(items))
    for done, item in enumerate(items, start=1):
        yield item
        progress(done, len(items))


SUM = DecimalField(max_digits=20, decimal_places=SCORE["decimal_places"])
PLACES = Decimal(1).scaleb(-SCORE["decimal_places"])
NOTHING = Value(Decimal(0), output_field=SUM)


@dataclass(frozen=True)
class PeriodLeaves:
    """The leaves of a period, as the sums need them."""

    leaves: dict[int, scoring.Leaf]
    groups: dict[int, set[int]]  # leaf id → the groups it applies to (empty: every group)

    def applying(self, group_id: int) -> list[int]:
        return [i for i, groups in self.groups.items() if applies(groups, group_id)]

    def base(self, leaf_ids: Iterable[int]) -> list[int]:
        return [i for i in leaf_ids if self.leaves[i].method not in scoring.OUTSIDE_BASE]


def period_leaves(criteria: list[Criterion]) -> PeriodLeaves:
    leaves = leaves_of(criteria)
    return PeriodLeaves(
        leaves={
            c.id: scoring.Leaf(
                code=c.code,
                method=c.method,
                max_points=c.max_points or 0,
                field=scoring.Leaf.field_of(c.code),
            )
            for c in leaves
        },
        groups={c.id: {g.id for g in c.groups.all()} for c in leaves},
    )


# Per assessment and field, the five sums of `field_sums`, in the order of SUM_EXPRESSIONS.
# `{field}`, `{method}` and `{maximum}` are the leaf's, as each database reads them best (see
# `field_sums`). A sum over no row is NULL (`totals_of` reads it as 0); the scores summed are
# never NULL, which PostgreSQL's GREATEST and LEAST would pass over. Whether a leaf arose is
# its final word: the reviewer's, once given (`final_not_arising_q`; `not_arising` is never
# NULL).
FIELD_SUMS_SQL = """
{leaves}SELECT s.assessment_id, {field},
       SUM(CASE WHEN {method} = {deduction} THEN {greatest}(-ABS(s.final_score), -{maximum})
                WHEN {method} = {bonus} THEN {least}(s.final_score, {maximum})
                ELSE s.final_score END) FILTER (WHERE {arisen} AND s.final_score IS NOT NULL),
       SUM(s.final_score) FILTER (WHERE {method} = {survey} AND {arisen}),
       COUNT(s.final_score) FILTER (WHERE {arisen}),
       COUNT(*) FILTER (WHERE {method} NOT IN ({deduction}, {bonus})
                              AND (s.final_score IS NOT NULL OR {not_arisen})),
       SUM({maximum}) FILTER (WHERE {method} NOT IN ({deduction}, {bonus}) AND {not_arisen})
{source}{limited}
GROUP BY 1, 2
"""
NOT_ARISEN = "COALESCE(s.reviewer_not_arising, s.not_arising)"
# PostgreSQL: the leaves as a list of values — (leaf id, field's position, method, maximum) —
# joined to the scores by a hash join, where conditions on lists of leaf ids (`IN (…)`) per
# score cost as much as the rest of the query. `+ 0` keeps the planner from reading the
# scores leaf by leaf through their leaf's index — one page per score, where an assessment's
# scores share a few pages —, which it prefers once it knows the period's scores.
LEAVES_LISTED = "WITH leaf (criterion_id, field, method, maximum) AS (VALUES {values})\n"
LEAVES_JOINED = """FROM {score} s
JOIN {assessment} a ON a.id = s.assessment_id
JOIN leaf ON leaf.criterion_id = s.criterion_id + 0
WHERE a.period_id = %s"""
# SQLite: a list of values has no index to look a leaf up by, so each score's leaf is read
# from the criteria by its key, in the order of the assessments' scores; the field is the
# first part of the leaf's code (`scoring.Leaf.field_of`).
LEAVES_READ = """FROM {assessment} a
CROSS JOIN {score} s ON s.assessment_id = a.id
CROSS JOIN {criterion} c ON c.id = s.criterion_id
WHERE a.period_id = %s AND s.criterion_id IN ({leaf_ids})"""
# A leaf that applies to some groups only counts for the assessments of those groups: the
# pairs (leaf, group) it applies to, as the leaves were read.
LIMITED = """
  AND (s.criterion_id NOT IN ({limited_ids}) OR (s.criterion_id, a.group_id) IN (VALUES {pairs}))"""


def field_sums(
    *, period: Period, shape: PeriodLeaves, group_ids: set[int], assessments: int = 0
) -> dict[int, dict[str, tuple]]:
    """Assessment id → field code → the sums of its scores there, added up by the database.

    Only the leaves that apply to the agency's group count, and whether a leaf arose is its
    final word (`Score.final_not_arising`: the reviewer's, once given). Per field, in this
    order: the points (what the scores add to the total, as `scoring.contribution` says), the
    survey leaves' part of them, the scored leaves that arose, the base leaves scored or not
    arising, and the maxima of the base leaves that did not arise; a sum over no score is None.
    `assessments`: how many the period has, if known (the memory the grouping needs).
    """
    applying = {i for group_id in group_ids for i in shape.applying(group_id)}
    if not applying:
        return {}
    codes = sorted({shape.leaves[i].field for i in applying})
    quote = connection.ops.quote_name
    tables = {
        "score": quote(Score._meta.db_table),
        "assessment": quote(Assessment._meta.db_table),
        "criterion": quote(Criterion._meta.db_table),
    }
    leaf_ids = sorted(applying)
    limited = [i for i in leaf_ids if shape.groups[i]]
    if connection.vendor == "postgresql":
        position = {code: i for i, code in enumerate(codes)}
        # Ids, positions and the maxima written as numbers (the maxima as decimal literals:
        # exact numerics, as the column); the methods as parameters.
        leaves = LEAVES_LISTED.format(
            values=", ".join(
                f"({i}, {position[shape.leaves[i].field]}, %s, {Decimal(shape.leaves[i].max_points):f})"
                for i in leaf_ids
            )
        )
        params = [shape.leaves[i].method for i in leaf_ids]
        source = LEAVES_JOINED.format(**tables)
        leaf = {"field": "leaf.field", "method": "leaf.method", "maximum": "leaf.maximum"}
        greatest, least = "GREATEST", "LEAST"
        field_code = dict(enumerate(codes))
    else:
        leaves, params = "", []
        source = LEAVES_READ.format(leaf_ids=", ".join(map(str, leaf_ids)), **tables)
        leaf = {
            "field": "substr(c.code, 1, instr(c.code || '.', '.') - 1)",
            "method": "c.method",
            "maximum": "COALESCE(c.max_points, 0)",
        }
        greatest, least = "MAX", "MIN"
        field_code = {code: code for code in codes}
    sql = FIELD_SUMS_SQL.format(
        leaves=leaves,
        source=source,
        limited=LIMITED.format(
            limited_ids=", ".join(map(str, limited)),
            pairs=", ".join(f"({i}, {g})" for i in limited for g in sorted(shape.groups[i] & group_ids)),
        )
        if limited
        else "",
        deduction=f"'{scoring.DEDUCTION}'",
        bonus=f"'{scoring.BONUS}'",
        survey=f"'{scoring.SURVEY}'",
        not_arisen=NOT_ARISEN,
        arisen=f"NOT {NOT_ARISEN}",
        greatest=greatest,
        least=least,
        **leaf,
    )
    sums: dict[int, dict[str, tuple]] = defaultdict(dict)
    for row in sum_rows(sql, [*params, period.id], scores=assessments * len(leaf_ids)):
        sums[row[0]][field_code[row[1]]] = row[2:]
    return sums


# The ORM's expressions of the sums (points, survey, scored, base_done, not_arisen_max), and
# the type of their values.
SUM_EXPRESSIONS = (
    (Sum(NOTHING, output_field=SUM), Decimal),
    (Sum(NOTHING, output_field=SUM), Decimal),
    (Count("pk"), int),
    (Count("pk"), int),
    (Sum(NOTHING, output_field=SUM), Decimal),
)


def sum_rows(sql: str, params: list, *, scores: int) -> list[tuple]:
    """The rows of the `field_sums` query — (assessment id, field, *the sums) — as the ORM
    would give them: each sum through the converters the ORM applies to its expression
    (SQLite's sums come as floats, made Decimals), each distinct value converted once. The
    sums take few distinct values (scores in quarters, a few maxima): tens of thousands of
    converter calls become as many dictionary look-ups. Where the database has no converter
    of its own, the ORM's only one makes a Decimal or an int of the value: a value of that
    type already (PostgreSQL's sums and counts) is left as it is.
    """
    with connection.cursor() as cursor:
        if scores and connection.vendor == "postgresql" and connection.in_atomic_block:
            # The grouping needs under 1 kB per (assessment, field), but the planner, which
            # cannot tell how many fields an assessment's scores fall in, reckons with
            # about 300 bytes per score: with PostgreSQL's default 4 MB of work memory it
            # sorts the scores on disk instead. For this transaction only, enough memory to
            # group them in one pass by hashing (at most 256 MB).
            megabytes = min(256, 4 + scores // 2500)
            cursor.execute(f"SET LOCAL work_mem = '{megabytes}MB'")
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    if not fetched:
        return fetched
    columns = list(zip(*fetched, strict=True))
    converted = False
    for position, (expression, kind) in enumerate(SUM_EXPRESSIONS, start=2):
        own = connection.ops.get_db_converters(expression)
        chain = own + expression.get_db_converters(connection)
        column = columns[position]
        if not chain or (not own and set(map(type, column)) <= {kind, type(None)}):
            continue
        known: dict = {}
        values = []
        for raw in column:
            # Keyed by type and text, not by equality: 1, 1.0 and True, 0.0 and -0.0,
            # Decimal("1.25") and Decimal("1.2500") are equal but not the same value.
            key = raw if type(raw) is int else (type(raw), str(raw))
            value = known.get(key, known)
            if value is known:
                value = raw
                for converter in chain:
                    value = converter(value, expression, connection)
                known[key] = value
            values.append(value)
        columns[position] = values
        converted = True
    return list(zip(*columns, strict=True)) if converted else fetched


def totals_of(fields: dict[str, tuple], *, base_maxima: dict[str, Decimal]) -> scoring.Totals:
    """`scoring.agency_totals` from an assessment's field sums (the same definition).

    `fields`: field code → its sums (points, survey, scored, base done, maxima not arisen),
    as `field_sums` gives them. `base_maxima`: the maximum of every field over the leaves that
    apply to the agency's group, as if they all arose; the leaves that did not arise are taken
    off field by field.
    """
    zero = Decimal(0)
    raw = survey = zero
    field_scores = {}
    # Each sum made exact once; added up in the fields' order, as `sum` would.
    for code, (points, surveyed, scored, _done, _not_arisen) in fields.items():
        points = (points or zero).quantize(PLACES)
        raw += points
        survey += (surveyed or zero).quantize(PLACES)
        if scored:
            field_scores[code] = points
    field_maxima = {}
    maximum = zero
    for code, most in base_maxima.items():
        f = fields.get(code)
        left = most - ((f and f[4]) or zero).quantize(PLACES)
        field_maxima[code] = left
        maximum += left
    return scoring.Totals(
        total=max(raw, scoring.ZERO),
        total_without_survey=max(raw - survey, scoring.ZERO),
        maximum=maximum,
        field_scores=field_scores,
        field_maxima=field_maxima,
    )


class AgencyNames(NamedTuple):
    name: str
    code: str


class AssessmentRow(NamedTuple):
    """What the results read of an assessment (a thousand of them are read at once)."""

    id: int
    agency_id: int
    group_id: int
    standing: str
    standing_reason: str
    late: bool
    agency: AgencyNames


def unscored_leaves(*, assessment: Assessment | AssessmentRow, shape: PeriodLeaves) -> list[str]:
    """Codes of the base leaves that apply to the assessment and arose but have no score."""
    applying = shape.applying(assessment.group_id)
    recorded = {
        criterion_id: (final, scoring.final_not_arising(not_arising, overruled))
        for criterion_id, final, not_arising, overruled in Score.objects.filter(
            assessment_id=assessment.id, criterion_id__in=applying
        ).values_list("criterion_id", "final_score", "not_arising", "reviewer_not_arising")
    }
    return scoring.unscored(
        scoring.LeafScore(shape.leaves[i], *recorded.get(i, (None, False))) for i in applying
    )


def agency_inputs(
    *,
    period: Period,
    tiers: list[Tier],
    criteria: list[Criterion],
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[scoring.AgencyInput], dict[int, AssessmentRow]]:
    """The scoring inputs of every assessment of the period, summed by the database.

    A fixed number of queries, plus one per assessment with unscored leaves, to list them.
    `progress(done, total)`, if given, hears of the agencies as their sums are gathered.
    """
    shape = period_leaves(criteria)
    assessments = {
        row[0]: AssessmentRow(*row[:6], agency=AgencyNames(*row[6:]))
        for row in Assessment.objects.filter(period=period).values_list(
            *AssessmentRow._fields[:-1], "agency__name", "agency__code"
        )
    }
    if not assessments:
        raise ServiceError(_("Period %(code)s has no assessments.") % {"code": period.code})
    group_ids = {a.group_id for a in assessments.values()}
    sums = field_sums(period=period, shape=shape, group_ids=group_ids, assessments=len(assessments))
    base_leaves = {g: shape.base(shape.applying(g)) for g in group_ids}
    base_maxima = {g: scoring.field_maxima(shape.leaves[i] for i in shape.applying(g)) for g in group_ids}
    tier_position = {t.id: i for i, t in enumerate(tiers)}
    demotions = {d.agency_id: d for d in Demotion.objects.filter(period=period)}
    before = previous_ranks(period=period)

    inputs = []
    problems = []
    for assessment in advancing(assessments.values(), progress):
        if assessment.standing == Standing.EXCLUDED:
            continue
        group_id = assessment.group_id
        fields = sums.get(assessment.id, {})
        if sum([f[3] for f in fields.values()]) < len(base_leaves[group_id]):
            missing = unscored_leaves(assessment=assessment, shape=shape)
            problems.append(
                _("%(agency)s (%(code)s) has no final score for %(leaves)s.")
                % {
                    "agency": assessment.agency.name,
                    "code": assessment.agency.code,
                    "leaves": ", ".join(sorted(missing, key=lambda c: [int(p) for p in c.split(".")])),
                }
            )
            continue
        demotion = demotions.get(assessment.agency_id)
        late_rule = period.late_rule if assessment.late else LateRule.NONE
        late_points = period.late_deduction or Decimal(0)
        inputs.append(
            scoring.AgencyInput(
                key=assessment.id,
                group=group_id,
                totals=totals_of(fields, base_maxima=base_maxima[group_id]),
                demotion_steps=((demotion.steps or 0) if demotion else 0)
                + (1 if late_rule == LateRule.DEMOTE else 0),
                cap_position=tier_position.get(demotion.cap_tier_id) if demotion else None,
                previous_rank=before.get(assessment.agency_id),
                ranked=assessment.standing == Standing.RANKED and late_rule != LateRule.NOT_RANKED,
                deduction=late_points if late_rule == LateRule.DEDUCT else Decimal(0),
            )
        )
    if problems:
        if len(problems) > MAX_LISTED:
            rest = len(problems) - MAX_LISTED
            problems = problems[:MAX_LISTED] + [_("… and %(count)d more agencies.") % {"count": rest}]
        # One agency that never finished must not hold up the whole period: the council
        # decides, agency by agency, to leave it out or (once scored) not to rank it.
        raise ServiceError(
            _(
                "Results of period %(code)s cannot be computed: the agencies below have leaves without a "
                "final score. Complete their scores, or choose for each one on the results page: "
                "“Not assessed”, or “Not ranked” once every leaf is scored."
            )
            % {"code": period.code},
            *problems,
        )
    return inputs, assessments


# The field names of each dataclass `canonical` met, looked up once per class.
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def canonical(value):
    """`value` as plain JSON data that two equal values always share: dataclasses by their
    fields, mappings sorted, numbers exact and without trailing zeros."""
    kind = type(value)
    # The common cases first, told by their exact type (a period's inputs hold tens of
    # thousands of values); subclasses take the general way below, as before.
    if kind is Decimal:
        return format(value.normalize(), "f")
    if kind is str or kind is int or kind is bool or value is None:
        return value
    names = _FIELD_NAMES.get(kind)
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(value))
    if names is not None:
        return {name: canonical(getattr(value, name)) for name in names}
    if kind is dict:
        return sorted(
            [
                k if type(k) is str else canonical(k),
                format(v.normalize(), "f") if type(v) is Decimal else canonical(v),
            ]
            for k, v in value.items()
        )
    if isinstance(value, dict):
        return sorted([canonical(k), canonical(v)] for k, v in value.items())
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, Fraction):
        return [value.numerator, value.denominator]
    return value


@dataclass(frozen=True)
class PeriodInputs:
    """Everything a period's results are computed from, as `results_compute` reads it."""

    tiers: list[Tier]
    rules: scoring.PeriodRules
    inputs: list[scoring.AgencyInput]
    assessments: dict[int, AssessmentRow]

    @property
    def fingerprint(self) -> str:
        """A digest of the inputs: equal digests, equal results.

        Made of the very values `scoring.compute_period` receives (whatever `agency_inputs`
        comes to read, such as a new kind of flag, reaches it there), the tiers and agencies
        the results point to.
        """
        content = {
            "tiers": [t.id for t in self.tiers],
            "rules": canonical(self.rules),
            "agencies": sorted([key, a.agency_id] for key, a in self.assessments.items()),
            "inputs": canonical(sorted(self.inputs, key=lambda a: a.key)),
            # The council's word is an input even where it changes no figure (a reason, a
            # late record under the rule "nothing"): what is shown must be what was computed.
            "standings": sorted(
                [key, a.standing, a.standing_reason, a.late] for key, a in self.assessments.items()
            ),
        }
        # The results name the group of an agency left out too; a ranked one's is in `inputs`.
        # Only a period with such agencies has this entry, so no other period's digest changes.
        excluded = sorted(
            [key, a.group_id] for key, a in self.assessments.items() if a.standing == Standing.EXCLUDED
        )
        if excluded:
            content["excluded_groups"] = excluded
        encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(encoded.encode()).hexdigest()


def period_inputs(*, period: Period, progress: Callable[[int, int], None] | None = None) -> PeriodInputs:
    """Read a period's inputs; refuses, like `results_compute`, when results cannot be computed."""
    tiers = list(Tier.objects.filter(period=period).order_by("order"))
    if not tiers:
        raise ServiceError(_("Period %(code)s has no tier scheme.") % {"code": period.code})
    criteria = list(Criterion.objects.filter(period=period).prefetch_related("groups"))
    if not criteria:
        raise ServiceError(_("Period %(code)s has no criteria.") % {"code": period.code})
    rules = period_rules(period=period, tiers=tiers, criteria=criteria)
    inputs, assessments = agency_inputs(period=period, tiers=tiers, criteria=criteria, progress=progress)
    return PeriodInputs(tiers=tiers, rules=rules, inputs=inputs, assessments=assessments)


def results_current(*, period: Period) -> bool:
    """Whether the period's stored results were computed from exactly its inputs as they stand.

    `period` is the row as locked by the caller. False when nothing was computed, and when
    the inputs no longer yield results at all (a leaf left unscored, a tier removed).
    """
    if period.results_computed_at is None or not period.results_fingerprint:
        return False
    try:
        return period_inputs(period=period).fingerprint == period.results_fingerprint
    except ServiceError:
        return False


@transaction.atomic
def results_compute(*, period: Period, progress: Callable[[int, int], None] | None = None) -> ComputeSummary:
    """Compute totals, index, tier, rank and change of every agency and propose the awards.

    Replaces the period's results; keeps the council's decisions on the award list (entries
    with a reason) and withdraws an earlier approval, since the list may have changed.
    Stores the fingerprint of the inputs the results come from.
    `progress(done, total)`, if given, hears of the agencies as they are gone through.
    """
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.phase == Phase.PUBLISHED:
        raise ServiceError(
            _("Results of period %(code)s are published and frozen; reopen the period to correct them.")
            % {"code": period.code}
        )
    read = period_inputs(period=period, progress=progress)
    tiers, rules, assessments = read.tiers, read.rules, read.assessments
    computed = scoring.compute_period(read.inputs, rules)
    late_not_ranked = recorded(gettext_noop("Submitted late (the period's rule: not ranked)"))

    Result.objects.filter(period=period).delete()
    # The rows as values, without an instance of each: what `Result(**row)` would be.
    codes = rules.field_codes
    tier_ids = [t.id for t in tiers]
    rows = []
    for r in computed:
        totals = r.totals
        assessment = assessments[r.key]
        field_scores, field_maxima = totals.field_scores, totals.field_maxima
        ranked = r.rank is not None
        rows.append(
            (
                period.id,
                assessment.agency_id,
                r.group,
                totals.total,
                totals.total_without_survey,
                totals.maximum,
                totals.index.quantize(INDEX_PLACES),
                {code: str(field_scores.get(code, 0)) for code in codes},
                {code: str(field_maxima.get(code, 0)) for code in codes},
                stored_indices(totals, codes),
                tier_ids[r.tier_before_demotion],
                tier_ids[r.tier],
                r.demoted,
                r.rank,
                r.previous_rank,
                Standing.RANKED if ranked else Standing.NOT_RANKED,
                "" if ranked else assessment.standing_reason or late_not_ranked,
                assessment.late,
            )
        )
    bulk_insert_values(Result, RESULT_VALUES, rows)
    proposed = {assessments[r.key].agency_id for r in computed if r.award_proposed}
    ranked = {assessments[r.key].agency_id for r in computed if r.rank is not None}
    awards_propose(period=period, agency_ids=proposed, ranked=ranked)

    left_out = [a for a in assessments.values() if a.standing == Standing.EXCLUDED]
    groups = {
        g.id: g
        for g in AgencyGroup.objects.filter(
            id__in={r.group for r in computed} | {a.group_id for a in left_out}
        )
    }
    period.results_excluded = [
        {
            "agency": a.agency.code,
            "agency_id": a.agency_id,
            "name": a.agency.name,
            "group": groups[a.group_id].name,
            "group_code": groups[a.group_id].code,
            "group_order": groups[a.group_id].order,
            "standing_reason": a.standing_reason,
            "late": a.late,
        }
        for a in sorted(
            left_out,
            key=lambda a: (groups[a.group_id].order, groups[a.group_id].code, a.agency.code),
        )
    ]
    period.results_computed_at = timezone.now()
    period.results_fingerprint = read.fingerprint
    period.results_outdated_reason = ""
    period.awards_approved_at = None
    period.save(
        update_fields=[
            "results_computed_at",
            "results_fingerprint",
            "results_outdated_reason",
            "results_excluded",
            "awards_approved_at",
        ]
    )

    counts: dict[int, list[int]] = defaultdict(lambda: [0] * len(tiers))
    for r in computed:
        counts[r.group][r.tier] += 1
    ordered_groups = sorted(groups.values(), key=lambda g: (g.order, g.code))
    return ComputeSummary(
        period=period,
        agencies=sum(1 for r in computed if r.rank is not None),
        tier_counts=[(g, [(t.label, counts[g.id][i]) for i, t in enumerate(tiers)]) for g in ordered_groups],
        proposed_awards=len(proposed),
    )


def stored_indices(totals: scoring.Totals, field_codes: list[str]) -> dict[str, str | None]:
    """The component index of every field, to the places of the index (None: no maximum)."""
    indices = totals.field_indices
    return {
        code: None if indices.get(code) is None else str(indices[code].quantize(INDEX_PLACES))
        for code in field_codes
    }


def awards_propose(*, period: Period, agency_ids: set[int], ranked: set[int]) -> None:
    """Bring the award list in line with the rule's proposal, in a fixed number of queries.

    An entry the council decided on (it carries a reason) keeps its decision while the agency
    is ranked (`ranked`: the agencies with a rank); every other entry follows the proposal. An
    agency not ranked or not assessed leaves the list, whatever was decided: were it ranked
    again, the council adds it again. Entries are kept, not deleted, so their history stays whole.
    """
    existing = {e.agency_id: e for e in AwardEntry.objects.filter(period=period)}
    changed = []
    for agency_id, entry in existing.items():
        proposed = agency_id in agency_ids
        included = (entry.included if entry.reason else proposed) and agency_id in ranked
        if (entry.proposed, entry.included) != (proposed, included):
            entry.proposed, entry.included = proposed, included
            changed.append(entry)
    if changed:
        bulk_update_with_history(changed, AwardEntry, ["proposed", "included"])
    new = [
        AwardEntry(period=period, agency_id=agency_id, proposed=True, included=True)
        for agency_id in sorted(agency_ids - existing.keys())
    ]
    if new:
        bulk_create_with_history(new, AwardEntry)
