"""The arithmetic of a period: totals, maximum, index, tiers, ranks, change and awards.

Pure Python on Decimal and Fraction, free of Django, so imports, exports, the web pages
and the what-if tools share one definition, and property tests can exercise it freely.
The rules are those of docs/workbook.md ("The arithmetic").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from fractions import Fraction
from functools import cached_property, lru_cache

NUMBER = "number"
CHOICE = "choice"
YESNO = "yesno"
DEDUCTION = "deduction"
BONUS = "bonus"
SURVEY = "survey"
METHODS = (NUMBER, CHOICE, YESNO, DEDUCTION, BONUS, SURVEY)
# Leaves outside the 100-point base: they move the total but never the maximum, and
# an empty one simply means "nothing added, nothing taken".
OUTSIDE_BASE = (DEDUCTION, BONUS)

TIE_TOTAL_WITHOUT_SURVEY = "total_without_survey"
TIE_FIELDS = "fields"

ZERO = Decimal(0)
HUNDRED = Decimal(100)


# --- one leaf --------------------------------------------------------------------------


@dataclass(frozen=True)
class Leaf:
    code: str
    method: str
    max_points: Decimal
    field: str

    @staticmethod
    def field_of(code: str) -> str:
        return code.split(".")[0]


def final_not_arising(not_arising: bool, reviewer_not_arising: bool | None) -> bool:
    """Whether a leaf is left out of the final figures: the reviewer may overrule the agency's
    "does not arise" either way; until they have said, the agency's word stands."""
    return not_arising if reviewer_not_arising is None else reviewer_not_arising


@dataclass(frozen=True)
class LeafScore:
    leaf: Leaf
    score: Decimal | None
    not_arising: bool = False


def value_problem(
    *,
    method: str,
    max_points: Decimal,
    value: Decimal,
    step: Decimal | None = None,
    choices: Iterable[Decimal] = (),
) -> str | None:
    """Why `value` is not allowed for a leaf, as a short code, or None when it is.

    Codes: ``negative``, ``above_max``, ``off_step``, ``not_a_choice``, ``not_yes_no``,
    ``positive_deduction``, ``below_floor``. Values are never clipped: the caller reports.
    """
    if method == DEDUCTION:
        if value > 0:
            return "positive_deduction"
        if value < -max_points:
            return "below_floor"
        return None
    if value < 0:
        return "negative"
    if value > max_points:
        return "above_max"
    if method == YESNO and value not in (ZERO, max_points):
        return "not_yes_no"
    if method == CHOICE and value not in set(choices):
        return "not_a_choice"
    if method == NUMBER and step and value % step != 0:
        return "off_step"
    return None


# --- one agency ------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    total: Decimal
    total_without_survey: Decimal
    maximum: Decimal
    field_scores: dict[str, Decimal]
    # The maximum of every field with a leaf that applies: its base leaves that arose.
    field_maxima: dict[str, Decimal] = field(default_factory=dict)

    @cached_property
    def ratio(self) -> Fraction:
        """The index as an exact fraction of 1 (0 when nothing arose); worked out once (a
        period's tiers and ranks ask for it again and again)."""
        if not self.maximum:
            return Fraction(0)
        return Fraction(self.total) / Fraction(self.maximum)

    @property
    def index(self) -> Decimal:
        """total ÷ maximum × 100, to 28 significant digits; compare with `ratio`."""
        if not self.maximum:
            return ZERO
        with localcontext() as ctx:
            ctx.prec = 28
            return self.total * HUNDRED / self.maximum

    @property
    def field_indices(self) -> dict[str, Decimal | None]:
        """The component index of every field with a maximum entry (see `component_index`)."""
        scores = self.field_scores
        # `component_index` of each field, in one decimal context for them all.
        with localcontext() as ctx:
            ctx.prec = 28
            return {
                code: max(scores.get(code, ZERO), ZERO) * HUNDRED / maximum if maximum else None
                for code, maximum in self.field_maxima.items()
            }


def component_index(points: Decimal, maximum: Decimal) -> Decimal | None:
    """A field's points ÷ its maximum × 100, to 28 significant digits, as `Totals.index`.

    The field's points are taken no lower than 0, as the total is; bonus points may carry
    it above 100. None when the field has no maximum for the agency (every base leaf of it
    did not arise, or it holds only bonus and deduction leaves): there is nothing to divide by.
    """
    if not maximum:
        return None
    with localcontext() as ctx:
        ctx.prec = 28
        return max(points, ZERO) * HUNDRED / maximum


def contribution(leaf: Leaf, score: Decimal) -> Decimal:
    """What a scored leaf adds to the total: deductions are negative, bonus capped."""
    if leaf.method == DEDUCTION:
        return max(-abs(score), -leaf.max_points)
    if leaf.method == BONUS:
        return min(score, leaf.max_points)
    return score


def parent_maxima(leaves: Iterable[tuple[str, str, Decimal]]) -> dict[str, Decimal]:
    """The maximum of every parent code, from its leaves' (code, method, maximum).

    A parent's maximum is the sum of the maxima of the base leaves below it: bonus and
    deduction leaves add nothing, so a field made only of them has a maximum of 0.
    """
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for code, method, max_points in leaves:
        parts = code.split(".")
        points = ZERO if method in OUTSIDE_BASE else max_points
        for depth in range(1, len(parts)):
            totals[".".join(parts[:depth])] += points
    return dict(totals)


def field_maxima(leaves: Iterable[Leaf]) -> dict[str, Decimal]:
    """The maximum of every field of `leaves` (those that apply and arose): the sum of its
    base leaves' maxima; a field of bonus and deduction leaves only has a maximum of 0."""
    maxima: dict[str, Decimal] = {}
    for leaf in leaves:
        points = ZERO if leaf.method in OUTSIDE_BASE else leaf.max_points
        maxima[leaf.field] = maxima.get(leaf.field, ZERO) + points
    return maxima


def unscored(scores: Iterable[LeafScore]) -> list[str]:
    """Codes of applying leaves that arose but have no score (bonus/deduction may stay empty)."""
    return [
        s.leaf.code
        for s in scores
        if s.score is None and not s.not_arising and s.leaf.method not in OUTSIDE_BASE
    ]


def agency_totals(scores: Iterable[LeafScore]) -> Totals:
    """Totals over the leaves that apply to the agency (the caller filters by group).

    A leaf that did not arise is left out of both the total and the maximum; the total is
    never below 0. Every field with a leaf that applies gets a maximum by the same rule
    (0 when none of its base leaves arose), so the field maxima add up to the maximum.
    """
    raw = ZERO
    survey = ZERO
    maximum = ZERO
    fields: dict[str, Decimal] = defaultdict(lambda: ZERO)
    scores = list(scores)
    # A field whose leaves all did not arise keeps its entry, with a maximum of 0.
    maxima = dict.fromkeys((s.leaf.field for s in scores), ZERO)
    maxima.update(field_maxima(s.leaf for s in scores if not s.not_arising))
    for s in scores:
        if s.not_arising:
            continue
        if s.leaf.method not in OUTSIDE_BASE:
            maximum += s.leaf.max_points
        if s.score is None:
            continue
        points = contribution(s.leaf, s.score)
        raw += points
        fields[s.leaf.field] += points
        if s.leaf.method == SURVEY:
            survey += points
    return Totals(
        total=max(raw, ZERO),
        total_without_survey=max(raw - survey, ZERO),
        maximum=maximum,
        field_scores=dict(fields),
        field_maxima=maxima,
    )


# --- tiers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TierDef:
    label: str
    min_index: Decimal


# A tier's bound as an exact fraction, made once per bound rather than once per agency.
bound_fraction = lru_cache(maxsize=1024)(Fraction)


def tier_position(totals: Totals, tiers: Sequence[TierDef]) -> int:
    """Position (0 = highest) of the highest tier whose lower bound the exact index reaches.

    `tiers` is ordered highest first; its last tier is reached by any index.
    Compares total × 100 ≥ bound × maximum, so 89.996 % stays below a bound of 90.
    """
    if not tiers:
        raise ValueError("a tier scheme needs at least one tier")
    ratio = totals.ratio * 100
    for position, tier in enumerate(tiers):
        if ratio >= bound_fraction(tier.min_index):
            return position
    return len(tiers) - 1


def demoted_position(
    position: int, *, tier_count: int, steps: int = 0, cap_position: int | None = None
) -> int:
    """Lower a tier by `steps` and/or cap it at `cap_position`; never above, never past the last."""
    lowered = position + max(steps, 0)
    if cap_position is not None:
        lowered = max(lowered, cap_position)
    return min(lowered, tier_count - 1)


# --- ranks ----------------------------------------------------------------------------


def rank_key(totals: Totals, *, field_codes: Sequence[str], tie_breakers: Sequence[str]) -> tuple:
    """Sort key, larger is better: exact index, then the period's tie-breakers in order."""
    key: list = [totals.ratio]
    for breaker in tie_breakers:
        if breaker == TIE_TOTAL_WITHOUT_SURVEY:
            key.append(totals.total_without_survey)
        elif breaker == TIE_FIELDS:
            key.extend(totals.field_scores.get(code, ZERO) for code in field_codes)
        else:
            raise ValueError(f"unknown tie-breaker {breaker!r}")
    return tuple(key)


def competition_ranks(keys: dict[Hashable, tuple]) -> dict[Hashable, int]:
    """Standard competition ranking, highest key first: equal keys share a rank and the
    next rank skips (1, 2, 2, 4)."""
    ordered = sorted(keys.items(), key=lambda item: item[1], reverse=True)
    ranks: dict[Hashable, int] = {}
    previous_key = None
    current_rank = 0
    for position, (item, key) in enumerate(ordered, start=1):
        if key != previous_key:
            current_rank = position
            previous_key = key
        ranks[item] = current_rank
    return ranks


def rank_change(rank: int, previous_rank: int | None) -> int | None:
    """Places moved up (positive) or down (negative); None where there was no previous rank."""
    if previous_rank is None:
        return None
    return previous_rank - rank


# --- awards ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AwardRule:
    """Agencies at or above `from_position` are proposed, best ranks first.

    With `max_per_group`, at most that many per group — except that agencies sharing the
    rank at the cut are all proposed, since nothing is left to tell them apart; the council
    trims the list with a reason.
    """

    from_position: int | None
    max_per_group: int | None = None
    exclude_demoted: bool = True


@dataclass(frozen=True)
class Candidate:
    key: Hashable
    group: Hashable
    rank: int
    tier_position: int
    demoted: bool


def propose_awards(candidates: Iterable[Candidate], rule: AwardRule) -> list[Hashable]:
    """Keys of the proposed agencies, per group in rank order."""
    if rule.from_position is None:
        return []
    by_group: dict[Hashable, list[Candidate]] = defaultdict(list)
    for c in candidates:
        if c.tier_position > rule.from_position:
            continue
        if rule.exclude_demoted and c.demoted:
            continue
        by_group[c.group].append(c)
    proposed: list[Hashable] = []
    for group_candidates in by_group.values():
        group_candidates.sort(key=lambda c: (c.rank, str(c.key)))
        taken: list[Candidate] = []
        for c in group_candidates:
            full = rule.max_per_group is not None and len(taken) >= rule.max_per_group
            if full and (not taken or c.rank != taken[-1].rank):
                break
            taken.append(c)
        proposed.extend(c.key for c in taken)
    return proposed


# --- a whole period -------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyInput:
    """One agency of a period: its leaf scores, or its totals when already summed elsewhere
    (the database sums them for a whole period; `agency_totals` is the definition)."""

    key: Hashable
    group: Hashable
    scores: Sequence[LeafScore] = ()
    demotion_steps: int = 0
    cap_position: int | None = None
    previous_rank: int | None = None
    totals: Totals | None = None
    # Assessed but not ranked: index and tier, no rank and no certificate.
    ranked: bool = True
    # Points taken off the total (the period's rule for late agencies).
    deduction: Decimal = ZERO


@dataclass(frozen=True)
class AgencyResult:
    key: Hashable
    group: Hashable
    totals: Totals
    tier_before_demotion: int
    tier: int
    rank: int | None
    previous_rank: int | None
    change: int | None
    demoted: bool
    award_proposed: bool = False


@dataclass(frozen=True)
class PeriodRules:
    tiers: Sequence[TierDef]
    field_codes: Sequence[str]
    tie_breakers: Sequence[str] = (TIE_TOTAL_WITHOUT_SURVEY, TIE_FIELDS)
    award: AwardRule = field(default_factory=lambda: AwardRule(from_position=None))


def deducted(totals: Totals, points: Decimal) -> Totals:
    """`totals` less `points` off the total (and the total without survey), never below 0;
    the field scores stay as scored."""
    if not points:
        return totals
    return Totals(
        total=max(totals.total - points, ZERO),
        total_without_survey=max(totals.total_without_survey - points, ZERO),
        maximum=totals.maximum,
        field_scores=totals.field_scores,
    )


def compute_period(agencies: Sequence[AgencyInput], rules: PeriodRules) -> list[AgencyResult]:
    """Everything `compute_results` stores, for every agency of a period, in input order.

    Ranks close up over the ranked agencies of each group; the others get none."""
    totals = {
        a.key: deducted(a.totals if a.totals is not None else agency_totals(a.scores), a.deduction)
        for a in agencies
    }
    tiers_before = {a.key: tier_position(totals[a.key], rules.tiers) for a in agencies}
    tiers_after = {
        a.key: demoted_position(
            tiers_before[a.key],
            tier_count=len(rules.tiers),
            steps=a.demotion_steps,
            cap_position=a.cap_position,
        )
        for a in agencies
    }
    ranks: dict[Hashable, int] = {}
    groups: dict[Hashable, dict[Hashable, tuple]] = defaultdict(dict)
    for a in (a for a in agencies if a.ranked):
        groups[a.group][a.key] = rank_key(
            totals[a.key], field_codes=rules.field_codes, tie_breakers=rules.tie_breakers
        )
    for keys in groups.values():
        ranks.update(competition_ranks(keys))
    # A recorded demotion counts even where it changed nothing (already at the bottom, or
    # capped at the tier it had): its reason still bars a certificate.
    demoted = {a.key: a.demotion_steps > 0 or a.cap_position is not None for a in agencies}
    awarded = set(
        propose_awards(
            (
                Candidate(a.key, a.group, ranks[a.key], tiers_after[a.key], demoted[a.key])
                for a in agencies
                if a.ranked
            ),
            rules.award,
        )
    )
    return [
        AgencyResult(
            key=a.key,
            group=a.group,
            totals=totals[a.key],
            tier_before_demotion=tiers_before[a.key],
            tier=tiers_after[a.key],
            rank=ranks.get(a.key),
            previous_rank=a.previous_rank,
            change=rank_change(ranks[a.key], a.previous_rank) if a.ranked else None,
            demoted=demoted[a.key],
            award_proposed=a.key in awarded,
        )
        for a in agencies
    ]
