"""The admin site's "Xuất toàn bộ dữ liệu năm": the year workbook, which imports back unchanged."""

import io
from io import StringIO

import openpyxl
import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Agency, AgencyGroup, Role, User
from ranking.models import Assessment, Criterion, Demotion, HistoricalResult, Period, Result, Score, Tier
from ranking.workbook.importer import workbook_import
from ranking.workbook.resources import SHEET_RESOURCES
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

YEAR_WORKBOOK = reverse("admin:ranking_period_year_workbook")
SHEETS = [
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
]


def figures() -> dict:
    """Everything the year's figures are made of, by code (ids differ from one import to the next)."""
    return {
        "groups": sorted(AgencyGroup.objects.values_list("code", "name", "order")),
        "agencies": sorted(Agency.objects.values_list("code", "name", "group__code")),
        "periods": sorted(
            Period.objects.values_list("code", "year", "subject", "name", "previous__code", "award_from_tier")
        ),
        "tiers": sorted(Tier.objects.values_list("period__code", "order", "label", "min_index")),
        "criteria": sorted(
            Criterion.objects.values_list("period__code", "code", "title", "max_points", "method")
        ),
        "scores": sorted(
            Score.objects.values_list(
                "assessment__period__code",
                "assessment__agency__code",
                "criterion__code",
                "self_score",
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
        "results": sorted(
            Result.objects.values_list(
                "period__code", "agency__code", "total", "index", "tier__label", "rank"
            )
        ),
    }


@pytest.fixture
def administrator(client):
    user = UserFactory(username="quantri", role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    return user


def test_the_year_workbook_exported_from_the_admin_imports_back_unchanged(client, administrator, tmp_path):
    call_command("seed_demo", stdout=StringIO())
    before = figures()
    assert len(before["scores"]) == 5434

    changelist = client.get(reverse("admin:ranking_period_changelist")).content.decode()
    assert f'<a href="{YEAR_WORKBOOK}" class="year-workbook">Xuất toàn bộ dữ liệu năm</a>' in changelist
    response = client.get(YEAR_WORKBOOK)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="du-lieu-nam.xlsx"'
    content = response.content
    assert openpyxl.load_workbook(io.BytesIO(content), read_only=True).sheetnames == SHEETS

    # Through the admin's own import of a sheet: the preview lists nothing, counts every score.
    formats = admin.site._registry[Score].get_import_formats()
    xlsx = next(i for i, f in enumerate(formats) if f().get_title() == "xlsx")
    file = io.BytesIO(content)
    file.name = "du-lieu-nam.xlsx"
    preview = client.post(
        reverse("admin:ranking_score_import"), {"resource": "0", "import_file": file, "format": str(xlsx)}
    )
    assert preview.context["preview_summary"].__dict__ == {
        "sheet": "Diem",
        "new": 0,
        "changed": 0,
        "unchanged": 5434,
        "refused": 0,
    }
    assert preview.context["preview_page"].paginator.count == 0
    assert 'class="import-type"' not in preview.content.decode()

    # The whole workbook, as the command imports it: nothing new, nothing changed.
    path = tmp_path / "du-lieu-nam.xlsx"
    path.write_bytes(content)
    report = workbook_import(file=str(path))
    assert report.problems == []
    assert [(c.sheet, c.new, c.updated) for c in report.sheets] == [(sheet, 0, 0) for sheet in SHEETS]
    assert figures() == before


def test_only_who_may_read_every_sheet_exports_the_year(client):
    clerk = UserFactory(username="vanthu", role=Role.ADMIN, is_staff=True)
    clerk.user_permissions.set([Permission.objects.get(codename="view_period")])
    client.force_login(clerk)

    changelist = client.get(reverse("admin:ranking_period_changelist"))
    assert changelist.status_code == 200
    assert "Xuất toàn bộ dữ liệu năm" not in changelist.content.decode()
    assert client.get(YEAR_WORKBOOK).status_code == 403

    views = [f"view_{resource._meta.model._meta.model_name}" for resource in SHEET_RESOURCES]
    clerk.user_permissions.set(Permission.objects.filter(codename__in=views))
    clerk = User.objects.get(pk=clerk.pk)  # permissions are cached on the instance
    client.force_login(clerk)
    assert len(views) == 11  # TinhTrang and KhoiTheoKy are both assessments
    assert len(set(views)) == 10
    assert (
        "Xuất toàn bộ dữ liệu năm" in client.get(reverse("admin:ranking_period_changelist")).content.decode()
    )
    assert client.get(YEAR_WORKBOOK).status_code == 200
