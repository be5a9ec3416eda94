"""The decision template used until an administrator uploads one (docs/decision.md).

Built with python-docx rather than committed as a binary, so that its text and tags are read
and reviewed like code; administrators download it from the admin site to start their own.
Official documents are in Vietnamese whatever the reader's language: the text is not translated.
"""

from functools import lru_cache
from io import BytesIO

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

FONT = "Times New Roman"

CENTER, LEFT, RIGHT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT

# (header, cell, width in cm, alignment) of the annex table of a group, and of the certificate list.
ANNEX_COLUMNS = [
    ("Hạng", "{{ row.rank }}", 1.5, CENTER),
    ("Cơ quan, đơn vị", "{{ row.agency }}", 8.0, LEFT),
    ("Tổng điểm", "{{ row.total }}", 2.3, RIGHT),
    ("Điểm tối đa", "{{ row.maximum }}", 2.3, RIGHT),
    ("Chỉ số (%)", "{{ row.index }}", 2.3, RIGHT),
    ("Xếp loại", "{{ row.tier }}", 3.0, LEFT),
]
AWARD_COLUMNS = [
    ("STT", "{{ award.number }}", 1.3, CENTER),
    ("Cơ quan, đơn vị", "{{ award.agency }}", 7.0, LEFT),
    ("Khối", "{{ award.group }}", 5.0, LEFT),
    ("Chỉ số (%)", "{{ award.index }}", 2.3, RIGHT),
    ("Xếp loại", "{{ award.tier }}", 3.0, LEFT),
]


def _paragraph(document, text: str = "", *, bold=False, italic=False, size=13, align=None, before=0, after=0):
    paragraph = document.add_paragraph()
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(before)
    paragraph.paragraph_format.space_after = Pt(after)
    return paragraph


def _table(document, columns, *, loop: str, end: str):
    """A bordered table: a header row, then one row per item of `loop` (docxtpl's `{%tr %}`)."""
    table = document.add_table(rows=4, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header, opening, body, closing = table.rows
    for index, (title, tag, width, align) in enumerate(columns):
        for row in table.rows:
            row.cells[index].width = Cm(width)
        heading = header.cells[index].paragraphs[0]
        heading.add_run(title).bold = True
        heading.alignment = CENTER
        cell = body.cells[index].paragraphs[0]
        cell.add_run(tag)
        cell.alignment = align
    opening.cells[0].paragraphs[0].add_run(loop)
    closing.cells[0].paragraphs[0].add_run(end)
    # The header repeats on every printed page of a long group.
    header._tr.get_or_add_trPr().append(header._tr.makeelement(qn("w:tblHeader"), {}))
    return table


def _build() -> bytes:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(13)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    center, right, justify = CENTER, RIGHT, WD_ALIGN_PARAGRAPH.JUSTIFY

    _paragraph(document, "ỦY BAN NHÂN DÂN THÀNH PHỐ", bold=True, align=center)
    _paragraph(document, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, align=center)
    _paragraph(document, "Độc lập - Tự do - Hạnh phúc", bold=True, align=center, after=6)
    _paragraph(document, "Số: {{ decision.number }}", align=center)
    _paragraph(document, "{{ decision.date_long }}", italic=True, align=right, after=12)
    _paragraph(document, "QUYẾT ĐỊNH", bold=True, size=14, align=center)
    _paragraph(
        document,
        "Về việc công bố kết quả xếp hạng {{ subject }} năm {{ period.year }}",
        bold=True,
        align=center,
        after=12,
    )
    _paragraph(
        document,
        "Căn cứ kết quả thẩm định của Hội đồng thẩm định và kết quả đã được phê duyệt "
        "(phiên bản {{ period.version }}, công bố ngày {{ published_at }});",
        italic=True,
        align=justify,
        after=6,
    )
    _paragraph(document, "QUYẾT ĐỊNH:", bold=True, align=center, before=6, after=6)
    _paragraph(
        document,
        "Điều 1. Công bố kết quả đánh giá, xếp hạng {{ subject }} năm {{ period.year }} của "
        "{{ agency_count }} cơ quan, đơn vị (Phụ lục kết quả xếp hạng kèm theo).",
        align=justify,
        after=6,
    )
    _paragraph(
        document,
        "Điều 2. Đề nghị tặng Bằng khen cho {{ award_count }} cơ quan, đơn vị có thành tích xuất sắc "
        "(Danh sách đề nghị khen thưởng kèm theo).",
        align=justify,
        after=6,
    )
    _paragraph(
        document,
        "Điều 3. Quyết định này có hiệu lực kể từ ngày ký. Thủ trưởng các cơ quan, đơn vị có tên "
        "tại Điều 1 chịu trách nhiệm thi hành Quyết định này.",
        align=justify,
        after=18,
    )
    _paragraph(document, "{{ decision.signer_title_upper }}", bold=True, align=right, after=48)
    _paragraph(document, "{{ decision.signer_name }}", bold=True, align=right)

    document.add_page_break()
    _paragraph(document, "PHỤ LỤC", bold=True, size=14, align=center)
    _paragraph(
        document, "KẾT QUẢ XẾP HẠNG {{ subject_upper }} NĂM {{ period.year }}", bold=True, align=center
    )
    _paragraph(
        document,
        "(Kèm theo Quyết định số {{ decision.number }} {{ decision.date_long }})",
        italic=True,
        align=center,
        after=12,
    )
    _paragraph(document, "{%p for group in groups %}")
    _paragraph(document, "{{ group.name }}", bold=True, before=12)
    _paragraph(document, "{{ group.tier_summary }}", italic=True, size=12, after=6)
    _table(document, ANNEX_COLUMNS, loop="{%tr for row in group.rows %}", end="{%tr endfor %}")
    _paragraph(document, "{%p endfor %}")
    _paragraph(document, "{%p if excluded %}")
    excluded_heading = "Các cơ quan, đơn vị không đánh giá, xếp hạng ({{ excluded_count }}):"
    _paragraph(document, excluded_heading, bold=True, before=12, after=6)
    _paragraph(document, "{%p for item in excluded %}")
    _paragraph(
        document, "- {{ item.agency }} ({{ item.group }}){% if item.reason %}: {{ item.reason }}{% endif %}."
    )
    _paragraph(document, "{%p endfor %}")
    _paragraph(document, "{%p endif %}")

    document.add_page_break()
    _paragraph(document, "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG", bold=True, size=14, align=center)
    _paragraph(
        document,
        "(Kèm theo Quyết định số {{ decision.number }} {{ decision.date_long }})",
        italic=True,
        align=center,
        after=12,
    )
    _table(document, AWARD_COLUMNS, loop="{%tr for award in awards %}", end="{%tr endfor %}")

    out = BytesIO()
    document.save(out)
    return out.getvalue()


@lru_cache(maxsize=1)
def default_template() -> bytes:
    """The default template, as a .docx file's bytes (built once per process)."""
    return _build()
