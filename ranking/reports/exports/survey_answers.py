"""The survey's raw answers as an .xlsx file: one row per answer, values only.

A row says for which agency, from which respondent group, on which form (the response's number
on the web, the paper form's number on paper, never a person), how it came (web or paper),
which question and option, the option's conversion to a percent of the leaf's maximum, and
the day. Text is written as text (`ranking.cells.cell_put`): an answer or a question
beginning with =, +, - or @ is never a formula.
"""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ranking.cells import cell_put
from ranking.enums import SurveySource
from ranking.surveys.statistics import RawAnswer

SHEET = "TraLoiKhaoSat"
SOURCES = {SurveySource.WEB: "Trực tuyến", SurveySource.PAPER: "Giấy"}
# (header, width)
COLUMNS = [
    ("Kỳ", 12),
    ("Mã đơn vị", 12),
    ("Đơn vị", 32),
    ("Nhóm đối tượng", 26),
    ("Phiếu", 10),
    ("Nguồn", 11),
    ("Mã câu hỏi", 11),
    ("Câu hỏi", 48),
    ("Tiêu chí", 9),
    ("Trả lời", 9),
    ("% quy đổi", 11),
    ("Ngày", 12),
]
PERCENT_FORMAT = "#,##0.00"
DATE_FORMAT = "dd/mm/yyyy"


def survey_answers_workbook(answers: list[RawAnswer]) -> Workbook:
    book = Workbook(write_only=True)
    ws = book.create_sheet(SHEET)
    for letter, (_header, width) in zip("ABCDEFGHIJKL", COLUMNS, strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title, _width in COLUMNS:
        cell = cell_put(WriteOnlyCell(ws), title)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for answer in answers:
        percent = WriteOnlyCell(ws, value=answer.percent)
        percent.number_format = PERCENT_FORMAT
        day = WriteOnlyCell(ws, value=answer.day)
        day.number_format = DATE_FORMAT
        texts = [
            answer.period_code,
            answer.agency_code,
            answer.agency_name,
            answer.group_name,
            answer.form,
            SOURCES.get(answer.source, answer.source),
            answer.question_code,
            answer.question_text,
            answer.criterion_code,
            answer.option,
        ]
        ws.append([cell_put(WriteOnlyCell(ws), text) for text in texts] + [percent, day])
    ws.auto_filter.ref = f"A1:L{len(answers) + 1}"
    return book


def survey_answers_xlsx(answers: list[RawAnswer]) -> bytes:
    buffer = BytesIO()
    survey_answers_workbook(answers).save(buffer)
    return buffer.getvalue()
