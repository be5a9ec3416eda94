"""What-if: how many points an agency needs to reach the next tier, or the next rank.

Pure arithmetic on the types of `ranking.scoring`, free of Django, so that the answer can be
checked exhaustively against `scoring.compute_period` (tests/unit/ranking/reports/test_whatif.py).

The definitions:

- **Steps of 0.01.** An answer X is a multiple of 0.01 point, the finest a score is shown in
  (scores are shown with 2 decimals): X is the smallest such multiple for which the goal is
  reached, so X − 0.01 does not reach it. Stored scores may carry more decimals; the index is
  always compared exactly.
- **Where the points go.** Into the leaves the agency can still gain on by its own work: the
  base leaves (number, choice, yes/no) that arose — not survey leaves (their values are
  imported), not bonus or deduction leaves (outside the 100-point base). The field with the
  most headroom (ties: the first field in code order) is filled first, leaf by leaf in code
  order up to each leaf's maximum, then the field with the next most headroom, and so on. So
  X raises the total and the total without survey by X, keeps the maximum, and raises the
  field scores as they are filled — which matters only for the field tie-breaker.
- **Headroom.** The sum, over those leaves, of maximum − score. An X above the headroom is
  still computed (the excess is put on the first leaf filled, beyond its maximum: arithmetic
  only) but reported as not reachable.
- **Next tier.** The tier above the agency's tier *before* demotion: its lower bound on the
  exact index must be reached. A demotion still applies to the tier reached, so a demoted
  agency may stay where it is; `position_after_demotion` says where it would land.
- **Next rank.** Strictly better than the agency's rank now, with every agency of its group
  recomputed by the period's full chain (exact index, then the tie-breakers in order). The
  agency needs a key at least equal to the lowest key strictly above its own: it then shares
  that rank. Demotions never change ranks.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

from ranking import scoring

CENT = Decimal("0.01")


@dataclass(frozen=True)
class TierWhatIf:
    """Points to the next tier. `points` is None when no points can lift the agency at all
    (nothing arose, or no leaf it can gain on)."""

    points: Decimal | None
    reachable: bool
    headroom: Decimal
    # The tier reached (0 = highest), before and after the agency's demotion.
    position: int
    position_after_demotion: int


@dataclass(frozen=True)
class RankWhatIf:
    """Points to the next rank. `points` is None when no points can lift the agency at all."""

    points: Decimal | None
    reachable: bool
    headroom: Decimal
    # The rank the agency would have with those points (it may share it).
    rank: int


# --- where the points go ----------------------------------------------------------------


def gainable(score: scoring.LeafScore) -> bool:
    """A leaf the agency can still gain on by its own work: a base leaf that arose, not a survey."""
    leaf = score.leaf
    return not score.not_arising and leaf.method not in scoring.OUTSIDE_BASE and leaf.method != scoring.SURVEY


def leaf_headroom(score: scoring.LeafScore) -> Decimal:
    return max(score.leaf.max_points - (score.score or scoring.ZERO), scoring.ZERO)


def headroom(agency: scoring.AgencyInput) -> Decimal:
    """Points the agency can still gain: maximum − score over the leaves it can gain on."""
    return sum((leaf_headroom(s) for s in agency.scores if gainable(s)), scoring.ZERO)


def _code_key(code: str) -> tuple:
    # `1.10` after `1.9`; a part that is not a number sorts after the numbers, by its text.
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in code.split("."))


def fill_order(scores: Sequence[scoring.LeafScore]) -> list[int]:
    """Positions in `scores` of the gainable leaves in the order points fill them: the field
    with the most headroom first (ties: by field code), then leaf by leaf in code order."""
    by_field: dict[str, list[int]] = defaultdict(list)
    for position, s in enumerate(scores):
        if gainable(s):
            by_field[s.leaf.field].append(position)
    room = {f: sum((leaf_headroom(scores[p]) for p in ps), scoring.ZERO) for f, ps in by_field.items()}
    fields = sorted(by_field, key=lambda f: (-room[f], _code_key(f)))
    return [p for f in fields for p in sorted(by_field[f], key=lambda p: _code_key(scores[p].leaf.code))]


def with_points(agency: scoring.AgencyInput, points: Decimal) -> scoring.AgencyInput:
    """The agency with `points` added to its leaves as the module docstring says."""
    scores = list(agency.scores)
    order = fill_order(scores)
    if not order:
        raise ValueError("the agency has no leaf to gain points on")
    added: dict[int, Decimal] = {}
    left = points
    for position in order:
        take = min(leaf_headroom(scores[position]), left)
        if take > 0:
            added[position] = take
            left -= take
    if left > 0:
        added[order[0]] = added.get(order[0], scoring.ZERO) + left
    for position, extra in added.items():
        s = scores[position]
        scores[position] = replace(s, score=(s.score or scoring.ZERO) + extra)
    return replace(agency, scores=scores)


# --- the searches -----------------------------------------------------------------------


def raw_total(scores: Sequence[scoring.LeafScore]) -> Decimal:
    """The total before it is held at 0: what added points are added to."""
    return sum(
        (scoring.contribution(s.leaf, s.score) for s in scores if not s.not_arising and s.score is not None),
        scoring.ZERO,
    )


def ceil_cents(value: Fraction) -> Decimal:
    """The smallest multiple of 0.01 at or above `value`."""
    return Decimal(math.ceil(value * 100)) * CENT


def smallest(reaches: Callable[[Decimal], bool], upper: Decimal) -> Decimal:
    """The smallest multiple of 0.01 in (0, upper] for which `reaches` holds.

    `reaches` must be monotone (once true, true for every larger amount), false at 0 and
    true at `upper`; a bisection then finds the exact step.
    """
    low, high = 0, int(upper / CENT)
    while high - low > 1:
        middle = (low + high) // 2
        if reaches(middle * CENT):
            high = middle
        else:
            low = middle
    return high * CENT


def _unliftable(agency: scoring.AgencyInput, totals: scoring.Totals) -> bool:
    # Without a maximum the index stays 0; without a gainable leaf nothing can be added.
    return not totals.maximum or not fill_order(agency.scores)


def points_to_next_tier(agency: scoring.AgencyInput, rules: scoring.PeriodRules) -> TierWhatIf | None:
    """Points the agency needs to reach the tier above its tier before demotion; None at the top.

    The points a late agency loses (`agency.deduction`) come off its total first, as in the
    results."""
    totals = scoring.deducted(scoring.agency_totals(agency.scores), agency.deduction)
    position = scoring.tier_position(totals, rules.tiers)
    if position == 0:
        return None

    def after_demotion(reached: int) -> int:
        return scoring.demoted_position(
            reached,
            tier_count=len(rules.tiers),
            steps=agency.demotion_steps,
            cap_position=agency.cap_position,
        )

    room = headroom(agency)
    if _unliftable(agency, totals):
        return TierWhatIf(None, False, room, position - 1, after_demotion(position - 1))

    def tier_with(points: Decimal) -> int:
        raised = scoring.agency_totals(with_points(agency, points).scores)
        return scoring.tier_position(scoring.deducted(raised, agency.deduction), rules.tiers)

    bound = Fraction(rules.tiers[position - 1].min_index)
    # At this amount total × 100 ≥ bound × maximum: the bound is reached.
    scored = Fraction(raw_total(agency.scores)) - Fraction(agency.deduction)
    needed = bound * Fraction(totals.maximum) / 100 - scored
    upper = max(ceil_cents(needed), CENT)
    points = smallest(lambda p: tier_with(p) < position, upper)
    reached = tier_with(points)
    return TierWhatIf(points, points <= room, room, reached, after_demotion(reached))


def points_to_next_rank(
    agencies: Sequence[scoring.AgencyInput], key: Hashable, rules: scoring.PeriodRules
) -> RankWhatIf | None:
    """Points agency `key` needs to rank strictly better in its group; None when it is first.

    `agencies` holds at least the agency's whole group (others are ignored).
    """
    target = next(a for a in agencies if a.key == key)
    # Agencies assessed but not ranked take no place in the ranks.
    rivals = [a for a in agencies if a.group == target.group and a.key != key and a.ranked]

    def rank_key(agency: scoring.AgencyInput) -> tuple:
        totals = scoring.deducted(scoring.agency_totals(agency.scores), agency.deduction)
        return scoring.rank_key(totals, field_codes=rules.field_codes, tie_breakers=rules.tie_breakers)

    rival_keys = [rank_key(a) for a in rivals]
    own = rank_key(target)
    above = [k for k in rival_keys if k > own]
    if not above:
        return None
    goal = min(above)

    def rank_of(k: tuple) -> int:
        return 1 + sum(1 for other in rival_keys if other > k)

    totals = scoring.agency_totals(target.scores)
    room = headroom(target)
    if _unliftable(target, totals):
        return RankWhatIf(None, False, room, rank_of(goal))

    def key_with(points: Decimal) -> tuple:
        return rank_key(with_points(target, points))

    # One step past the goal's index: the index alone then puts the agency above the goal.
    needed = (
        goal[0] * Fraction(totals.maximum) - Fraction(raw_total(target.scores)) + Fraction(target.deduction)
    )
    upper = max(ceil_cents(needed) + CENT, CENT)
    points = smallest(lambda p: key_with(p) >= goal, upper)
    return RankWhatIf(points, points <= room, room, rank_of(key_with(points)))
