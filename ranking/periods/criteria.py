"""The criteria tree's rules, written once: which leaves apply to a group (in Python and in
SQL), which fields a period has, what values a leaf allows, and how far its maximum may move
below scores already given."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BooleanField, Exists, Max, Min, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Agency
from ranking import scoring
from ranking.models import Criterion, Period, Score
from ranking.numbers import shown


def period_fields(*, period: Period) -> list[Criterion]:
    """The fields of the period (its top-level criteria: `1`, `2`, …) in code order.

    One query.
    """
    return list(Criterion.objects.filter(period=period, parent=None).order_by("sort_key"))


def applies(groups: Collection[int], group_id: int) -> bool:
    """Whether a leaf limited to `groups` applies to the group `group_id`: a leaf that names
    no group applies to every group, otherwise only to the groups it names.

    `group_applies_q` is the same rule in SQL.
    """
    return not groups or group_id in groups


def group_applies_q(group_id, ref: str = "pk") -> Q:
    """SQL form of `applies`: a filter keeping the criteria that apply to the group `group_id`
    (an id, or an expression such as `OuterRef("group_id")`).

    `ref` names the criterion's id in the filtered query: "pk" on criteria, "criterion_id" on
    scores.
    """
    through = Criterion.groups.through
    return ~Exists(through.objects.filter(criterion_id=OuterRef(ref))) | Exists(
        through.objects.filter(criterion_id=OuterRef(ref), agencygroup_id=group_id)
    )


def leaf_applies(group_id, ref: str = "pk") -> Q:
    """A filter keeping the criteria that are leaves and apply to the group `group_id` (see
    `group_applies_q`)."""
    return ~Exists(Criterion.objects.filter(parent_id=OuterRef(ref))) & group_applies_q(group_id, ref)


def group_applies_sql(column: str, group_id: int | None) -> RawSQL:
    """`group_applies_q` as one SQL expression, for the hot paths of a score save.

    `column` is the criterion's id in the outer query, quoted with its table
    (`'"ranking_criterion"."id"'`). The same rule as `group_applies_q`, written out: the ORM
    builds and compiles each `Exists` subquery anew on every call, which cost more than the
    rest of a save's queries together.
    """
    through = Criterion.groups.through._meta.db_table
    return RawSQL(
        f'(NOT EXISTS (SELECT 1 FROM "{through}" g WHERE g.criterion_id = {column}) '
        f'OR EXISTS (SELECT 1 FROM "{through}" g WHERE g.criterion_id = {column} AND g.agencygroup_id = %s))',
        (group_id,),
        output_field=BooleanField(),
    )


def leaf_applies_sql(column: str, group_id: int | None) -> RawSQL:
    """`leaf_applies` as one SQL expression (see `group_applies_sql`)."""
    table = Criterion._meta.db_table
    applies_sql, params = group_applies_sql(column, group_id).sql, (group_id,)
    return RawSQL(
        f'(NOT EXISTS (SELECT 1 FROM "{table}" child WHERE child.parent_id = {column}) AND {applies_sql})',
        params,
        output_field=BooleanField(),
    )


def final_not_arising_q(*, value: bool = True) -> Q:
    """SQL form of `scoring.final_not_arising` (the Python form, which `Score.final_not_arising`
    reads): scores whose final word on "does not arise" is `value` (False: the leaf arose). The
    reviewer's flag, once given, overrules the agency's. Written without a negation, which SQL's
    NULL would bend."""
    return Q(reviewer_not_arising=value) | Q(reviewer_not_arising__isnull=True, not_arising=value)


def applicable_tree(nodes: list[tuple[int, int | None]], keeps) -> tuple[set[int], set[int]]:
    """The ids to keep and the ids of the leaves that apply, from a period's (id, parent id) pairs.

    `keeps(id)` says whether a leaf applies to the group; a parent is kept when at least one
    of its leaves applies.
    """
    parent_of = dict(nodes)
    parent_ids = {parent_id for _node, parent_id in nodes if parent_id}
    leaves = {node for node, _parent in nodes if node not in parent_ids and keeps(node)}
    kept = set(leaves)
    for leaf_id in leaves:
        parent_id = parent_of[leaf_id]
        while parent_id and parent_id not in kept:
            kept.add(parent_id)
            parent_id = parent_of[parent_id]
    return kept, leaves


def applicable_criteria(*, period: Period, group_id: int) -> tuple[list[Criterion], set[int]]:
    """The period's criteria that apply to a group, in tree order, and the ids of the leaves.

    A parent is kept when at least one of its leaves applies. Two queries: the criteria, and
    the criterion–group pairs as plain ids.
    """
    criteria = list(Criterion.objects.filter(period=period).order_by("sort_key"))
    groups: dict[int, set[int]] = defaultdict(set)
    pairs = Criterion.groups.through.objects.filter(criterion__period=period)
    for criterion_id, agency_group_id in pairs.values_list("criterion_id", "agencygroup_id"):
        groups[criterion_id].add(agency_group_id)
    kept, leaves = applicable_tree(
        [(c.id, c.parent_id) for c in criteria], lambda node: applies(groups.get(node, ()), group_id)
    )
    return [c for c in criteria if c.id in kept], leaves


# Every score a leaf's maximum (or a deduction's floor) bounds, whoever gave it.
SCORE_COLUMNS = ("self_score", "reviewed_score", "proposed_score", "final_score")


def highest_scores(*, criterion_ids: Iterable[int]) -> dict[int, Decimal]:
    """Criterion id → the largest absolute value among its scores (self, reviewed, proposed
    or final, of any agency); criteria without a score are left out. One query."""
    bounds = {}
    for column in SCORE_COLUMNS:
        bounds[f"{column}_max"] = Max(column)
        bounds[f"{column}_min"] = Min(column)
    highest = {}
    rows = (
        Score.objects.filter(criterion_id__in=list(criterion_ids))
        .values("criterion_id")
        .annotate(**bounds)
        .order_by()
    )
    for row in rows:
        reached = [abs(value) for key, value in row.items() if key != "criterion_id" and value is not None]
        if reached:
            highest[row["criterion_id"]] = max(reached)
    return highest


@dataclass(frozen=True)
class ScoreBeyond:
    """The score of a leaf farthest beyond a bound, and how many agencies have one beyond it."""

    agency: Agency
    column: str
    value: Decimal
    agencies: int


def scores_beyond(*, criterion_id: int, bound: Decimal) -> ScoreBeyond | None:
    """The leaf's scores above `bound` or below −`bound` (a deduction's floor): the farthest
    one (the first agency by code on a tie) and how many agencies have one; None if there is
    none. One query."""
    beyond = Q()
    for column in SCORE_COLUMNS:
        beyond |= Q(**{f"{column}__gt": bound}) | Q(**{f"{column}__lt": -bound})
    found = []
    scores = (
        Score.objects.filter(beyond, criterion_id=criterion_id)
        .select_related("assessment__agency")
        .order_by("assessment__agency__code")
    )
    for score in scores:
        for column in SCORE_COLUMNS:
            value = getattr(score, column)
            if value is not None and abs(value) > bound:
                found.append((score.assessment.agency, column, value))
    if not found:
        return None
    agency, column, value = max(found, key=lambda item: abs(item[2]))
    return ScoreBeyond(agency=agency, column=column, value=value, agencies=len({a.pk for a, _c, _v in found}))


def maximum_problem(criterion: Criterion, max_points: Decimal, highest: Decimal | None) -> str | None:
    """Why a leaf's maximum (a deduction's floor) cannot become `max_points`: scores already
    given reach beyond it. `highest` is the largest absolute score of the leaf
    (`highest_scores`); only then are the scores read, to name one."""
    if highest is None or highest <= max_points or criterion.pk is None:
        return None
    beyond = scores_beyond(criterion_id=criterion.pk, bound=max_points)
    if beyond is None:
        return None
    kind = Score._meta.get_field(beyond.column).verbose_name
    return ngettext(
        "The maximum cannot be %(max)s: %(count)d agency already has a score beyond it, "
        "such as the %(kind)s %(value)s of %(agency)s.",
        "The maximum cannot be %(max)s: %(count)d agencies already have a score beyond it, "
        "such as the %(kind)s %(value)s of %(agency)s.",
        beyond.agencies,
    ) % {
        "max": shown(max_points),
        "count": beyond.agencies,
        "kind": kind,
        "value": shown(beyond.value),
        "agency": beyond.agency.name,
    }


SCORE_PROBLEMS = {
    "negative": lambda v, c: _("Score %(value)s cannot be negative.") % {"value": shown(v)},
    "above_max": lambda v, c: (
        _("Score %(value)s is above the maximum of %(max)s.")
        % {"value": shown(v), "max": shown(c.max_points)}
    ),
    "off_step": lambda v, c: (
        _("Score %(value)s is not a multiple of the step %(step)s.")
        % {"value": shown(v), "step": shown(c.step)}
    ),
    "not_a_choice": lambda v, c: (
        _("Score %(value)s is not one of the options: %(options)s.")
        % {
            "value": shown(v),
            "options": "; ".join(f"{label} = {shown(Decimal(p))}" for label, p in c.options),
        }
    ),
    "not_yes_no": lambda v, c: (
        _("A yes/no criterion takes 0 or %(max)s, not %(value)s.")
        % {"value": shown(v), "max": shown(c.max_points)}
    ),
    "positive_deduction": lambda v, c: (
        _("A deduction is written as a negative number or 0, not %(value)s.") % {"value": shown(v)}
    ),
    "below_floor": lambda v, c: (
        _("Deduction %(value)s is below the floor of −%(max)s.")
        % {"value": shown(v), "max": shown(c.max_points)}
    ),
}


def score_problem(criterion: Criterion, value: Decimal) -> str | None:
    """Why a value is not allowed for a leaf, in the user's language, or None."""
    if criterion.max_points is None:
        return _("Criterion %(code)s has no maximum: set it before scoring.") % {"code": criterion.code}
    problem = scoring.value_problem(
        method=criterion.method,
        max_points=criterion.max_points or Decimal(0),
        value=value,
        step=criterion.step,
        choices=[Decimal(points) for _label, points in criterion.options],
    )
    return SCORE_PROBLEMS[problem](value, criterion) if problem else None
