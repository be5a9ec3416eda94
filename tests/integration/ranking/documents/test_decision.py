"""The decision announcing a publication (ranking/documents, ranking/views/decision.py): its
number, date and signer recorded by the council, the Word document with its annexes opened
with python-docx, PDF through LibreOffice, the administrator's template, and who may do what.

The year is `build_year` of the council's tests (figures worked out there). Sở Nội vụ is
demoted one tier, so it ranks second with an index of 92 but shows Tốt; the council adds
UBND quận Hải Châu to the certificate list beside Sở Tư pháp, proposed by the rule.
Requests are in Vietnamese, the application's language.
"""

import datetime
import io
import re
import zipfile

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Agency, AgencyGroup, Role
from ranking.documents.decision import decision_context, decision_docx, pdf_converter
from ranking.documents.default_template import default_template
from ranking.enums import Standing
from ranking.models import DecisionTemplate, Demotion, Publication
from ranking.results.compute import results_compute
from ranking.results.finalization import award_change, period_publish, period_reopen, results_approve
from ranking.results.standing import assessment_standing_set
from tests.builders import build_year
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CODE = "CCHC-2025"
PAGE = f"/hoi-dong/{CODE}/quyet-dinh/"
DOCX = f"/hoi-dong/{CODE}/quyet-dinh.docx"
PDF = f"/hoi-dong/{CODE}/quyet-dinh.pdf"
DECISION = {
    "number": "1898/QĐ-UBND",
    "date": "05/01/2026",
    "signer_name": "Huỳnh Đức Thơ",
    "signer_title": "Chủ tịch",
}

ANNEX_HEADER = ["Hạng", "Cơ quan, đơn vị", "Tổng điểm", "Điểm tối đa", "Chỉ số (%)", "Xếp loại"]
# One table per group, in group order, as published: rank, agency, total, maximum, index, tier.
ANNEX_TABLES = [
    [
        ANNEX_HEADER,
        ["1", "Sở Tư pháp", "94,50", "100,00", "94,50", "Rất tốt"],
        ["2", "Sở Nội vụ", "92,00", "100,00", "92,00", "Tốt"],
        ["3", "Sở Tài chính", "83,50", "100,00", "83,50", "Tốt"],
        ["4", "Sở Y tế", "67,00", "100,00", "67,00", "Trung bình"],
    ],
    [ANNEX_HEADER, ["1", "UBND quận Hải Châu", "79,00", "100,00", "79,00", "Khá"]],
]
AWARD_TABLE = [
    ["STT", "Cơ quan, đơn vị", "Khối", "Chỉ số (%)", "Xếp loại"],
    ["1", "Sở Tư pháp", "Khối sở, ban, ngành", "94,50", "Rất tốt"],
    ["2", "UBND quận Hải Châu", "Khối quận, huyện", "79,00", "Khá"],
]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Factories hash a password for every user; the slow production hasher adds nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture
def council():
    return UserFactory(username="hoidong", role=Role.COUNCIL)


@pytest.fixture
def year(council):
    """CCHC 2025, published once (version 1)."""
    year = build_year()
    period = year.period
    Demotion.objects.create(
        period=period, agency=year.assessments["SNV"].agency, steps=1, reason="Kỷ luật người đứng đầu"
    )
    results_compute(period=period)
    award_change(
        user=council,
        period=period,
        agency=year.assessments["QHC"].agency,
        included=True,
        reason="Đứng đầu khối quận, huyện",
    )
    results_approve(user=council, period=period)
    period_publish(user=council, period=period)
    return year


def paragraphs(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def tables(document) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def open_docx(content: bytes):
    return docx.Document(io.BytesIO(content))


def downloaded(client) -> bytes:
    response = client.get(DOCX)
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert response["Content-Disposition"] == 'attachment; filename="quyet-dinh-CCHC-2025-v1.docx"'
    return response.content


def record(client, **changes):
    return client.post(PAGE, {**DECISION, **changes})


def page_text(response) -> str:
    html = response.content.decode()
    main = re.search(r'<main id="main"[^>]*>(.*)</main>', html, re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).strip()


# --- the document ------------------------------------------------------------------------------


def test_an_agency_not_ranked_is_named_so_in_the_annex(client, council):
    year = build_year()
    assessment_standing_set(
        user=council,
        assessment=year.assessments["SNV"],
        standing=Standing.NOT_RANKED,
        reason="Người đứng đầu bị kỷ luật",
    )
    results_compute(period=year.period)
    results_approve(user=council, period=year.reload())
    period_publish(user=council, period=year.reload())
    client.force_login(council)
    record(client)

    departments = tables(open_docx(downloaded(client)))[0]

    # The others close up their ranks; the agency keeps its index and tier, without a rank.
    assert departments == [
        ANNEX_HEADER,
        ["1", "Sở Tư pháp", "94,50", "100,00", "94,50", "Rất tốt"],
        ["2", "Sở Tài chính", "83,50", "100,00", "83,50", "Tốt"],
        ["3", "Sở Y tế", "67,00", "100,00", "67,00", "Trung bình"],
        ["Không xếp hạng", "Sở Nội vụ", "92,00", "100,00", "92,00", "Rất tốt"],
    ]


def test_an_agency_not_assessed_is_named_below_the_annex_with_its_reason(client, council):
    year = build_year()
    assessment_standing_set(
        user=council,
        assessment=year.assessments["SYT"],
        standing=Standing.EXCLUDED,
        reason="Sáp nhập vào Sở Nội vụ trong năm",
    )
    results_compute(period=year.period)
    results_approve(user=council, period=year.reload())
    period_publish(user=council, period=year.reload())
    client.force_login(council)
    record(client)

    document = open_docx(downloaded(client))

    assert tables(document)[0] == [
        ANNEX_HEADER,
        ["1", "Sở Tư pháp", "94,50", "100,00", "94,50", "Rất tốt"],
        ["2", "Sở Nội vụ", "92,00", "100,00", "92,00", "Rất tốt"],
        ["3", "Sở Tài chính", "83,50", "100,00", "83,50", "Tốt"],
    ]
    text = paragraphs(document)
    heading = text.index("Các cơ quan, đơn vị không đánh giá, xếp hạng (1):")
    assert text[heading + 1] == "- Sở Y tế (Khối sở, ban, ngành): Sáp nhập vào Sở Nội vụ trong năm."
    assert not [t for t in text if "{" in t or "}" in t]


def test_the_template_may_show_each_component_index(council, year):
    """Sở Tư pháp: field 1 scored 58 + 27 of 90 = 94,44 %; field 2 (the survey) 9,5 of 10 = 95,00 %."""
    publication = Publication.objects.get(period=year.period, version=1)

    context = decision_context(publication)

    justice = next(row for row in context["groups"][0]["rows"] if row["code"] == "STP")
    assert justice["field_indices"] == [{"code": "1", "index": "94,44"}, {"code": "2", "index": "95,00"}]
    assert (context["excluded"], context["excluded_count"]) == ([], "0")


def test_decision_with_its_annexes_as_recorded(client, council, year):
    client.force_login(council)
    response = record(client)
    assert response.status_code == 302
    assert response["Location"] == PAGE
    publication = Publication.objects.get(period=year.period, version=1)
    assert (
        publication.decision_number,
        publication.decision_date,
        publication.signer_name,
        publication.signer_title,
    ) == ("1898/QĐ-UBND", datetime.date(2026, 1, 5), "Huỳnh Đức Thơ", "Chủ tịch")

    document = open_docx(downloaded(client))
    text = paragraphs(document)
    assert "Số: 1898/QĐ-UBND" in text
    # Days below 10 and January take a leading zero.
    assert "ngày 05 tháng 01 năm 2026" in text
    assert "Về việc công bố kết quả xếp hạng chỉ số cải cách hành chính năm 2025" in text
    assert (
        "Điều 1. Công bố kết quả đánh giá, xếp hạng chỉ số cải cách hành chính năm 2025 của 5 cơ quan, "
        "đơn vị (Phụ lục kết quả xếp hạng kèm theo)." in text
    )
    assert (
        "Điều 2. Đề nghị tặng Bằng khen cho 2 cơ quan, đơn vị có thành tích xuất sắc "
        "(Danh sách đề nghị khen thưởng kèm theo)." in text
    )
    # The signature block: the title in capitals, then the name.
    assert text[text.index("CHỦ TỊCH") + 1] == "Huỳnh Đức Thơ"
    assert "KẾT QUẢ XẾP HẠNG CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2025" in text
    assert text.count("(Kèm theo Quyết định số 1898/QĐ-UBND ngày 05 tháng 01 năm 2026)") == 2
    # Each group's heading and tier counts, in group order, before its table.
    assert [t for t in text if t.startswith("Khối ")] == ["Khối sở, ban, ngành", "Khối quận, huyện"]
    assert text[text.index("Khối sở, ban, ngành") + 1] == "1 Rất tốt, 2 Tốt, 1 Trung bình"
    assert text[text.index("Khối quận, huyện") + 1] == "1 Khá"
    assert "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG" in text
    # No tag of the template is left.
    assert not [t for t in text if "{" in t or "}" in t]

    assert tables(document) == [*ANNEX_TABLES, AWARD_TABLE]


def test_before_the_decision_is_recorded_its_number_and_date_are_left_blank(client, council, year):
    client.force_login(council)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Chưa ghi số và ngày quyết định: văn bản để trống các mục này, điền tay khi ký." in page_text(page)

    document = open_docx(downloaded(client))
    text = paragraphs(document)
    assert "Số: ……/QĐ-UBND" in text
    assert "ngày …… tháng …… năm ……" in text
    assert tables(document) == [*ANNEX_TABLES, AWARD_TABLE]


def test_renaming_after_publication_changes_nothing_in_the_decision(client, council, year):
    client.force_login(council)
    record(client)
    before = downloaded(client)
    Agency.objects.filter(code="STP").update(name="Sở Tư pháp (tên mới)")
    AgencyGroup.objects.filter(code="QH").update(name="Khối quận, huyện, thị xã")

    document = open_docx(downloaded(client))
    assert tables(document) == [*ANNEX_TABLES, AWARD_TABLE]
    assert tables(document) == tables(open_docx(before))
    assert "Khối quận, huyện, thị xã" not in paragraphs(document)


def test_hostile_text_stays_text(client, council, year):
    """XML's special characters, template tags and control characters in names and in the
    decision cannot break the document nor run as tags."""
    client.force_login(council)
    hostile = '<w:p>Sở "Nội" vụ & <b>\'Tư pháp\'</b> {{ 7*7 }} {%p endfor %}'
    response = record(
        client,
        number="12/QĐ-UBND </w:t><w:t>&amp;",
        signer_name="Lê\x07 Văn\x0b{{ decision }}",
        signer_title="Phó Chủ tịch\x0c& <i>thường trực</i>",
    )
    assert response.status_code == 302
    publication = Publication.objects.get(period=year.period)
    # Hostile text as an older snapshot could hold it (not saved: PostgreSQL refuses NUL in JSON).
    publication.results[0]["name"] = hostile + "\x00\x1b\ufffe"
    publication.awards[0]["name"] = hostile
    publication.results[4]["group"] = "Khối\t<quận>\r\nhuyện"

    document = open_docx(decision_docx(publication=publication))
    text = paragraphs(document)
    assert "Số: 12/QĐ-UBND </w:t><w:t>&amp;" in text
    assert "PHÓ CHỦ TỊCH & <I>THƯỜNG TRỰC</I>" in text
    assert "Lê Văn {{ decision }}" in text
    assert "Khối <quận> huyện" in text
    annex = tables(document)
    assert annex[0][1] == ["1", hostile, "94,50", "100,00", "94,50", "Rất tốt"]
    assert annex[2][1] == ["1", hostile, "Khối sở, ban, ngành", "94,50", "Rất tốt"]
    assert annex[2][2] == ["2", "UBND quận Hải Châu", "Khối <quận> huyện", "79,00", "Khá"]


# --- the form -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"number": "  "}, "number", "Vui lòng nhập số quyết định."),
        ({"date": ""}, "date", "Vui lòng nhập ngày ký quyết định."),
        ({"date": "2026-01-05"}, "date", "Vui lòng ghi ngày theo dạng dd/mm/yyyy, ví dụ 01/06/2018."),
        ({"date": "31/02/2026"}, "date", "Vui lòng ghi ngày theo dạng dd/mm/yyyy, ví dụ 01/06/2018."),
        ({"signer_name": ""}, "signer_name", "Vui lòng nhập họ tên người ký."),
        ({"signer_title": ""}, "signer_title", "Vui lòng nhập chức vụ người ký."),
        ({"number": "1" * 51}, "number", "Giá trị này chỉ có tối đa 50 kí tự (hiện có 51)"),
    ],
)
def test_the_form_refuses_what_is_missing_or_malformed(client, council, year, changes, field, message):
    client.force_login(council)
    response = record(client, **changes)
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert message in page_text(response)
    # Nothing is recorded.
    publication = Publication.objects.get(period=year.period)
    assert (publication.decision_number, publication.decision_date) == ("", None)


def test_every_change_of_the_decision_is_kept_with_who_and_when(client, council, year):
    client.force_login(council)
    record(client, number="1898/QĐ-UBND")
    record(client, number="1899/QĐ-UBND", date="06/01/2026")
    history = Publication.history.filter(period=year.period).order_by("history_id")
    # Publishing made the first record; then one per change.
    assert [(h.decision_number, h.decision_date) for h in history] == [
        ("", None),
        ("1898/QĐ-UBND", datetime.date(2026, 1, 5)),
        ("1899/QĐ-UBND", datetime.date(2026, 1, 6)),
    ]
    assert [h.history_user for h in history[1:]] == [council, council]
    assert [h.history_change_reason for h in history[1:]] == ["Ghi quyết định công bố phiên bản 1"] * 2
    page = client.get(PAGE)
    assert page.context["form"].initial["number"] == "1899/QĐ-UBND"
    assert 'value="06/01/2026"' in page.content.decode()


# --- who, and when ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.OFFICER, Role.HEAD, Role.REVIEWER, Role.ADMIN, Role.VIEWER])
def test_only_the_council_records_and_downloads_the_decision(client, year, role):
    agency = year.assessments["SNV"].agency if role in (Role.OFFICER, Role.HEAD) else None
    client.force_login(UserFactory(username="nguoikhac", role=role, agency=agency))
    for url in (PAGE, DOCX, PDF):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Chỉ hội đồng thẩm định được ghi và tải quyết định" in response.content.decode()
    assert record(client).status_code == 403
    assert Publication.objects.get(period=year.period).decision_number == ""


def test_signed_out_visitors_are_sent_to_sign_in(client, year):
    for url in (PAGE, DOCX, PDF):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/dang-nhap/?next={url}"


def test_not_before_publication_nor_while_reopened(client, council, year):
    client.force_login(council)
    period_reopen(user=council, period=year.period, reason="Sửa điểm khảo sát")
    for url in (PAGE, DOCX, PDF):
        assert client.get(url).status_code == 403, url
    assert record(client).status_code == 403
    assert Publication.objects.get(period=year.period).decision_number == ""


def test_links_to_the_decision_on_the_council_pages(client, council, year):
    client.force_login(council)
    for url in (f"/hoi-dong/{CODE}/", f"/hoi-dong/{CODE}/ket-qua/"):
        html = client.get(url).content.decode()
        assert html.count(f'href="{PAGE}"') == 1, url
    period_reopen(user=council, period=year.period, reason="Sửa điểm khảo sát")
    for url in (f"/hoi-dong/{CODE}/", f"/hoi-dong/{CODE}/ket-qua/"):
        assert f'href="{PAGE}"' not in client.get(url).content.decode(), url


def test_downloading_takes_a_fixed_number_of_queries(client, council, year):
    client.force_login(council)
    record(client)
    client.get(DOCX)
    with CaptureQueriesContext(connection) as queries:
        downloaded(client)
    # Session, user, period, its last publication, the template in use.
    assert len(queries) == 5, [q["sql"] for q in queries]


# --- PDF ----------------------------------------------------------------------------------------


def test_pdf_of_the_decision(client, council, year):
    if pdf_converter() is None:
        pytest.skip(
            "PDF OF THE DECISION NOT TESTED: LibreOffice (soffice) is not installed on this machine "
            "(Debian: apt-get install libreoffice-writer-nogui)"
        )
    client.force_login(council)
    record(client)
    page = client.get(PAGE)
    assert f'href="{PDF}"' in page.content.decode()
    response = client.get(PDF)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="quyet-dinh-CCHC-2025-v1.pdf"'
    assert response.content.startswith(b"%PDF-")
    assert response.content.rstrip().endswith(b"%%EOF")


def test_without_a_converter_pdf_is_refused_with_a_clear_message(client, council, year, settings):
    settings.DECISION_PDF_CONVERTER = "khong-co-chuong-trinh-nay"
    client.force_login(council)
    page = client.get(PAGE)
    assert f'href="{PDF}"' not in page.content.decode()
    assert "Máy chủ này không xuất được PDF: chưa cài LibreOffice." in page_text(page)
    response = client.get(PDF, follow=True)
    assert response.redirect_chain == [(PAGE, 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Máy chủ này không xuất được PDF: chưa cài LibreOffice."
    ]


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("sleep 30", "Việc chuyển sang PDF kéo dài quá 1 giây; vui lòng tải văn bản Word."),
        ("exit 3", "Không chuyển được sang PDF; vui lòng tải văn bản Word."),
    ],
)
def test_a_converter_that_hangs_or_fails_is_stopped(
    client, council, year, settings, tmp_path, script, message
):
    converter = tmp_path / "soffice"
    converter.write_text(f"#!/bin/sh\n{script}\n")
    converter.chmod(0o755)
    settings.DECISION_PDF_CONVERTER = str(converter)
    settings.DECISION_PDF_TIMEOUT = 1
    client.force_login(council)
    response = client.get(PDF, follow=True)
    assert response.redirect_chain == [(PAGE, 302)]
    assert [str(m) for m in response.context["messages"]] == [message]


# --- the administrator's template -----------------------------------------------------------------


@pytest.fixture
def superuser(client):
    return UserFactory(username="quantri", role=Role.ADMIN, is_staff=True, is_superuser=True)


def custom_template(*lines: str) -> bytes:
    document = docx.Document()
    for text in lines:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(client, content: bytes, name: str = "mau.docx"):
    return client.post(
        "/admin/ranking/decisiontemplate/add/",
        {"file": SimpleUploadedFile(name, content), "description": "Mẫu của thành phố", "active": "on"},
    )


def test_an_administrator_replaces_the_template(client, council, superuser, year):
    client.force_login(superuser)
    response = upload(
        client,
        custom_template(
            "UBND THÀNH PHỐ ĐÀ NẴNG — Quyết định số {{ decision.number }} ({{ decision.date }})",
            "{% for group in groups %}{{ group.name }}: {% for row in group.rows %}{{ row.rank }}. "
            "{{ row.agency }} {{ row.index }}; {% endfor %}{% endfor %}",
        ),
    )
    assert response.status_code == 302
    template = DecisionTemplate.objects.get()
    assert template.uploaded_by == superuser
    assert template.file.name.startswith("mau-quyet-dinh/") and template.file.name.endswith(".docx")

    client.force_login(council)
    record(client)
    assert "Tạo từ mẫu do quản trị viên tải lên ngày" in page_text(client.get(PAGE))
    document = open_docx(downloaded(client))
    assert paragraphs(document) == [
        "UBND THÀNH PHỐ ĐÀ NẴNG — Quyết định số 1898/QĐ-UBND (05/01/2026)",
        "Khối sở, ban, ngành: 1. Sở Tư pháp 94,50; 2. Sở Nội vụ 92,00; 3. Sở Tài chính 83,50; "
        "4. Sở Y tế 67,00; Khối quận, huyện: 1. UBND quận Hải Châu 79,00; ",
    ]
    # Turned off, the default template is used again.
    DecisionTemplate.objects.update(active=False)
    assert tables(open_docx(downloaded(client))) == [*ANNEX_TABLES, AWARD_TABLE]


def bomb() -> bytes:
    """A .docx whose parts unpack to far more than the limit (zeros pack tightly)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (60 * 1024 * 1024))
    return out.getvalue()


def zipped(parts: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"not a zip at all", "mau.docx", "Tệp không phải là văn bản Word (.docx)."),
        (default_template(), "mau.doc", "Tệp không phải là văn bản Word (.docx)."),
        (zipped({"[Content_Types].xml": "<Types/>"}), "mau.docx", "Tệp không phải là văn bản Word (.docx)."),
        (
            zipped({"[Content_Types].xml": "<Types/>", "word/document.xml": "garbage"}),
            "mau.docx",
            "Mẫu quyết định không phải văn bản Word mà ứng dụng điền được (",
        ),
        (
            zipped({"[Content_Types].xml": "garbage", "word/document.xml": "<w:document/>"}),
            "mau.docx",
            "Mẫu quyết định không phải văn bản Word mà ứng dụng điền được (",
        ),
        (bomb(), "mau.docx", "Mẫu khi giải nén lớn hơn 50 MB."),
        (b"x" * (5 * 1024 * 1024 + 1), "mau.docx", "Mẫu lớn hơn 5 MB."),
        (
            custom_template("Số {{ decision.number "),
            "mau.docx",
            # The tag runs on into the document's XML.
            "Mẫu quyết định có thẻ bị lỗi: unexpected '/'",
        ),
        (
            custom_template("{{ decision.__class__.__mro__ }}"),
            "mau.docx",
            "Mẫu quyết định có thẻ bị lỗi: access to attribute '__class__' of 'dict' object is unsafe.",
        ),
    ],
)
def test_an_unusable_template_is_refused_at_upload(client, superuser, content, name, message):
    client.force_login(superuser)
    response = upload(client, content, name)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["file"]
    assert len(errors) == 1
    assert errors[0].startswith(message), errors
    assert DecisionTemplate.objects.count() == 0


def test_the_default_template_is_offered_to_start_from(client, superuser):
    client.force_login(superuser)
    add = client.get("/admin/ranking/decisiontemplate/add/")
    assert 'href="/admin/ranking/decisiontemplate/mac-dinh.docx"' in add.content.decode()
    response = client.get("/admin/ranking/decisiontemplate/mac-dinh.docx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="mau-quyet-dinh.docx"'
    assert response.content == default_template()
    text = paragraphs(open_docx(response.content))
    assert "Số: {{ decision.number }}" in text
    assert "{%p for group in groups %}" in text
