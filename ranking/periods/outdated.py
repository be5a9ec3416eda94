"""Results follow their inputs: a change to what a period's results are computed from withdraws
the computed results and their approval, whichever path made it (services, the year workbook
import, the admin site).

This is the council's signal ("compute again"); the guarantee is the fingerprint that
publishing and approving compare with the inputs as they stand (`ranking.results.compute`).
"""

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_noop

from accounts.models import Agency, User
from ranking.enums import Phase
from ranking.errors import recorded
from ranking.models import Assessment, Criterion, Demotion, HistoricalResult, Period, Score, Tier

# The fields results are NOT computed from. Every other field of these models counts as an
# input, so a field added later is one until it is listed here.
NOT_INPUTS: dict[type[models.Model], frozenset[str]] = {
    Period: frozenset(
        {
            "code",
            "year",
            "subject",
            "name",
            "phase",
            "self_assessment_deadline",
            "appraisal_deadline",
            "explanation_deadline",
            "results_computed_at",
            "results_fingerprint",
            "results_outdated_reason",
            "results_excluded",
            "awards_approved_at",
            "published_at",
            "version",
        }
    ),
    Tier: frozenset(),
    Criterion: frozenset(
        {"title", "step", "options", "allow_not_arising", "evidence_required", "guidance", "sort_key"}
    ),
    Assessment: frozenset({"reviewer", *Assessment.WORKFLOW_FIELDS}),
    Score: frozenset(
        {
            "self_score",
            "note",
            "no_evidence_reason",
            "reviewed_score",
            "review_comment",
            "explanation",
            "proposed_score",
            "decision",
            "decision_reason",
            "version",
        }
    ),
    Demotion: frozenset({"reason", "created_by", "created_at"}),
    Agency: frozenset({"code", "name", "is_active"}),
    HistoricalResult: frozenset({"total", "index", "tier_label"}),
}


def field_name(model: type[models.Model], name: str) -> str:
    """A field's name from its name or attribute name (`period_id` → `period`)."""
    for field in model._meta.concrete_fields:
        if name in (field.name, field.attname):
            return field.name
    return name


def inputs_changed(model: type[models.Model], names: Iterable[str]) -> bool:
    """Whether changing the fields `names` of a `model` row may change some period's results
    (never for a model results are not computed from, such as evidence files)."""
    if model not in NOT_INPUTS:
        return False
    excluded = NOT_INPUTS[model]
    return any(field_name(model, name) not in excluded for name in names)


def field_values(instance: models.Model) -> dict[str, object]:
    """A row's values by field name, to tell later which of them a write changed."""
    return {f.name: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def changed_fields(before: dict[str, object] | None, after: models.Model) -> set[str]:
    """The fields of `after` whose values differ from `field_values` taken `before` (all, if none)."""
    now = field_values(after)
    if before is None:
        return set(now)
    return {name for name, value in now.items() if before.get(name) != value}


def results_outdated(*, periods: Iterable[Period], user: User | None, reason: str) -> None:
    """The one way results are withdrawn: an input of `periods` changed, so their computed
    results and approval no longer stand; `reason` (in the site's language) says which.

    Periods whose results were never computed are left alone without a query, as the row a
    service locked shows them. A published period keeps its results: its inputs are frozen,
    and publishing again after a reopening checks the fingerprint.
    """
    ids = [
        p.pk
        for p in periods
        if p.phase != Phase.PUBLISHED
        and (p.results_computed_at is not None or p.awards_approved_at is not None)
    ]
    if not ids:
        return
    locked = (
        Period.objects.select_for_update()
        .filter(pk__in=ids)
        .exclude(phase=Phase.PUBLISHED)
        .exclude(results_computed_at=None, awards_approved_at=None)
        .order_by("pk")
    )
    for period in locked:
        period.results_computed_at = period.awards_approved_at = None
        period.results_fingerprint = ""
        period.results_outdated_reason = reason
        period._history_user = user
        period._change_reason = recorded(
            gettext_noop("Results to compute again: %(reason)s"), {"reason": reason}
        )
        period.save(
            update_fields=[
                "results_computed_at",
                "awards_approved_at",
                "results_fingerprint",
                "results_outdated_reason",
            ]
        )


def periods_with_agency(agency_ids: Iterable[int]):
    """The unpublished periods in which these agencies take part (their group is an input)."""
    return (
        Period.objects.filter(assessments__agency_id__in=list(agency_ids))
        .exclude(phase=Phase.PUBLISHED)
        .distinct()
    )


def periods_after(period_ids: Iterable[int]):
    """The periods whose change column compares with these periods' ranks."""
    return Period.objects.filter(previous_id__in=list(period_ids))
