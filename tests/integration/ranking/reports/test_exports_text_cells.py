"""Text is written as text in every workbook the application produces: an officer's
`=HYPERLINK("http://x")`, `+1`, `-2+3`, `@SUM(A1)`, `#N/A` … in a name, a title, a comment or
a reason never becomes a formula or an error value in the file the council opens, reads back
exactly as it was stored, and the year workbook imports back unchanged.

The workbooks: the conference workbook (`export_results`, the background export), the
conference pack (every sheet), an agency's report, the year workbook (`workbook_export`), the
admin site's export of every sheet and of the results, and the empty template.

Each is exported twice: from the year as typed (`payloads`), and from the same year after
control characters were stored in every text past the input's cleaning (`dirty`, text from
before the cleaning): every workbook is still written, with the text as `clean_text` has it.
"""

import io
from io import StringIO

import openpyxl
import pytest
from django import forms
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse
from django.utils.translation import gettext
from import_export.admin import ExportMixin
from import_export.formats.base_formats import XLSX

from accounts.models import Agency, AgencyGroup, Role, User
from ranking.jobs import job_export_start
from ranking.models import (
    Criterion,
    Demotion,
    HistoricalResult,
    Job,
    Period,
    Result,
    Score,
    SurveyAnswer,
    Tier,
)
from ranking.reports.exports.pack import PACK_SHEETS
from ranking.text import clean_text
from ranking.workbook.importer import workbook_export, workbook_import
from tests.factories import UserFactory
from tests.text_year import DIRT, OPTIONS, PAYLOADS, build_text_year, payload_texts, store_control_characters

pytestmark = pytest.mark.django_db

# The formulas the application writes into cells itself, as (sheet, cell): none. Its charts
# and colour scales refer to cells; they are not formulas in cells.
APPLICATION_FORMULAS: set[tuple[str, str]] = set()
EXPORT_ADMINS = sorted(
    (
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, ExportMixin)
    ),
    key=lambda item: item[0]._meta.label,
)


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    """Background tasks run at once; their files go to a temporary storage."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(params=["payloads", "dirty"])
def year(request):
    year = build_text_year(payload_texts())
    if request.param == "dirty":
        store_control_characters()
        assert all(DIRT in name for name in Agency.objects.values_list("name", flat=True))
    return year


def read(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def texts_of(book: openpyxl.Workbook) -> set[str]:
    """Every text of the workbook's cells, after checking that no cell holds a formula the
    application does not write itself and that every text is stored as text."""
    found = set()
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                where = (ws.title, cell.coordinate)
                if cell.data_type == "f":
                    assert where in APPLICATION_FORMULAS, (*where, cell.value)
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (*where, cell.value, cell.data_type)
                    found.add(cell.value)
    return found


def stored_from(year) -> dict[str, set[str]]:
    """The texts as the database holds them, by where they come from, as a workbook must show
    them: `clean_text` changes none of the payloads, only the dirt of the dirty year."""
    period = year.period
    leaves = Criterion.objects.filter(period=period, parent__isnull=False)
    fields = Criterion.objects.filter(period=period, parent__isnull=True)
    scores = Score.objects.filter(assessment__agency=year.agency)

    def values(queryset, *names) -> set[str]:
        return {clean_text(value) for row in queryset.values_list(*names) for value in row}

    return {
        "groups": values(AgencyGroup.objects, "name"),
        "agencies": values(Agency.objects, "code", "name"),
        "tiers": values(Tier.objects.filter(period=period), "label"),
        "previous tiers": values(Tier.objects.filter(period=year.previous), "label"),
        "past tiers": values(HistoricalResult.objects, "tier_label"),
        "periods": values(Period.objects, "name", "award_from_tier"),
        "leaf titles": values(leaves, "title"),
        "field titles": values(fields, "title"),
        "guidance": values(Criterion.objects, "guidance"),
        "notes": values(Score.objects, "note"),
        "report texts": values(scores, "review_comment", "explanation", "decision_reason"),
        "demotions": values(Demotion.objects, "reason"),
        "reviewer": {clean_text(str(User.objects.get(pk=year.reviewer.pk)))},
    }


def test_the_payloads_are_stored_as_typed():
    """The fixture's first texts are the payloads, stored as typed but for the carriage return,
    stored as the line feed it means (see test_text_cleaning)."""
    build_text_year(payload_texts())
    names = list(Period.objects.order_by("year").values_list("name", flat=True))
    labels = list(Tier.objects.order_by("period__year", "order").values_list("label", flat=True))
    assert names + labels == [*PAYLOADS[:5], "\n=1", *PAYLOADS[6:]]


def test_conference_workbook_of_the_command_and_of_the_background_job(year, tmp_path, client):
    stored = stored_from(year)
    path = tmp_path / "hoi-nghi.xlsx"
    call_command("export_results", "CCHC-2025", str(path), stdout=StringIO())
    council = UserFactory(role=Role.COUNCIL)
    job = job_export_start(user=council, period=year.period)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE

    with job.file.open("rb") as file:
        files = {"command": path.read_bytes(), "job": file.read()}
    for content in files.values():
        texts = texts_of(read(content))
        assert stored["groups"] | stored["agencies"] | stored["tiers"] <= texts


def test_conference_pack_with_every_sheet(year, client):
    stored = stored_from(year)
    client.force_login(UserFactory(role=Role.COUNCIL))
    response = client.post(
        reverse("pack_export", args=["CCHC-2025"]),
        {
            "sheets": list(PACK_SHEETS),
            "group_columns": ["rank", "code", "name", "fields", "total", "tier"],
            "detail_columns": ["group", "code", "name", "tier", "self", "reviewed", "final"],
        },
    )
    assert response.status_code == 200

    book = read(response.content)
    texts = texts_of(book)
    expected = (
        stored["groups"]
        | stored["agencies"]
        | stored["tiers"]
        | stored["past tiers"]
        | stored["leaf titles"]
        | stored["reviewer"]
    )
    assert expected <= texts
    assert len(book.sheetnames) == len(PACK_SHEETS) + 1  # two group sheets, no "groups" sheet


def test_agency_report(year, client):
    stored = stored_from(year)
    client.force_login(UserFactory(role=Role.COUNCIL))
    response = client.get(reverse("agency_report_xlsx", args=["CCHC-2025", year.agency.code]))
    assert response.status_code == 200

    texts = texts_of(read(response.content))
    agency = Agency.objects.get(pk=year.agency.pk)
    period, previous = Period.objects.get(code="CCHC-2025"), Period.objects.get(code="CCHC-2024")
    lowest = Tier.objects.get(period=period, order=3).label
    others = HistoricalResult.objects.get(agency__code="-2+3").tier_label
    expected = (
        {
            gettext("Evaluation report of %(agency)s") % {"agency": clean_text(agency.name)},
            clean_text(f"{period.name} · {agency.group.name}"),
            clean_text(f"{previous.name} ({gettext('imported')})"),
        }
        | stored["tiers"] - {clean_text(lowest)}
        | stored["past tiers"] - {clean_text(others)}
        | stored["demotions"]
        | stored["field titles"]
        | stored["leaf titles"]
        | stored["report texts"]
    )
    assert expected <= texts


def year_workbook_texts(year) -> set[str]:
    stored = stored_from(year)
    options = "; ".join(f"{label}={points}" for label, points in OPTIONS)
    return (
        stored["groups"]
        | stored["agencies"]
        | stored["tiers"]
        | stored["previous tiers"]
        | stored["past tiers"]
        | stored["periods"]
        | stored["leaf titles"]
        | stored["field titles"]
        | stored["guidance"]
        | stored["notes"]
        | stored["demotions"]
        | {options}
    )


def test_year_workbook_holds_every_text_as_text(year, tmp_path):
    path = tmp_path / "nam.xlsx"
    workbook_export().save(path)

    book = openpyxl.load_workbook(path)
    assert year_workbook_texts(year) <= texts_of(book)
    # Numbers stay numbers.
    scores = [row[3:5] for row in book["Diem"].iter_rows(min_row=2, values_only=True)]
    assert scores and all(isinstance(value, int | float) for row in scores for value in row)


# Text as every input path keeps it: without white space around it (see test_text_cleaning).
ROUND_TRIP = [payload.strip() for payload in PAYLOADS]


def round_trip_texts():
    yield from ROUND_TRIP
    number = 0
    while True:
        for payload in ROUND_TRIP:
            number += 1
            yield f"{payload} {number}"


def contents() -> dict:
    return {
        "groups": sorted(AgencyGroup.objects.values_list("code", "name")),
        "agencies": sorted(Agency.objects.values_list("code", "name", "group__code")),
        "periods": sorted(Period.objects.values_list("code", "name", "award_from_tier")),
        "tiers": sorted(Tier.objects.values_list("period__code", "order", "label")),
        "criteria": sorted(
            (code, title, guidance, tuple(map(tuple, options)))
            for code, title, guidance, options in Criterion.objects.values_list(
                "code", "title", "guidance", "options"
            )
        ),
        "notes": sorted(Score.objects.values_list("assessment__agency__code", "criterion__code", "note")),
        "demotions": sorted(Demotion.objects.values_list("agency__code", "reason")),
        "past": sorted(HistoricalResult.objects.values_list("agency__code", "tier_label")),
    }


def test_year_workbook_imports_back_unchanged(tmp_path):
    build_text_year(round_trip_texts())
    before = contents()
    assert {text for rows in before.values() for row in rows for text in row if isinstance(text, str)} >= set(
        ROUND_TRIP
    )
    path = tmp_path / "nam.xlsx"
    workbook_export().save(path)

    report = workbook_import(file=str(path))

    assert report.problems == []
    assert {(c.sheet, c.new, c.updated) for c in report.sheets} == {
        (sheet, 0, 0)
        for sheet in (
            "Khoi",
            "DonVi",
            "KyDanhGia",
            "XepLoai",
            "TieuChi",
            "KhoiTheoKy",
            "Diem",
            "HaBac",
            "KetQua",
            "TinhTrang",
            "PhieuKhaoSat",
        )
    }
    assert contents() == before


def admin_export(client, model) -> bytes:
    page = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_export"))
    assert page.status_code == 200
    form = page.context["form"]
    chosen = {name: "on" for name, field in form.fields.items() if isinstance(field, forms.BooleanField)}
    response = client.post(page.wsgi_request.path, {"format": "0", "resource": "0", **chosen})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX.CONTENT_TYPE
    return response.content


def test_admin_exports_offer_xlsx_only_and_write_text_as_text(year, client):
    client.force_login(
        User.objects.create(username="quantri", role=Role.ADMIN, is_staff=True, is_superuser=True)
    )
    stored = stored_from(year)
    expected = {
        AgencyGroup: stored["groups"],
        Agency: stored["agencies"],
        Period: stored["periods"],
        Tier: stored["tiers"] | stored["previous tiers"],
        Criterion: stored["leaf titles"] | stored["field titles"] | stored["guidance"],
        Score: stored["notes"],
        Demotion: stored["demotions"],
        HistoricalResult: stored["past tiers"],
        Result: set(),
        # Paper answers hold only option codes of a scale; this year has no survey.
        SurveyAnswer: set(),
    }
    assert [model for model, _admin in EXPORT_ADMINS] == sorted(expected, key=lambda model: model._meta.label)

    for model, model_admin in EXPORT_ADMINS:
        # CSV and the other text formats are not offered: Excel would run their formulas.
        assert model_admin.get_export_formats() == [XLSX]
        book = read(admin_export(client, model))
        assert expected[model] <= texts_of(book), model
    results = read(admin_export(client, Result)).active
    header = [cell.value for cell in results[1]]
    totals = sorted(row[header.index("total")] for row in results.iter_rows(min_row=2, values_only=True))
    assert totals == sorted(float(total) for total in Result.objects.values_list("total", flat=True))
    assert totals == [4.0, 8.0, 12.0]


def test_the_template_holds_no_formula(client):
    client.force_login(
        User.objects.create(username="quantri", role=Role.ADMIN, is_staff=True, is_superuser=True)
    )
    response = client.get(reverse("workbook_template"))
    assert response.status_code == 200
    texts = texts_of(read(response.content))
    assert "Mã đơn vị" in texts


def test_every_note_reads_back_from_the_year_workbook_as_stored(year, tmp_path):
    """Cell by cell: each note of the Diem sheet is the stored note, character for character."""
    path = tmp_path / "nam.xlsx"
    workbook_export().save(path)
    rows = list(openpyxl.load_workbook(path)["Diem"].iter_rows(values_only=True))
    header = rows[0]
    agency, criterion, note = (header.index(name) for name in ("Mã đơn vị", "Mã tiêu chí", "Ghi chú"))
    notes = {(row[agency], row[criterion]): row[note] for row in rows[1:]}

    assert notes == {
        (code, leaf): clean_text(text)
        for code, leaf, text in Score.objects.values_list(
            "assessment__agency__code", "criterion__code", "note"
        )
    }
    as_stored = {clean_text(payload) for payload in PAYLOADS}
    assert {p for p in as_stored for text in notes.values() if text.startswith(p)} == as_stored
