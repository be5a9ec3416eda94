"""The admin import's preview: a summary of the sheet, then only the rows that change or are
refused, a page at a time."""

import io
import re

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import Agency
from tests.factories import AgencyFactory, AgencyGroupFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = ["Mã đơn vị", "Tên đơn vị", "Mã khối"]


def url(view: str) -> str:
    return reverse(f"admin:accounts_agency_{view}")


def donvi(rows: list[list]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.title = "DonVi"
    for row in [HEADER, *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "don-vi.xlsx"
    return buffer


def upload(client, file):
    formats = admin.site._registry[Agency].get_import_formats()
    xlsx = next(i for i, f in enumerate(formats) if f().get_title() == "xlsx")
    return client.post(url("import"), {"resource": "0", "import_file": file, "format": str(xlsx)})


def summary(response) -> list[str]:
    """The summary's row: sheet, new, changed, unchanged, refused."""
    html = response.content.decode()
    row = re.search(r'<table class="import-summary">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [cell.strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]


def listed(response) -> list[tuple[str, str]]:
    """(kind, agency code) of every row the preview lists."""
    html = response.content.decode()
    rows = re.findall(r'<td class="import-type">\s*(.*?)\s*</td>\s*<td>(.*?)</td>', html, re.S)
    return [(kind, re.sub(r"<[^>]+>", "", code)) for kind, code in rows]


@pytest.fixture
def administrator(client):
    user = UserFactory(username="quantri", is_staff=True, is_superuser=True)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    return user


@pytest.fixture
def agencies():
    sbn = AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành", order=1)
    for code, name in [
        ("SNV", "Sở Nội vụ"),
        ("STC", "Sở Tài chính"),
        ("SXD", "Sở Xây dựng"),
        ("SYT", "Sở Y tế"),
    ]:
        AgencyFactory(code=code, name=name, group=sbn)


# Three agencies kept as they are, one renamed, three new.
FILE = [
    ["SNV", "Sở Nội vụ", "SBN"],
    ["STC", "Sở Tài chính", "SBN"],
    ["SXD", "Sở Xây dựng", "SBN"],
    ["SYT", "Sở Y tế thành phố", "SBN"],
    ["SGD", "Sở Giáo dục và Đào tạo", "SBN"],
    ["STP", "Sở Tư pháp", "SBN"],
    ["SCT", "Sở Công Thương", "SBN"],
]


def test_the_preview_sums_up_the_sheet_and_lists_only_the_rows_that_change(client, administrator, agencies):
    preview = upload(client, donvi(FILE))

    assert preview.status_code == 200
    assert summary(preview) == ["DonVi", "3", "1", "3", "0"]
    assert listed(preview) == [
        ("Cập nhật", "SYT"),
        ("Mới", "SGD"),
        ("Mới", "STP"),
        ("Mới", "SCT"),
    ]
    html = preview.content.decode()
    assert "Xác nhận nhập dữ liệu" in html
    assert "Trang 1 / " not in html  # one page
    assert Agency.objects.count() == 4  # a preview writes nothing


def test_a_year_imported_again_lists_no_row(client, administrator, agencies):
    preview = upload(client, donvi(FILE[:3]))

    assert summary(preview) == ["DonVi", "0", "0", "3", "0"]
    assert listed(preview) == []
    assert "Nhập tệp này không thay đổi dữ liệu nào." in preview.content.decode()


def test_the_rows_are_listed_a_page_at_a_time(client, administrator, agencies, monkeypatch):
    monkeypatch.setattr("ranking.workbook.admin.PREVIEW_ROWS", 3)

    first = upload(client, donvi(FILE))

    assert listed(first) == [("Cập nhật", "SYT"), ("Mới", "SGD"), ("Mới", "STP")]
    html = first.content.decode()
    assert "Trang 1 / 2" in html
    following = re.search(r'<a href="\?([^"]+)">Trang sau</a>', html).group(1).replace("&amp;", "&")
    assert following.endswith("page=2")

    second = client.get(url("import") + "?" + following)

    assert second.status_code == 200
    assert summary(second) == ["DonVi", "3", "1", "3", "0"]
    assert listed(second) == [("Mới", "SCT")]
    assert "Trang 2 / 2" in second.content.decode()
    # The import can be confirmed from any page, and writes the whole file.
    confirm = second.context["confirm_form"]
    done = client.post(url("process_import"), confirm.cleaned_data)
    assert done.status_code == 302
    assert sorted(Agency.objects.values_list("code", flat=True)) == [
        "SCT",
        "SGD",
        "SNV",
        "STC",
        "STP",
        "SXD",
        "SYT",
    ]
    assert Agency.objects.get(code="SYT").name == "Sở Y tế thành phố"


def test_refused_rows_are_counted_and_listed_alone_without_a_traceback(client, administrator, agencies):
    rows = [*FILE[:4], ["SGD", "Sở Giáo dục và Đào tạo", "KHONG-CO"], ["STP", "Sở Tư pháp", "SBN"]]

    preview = upload(client, donvi(rows))

    assert summary(preview) == ["DonVi", "1", "1", "3", "1"]
    html = preview.content.decode()
    refused = re.findall(r"<tr>\s*<td>(\d+)</td>\s*<td class=\"errors\">", html)
    # The fifth row of data is the sheet's row 6, below the header: numbered as Excel shows it.
    assert refused == ["6"]
    assert "KHONG-CO" in html
    assert "Traceback" not in html and "File &quot;" not in html
    assert "confirm_form" not in preview.context
    assert Agency.objects.count() == 4


def test_a_page_of_a_file_no_longer_kept_sends_back_to_the_form(client, administrator, agencies):
    response = client.get(
        url("import"),
        {"import_file_name": "khong-co", "original_file_name": "x.xlsx", "format": "0", "page": "2"},
    )

    assert response.status_code == 302
    assert response["Location"] == url("import")
    follow = client.get(response["Location"])
    assert "Tệp đã tải lên không còn được lưu: hãy chọn lại tệp." in follow.content.decode()
