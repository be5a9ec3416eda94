"""evidence_check (ranking/evidence.py): uploads are judged by their content, not their name.

Every accepted file below is a real file of its kind (or its real first bytes); every refused
one is something a user could actually send. Messages are the English msgids.
"""

import io
import struct
import zipfile
import zlib

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import override

from ranking.assessments.evidence import CheckedFile, EvidenceRefused, evidence_check

NBSP = "\xa0"
TYPE_REFUSED = "Files of this type are not accepted. Upload PDF, Word, Excel, PowerPoint, images or ZIP."


@pytest.fixture(autouse=True)
def _english():
    with override("en"):
        yield


# --- real files -----------------------------------------------------------------------------


def pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx() -> bytes:
    return zip_of(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "word/document.xml": "<w:document>Báo cáo CCHC</w:document>".encode(),
        }
    )


def pptx() -> bytes:
    return zip_of({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p:presentation/>"})


def xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Điểm tự đánh giá"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ole() -> bytes:
    """The header of a compound file (Word 97 .doc, Excel 97 .xls), padded to one sector."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    return header.ljust(512, b"\x00")


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32 + b"\xff\xd9"
    )


def gif() -> bytes:
    return (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
        b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )


def webp() -> bytes:
    body = b"VP8L" + struct.pack("<I", 10) + b"\x2f\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


# --- accepted --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "extension", "content_type"),
    [
        pytest.param("Báo cáo CCHC 2025.pdf", pdf(), ".pdf", "application/pdf", id="pdf"),
        pytest.param(
            "Kế hoạch.docx",
            docx(),
            ".docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            id="docx",
        ),
        pytest.param(
            "Bảng điểm.xlsx",
            xlsx(),
            ".xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            id="xlsx",
        ),
        pytest.param(
            "Trình chiếu.pptx",
            pptx(),
            ".pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            id="pptx",
        ),
        pytest.param("Quyết định cũ.doc", ole(), ".doc", "application/msword", id="doc"),
        pytest.param("Số liệu cũ.xls", ole(), ".xls", "application/vnd.ms-excel", id="xls"),
        pytest.param("Ảnh chụp.png", png(), ".png", "image/png", id="png"),
        pytest.param("Ảnh hội nghị.jpg", jpeg(), ".jpg", "image/jpeg", id="jpg"),
        pytest.param("Ảnh hội nghị.jpeg", jpeg(), ".jpeg", "image/jpeg", id="jpeg"),
        pytest.param("Biểu đồ.gif", gif(), ".gif", "image/gif", id="gif"),
        pytest.param("Ảnh nén.webp", webp(), ".webp", "image/webp", id="webp"),
        pytest.param("Hồ sơ.zip", zip_of({"a.txt": b"minh chung"}), ".zip", "application/zip", id="zip"),
        pytest.param("BAO-CAO.PDF", pdf(), ".pdf", "application/pdf", id="upper-case-extension"),
    ],
)
def test_accepts_real_files(name, content, extension, content_type):
    file = upload(name, content)

    assert evidence_check(file) == CheckedFile(extension=extension, content_type=content_type)


def test_leaves_the_file_at_its_start_so_it_can_be_stored_whole():
    file = upload("Báo cáo.pdf", pdf())
    file.read(3)

    evidence_check(file)

    assert file.tell() == 0
    assert file.read() == pdf()


def test_accepts_a_file_of_exactly_the_limit(settings):
    content = pdf()
    settings.EVIDENCE_MAX_BYTES = len(content)

    assert evidence_check(upload("Báo cáo.pdf", content)).content_type == "application/pdf"


# --- refused ----------------------------------------------------------------------------------


def refusal(name: str, content: bytes) -> str:
    with pytest.raises(EvidenceRefused) as refused:
        evidence_check(upload(name, content))
    return str(refused.value)


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>'


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param(
            "Báo cáo.pdf", HTML, "The content of “Báo cáo.pdf” does not match its type.", id="html-named-pdf"
        ),
        pytest.param(
            "Ảnh chụp.pdf",
            png(),
            "The content of “Ảnh chụp.pdf” does not match its type.",
            id="png-named-pdf",
        ),
        pytest.param(
            "Kế hoạch.docx",
            pdf(),
            "The content of “Kế hoạch.docx” does not match its type.",
            id="pdf-named-docx",
        ),
        pytest.param(
            "Số liệu.xls",
            zip_of({"a.txt": b"x"}),
            "The content of “Số liệu.xls” does not match its type.",
            id="zip-named-xls",
        ),
        pytest.param(
            "Ảnh.png", jpeg(), "The content of “Ảnh.png” does not match its type.", id="jpeg-named-png"
        ),
        pytest.param(
            "Ghi chú.pdf",
            "Chỉ là văn bản".encode(),
            "The content of “Ghi chú.pdf” does not match its type.",
            id="text-named-pdf",
        ),
        pytest.param("Sơ đồ.svg", SVG, TYPE_REFUSED, id="svg"),
        pytest.param("Trang.html", HTML, TYPE_REFUSED, id="html"),
        pytest.param("Trang.htm", HTML, TYPE_REFUSED, id="htm"),
        pytest.param("Báo cáo.pdf.html", HTML, TYPE_REFUSED, id="double-extension"),
        pytest.param("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56, TYPE_REFUSED, id="exe"),
        pytest.param("ghi-chu.txt", b"van ban", TYPE_REFUSED, id="txt"),
        pytest.param("khong-co-duoi", pdf(), TYPE_REFUSED, id="no-extension"),
    ],
)
def test_refuses_by_content_and_type(name, content, message):
    assert refusal(name, content) == message


def test_refuses_an_empty_file():
    assert refusal("Báo cáo.pdf", b"") == "The file is empty."


def test_refuses_a_file_over_the_limit(settings):
    settings.EVIDENCE_MAX_BYTES = 100

    assert refusal("Báo cáo.pdf", b"%PDF-" + b"x" * 96) == (
        f"The file is 101{NBSP}bytes; the limit is 100{NBSP}bytes."
    )


def test_the_size_limit_comes_first_even_for_a_refused_type(settings):
    settings.EVIDENCE_MAX_BYTES = 2048

    assert (
        refusal("Trang.html", HTML.ljust(3072, b" ")) == f"The file is 3.0{NBSP}KB; the limit is 2.0{NBSP}KB."
    )
