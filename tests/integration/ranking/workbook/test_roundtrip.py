"""The whole year exported as a workbook imports back to the same data."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Agency, AgencyGroup, User
from ranking.models import (
    Assessment,
    AwardEntry,
    Criterion,
    Demotion,
    HistoricalResult,
    Period,
    Publication,
    Result,
    Score,
    SurveyResponse,
    Tier,
)
from ranking.workbook.importer import workbook_export, workbook_import

pytestmark = pytest.mark.django_db


def contents() -> dict:
    """What the workbook carries, keyed by codes (database ids differ after a reimport)."""
    return {
        "groups": sorted(AgencyGroup.objects.values_list("code", "name", "order")),
        "agencies": sorted(Agency.objects.values_list("code", "name", "group__code")),
        "periods": sorted(
            Period.objects.values_list(
                "code", "year", "subject", "name", "previous__code", "award_from_tier", "award_max_per_group"
            )
        ),
        "tiers": sorted(Tier.objects.values_list("period__code", "order", "label", "min_index")),
        "criteria": sorted(
            (
                c.period.code,
                c.code,
                c.title,
                c.max_points,
                c.method,
                c.parent.code if c.parent else None,
                tuple(sorted(g.code for g in c.groups.all())),
                c.allow_not_arising,
                c.evidence_required,
                c.guidance,
                tuple(map(tuple, c.options)),
            )
            for c in Criterion.objects.select_related("period", "parent").prefetch_related("groups")
        ),
        "scores": sorted(
            Score.objects.values_list(
                "assessment__period__code",
                "assessment__agency__code",
                "criterion__code",
                "self_score",
                # The workbook carries the final score; the reviewed score an explanation
                # overturned is not part of it.
                "final_score",
                "not_arising",
                "note",
            )
        ),
        "demotions": sorted(Demotion.objects.values_list("period__code", "agency__code", "steps", "reason")),
        # The demo groups three agencies differently in VTLT (ranking/demo/data.py, VTLT_GROUPS).
        "period_groups": sorted(
            Assessment.objects.values_list("period__code", "agency__code", "group__code")
        ),
        "past": sorted(
            HistoricalResult.objects.values_list("period__code", "agency__code", "rank", "tier_label")
        ),
    }


def test_the_demo_year_survives_export_and_import(tmp_path):
    call_command("seed_demo", stdout=StringIO())
    path = tmp_path / "nam.xlsx"
    workbook_export().save(path)
    before = contents()
    assert len(before["scores"]) == 5434
    assert ("VTLT-2025", "DRT", "SBN") in before["period_groups"]
    assert ("CCHC-2025", "DRT", "SN") in before["period_groups"]

    again = workbook_import(file=str(path))
    assert again.problems == []
    assert {(c.sheet, c.new, c.updated) for c in again.sheets} == {
        (sheet, 0, 0)
        for sheet in (
            "Khoi",
            "DonVi",
            "KyDanhGia",
            "XepLoai",
            "TieuChi",
            "KhoiTheoKy",
            "Diem",
            "TinhTrang",
            "HaBac",
            "KetQua",
            "PhieuKhaoSat",
        )
    }

    # Survey answers keep their questions, and so the leaves, from being deleted alone.
    for model in (
        SurveyResponse,
        Publication,
        AwardEntry,
        Result,
        Score,
        Assessment,
        Demotion,
        HistoricalResult,
    ):
        model.objects.all().delete()
    Criterion.objects.filter(parent__isnull=False).delete()
    Criterion.objects.all().delete()
    Tier.objects.all().delete()
    Period.objects.all().delete()
    User.objects.all().delete()
    Agency.objects.all().delete()
    AgencyGroup.objects.all().delete()

    report = workbook_import(file=str(path))
    assert report.problems == []
    after = contents()
    # Computed results travel as past results (KetQua), so the reimport's past results
    # hold the 2024 history and the 2025 ranks.
    assert {k: v for k, v in after.items() if k != "past"} == {k: v for k, v in before.items() if k != "past"}
    assert set(before["past"]) <= set(after["past"])
