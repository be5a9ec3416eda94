"""Complete the publications made before they kept every name and figure they show.

A publication of an earlier release holds, per agency, its group and agency names, rank,
total, maximum, index, tier and previous rank; the pages and workbooks now read everything
from the publication, so the rest is filled in here, once, from the data as it stands when
the release is installed — and only where that data is certainly the published one:

- scores per field, tier before demotion and the demotion flag come from the period's
  computed results, for the last publication of a period that is still published (its
  results cannot have been recomputed since), and only for the rows whose rank, total,
  maximum, index and tier still equal the published ones;
- the group's code and order from that result's group, or from the one group that bears the
  published group name; the agency's id from the agency with the published code;
- the tier scheme from the period's tiers when every published tier label is one of them;
  the fields from the period's criteria for that same last publication of a published period.

What cannot be known is left out, and the pages show it as missing (an empty cell) rather
than as a guess: a later change of the live data never reaches an announced result again.
"""

from django.db import migrations

PUBLISHED = "published"


def as_published(row: dict, result) -> bool:
    return (
        row.get("rank") == result.rank
        and row.get("total") == str(result.total)
        and row.get("maximum") == str(result.maximum)
        and row.get("index") == str(result.index)
        and row.get("tier") == result.tier.label
    )


def fill(apps, schema_editor):
    Publication = apps.get_model("ranking", "Publication")
    Result = apps.get_model("ranking", "Result")
    Tier = apps.get_model("ranking", "Tier")
    Criterion = apps.get_model("ranking", "Criterion")
    AgencyGroup = apps.get_model("accounts", "AgencyGroup")
    Agency = apps.get_model("accounts", "Agency")

    groups_named: dict[str, list] = {}
    for group in AgencyGroup.objects.all():
        groups_named.setdefault(group.name, []).append(group)
    agency_ids = dict(Agency.objects.values_list("code", "pk"))
    latest: dict[int, int] = {}
    for period_id, version in Publication.objects.values_list("period_id", "version"):
        latest[period_id] = max(version, latest.get(period_id, version))

    def group_named(name):
        found = groups_named.get(name, [])
        return found[0] if len(found) == 1 else None

    def add_group(row: dict, group) -> None:
        if group is not None and group.name == row.get("group"):
            row.setdefault("group_code", group.code)
            row.setdefault("group_order", group.order)

    for publication in Publication.objects.select_related("period").order_by("pk"):
        period = publication.period
        certain = publication.version == latest[period.pk] and period.phase == PUBLISHED
        computed = {}
        if certain:
            computed = {
                r.agency.code: r
                for r in Result.objects.filter(period=period).select_related(
                    "agency", "group", "tier", "tier_before_demotion"
                )
            }
        rows = []
        for old in publication.results:
            row = dict(old)
            result = computed.get(row.get("agency"))
            if result is not None and as_published(row, result):
                row.setdefault("field_scores", dict(result.field_scores))
                row.setdefault("tier_before_demotion", result.tier_before_demotion.label)
                row.setdefault("demoted", result.demoted)
                add_group(row, result.group)
            add_group(row, group_named(row.get("group")))
            if row.get("agency") in agency_ids:
                row.setdefault("agency_id", agency_ids[row["agency"]])
            rows.append(row)
        placed = {row.get("agency"): row for row in rows}
        awards = []
        for old in publication.awards:
            award = dict(old)
            ranked = placed.get(award.get("agency"), {})
            if ranked.get("group") == award.get("group") and "group_code" in ranked:
                award.setdefault("group_code", ranked["group_code"])
                award.setdefault("group_order", ranked["group_order"])
            add_group(award, group_named(award.get("group")))
            if award.get("agency") in agency_ids:
                award.setdefault("agency_id", agency_ids[award["agency"]])
            awards.append(award)
        publication.results, publication.awards = rows, awards
        if not publication.tier_labels:
            scheme = list(
                Tier.objects.filter(period=period).order_by("order").values_list("label", flat=True)
            )
            if scheme and all(row.get("tier") in scheme for row in rows):
                publication.tier_labels = scheme
        if not publication.field_codes and certain:
            publication.field_codes = [
                c.code for c in Criterion.objects.filter(period=period, parent=None).order_by("sort_key")
            ]
        publication.save(update_fields=["results", "awards", "tier_labels", "field_codes"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("ranking", "0005_publication_scheme"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
