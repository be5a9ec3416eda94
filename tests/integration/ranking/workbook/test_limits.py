"""Issue 9 and 10: a workbook past a limit, or without any sheet the import reads, is refused
before it is read — through the command, the browser job and the admin site alike — with one
Vietnamese line saying why, and nothing is written.

The workbooks are written byte by byte (tests/crafted.py) and kept small: the limits are
lowered for the test where a real one would take long to build. Apart from the limit each
breaks, every workbook here is sound and would import (see
`test_the_same_workbooks_import_within_the_limits`), so "nothing written" means something.
File sizes are written as Django's `filesizeformat` writes them, with a no-break space.
"""

import io
import re
import zipfile
from html import unescape

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from accounts.models import Agency, AgencyGroup, Role
from ranking.models import Job
from tests.crafted import MAIN, shared_strings_xml, sheet_xml, xlsx_bytes
from tests.factories import AgencyGroupFactory, UserFactory

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KHOI = ["Mã khối", "Tên khối", "Thứ tự"]
DONVI = ["Mã đơn vị", "Tên đơn vị", "Mã khối"]
EXPECTED_SHEETS = (
    "“Khoi”, “DonVi”, “KyDanhGia”, “XepLoai”, “TieuChi”, “KhoiTheoKy”, “Diem”, “TinhTrang”, “HaBac”, "
    "“KetQua”, “PhieuKhaoSat”"
)
ROWS_TEXT = (
    "Trang tính có hơn {limit} dòng (kể cả các dòng trống đã được định dạng). "
    "Hãy xóa các dòng bên dưới dữ liệu hoặc chia nhỏ tệp."
)
COLUMNS_TEXT = (
    "Trang tính có hơn {limit} cột (kể cả các ô trống đã được định dạng). Hãy xóa các cột bên phải dữ liệu."
)


def agencies(count: int) -> list[list]:
    return [[f"DV{n:05d}", f"Đơn vị số {n}", "SBN"] for n in range(1, count + 1)]


def year(donvi) -> dict:
    """The two sheets the command and the job import; the admin's agencies page takes DonVi."""
    return {"Khoi": sheet_xml([KHOI, ["SBN", "Khối sở, ban, ngành", 1]]), "DonVi": donvi}


def packed_sizes(data: bytes) -> tuple[int, int]:
    members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    return sum(m.file_size for m in members), len(data)


# Each case: the workbook, the settings that make it one too many, and the line refusing it.


def case_file_size():
    data = xlsx_bytes(year(sheet_xml([DONVI, *agencies(3)])))
    return data, {"IMPORT_MAX_FILE_BYTES": 1000}, "Tệp vượt quá dung lượng tối đa 1000\xa0byte."


def case_unpacked_size():
    data = xlsx_bytes(year(sheet_xml([DONVI, *agencies(300)])))
    unpacked, _size = packed_sizes(data)
    return (
        data,
        {"IMPORT_MAX_UNPACKED_BYTES": 10_000},
        f"Khi giải nén, tệp chiếm {filesizeformat(unpacked)}, vượt quá mức 9,8\xa0KB được chấp nhận.",
    )


def case_packing_ratio():
    # A zip bomb in small: the same row 20,000 times packs several hundred times.
    data = xlsx_bytes(year(sheet_xml([DONVI, *([["DV00001", "Sở Nội vụ", "SBN"]] * 20_000)], numbered=False)))
    unpacked, size = packed_sizes(data)
    ratio = unpacked // size
    assert ratio > 100
    return (
        data,
        {},
        f"Khi giải nén, tệp lớn gấp {ratio} lần kích thước của nó, vượt quá mức 100 lần được chấp nhận: "
        "tệp được tạo ra để làm cạn kiệt máy chủ (“bom zip”).",
    )


def case_sheets():
    sheets = year(sheet_xml([DONVI, *agencies(3)]))
    sheets["Ghi chú"] = sheet_xml([["Ghi chú"]])
    sheets["Nháp"] = sheet_xml([["Nháp"]])
    return xlsx_bytes(sheets), {"IMPORT_MAX_SHEETS": 3}, "Tệp có hơn 3 trang tính."


def case_rows():
    return (
        xlsx_bytes(year(sheet_xml([DONVI, *agencies(5)]))),
        {"IMPORT_MAX_ROWS": 5},
        "DonVi: " + ROWS_TEXT.format(limit=5),
    )


def case_rows_under_a_lying_dimension():
    # The sheet says it ends at C2; its rows go on to 6, and are counted as they come.
    return (
        xlsx_bytes(year(sheet_xml([DONVI, *agencies(5)], dimension="A1:C2"))),
        {"IMPORT_MAX_ROWS": 5},
        "DonVi: " + ROWS_TEXT.format(limit=5),
    )


def case_rows_without_references():
    # Rows without their number (`r`) count one more than the row before.
    return (
        xlsx_bytes(year(sheet_xml([DONVI, *agencies(5)], numbered=False))),
        {"IMPORT_MAX_ROWS": 5},
        "DonVi: " + ROWS_TEXT.format(limit=5),
    )


def case_a_formatted_row_far_below():
    # Excel keeps a row that was only formatted: row 1,048,576 makes the sheet that long.
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData>'
    for number, row in enumerate([DONVI, *agencies(2)], start=1):
        cells = "".join(f'<c t="inlineStr"><is><t>{value}</t></is></c>' for value in row)
        sheet += f'<row r="{number}">{cells}</row>'
    sheet += '<row r="1048576" s="1" customFormat="1"/></sheetData></worksheet>'
    return xlsx_bytes(year(sheet)), {}, "DonVi: " + ROWS_TEXT.format(limit="300.000")


def case_columns():
    rows = [[*DONVI, "Ghi chú", "Địa chỉ"], *[[*row, None, "Đà Nẵng"] for row in agencies(2)]]
    return (
        xlsx_bytes(year(sheet_xml(rows))),
        {"IMPORT_MAX_COLUMNS": 4},
        "DonVi: " + COLUMNS_TEXT.format(limit=4),
    )


def case_columns_of_the_dimension():
    # A reader trusting this would pad every row to 16,384 cells.
    return (
        xlsx_bytes(year(sheet_xml([DONVI, *agencies(2)], dimension="A1:XFD3"))),
        {},
        "DonVi: " + COLUMNS_TEXT.format(limit=100),
    )


def case_cell_length():
    rows = [DONVI, *agencies(2), ["DV00003", "Đ" * 32_768, "SBN"]]
    return xlsx_bytes(year(sheet_xml(rows))), {}, "DonVi!4 B: Ô có hơn 32.767 ký tự."


def case_cell_length_of_a_shared_string():
    # The cell holds an index; the text, in the shared strings, is what a reader shows.
    texts = [*DONVI, "DV00001", "Sở Nội vụ", "SBN", "ư" * 32_768]
    cells = [[0, 1, 2], [3, 4, 5], [3, 6, 5]]
    rows = "".join(
        f'<row r="{r}">'
        + "".join(f'<c r="{"ABC"[c]}{r}" t="s"><v>{index}</v></c>' for c, index in enumerate(row))
        + "</row>"
        for r, row in enumerate(cells, start=1)
    )
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'
    data = xlsx_bytes(year(sheet), shared_strings=shared_strings_xml(texts))
    return data, {}, "DonVi!3 B: Ô có hơn 32.767 ký tự."


def case_more_shared_texts_than_cells():
    # A reader keeps every shared text in memory; these 10,001 are shown by none of the 18 cells.
    texts = shared_strings_xml(f"{n}" for n in range(10_001))
    data = xlsx_bytes(year(sheet_xml([DONVI, *agencies(3)])), shared_strings=texts)
    return (
        data,
        {},
        "Bảng văn bản dùng chung của tệp có 10.001 mục, nhiều hơn 18 ô mà các trang tính có thể hiển thị.",
    )


LIMITS = {
    "file size": case_file_size,
    "unpacked size": case_unpacked_size,
    "packing ratio": case_packing_ratio,
    "sheets": case_sheets,
    "rows": case_rows,
    "rows under a lying dimension": case_rows_under_a_lying_dimension,
    "rows without references": case_rows_without_references,
    "a formatted row far below": case_a_formatted_row_far_below,
    "columns": case_columns,
    "columns of the dimension": case_columns_of_the_dimension,
    "cell length": case_cell_length,
    "cell length of a shared string": case_cell_length_of_a_shared_string,
    "more shared texts than cells": case_more_shared_texts_than_cells,
}


# --- the three ways in ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _jobs(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def administrator(client):
    """Signs in as an administrator with the admin site: both may import."""
    user = UserFactory(username="quantri", role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def no_reader(monkeypatch):
    """A refused workbook is never handed to the cell reader."""

    def refuse(*args, **kwargs):
        raise AssertionError("the workbook was read")

    monkeypatch.setattr("ranking.workbook.importer.book_open", refuse)


def by_command(tmp_path, data: bytes) -> list[str]:
    path = tmp_path / "nam.xlsx"
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_workbook", str(path), "--no-progress", stdout=out, stderr=err)
    assert str(raised.value) == "Phát hiện 1 lỗi; chưa nhập dữ liệu nào."
    assert out.getvalue() == ""
    return err.getvalue().splitlines()


def by_job(client, data: bytes) -> list[str]:
    response = client.post(reverse("job_import"), {"file": SimpleUploadedFile("nam.xlsx", data, XLSX)})
    if response.status_code == 422:  # refused at the upload, before a job is queued
        assert Job.objects.count() == 0
        return response.context["errors"]
    job = Job.objects.get()
    assert response.status_code == 302
    assert (job.status, job.summary) == (Job.Status.FAILED, [])
    page = client.get(reverse("job_detail", args=[job.pk]))
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", page.content.decode())).split())
    assert "Phát hiện 1 lỗi; chưa nhập dữ liệu nào." in text
    for line in job.problems:
        assert " ".join(line.split()) in text
    return job.problems


def by_admin(client, data: bytes, model=Agency, name="nam.xlsx", format_title="xlsx") -> list[str]:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_import")
    formats = [fmt().get_title() for fmt in admin.site._registry[model].get_import_formats()]
    upload = SimpleUploadedFile(name, data)
    response = client.post(
        url, {"resource": "0", "import_file": upload, "format": str(formats.index(format_title))}
    )
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    assert "result" not in response.context
    problems = response.context["form"].errors["import_file"]
    html = unescape(response.content.decode())
    for line in problems:
        assert line in html
    return problems


def nothing_written() -> tuple[int, int, int]:
    jobs = Job.objects.exclude(status=Job.Status.FAILED).count()
    return AgencyGroup.objects.count(), Agency.objects.count(), jobs


@pytest.mark.parametrize("case", LIMITS.values(), ids=LIMITS.keys())
def test_a_workbook_past_a_limit_is_refused_by_the_command(case, settings, tmp_path, no_reader):
    data, limits, message = case()
    for name, value in limits.items():
        setattr(settings, name, value)
    assert by_command(tmp_path, data) == [message]
    assert nothing_written() == (0, 0, 0)


@pytest.mark.parametrize("case", LIMITS.values(), ids=LIMITS.keys())
def test_a_workbook_past_a_limit_is_refused_by_the_job(case, settings, client, administrator, no_reader):
    data, limits, message = case()
    for name, value in limits.items():
        setattr(settings, name, value)
    assert by_job(client, data) == [message]
    assert nothing_written() == (0, 0, 0)


@pytest.mark.parametrize("case", LIMITS.values(), ids=LIMITS.keys())
def test_a_workbook_past_a_limit_is_refused_by_the_admin_import(
    case, settings, client, administrator, no_reader
):
    AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành", order=1)
    data, limits, message = case()
    for name, value in limits.items():
        setattr(settings, name, value)
    assert by_admin(client, data) == [message]
    assert Agency.objects.count() == 0


# The cases refused by a limit lowered for the test: the others break a default limit, past
# what any setting should allow.
LOWERED = {name: case for name, case in LIMITS.items() if case()[1]}


@pytest.mark.parametrize("case", LOWERED.values(), ids=LOWERED.keys())
def test_the_same_workbooks_import_within_the_limits(case, tmp_path):
    """Without the one setting that refuses it, each workbook above is a year workbook that imports."""
    data, _limits, _message = case()
    path = tmp_path / "nam.xlsx"
    path.write_bytes(data)
    call_command("import_workbook", str(path), "--no-progress", stdout=io.StringIO(), stderr=io.StringIO())
    assert AgencyGroup.objects.count() == 1
    assert Agency.objects.count() >= 2


# --- what the limits let through ------------------------------------------------------------------


def test_the_default_limits_hold_a_large_citys_year():
    """The benchmark's year: 1,000 agencies × 150 leaves, one Diem sheet of 150,001 rows of the
    seven columns of WORKBOOK.md, a note on every row, every cell numbered as Excel does."""
    header = ["Mã kỳ", "Mã đơn vị", "Mã tiêu chí", "Điểm tự đánh giá", "Điểm thẩm định"]
    header += ["Không phát sinh", "Ghi chú"]

    def rows():
        yield b"".join(sheet_xml([header], dimension="A1:G150001"))[: -len(b"</sheetData></worksheet>")]
        for number in range(2, 150_002):
            agency, leaf = divmod(number - 2, 150)
            yield (
                f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>CCHC-2030</t></is></c>'
                f'<c r="B{number}" t="inlineStr"><is><t>DV{agency:04d}</t></is></c>'
                f'<c r="C{number}" t="inlineStr"><is><t>{leaf // 15 + 1}.{leaf % 15 + 1}</t></is></c>'
                f'<c r="D{number}"><v>1.25</v></c><c r="E{number}"><v>1</v></c>'
                f'<c r="G{number}" t="inlineStr"><is><t>Đã kiểm tra hồ sơ</t></is></c></row>'
            ).encode()
        yield b"</sheetData></worksheet>"

    from ranking.workbook.limits import workbook_limits_check

    assert workbook_limits_check(io.BytesIO(xlsx_bytes({"Diem": rows()}))) == []


def test_a_lying_dimension_no_longer_hides_rows(tmp_path):
    """The sheet says it ends at row 2; openpyxl believed it and imported one agency of three."""
    path = tmp_path / "nam.xlsx"
    path.write_bytes(xlsx_bytes(year(sheet_xml([DONVI, *agencies(3)], dimension="A1:C2"))))
    call_command("import_workbook", str(path), "--no-progress", stdout=io.StringIO(), stderr=io.StringIO())
    assert sorted(Agency.objects.values_list("code", flat=True)) == ["DV00001", "DV00002", "DV00003"]


def test_a_sheet_stored_under_another_name_is_checked_all_the_same(tmp_path, settings):
    """Parts are known by their content, not by the name the package gives them."""
    settings.IMPORT_MAX_ROWS = 5
    data = xlsx_bytes(year(sheet_xml([DONVI, *agencies(5)])))
    moved = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(moved, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            name = info.filename.replace("worksheets/sheet2.xml", "media/image1.png")
            content = content.replace(b"worksheets/sheet2.xml", b"media/image1.png")
            target.writestr(name, content)
    assert by_command(tmp_path, moved.getvalue()) == ["DonVi: " + ROWS_TEXT.format(limit=5)]
    assert nothing_written() == (0, 0, 0)


def test_a_part_declaring_a_document_type_is_refused(tmp_path):
    """Entities declared in a DTD can expand without end; workbooks never declare one."""
    sheet = (
        '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c t="inlineStr"><is><t>&b;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    assert by_command(tmp_path, xlsx_bytes({"Khoi": sheet})) == [
        "Không đọc được tệp dưới dạng bảng tính Excel (.xlsx): "
        "xl/worksheets/sheet1.xml khai báo kiểu tài liệu (DTD)."
    ]


def test_the_limits_are_settings():
    from ranking.workbook.limits import Limits

    assert Limits.from_settings() == Limits(
        file_bytes=50 * 1024 * 1024,
        unpacked_bytes=150 * 1024 * 1024,
        packing_ratio=100,
        sheets=50,
        rows=300_000,
        columns=100,
        cell_chars=32_767,
    )


# --- CSV in the admin site -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "limits", "message"),
    [
        (
            "Mã đơn vị,Tên đơn vị,Mã khối\n" + "DV1,Sở,SBN\n" * 5,
            {"IMPORT_MAX_ROWS": 5},
            "DonVi: " + ROWS_TEXT.format(limit=5),
        ),
        (
            "Mã đơn vị,Tên đơn vị,Mã khối,Ghi chú,Địa chỉ\n",
            {"IMPORT_MAX_COLUMNS": 4},
            "DonVi: " + COLUMNS_TEXT.format(limit=4),
        ),
        (
            "Mã đơn vị,Tên đơn vị,Mã khối\nDV1," + "Đ" * 32_768 + ",SBN\n",
            {},
            "DonVi!2 B: Ô có hơn 32.767 ký tự.",
        ),
    ],
    ids=["rows", "columns", "cell length"],
)
def test_a_csv_file_past_a_limit_is_refused_by_the_admin_import(
    text, limits, message, settings, client, administrator
):
    AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành", order=1)
    for name, value in limits.items():
        setattr(settings, name, value)
    assert by_admin(client, text.encode(), name="donvi.csv", format_title="csv") == [message]
    assert Agency.objects.count() == 0


def test_an_admin_upload_over_the_size_limit_is_refused_before_it_is_read(settings, client, administrator):
    settings.IMPORT_MAX_FILE_BYTES = 10
    assert by_admin(client, b"Ma,Ten\n" * 10, name="donvi.csv", format_title="csv") == [
        "Tệp vượt quá dung lượng tối đa 10\xa0byte."
    ]


# --- item 10: a workbook without any sheet the import reads ---------------------------------------


def unrecognised() -> bytes:
    """Data the import would take, in sheets named otherwise."""
    return xlsx_bytes(
        {"Sheet1": sheet_xml([KHOI, ["SBN", "Khối sở", 1]]), "Đơn vị": sheet_xml([["Mã", "Tên"]])}
    )


def test_an_unrecognised_workbook_is_refused_by_the_command(tmp_path):
    assert by_command(tmp_path, unrecognised()) == [
        f"Tệp không có trang tính nào được nhập: cần ít nhất một trong các trang tính {EXPECTED_SHEETS}. "
        "Các trang tính của tệp: “Sheet1”, “Đơn vị”."
    ]
    assert nothing_written() == (0, 0, 0)


def test_an_unrecognised_workbook_is_refused_by_the_job(client, administrator):
    assert by_job(client, unrecognised()) == [
        f"Tệp không có trang tính nào được nhập: cần ít nhất một trong các trang tính {EXPECTED_SHEETS}. "
        "Các trang tính của tệp: “Sheet1”, “Đơn vị”."
    ]
    assert nothing_written() == (0, 0, 0)


def test_an_unrecognised_workbook_is_refused_by_the_admin_import(client, administrator):
    assert by_admin(client, unrecognised()) == [
        "Tệp không có trang tính “DonVi”, trang tính được nhập ở đây. "
        "Các trang tính của tệp: “Sheet1”, “Đơn vị”."
    ]
    assert Agency.objects.count() == 0


def test_the_admin_still_takes_a_one_sheet_file_named_otherwise(client, administrator):
    """The admin's own export names its sheet “Tablib Dataset”: with the columns of DonVi, it is DonVi."""
    AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành", order=1)
    url = reverse("admin:accounts_agency_import")
    data = xlsx_bytes({"Tablib Dataset": sheet_xml([DONVI, *agencies(2)])})
    response = client.post(
        url, {"resource": "0", "import_file": SimpleUploadedFile("donvi.xlsx", data), "format": "0"}
    )
    assert response.status_code == 200
    assert "confirm_form" in response.context
    assert response.context["result"].totals["new"] == 2


def test_a_file_refused_between_the_preview_and_the_confirmation_writes_nothing(
    client, administrator, settings
):
    """The confirmation reads the stored file again, through the same checks: were the limits
    lowered meanwhile, the admin says why on the import page instead of failing."""
    AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành", order=1)
    url = reverse("admin:accounts_agency_import")
    data = xlsx_bytes(year(sheet_xml([DONVI, *agencies(5)])))
    upload = SimpleUploadedFile("nam.xlsx", data)
    preview = client.post(url, {"resource": "0", "import_file": upload, "format": "0"})
    form = preview.context["confirm_form"]
    settings.IMPORT_MAX_ROWS = 5
    fields = ("import_file_name", "original_file_name", "format", "resource")
    confirmation = {name: form.initial[name] for name in fields}
    done = client.post(reverse("admin:accounts_agency_process_import"), confirmation)
    assert done.status_code == 302
    assert done["Location"] == url
    page = client.get(url)
    assert [str(m) for m in page.context["messages"]] == ["DonVi: " + ROWS_TEXT.format(limit=5)]
    assert Agency.objects.count() == 0


# --- the area a reader holds -----------------------------------------------------------------------


def far_apart(rows: int, column: str) -> bytes:
    """Two cells: the header's first, and one at `column` of row `rows`."""
    sheet = (
        f'<worksheet xmlns="{MAIN}"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Mã khối</t></is></c></row>'
        f'<row r="{rows}"><c r="{column}{rows}"><v>1</v></c></row></sheetData></worksheet>'
    )
    return xlsx_bytes({"Khoi": sheet})


def test_two_cells_far_apart_are_refused_before_the_reader_holds_the_area_between(tmp_path, no_reader):
    """calamine holds every cell from A1 to the last: 300,000 × 100 would take a gigabyte."""
    assert by_command(tmp_path, far_apart(300_000, "CV")) == [
        "Khoi: Các ô của trang tính trải trên 300.000 dòng và 100 cột, vượt quá 4.000.000 ô mà một "
        "trang tính được phép. Hãy xóa các ô nằm xa bên dưới hoặc bên phải dữ liệu."
    ]
    assert nothing_written() == (0, 0, 0)


def test_a_sheet_of_the_largest_area_allowed_passes(tmp_path):
    from ranking.workbook.limits import workbook_limits_check

    # 40,000 rows × 100 columns is exactly 4,000,000 cells; one row more is past it.
    assert workbook_limits_check(io.BytesIO(far_apart(40_000, "CV"))) == []
    assert workbook_limits_check(io.BytesIO(far_apart(40_001, "CV"))) == [
        "Khoi: Các ô của trang tính trải trên 40.001 dòng và 100 cột, vượt quá 4.000.000 ô mà một "
        "trang tính được phép. Hãy xóa các ô nằm xa bên dưới hoặc bên phải dữ liệu."
    ]
