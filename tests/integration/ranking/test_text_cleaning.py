"""Control characters never reach the database: Word's Shift+Enter (a vertical tab), its page
break (a form feed) and the other C0 characters but tab and line feed are taken out of text,
or made the line feed they mean, through every way text comes in — a posted form, a service,
the model (save, update, bulk update), the admin site, the workbook import (the command's
sheets and the admin's CSV) — and an agency's report of such text is an Excel file, not a 500.
Line breaks are stored as line feeds, as a workbook carries them.

Text stored before this cleaning still exports: see test_exports_text_cells (`dirty`).
"""

import io
from decimal import Decimal

import pytest
import tablib
from django.contrib import admin
from django.urls import reverse

from accounts.models import Agency, AgencyGroup, Role, User
from ranking.assessments.services import score_self_set
from ranking.enums import Phase
from ranking.models import AwardEntry, Demotion, Period, Score
from ranking.results.finalization import award_change, demotion_set
from ranking.workbook.importer import ImportReport, Sheet, sheet_import
from ranking.workbook.resources import AgencyResource, ScoreResource
from tests.builders import HTMX, SelfAssessmentYear
from tests.factories import UserFactory
from tests.text_year import TEXT_FIELDS, build_text_year, payload_texts

pytestmark = pytest.mark.django_db

DIRTY = "Dòng một\x0bdòng hai\x01\x1f\r\ndòng ba\x0ctrang hai\rhết\x00"
CLEAN = "Dòng một\ndòng hai\ndòng ba\ntrang hai\nhết"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_a_posted_note_is_stored_clean_and_saving_it_again_changes_nothing(client):
    year = SelfAssessmentYear()
    client.force_login(year.officer_a)

    first = client.post(year.save_url(year.number), {"value": "1", "note": DIRTY, "version": "1"}, **HTMX)
    again = client.post(year.save_url(year.number), {"value": "1", "note": DIRTY, "version": "2"}, **HTMX)

    assert (first.status_code, again.status_code) == (200, 200)
    score = year.score(year.number)
    # The same text sent again is the text stored: no second save (history: created, saved).
    assert (score.note, score.version, score.history.count()) == (CLEAN, 2, 2)


def test_the_services_store_clean_text():
    year = build_text_year(payload_texts())
    council = UserFactory(role=Role.COUNCIL)
    other = Agency.objects.get(code="-2+3")
    Period.objects.filter(pk=year.period.pk).update(phase=Phase.SELF_ASSESSMENT)
    period = Period.objects.get(pk=year.period.pk)
    officer = UserFactory(role=Role.OFFICER, agency=other)
    assessment = other.assessments.get()
    leaf = period.criteria.get(code="1.1")

    score_self_set(user=officer, assessment=assessment, criterion_id=leaf.pk, value=Decimal(7), note=DIRTY)
    Period.objects.filter(pk=period.pk).update(phase=Phase.FINALIZATION)
    period.refresh_from_db()
    # The award list first: a demotion withdraws the results it would need.
    entry = award_change(user=council, period=period, agency=other, included=False, reason=DIRTY)
    demotion = demotion_set(user=council, period=period, agency=other, steps=1, reason=DIRTY)

    assert Score.objects.get(assessment=assessment, criterion=leaf).note == CLEAN
    assert (demotion.reason, entry.reason) == (CLEAN, CLEAN)
    assert Demotion.objects.get(pk=demotion.pk).reason == CLEAN
    assert AwardEntry.objects.get(pk=entry.pk).reason == CLEAN


def every_text_field():
    for model, names in TEXT_FIELDS.items():
        for name in names:
            yield model, name
    yield Agency, "code"
    yield AgencyGroup, "code"
    yield Period, "code"
    yield User, "position"


# For a code (at most 32 characters).
SHORT_DIRTY = "A\x0bB\x01\r\nC"
SHORT_CLEAN = "A\nB\nC"


@pytest.mark.parametrize(("model", "name"), list(every_text_field()), ids=lambda v: getattr(v, "__name__", v))
def test_every_text_field_stores_clean_text_however_it_is_written(model, name):
    build_text_year(payload_texts())
    dirty, clean = (SHORT_DIRTY, SHORT_CLEAN) if name == "code" else (DIRTY, CLEAN)
    instance = model.objects.order_by("pk").first()

    def stored() -> str:
        return model.objects.values_list(name, flat=True).get(pk=instance.pk)

    setattr(instance, name, dirty)
    instance.save()
    assert (getattr(instance, name), stored()) == (clean, clean)  # the instance holds what is stored
    model.objects.filter(pk=instance.pk).update(**{name: dirty + "!"})
    assert stored() == clean + "!"
    setattr(instance, name, dirty + "?")
    model.objects.bulk_update([instance], [name])
    assert stored() == clean + "?"


def test_the_admin_site_stores_clean_text(client):
    group = AgencyGroup.objects.create(code="SBN", name="Khối sở, ban, ngành")
    agency = Agency.objects.create(code="SNV", name="Sở Nội vụ", group=group)
    client.force_login(
        User.objects.create(username="quantri", role=Role.ADMIN, is_staff=True, is_superuser=True)
    )

    response = client.post(
        reverse("admin:accounts_agency_change", args=[agency.pk]),
        {"code": "SNV", "name": DIRTY, "group": group.pk, "is_active": "on"},
    )

    assert response.status_code == 302
    assert Agency.objects.get(pk=agency.pk).name == CLEAN


def test_the_admin_csv_import_stores_clean_text(client):
    AgencyGroup.objects.create(code="SBN", name="Khối sở, ban, ngành")
    client.force_login(
        User.objects.create(username="quantri", role=Role.ADMIN, is_staff=True, is_superuser=True)
    )
    csv = io.BytesIO(f'Mã đơn vị,Tên đơn vị,Mã khối\nSNV,"{DIRTY}",SBN\n'.encode())
    csv.name = "don-vi.csv"
    formats = [f().get_title() for f in admin.site._registry[Agency].get_import_formats()]

    preview = client.post(
        reverse("admin:accounts_agency_import"),
        {"resource": "0", "import_file": csv, "format": str(formats.index("csv"))},
    )
    form = preview.context["confirm_form"]
    names = ("import_file_name", "original_file_name", "format", "resource")
    done = client.post(reverse("admin:accounts_agency_process_import"), {n: form.initial[n] for n in names})

    assert done.status_code == 302
    assert Agency.objects.get(code="SNV").name == CLEAN


def import_rows(resource_class, rows: list[list]) -> ImportReport:
    """One sheet through the workbook import's own path, from cells as a file would give them."""
    headers, *data = rows
    report = ImportReport()
    sheet_import(
        resource_class(),
        Sheet(name=resource_class.sheet, dataset=tablib.Dataset(*data, headers=headers), row_numbers=[2]),
        report,
    )
    return report


def test_the_workbook_import_stores_clean_text_and_imports_it_again_unchanged():
    build_text_year(payload_texts())
    donvi = [["Mã đơn vị", "Tên đơn vị", "Mã khối"], ["+1", DIRTY, "K1"]]
    diem = [
        ["Mã kỳ", "Mã đơn vị", "Mã tiêu chí", "Điểm tự đánh giá", "Điểm thẩm định", "Ghi chú"],
        ["CCHC-2025", "+1", "1.1", 9, 8, DIRTY],
    ]

    first = [import_rows(AgencyResource, donvi), import_rows(ScoreResource, diem)]
    second = [import_rows(AgencyResource, donvi), import_rows(ScoreResource, diem)]

    assert [r.problems for r in first + second] == [[], [], [], []]
    assert [(c.new, c.updated, c.unchanged) for r in first for c in r.sheets] == [(0, 1, 0), (0, 1, 0)]
    assert [(c.new, c.updated, c.unchanged) for r in second for c in r.sheets] == [(0, 0, 1), (0, 0, 1)]
    assert Agency.objects.get(code="+1").name == CLEAN
    assert Score.objects.get(assessment__agency__code="+1", criterion__code="1.1").note == CLEAN


def test_an_agency_report_of_text_with_control_characters_is_a_workbook(client):
    """The report of issue 9: a comment with Word's line break made the .xlsx a 500, forever."""
    year = build_text_year(payload_texts())
    score = Score.objects.filter(assessment__agency=year.agency).first()
    score.review_comment = DIRTY
    score.save()
    client.force_login(UserFactory(role=Role.COUNCIL))

    response = client.get(reverse("agency_report_xlsx", args=["CCHC-2025", year.agency.code]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
