"""The survey arithmetic, exact and free of Django: answers → group means → a leaf's points.

For one agency and one survey leaf:
- each answer converts to a percent of the leaf's maximum (its option's percent on its scale);
- a group's mean is the mean of its answers to all the questions mapped to the leaf;
- the leaf's percent is the mean of the group means weighted by the groups' weights, over the
  groups that gave at least one answer;
- the points are the leaf's maximum × percent / 100, rounded half up to 2 decimals.
Every step before the last is a fraction, so nothing is lost before that rounding.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

POINTS_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class LeafOutcome:
    """A leaf's result for one agency: the percent of its maximum and the points."""

    percent: Fraction
    points: Decimal
    answers: int
    group_means: dict[str, Fraction]


def rounded(value: Fraction, places: Decimal = POINTS_PLACES) -> Decimal:
    """`value` rounded half up to `places` (a power of ten), exactly."""
    scale = 1 / Fraction(places)
    scaled = value * scale
    whole = scaled.numerator // scaled.denominator
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    return (Decimal(whole) / Decimal(scale.numerator)).quantize(places, rounding=ROUND_HALF_UP)


def group_mean(percents: Iterable[Decimal]) -> Fraction | None:
    """The mean of a group's converted answers, or None without answers."""
    values = [Fraction(p) for p in percents]
    if not values:
        return None
    return sum(values, Fraction(0)) / len(values)


def leaf_percent(means: Mapping[str, Fraction], weights: Mapping[str, Decimal]) -> Fraction | None:
    """The groups' means weighted by their weights; None when no group answered."""
    if not means:
        return None
    total_weight = sum((Fraction(weights[group]) for group in means), Fraction(0))
    return sum((Fraction(weights[group]) * mean for group, mean in means.items()), Fraction(0)) / total_weight


def leaf_outcome(
    *, maximum: Decimal, answers: Mapping[str, Iterable[Decimal]], weights: Mapping[str, Decimal]
) -> LeafOutcome | None:
    """The leaf's percent and points from each group's converted answers (group code → percents).

    None when no group gave an answer: the leaf is left as it is.
    """
    means = {}
    count = 0
    for group, percents in answers.items():
        values = list(percents)
        count += len(values)
        mean = group_mean(values)
        if mean is not None:
            means[group] = mean
    percent = leaf_percent(means, weights)
    if percent is None:
        return None
    return LeafOutcome(
        percent=percent,
        points=rounded(Fraction(maximum) * percent / 100),
        answers=count,
        group_means=means,
    )
