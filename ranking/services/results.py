"""Computing a period's results and proposing its certificate-of-merit list."""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import AgencyGroup
from ranking import scoring
from ranking.enums import Phase
from ranking.models import (
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

from . import ServiceError

# How many problems a refusal lists before it summarises the rest.
MAX_LISTED = 20
INDEX_PLACES = Decimal("1E-10")


@dataclass(frozen=True)
class ComputeSummary:
    period: Period
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


def agency_inputs(
    *,
    period: Period,
    tiers: list[Tier],
    criteria: list[Criterion],
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[scoring.AgencyInput], dict[int, Assessment]]:
    """The scoring inputs of every assessment of the period, in four queries.

    `progress(done, total)`, if given, hears of the agencies as their scores are gathered.
    """
    leaves = {
        c.id: (
            scoring.Leaf(
                code=c.code,
                method=c.method,
                max_points=c.max_points or 0,
                field=scoring.Leaf.field_of(c.code),
            ),
            {g.id for g in c.groups.all()},
        )
        for c in leaves_of(criteria)
    }
    assessments = {a.id: a for a in Assessment.objects.filter(period=period).select_related("agency__group")}
    if not assessments:
        raise ServiceError(_("Period %(code)s has no assessments.") % {"code": period.code})
    recorded: dict[int, dict[int, tuple]] = defaultdict(dict)
    for assessment_id, criterion_id, final, not_arising in Score.objects.filter(
        assessment__period=period
    ).values_list("assessment_id", "criterion_id", "final_score", "not_arising"):
        recorded[assessment_id][criterion_id] = (final, not_arising)
    tier_position = {t.id: i for i, t in enumerate(tiers)}
    demotions = {d.agency_id: d for d in Demotion.objects.filter(period=period)}
    before = previous_ranks(period=period)

    inputs = []
    problems = []
    for assessment in advancing(assessments.values(), progress):
        group_id = assessment.agency.group_id
        scores = []
        for criterion_id, (leaf, groups) in leaves.items():
            if groups and group_id not in groups:
                continue
            final, not_arising = recorded[assessment.id].get(criterion_id, (None, False))
            scores.append(scoring.LeafScore(leaf=leaf, score=final, not_arising=not_arising))
        missing = scoring.unscored(scores)
        if missing:
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
        inputs.append(
            scoring.AgencyInput(
                key=assessment.id,
                group=group_id,
                scores=scores,
                demotion_steps=(demotion.steps or 0) if demotion else 0,
                cap_position=tier_position.get(demotion.cap_tier_id) if demotion else None,
                previous_rank=before.get(assessment.agency_id),
            )
        )
    if problems:
        if len(problems) > MAX_LISTED:
            rest = len(problems) - MAX_LISTED
            problems = problems[:MAX_LISTED] + [_("… and %(count)d more agencies.") % {"count": rest}]
        raise ServiceError(
            _("Results of period %(code)s cannot be computed: some leaves are unscored.")
            % {"code": period.code},
            *problems,
        )
    return inputs, assessments


@transaction.atomic
def results_compute(*, period: Period, progress: Callable[[int, int], None] | None = None) -> ComputeSummary:
    """Compute totals, index, tier, rank and change of every agency and propose the awards.

    Replaces the period's results; keeps the council's decisions on the award list (entries
    with a reason) and withdraws an earlier approval, since the list may have changed.
    `progress(done, total)`, if given, hears of the agencies as they are gone through.
    """
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.phase == Phase.PUBLISHED:
        raise ServiceError(
            _("Results of period %(code)s are published and frozen; reopen the period to correct them.")
            % {"code": period.code}
        )
    tiers = list(Tier.objects.filter(period=period).order_by("order"))
    if not tiers:
        raise ServiceError(_("Period %(code)s has no tier scheme.") % {"code": period.code})
    criteria = list(Criterion.objects.filter(period=period).prefetch_related("groups"))
    if not criteria:
        raise ServiceError(_("Period %(code)s has no criteria.") % {"code": period.code})
    rules = period_rules(period=period, tiers=tiers, criteria=criteria)
    inputs, assessments = agency_inputs(period=period, tiers=tiers, criteria=criteria, progress=progress)
    computed = scoring.compute_period(inputs, rules)

    Result.objects.filter(period=period).delete()
    Result.objects.bulk_create(
        Result(
            period=period,
            agency_id=assessments[r.key].agency_id,
            group_id=r.group,
            total=r.totals.total,
            total_without_survey=r.totals.total_without_survey,
            maximum=r.totals.maximum,
            index=r.totals.index.quantize(INDEX_PLACES),
            field_scores={code: str(r.totals.field_scores.get(code, 0)) for code in rules.field_codes},
            tier_before_demotion=tiers[r.tier_before_demotion],
            tier=tiers[r.tier],
            demoted=r.demoted,
            rank=r.rank,
            previous_rank=r.previous_rank,
        )
        for r in computed
    )
    proposed = {assessments[r.key].agency_id for r in computed if r.award_proposed}
    awards_propose(period=period, agency_ids=proposed)

    period.results_computed_at = timezone.now()
    period.awards_approved_at = None
    period.save(update_fields=["results_computed_at", "awards_approved_at"])

    groups = {g.id: g for g in AgencyGroup.objects.filter(id__in={r.group for r in computed})}
    counts: dict[int, list[int]] = defaultdict(lambda: [0] * len(tiers))
    for r in computed:
        counts[r.group][r.tier] += 1
    ordered_groups = sorted(groups.values(), key=lambda g: (g.order, g.code))
    return ComputeSummary(
        period=period,
        agencies=len(computed),
        tier_counts=[(g, [(t.label, counts[g.id][i]) for i, t in enumerate(tiers)]) for g in ordered_groups],
        proposed_awards=len(proposed),
    )


def awards_propose(*, period: Period, agency_ids: set[int]) -> None:
    """Bring the award list in line with the rule's proposal, in a fixed number of queries.

    An entry the council decided on (it carries a reason) keeps its decision; every other
    entry follows the proposal. Entries are kept, not deleted, so their history stays whole.
    """
    existing = {e.agency_id: e for e in AwardEntry.objects.filter(period=period)}
    changed = []
    for agency_id, entry in existing.items():
        proposed = agency_id in agency_ids
        included = entry.included if entry.reason else proposed
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
