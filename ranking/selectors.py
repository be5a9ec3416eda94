"""Reads of the evaluation for pages and exports.

Every selector runs a fixed number of queries, however many agencies a period has.
"""

from collections import defaultdict

from django.db.models import Count

from accounts.models import AgencyGroup

from .models import AwardEntry, Criterion, Period, Result

# The group a result was computed in is a snapshot (`Result.group`): an agency that has
# moved since is still listed where it was ranked.
GROUP_ORDER = ("group__order", "group__code")


def period_results(*, period: Period) -> list[Result]:
    """The period's results with agency, group and tier, by group order, rank and agency code.

    One query.
    """
    return list(
        Result.objects.filter(period=period)
        .select_related("agency", "group", "tier")
        .order_by(*GROUP_ORDER, "rank", "agency__code")
    )


def period_fields(*, period: Period) -> list[Criterion]:
    """The fields of the period (its top-level criteria: `1`, `2`, …) in code order.

    One query.
    """
    return list(Criterion.objects.filter(period=period, parent=None).order_by("sort_key"))


def tier_counts(*, period: Period) -> list[tuple[AgencyGroup, dict[str, int]]]:
    """For every group with results in the period, in group order, the number of agencies per tier.

    Each dict holds every tier of the period's scheme, highest first, zeros included, so
    the counts of all groups line up in the same columns. Three queries.
    """
    labels = list(period.tiers.order_by("order").values_list("label", flat=True))
    counted: dict[int, dict[str, int]] = defaultdict(dict)
    for group_id, label, count in (
        Result.objects.filter(period=period)
        .values_list("group_id", "tier__label")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        counted[group_id][label] = count
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
        # An entry without a result has no rank: it goes last in its group.
        rank = entry.result.rank if entry.result else float("inf")
        return (entry.group.order, entry.group.code, rank, entry.agency.code)

    return sorted(entries, key=position)
