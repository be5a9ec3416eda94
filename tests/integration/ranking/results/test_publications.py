"""Published results are frozen (ranking/publications.py): every output that presents a
published period reads its publication, so renaming an agency or a group, reopening the
period, correcting scores or the tier scheme changes nothing announced until the next
version is published — and every version stays reachable.

The year is `build_year` of the council's tests, published as in the public pages' tests:
Sở Nội vụ is demoted one tier, so it ranks second with an index of 92 but shows Tốt. Pages
are read in Vietnamese, the language of the public site.
"""

import importlib
import io
import re

import openpyxl
import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Agency, AgencyGroup, Role
from ranking.models import Job, Publication, Result, Score, Tier
from ranking.results.compute import results_compute
from ranking.results.finalization import period_publish, period_reopen, results_approve
from tests.builders import build_year, publish, table_rows, text
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CODE = "CCHC-2025"
PAGE = f"/ket-qua/{CODE}/"
WORKBOOK = f"/ket-qua/{CODE}/hoi-nghi.xlsx"
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Rank, agency, total, maximum, index, tier, previous rank, change, then the component indices
# of fields 1 (of 90) and 2 (of 10) — as published (Vietnamese formats). Sở Tư pháp: 85 ÷ 90
# = 94,44 %.
PUBLISHED_ROWS = [
    ["1", "Sở Tư pháp", "94,50", "100,00", "94,50", "Rất tốt", "2", "▲1", "94,44", "95,00"],
    ["2", "Sở Nội vụ", "92,00", "100,00", "92,00", "Tốt bị hạ bậc", "1", "▼1", "92,22", "90,00"],
    ["3", "Sở Tài chính", "83,50", "100,00", "83,50", "Tốt", "6", "▲3", "83,33", "85,00"],
    ["4", "Sở Y tế", "67,00", "100,00", "67,00", "Trung bình", "—", "mới", "66,67", "70,00"],
    ["1", "UBND quận Hải Châu", "79,00", "100,00", "79,00", "Khá", "1", "=", "78,89", "80,00"],
]
# The group sheet of Khối sở, ban, ngành below its header: rank, code, name, fields 1 and 2,
# their component indices (exact to 10 places: 85 ÷ 90 × 100 = 94,4444444444), total, maximum,
# index, tier, previous rank, change.
PUBLISHED_DEPARTMENTS = [
    (1, "STP", "Sở Tư pháp", 85, 9.5, 94.44, 95, 94.5, 100, 94.5, "Rất tốt", 2, 1),
    (2, "SNV", "Sở Nội vụ", 83, 9, 92.22, 90, 92, 100, 92, "Tốt", 1, -1),
    (3, "STC", "Sở Tài chính", 75, 8.5, 83.33, 85, 83.5, 100, 83.5, "Tốt", 6, 3),
    (4, "SYT", "Sở Y tế", 60, 7, 66.67, 70, 67, 100, 67, "Trung bình", None, None),
]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Factories hash a password for every user; the slow production hasher adds nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def council():
    return UserFactory(username="hoidong", role=Role.COUNCIL)


def main(response) -> str:
    """The page's own content (the layout around it holds a fresh CSRF token every time)."""
    assert response.status_code == 200, response.request["PATH_INFO"]
    return re.search(r'<main id="main"[^>]*>(.*)</main>', response.content.decode(), re.S).group(1)


def squeezed(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def workbook_content(data: bytes) -> dict:
    """Every sheet's cell values, merged ranges and print titles."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return {
        ws.title: (
            [list(row) for row in ws.iter_rows(values_only=True)],
            sorted(str(cells) for cells in ws.merged_cells.ranges),
            ws.print_title_rows,
        )
        for ws in workbook.worksheets
    }


def sheet_rows(data: bytes, sheet: str) -> list[tuple]:
    """The table's rows, up to the blank row before the notes and signature blocks."""
    ws = openpyxl.load_workbook(io.BytesIO(data))[sheet]
    rows = []
    for row in ws.iter_rows(min_row=8, values_only=True):
        if row[0] is None:
            break
        rows.append(row)
    return rows


def public_outputs(client) -> dict:
    client.logout()
    return {
        "index": main(client.get("/ket-qua/")),
        "page": main(client.get(PAGE)),
        "workbook": workbook_content(client.get(WORKBOOK).content),
    }


def every_published_output(client, council, tmp_path) -> dict:
    """Every output that presents the published period, as its readers get it."""
    outputs = public_outputs(client)
    path = tmp_path / "hoi-nghi.xlsx"
    call_command("export_results", CODE, str(path), stdout=io.StringIO())
    outputs["export_results"] = workbook_content(path.read_bytes())

    client.force_login(council)
    pack = client.post(
        f"/bao-cao/{CODE}/xuat/",
        {
            "sheets": ["groups", "summary", "awards", "chart"],
            "group_columns": ["rank", "code", "name", "fields", "total", "maximum", "index", "tier"]
            + ["previous_rank", "change"],
        },
    )
    assert pack.status_code == 200
    outputs["pack"] = workbook_content(pack.content)
    outputs["award_list"] = re.search(
        r'<div class="award-sheets">.*?</section>', main(client.get(f"/bao-cao/{CODE}/bang-khen/in/")), re.S
    ).group(0)
    client.post(reverse("job_export", args=[CODE]))
    job = Job.objects.filter(kind=Job.Kind.EXPORT).latest("pk")
    download = client.get(reverse("job_download", args=[job.pk]))
    outputs["job"] = workbook_content(b"".join(download.streaming_content))

    officer = UserFactory(role=Role.OFFICER, agency=Agency.objects.get(code="STP"))
    client.force_login(officer)
    outputs["home"] = re.search(r'id="own-results">.*?</section>', main(client.get("/")), re.S).group(0)
    outputs["report"] = main(client.get(f"/bao-cao/{CODE}/don-vi/STP/"))
    outputs["report_print"] = re.search(
        r"<body[^>]*>(.*)</body>", client.get(f"/bao-cao/{CODE}/don-vi/STP/in/").content.decode(), re.S
    ).group(1)
    outputs["report_xlsx"] = workbook_content(client.get(f"/bao-cao/{CODE}/don-vi/STP/bao-cao.xlsx").content)
    client.logout()
    return outputs


def rename_agency_and_groups():
    """What an administrator may do to master data after the conference: new names, new order."""
    stp = Agency.objects.get(code="STP")
    stp.name = "Sở Tư pháp thành phố Đà Nẵng"
    stp.save()
    for code, name, order in (("SBN", "Khối các sở, ngành", 2), ("QH", "Khối quận", 1)):
        group = AgencyGroup.objects.get(code=code)
        group.name, group.order = name, order
        group.save()


# --- renaming ---------------------------------------------------------------------------------------


def test_renaming_an_agency_and_a_group_changes_no_published_output(client, council, tmp_path, settings):
    settings.TASKS = IMMEDIATE
    year = build_year()
    publish(year, council)
    before = every_published_output(client, council, tmp_path)

    rename_agency_and_groups()
    after = every_published_output(client, council, tmp_path)

    for name in before:
        assert after[name] == before[name], name
    # And they hold the names and figures as announced.
    assert table_rows(after["page"], "results-table") == PUBLISHED_ROWS
    assert "Sở Tư pháp thành phố" not in str(after) and "Khối các sở" not in str(after)
    sheets, _merged, _titles = zip(*after["workbook"].values(), strict=True)
    assert list(after["workbook"]) == ["Khối sở, ban, ngành", "Khối quận, huyện", "Tổng hợp", "Khen thưởng"]
    # (The table, then the notes and the signature blocks.)
    assert [tuple(row) for row in sheets[0][7 : 7 + len(PUBLISHED_DEPARTMENTS)]] == PUBLISHED_DEPARTMENTS
    assert sheets[3][7:8] == [[1, "STP", "Sở Tư pháp", "Khối sở, ban, ngành", 94.5, "Rất tốt"]]
    # The council's note names the agency as published, with the reason kept in the publication.
    assert sheets[0][9 + len(PUBLISHED_DEPARTMENTS)][0] == (
        "- Sở Nội vụ (SNV): hạ bậc xếp loại từ Rất tốt xuống Tốt. Lý do: Kỷ luật người đứng đầu"
    )
    assert text(after["award_list"]).endswith(
        "1 Sở Tư pháp Khối sở, ban, ngành 94,50 Rất tốt Tổng cộng: 1 đơn vị."
    )
    assert '<h1 class="h3 mb-1">Sở Tư pháp</h1>' in after["report"]
    # The council's working view of the current figures does follow the new names.
    client.force_login(council)
    assert "Sở Tư pháp thành phố Đà Nẵng" in main(client.get(f"/hoi-dong/{CODE}/ket-qua/"))


# --- reopening and republishing -----------------------------------------------------------------------


def correct(year, council):
    """Reopen, correct Sở Y tế's survey score (7 → 10) and rename the weakest-but-one tier; recompute."""
    period_reopen(user=council, period=year.reload(), reason="Sai điểm điều tra của Sở Y tế")
    Score.objects.filter(assessment=year.assessments["SYT"], criterion=year.leaves["2.1"]).update(
        final_score=10
    )
    Tier.objects.filter(period=year.period, label="Trung bình").update(label="Trung bình khá")
    results_compute(period=year.reload())


def test_reopening_keeps_the_last_publication_public_with_a_correction_notice(client, council):
    year = build_year()
    publish(year, council)
    before = public_outputs(client)

    correct(year, council)
    rename_agency_and_groups()

    page = client.get(PAGE)
    html = main(page)
    assert page.status_code == 200
    assert table_rows(html, "results-table") == PUBLISHED_ROWS
    notice = re.search(r'<div class="alert alert-warning publication-notice"[^>]*>(.*?)</div>', html, re.S)
    reopened = timezone.localtime(Publication.objects.get().reopened_at).strftime("%d/%m/%Y")
    assert text(notice.group(1)) == (
        f"Kết quả này đang được điều chỉnh: Hội đồng đã mở lại ngày {reopened}. "
        "Kết quả vẫn giữ như đã công bố cho đến khi kết quả sau điều chỉnh được công bố thành phiên bản 2."
    )
    # Apart from the notice, the page is the one published.
    assert squeezed(html.replace(notice.group(0), "")) == squeezed(before["page"])
    assert workbook_content(client.get(WORKBOOK).content) == before["workbook"]
    index = main(client.get("/ket-qua/"))
    assert text(re.search(r'href="/ket-qua/CCHC-2025/">(.*?)</a>', index, re.S).group(1)) == (
        f"CCHC 2025 Cải cách hành chính (CCHC) công bố ngày {published_on(year)} · đang điều chỉnh"
    )
    # The council's provisional figures of the correction are not public.
    assert Result.objects.get(agency__code="SYT").total == 70
    # Sở Y tế's row keeps 67 points and 7 of 10 in field 2 (70 %), not the corrected 70 points
    # and 10 of 10 (100 %).
    assert table_rows(html, "results-table")[3] == [
        "4", "Sở Y tế", "67,00", "100,00", "67,00", "Trung bình", "—", "mới", "66,67", "70,00",
    ]  # fmt: skip
    # Sở Y tế's people still find their published place on their home page, marked as well.
    client.force_login(UserFactory(role=Role.OFFICER, agency=Agency.objects.get(code="SYT")))
    home = re.search(r'id="own-results">(.*?)</section>', main(client.get("/")), re.S).group(1)
    assert text(home) == "Kết quả đã công bố CCHC 2025 đang điều chỉnh Xếp hạng 4 · Trung bình"


def published_on(year, version=1) -> str:
    publication = Publication.objects.get(period=year.period, version=version)
    return timezone.localtime(publication.published_at).strftime("%d/%m/%Y")


def test_republishing_shows_the_new_version_and_keeps_the_earlier_one(client, council):
    year = build_year()
    results_compute(period=year.period)
    # Before its first publication nothing of the period is public, no version either.
    for url in (
        PAGE,
        WORKBOOK,
        "/ket-qua/CCHC-2025/phien-ban/1/",
        "/ket-qua/CCHC-2025/phien-ban/1/hoi-nghi.xlsx",
    ):
        assert client.get(url).status_code == 404, url
    publish(year, council)
    first = public_outputs(client)
    correct(year, council)
    rename_agency_and_groups()
    results_approve(user=council, period=year.reload())
    period_publish(user=council, period=year.reload())

    html = main(client.get(PAGE))
    assert "publication-notice" not in html
    assert text(re.search(r'<p class="[^"]*publication">(.*?)</p>', html, re.S).group(1)) == (
        f"Cải cách hành chính (CCHC) · phiên bản 2, công bố ngày {published_on(year, 2)}"
    )
    # Version 2: the new names and order, Sở Y tế's corrected 70 points and the renamed tier.
    assert table_rows(html, "results-table") == [
        ["1", "UBND quận Hải Châu", "79,00", "100,00", "79,00", "Khá", "1", "=", "78,89", "80,00"],
        ["1", "Sở Tư pháp thành phố Đà Nẵng", "94,50", "100,00", "94,50", "Rất tốt", "2", "▲1",
         "94,44", "95,00"],
        ["2", "Sở Nội vụ", "92,00", "100,00", "92,00", "Tốt bị hạ bậc", "1", "▼1", "92,22", "90,00"],
        ["3", "Sở Tài chính", "83,50", "100,00", "83,50", "Tốt", "6", "▲3", "83,33", "85,00"],
        ["4", "Sở Y tế", "70,00", "100,00", "70,00", "Khá", "—", "mới", "66,67", "100,00"],
    ]  # fmt: skip
    versions = re.search(
        r'<ul class="list-group list-group-flush publication-versions">(.*?)</ul>', html, re.S
    )
    assert re.findall(r'href="([^"]+)"', versions.group(1)) == [
        "/ket-qua/CCHC-2025/phien-ban/2/hoi-nghi.xlsx",
        "/ket-qua/CCHC-2025/phien-ban/1/",
        "/ket-qua/CCHC-2025/phien-ban/1/hoi-nghi.xlsx",
    ]
    reopened = timezone.localtime(Publication.objects.get(version=1).reopened_at).strftime("%d/%m/%Y")
    assert text(versions.group(1)) == (
        f"Phiên bản 2 · công bố ngày {published_on(year, 2)} Excel "
        f"Phiên bản 1 · công bố ngày {published_on(year)} · mở lại để điều chỉnh ngày {reopened} Excel"
    )
    workbook = client.get(WORKBOOK).content
    assert list(workbook_content(workbook)) == ["Khối quận", "Khối các sở, ngành", "Tổng hợp", "Khen thưởng"]
    assert sheet_rows(workbook, "Khối các sở, ngành")[3] == (
        4, "SYT", "Sở Y tế", 60, 10, 66.67, 100, 70, 100, 70, "Khá", None, None,
    )  # fmt: skip
    assert sheet_rows(workbook, "Tổng hợp") == [
        ("Khối quận", 0, 0, 1, 0, 0, 1),
        ("Khối các sở, ngành", 1, 2, 1, 0, 0, 4),
        ("Tổng cộng", 1, 2, 2, 0, 0, 5),
    ]

    # Version 1 stays reachable as it was announced, saying it was replaced.
    old = main(client.get("/ket-qua/CCHC-2025/phien-ban/1/"))
    notice = re.search(r'<div class="alert alert-info publication-notice"[^>]*>(.*?)</div>', old, re.S)
    assert text(notice.group(1)) == (
        "Đây là phiên bản 1 của kết quả này, đã được thay thế bằng phiên bản 2. Xem phiên bản hiện hành"
    )
    assert table_rows(old, "results-table") == PUBLISHED_ROWS
    assert (
        workbook_content(client.get("/ket-qua/CCHC-2025/phien-ban/1/hoi-nghi.xlsx").content)
        == (first["workbook"])
    )
    response = client.get("/ket-qua/CCHC-2025/phien-ban/1/hoi-nghi.xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="ket-qua-CCHC-2025-phien-ban-1.xlsx"'
    for missing in ("/ket-qua/CCHC-2025/phien-ban/3/", "/ket-qua/CCHC-2025/phien-ban/0/hoi-nghi.xlsx"):
        assert client.get(missing).status_code == 404


def test_export_results_writes_any_published_version(council, tmp_path):
    year = build_year()
    publish(year, council)
    correct(year, council)
    path = tmp_path / "v1.xlsx"
    out = io.StringIO()

    with translation.override("en"):
        call_command("export_results", CODE, str(path), "--publication", "1", stdout=out)

    assert out.getvalue() == f"Wrote {path}: 5 agencies in 2 groups.\n"
    departments = openpyxl.load_workbook(path)["Khối sở, ban, ngành"]
    rows = departments.iter_rows(min_row=8, max_row=7 + len(PUBLISHED_DEPARTMENTS), values_only=True)
    assert list(rows) == PUBLISHED_DEPARTMENTS
    # While the period is reopened, the command writes the council's draft of the correction.
    call_command("export_results", CODE, str(path), stdout=io.StringIO())
    departments = openpyxl.load_workbook(path)["Khối sở, ban, ngành"]
    assert departments["H11"].value == 70
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("export_results", CODE, str(path), "--publication", "2")
    assert str(refused.value) == "Period CCHC-2025 has no published version 2."


# --- publications made before every figure was kept ------------------------------------------------------


OLD_KEYS = ("group", "rank", "agency", "name", "total", "maximum", "index", "tier", "previous_rank")


def as_published_before(publication: Publication) -> None:
    """Strip the publication down to what a publication held before this release."""
    publication.results = [{key: row[key] for key in OLD_KEYS} for row in publication.results]
    publication.awards = [
        {key: row[key] for key in ("agency", "name", "group")} for row in publication.awards
    ]
    publication.tier_labels = publication.field_codes = []
    publication.save()


def test_an_older_publication_renders_without_the_figures_it_did_not_keep(client, council):
    year = build_year()
    publish(year, council)
    as_published_before(Publication.objects.get())
    rename_agency_and_groups()

    html = main(client.get(PAGE))

    # Names and figures as published; the demotion was not kept, so it is not claimed.
    assert table_rows(html, "results-table") == [
        # Nor are the fields and their component indices, which it did not keep.
        [*row[:5], row[5].replace(" bị hạ bậc", ""), *row[6:8]]
        for row in PUBLISHED_ROWS
    ]
    workbook = client.get(WORKBOOK).content
    assert sheet_rows(workbook, "Khối sở, ban, ngành")[0] == (
        1,
        "STP",
        "Sở Tư pháp",
        94.5,
        100,
        94.5,
        "Rất tốt",
        2,
        1,
    )
    # The tiers in the order they first appear in the table: those no agency reached are unknown.
    assert sheet_rows(workbook, "Tổng hợp") == [
        ("Khối sở, ban, ngành", 1, 2, 1, 0, 4),
        ("Khối quận, huyện", 0, 0, 0, 1, 1),
        ("Tổng cộng", 1, 2, 1, 1, 5),
    ]


def test_the_data_migration_completes_a_still_published_version_from_its_results(council):
    year = build_year()
    publish(year, council)
    publication = Publication.objects.get()
    # The component indices, the council's reasons and the standings were kept after this
    # migration's time: not its to fill.
    later = (
        "field_maxima",
        "field_indices",
        "demotion_reason",
        "award_change",
        "standing",
        "standing_reason",
        "late",
    )
    complete = {
        "results": [{k: v for k, v in row.items() if k not in later} for row in publication.results],
        "awards": publication.awards,
    }
    as_published_before(publication)
    migration = importlib.import_module("ranking.migrations.0006_publication_snapshot_keys")

    migration.fill(apps, None)

    publication.refresh_from_db()
    assert publication.results == complete["results"]
    assert publication.awards == complete["awards"]
    assert publication.tier_labels == ["Rất tốt", "Tốt", "Khá", "Trung bình", "Yếu"]
    assert publication.field_codes == ["1", "2"]


def test_the_data_migration_guesses_nothing_it_cannot_know(council):
    """A reopened period's results are no longer the published ones: only what the names tell."""
    year = build_year()
    publish(year, council)
    publication = Publication.objects.get()
    as_published_before(publication)
    correct(year, council)
    migration = importlib.import_module("ranking.migrations.0006_publication_snapshot_keys")

    migration.fill(apps, None)

    publication.refresh_from_db()
    stp = Agency.objects.get(code="STP")
    assert publication.results[0] == {
        "group": "Khối sở, ban, ngành",
        "group_code": "SBN",
        "group_order": 1,
        "rank": 1,
        "agency": "STP",
        "agency_id": stp.pk,
        "name": "Sở Tư pháp",
        "total": "94.5000",
        "maximum": "100.0000",
        "index": "94.5000000000",
        "tier": "Rất tốt",
        "previous_rank": 2,
    }
    # "Trung bình" is no longer a tier of the period: the scheme as published is unknown.
    assert (publication.tier_labels, publication.field_codes) == ([], [])


# --- bounded queries ------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [0, 8])
def test_public_pages_run_the_same_queries_for_one_agency_or_many(
    client, council, extra, django_assert_num_queries
):
    if extra:
        year = build_year(extra=extra)
        publish(year, council)
    else:
        year = build_year()
        for code in ("SNV", "STC", "SYT", "QHC"):
            year.assessments.pop(code).delete()
        publish_one(year, council)
    assert Result.objects.count() == (5 + extra if extra else 1)

    pages = {
        "/ket-qua/": 1,  # the periods with their last publication
        PAGE: 3,  # period, versions, the version shown
        WORKBOOK: 4,  # and the names of the fields, which a publication does not keep
    }
    for url, queries in pages.items():
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200, url
    period_reopen(user=council, period=year.reload(), reason="Sửa điểm")
    results_compute(period=year.reload())
    results_approve(user=council, period=year.reload())
    period_publish(user=council, period=year.reload())
    for url, queries in (
        (PAGE, 3),
        ("/ket-qua/CCHC-2025/phien-ban/1/", 3),
        ("/ket-qua/CCHC-2025/phien-ban/1/hoi-nghi.xlsx", 4),
    ):
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200, url


def publish_one(year, council):
    """Publish the year with its one agency (Sở Tư pháp), not demoted."""
    results_compute(period=year.period)
    results_approve(user=council, period=year.reload())
    period_publish(user=council, period=year.reload())


def test_the_council_s_pages_link_the_public_page_while_it_shows_a_publication(client, council):
    """Reopening keeps the last publication public, so the council's link to it stays too."""
    year = build_year()
    results_compute(period=year.period)
    client.force_login(council)
    link = f'<a class="nav-link" href="{PAGE}">Trang công khai'
    dashboard = reverse("period_dashboard", args=[CODE])
    assert link not in main(client.get(dashboard))

    publish(year, council)
    client.force_login(council)
    assert link in main(client.get(dashboard))

    period_reopen(user=council, period=year.reload(), reason="Sai điểm điều tra của Sở Y tế")
    assert client.get(PAGE).status_code == 200
    assert link in main(client.get(dashboard))
