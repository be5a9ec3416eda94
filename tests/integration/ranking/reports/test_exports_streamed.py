"""The conference workbook as `export_results` and the downloads save it (the group sheets'
rows written as it is saved, `ranking.reports.exports.blocks`) is the very file of the
workbook built in memory (`conference_workbook`, which the pack and scripts read back):
every part of the archive the same, byte for byte — so every cell's value, type and style,
the styles' tables, widths, heights, merged cells, panes and print settings."""

import io
import zipfile

import openpyxl
import pytest

from accounts.models import Role
from ranking.enums import Standing
from ranking.models import Period
from ranking.reports.exports.conference import conference_workbook, conference_workbook_bytes
from ranking.results.compute import results_compute
from ranking.results.finalization import period_publish, results_approve
from ranking.results.standing import assessment_late_set, assessment_standing_set
from tests.factories import UserFactory
from tests.text_year import build_text_year, payload_texts, store_control_characters

pytestmark = pytest.mark.django_db

# The time of saving: the one part that may differ between two saves.
SAVED_AT = "docProps/core.xml"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(params=["current", "published"])
def period(request) -> Period:
    """The text year (names, titles and labels a spreadsheet would take for formulas, then
    control characters stored past the application's cleaning): `-2+3` not ranked,
    `@SUM(A1)` recorded late; its current results, or its published version."""
    year = build_text_year(payload_texts())
    council = UserFactory(username="hoidong", role=Role.COUNCIL)
    assessments = {a.agency.code: a for a in year.period.assessments.select_related("agency")}
    assessment_standing_set(
        user=council, assessment=assessments["-2+3"], standing=Standing.NOT_RANKED, reason='=HYPERLINK("x")'
    )
    assessment_late_set(user=council, assessment=assessments["@SUM(A1)"], late=True, reason="#N/A")
    results_compute(period=year.period)
    if request.param == "published":
        results_approve(user=council, period=year.period)
        period_publish(user=council, period=year.period)
    store_control_characters()
    return Period.objects.get(pk=year.period.pk)


def parts(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_saved_workbook_is_the_workbook_built_in_memory(period):
    in_memory = io.BytesIO()
    conference_workbook(period=period).save(in_memory)

    saved = parts(conference_workbook_bytes(period=period))
    built = parts(in_memory.getvalue())

    assert list(saved) == list(built)
    assert {name: saved[name] == built[name] for name in saved if name != SAVED_AT} == {
        name: True for name in saved if name != SAVED_AT
    }
    # The rows written as the file is saved are there: each group's agencies, the one not
    # ranked without a rank, and the standings sheet lists it.
    book = openpyxl.load_workbook(io.BytesIO(conference_workbook_bytes(period=period)))
    groups = [
        [
            (rank, code, index)
            for rank, code, *_, index, _tier, _previous, _change in ws.iter_rows(
                min_row=8, max_row=9, values_only=True
            )
        ]
        for ws in book.worksheets[:2]
    ]
    assert groups == [
        [(1, "+1", 80), (None, "-2+3", 53.33)],
        [(1, "@SUM(A1)", 26.67), (None, None, None)],
    ]
    standings = book["Không xếp hạng"]
    assert [row[:2] + row[4:] for row in standings.iter_rows(min_row=8, max_row=8, values_only=True)] == [
        (1, "-2+3", "Không xếp hạng", '=HYPERLINK("x")', None)
    ]
