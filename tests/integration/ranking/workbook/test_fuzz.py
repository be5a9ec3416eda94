"""Bad input everywhere, the year workbook (issue 4, reliability 4).

Hypothesis writes workbooks an administrator could send: every sheet of WORKBOOK.md with cells
of any kind (Vietnamese text with combining marks and emoji, very long strings, huge and tiny
numbers, NaN, formulas and formula-like text, dates, times, booleans, blanks), wrong headers,
empty sheets, unknown sheet names; and files that are no workbook at all. The properties:

- `workbook_import` never raises: it accepts, or refuses with problems that are each one line
  `SHEET!ROW COLUMN: message` (a file that is not a workbook, or a workbook without any sheet
  of the contract, gets one line saying so);
- a refusal leaves every row of every model as it was (history tables included), and the
  `import_workbook` command then exits with CommandError, never another exception;
- one cell of a valid workbook changed to anything: the file is accepted with exactly that
  value stored, or refused with a line naming that sheet, row and column.

Every example runs in its own transaction, rolled back at its end (the import's own
transaction is a savepoint inside it), so examples never see each other's writes.
"""

import datetime
import io
import math
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import hypothesis
import openpyxl
import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import override
from hypothesis import HealthCheck, currently_in_test_context, event, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from accounts.models import Agency, AgencyGroup
from ranking.enums import Method, Phase
from ranking.models import (
    Criterion,
    Demotion,
    HistoricalResult,
    Period,
    RespondentGroup,
    Score,
    SurveyQuestion,
    SurveyScale,
    Tier,
)
from ranking.workbook.importer import workbook_import
from ranking.workbook.resources import FLAG_TRUE
from tests.factories import (
    AgencyFactory,
    AgencyGroupFactory,
    AssessmentFactory,
    CriterionFactory,
    DemotionFactory,
    PeriodFactory,
    ScoreFactory,
    make_tiers,
)

pytestmark = pytest.mark.django_db

# The same examples on every run, so that a failure in CI reproduces anywhere; FUZZ_EXPLORE=1
# draws new ones (and keeps failures in .hypothesis/), FUZZ_EXAMPLES=n draws n per test.
EXPLORE = bool(os.environ.get("FUZZ_EXPLORE"))


def examples(default: int) -> int:
    return int(os.environ.get("FUZZ_EXAMPLES") or default)


FUZZ = settings(
    max_examples=examples(60),
    deadline=None,
    derandomize=not EXPLORE,
    database=settings.default.database if EXPLORE else None,
    # No shrinking: a failure is reported as found, so the file stays fast even while a bug
    # is open; the fixed cases below give each known failure in its smallest form.
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.reuse, hypothesis.Phase.generate],
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
LINE = re.compile(r"\S+!\d+ .+: .+")
UNREADABLE = "The file cannot be read as an Excel workbook (.xlsx): "
# Issue 10: a workbook without any sheet of the contract is refused in one line saying so.
UNRECOGNISED = "The workbook has none of the sheets the import reads: "

# The contract (WORKBOOK.md): sheet → exact headers.
COLUMNS = {
    "Khoi": ["Mã khối", "Tên khối", "Thứ tự"],
    "DonVi": ["Mã đơn vị", "Tên đơn vị", "Mã khối"],
    "KyDanhGia": [
        "Mã kỳ",
        "Năm",
        "Lĩnh vực",
        "Tên kỳ",
        "Kỳ trước",
        "Khen thưởng từ xếp loại",
        "Khen thưởng tối đa mỗi khối",
    ],
    "XepLoai": ["Mã kỳ", "Thứ tự", "Xếp loại", "Chỉ số tối thiểu"],
    "TieuChi": [
        "Mã kỳ",
        "Mã tiêu chí",
        "Nội dung",
        "Điểm tối đa",
        "Phương thức",
        "Áp dụng cho khối",
        "Cho phép không phát sinh",
        "Yêu cầu kiểm chứng",
        "Hướng dẫn chấm",
        "Lựa chọn",
    ],
    "Diem": [
        "Mã kỳ",
        "Mã đơn vị",
        "Mã tiêu chí",
        "Điểm tự đánh giá",
        "Điểm thẩm định",
        "Không phát sinh",
        "Ghi chú",
    ],
    "HaBac": ["Mã kỳ", "Mã đơn vị", "Số bậc hạ", "Lý do"],
    "KetQua": ["Mã kỳ", "Mã đơn vị", "Tổng điểm", "Chỉ số", "Xếp loại", "Xếp hạng"],
    "PhieuKhaoSat": ["Mã kỳ", "Mã đơn vị", "Mã nhóm đối tượng", "Số phiếu", "Mã câu hỏi", "Trả lời"],
}


class Text(str):
    """A cell written as text even when it starts with "=" (openpyxl would make it a formula)."""


# --- cell values ------------------------------------------------------------------------------

VIETNAMESE = [
    "Sở Nội vụ",
    "Ủy ban nhân dân quận Hải Châu",
    # The same words with decomposed diacritics: they look alike and are other code points.
    unicodedata.normalize("NFD", "Ủy ban nhân dân quận Hải Châu"),
    "Khối quận, huyện 🏛️👩‍💼",
    "Tiếng Việt: à á ả ã ạ ă ằ ắ ẳ ẵ ặ â ầ ấ ẩ ẫ ậ đ ư ơ",
    "a\u0300\u0301\u0302\u0303\u0309\u0323",  # a letter carrying a stack of combining marks
    "Đánh giá\nxuống dòng",
    "  Sở Tài chính  ",
    "Ghi chú <script>alert(1)</script> & “ngoặc kép” ‘đơn’",
    "x",
    "X",
    "có",
    "không",
]
WHITESPACE = [" ", "   ", "\t", "\n", "\u00a0", "\u3000", "\u2003 \u00a0"]
FORMULAS = ["=SUM(A1:A2)", "=1/0", "=A1", '=HYPERLINK("http://example.com","x")', "=NA()"]
FORMULA_LIKE = ["@cmd", "+cmd|' /C calc'!A0", "-2+3", "=SUM(A1:A2)", "=1/0", "=cmd|' /C calc'!A0"]
NUMBER_TEXT = [
    "7,5",
    "7.5",
    " 8 ",
    "1.234,5",
    "1,234.5",
    "−0,5",
    "-0.5",
    "+5",
    "1e300",
    "-1e20",
    "1e1000000",
    "1e-999999999",
    "0.00001",
    "7.00001",
    "99999,9999",
    "100000",
    "NaN",
    "sNaN",
    "Infinity",
    "-inf",
    "١٢",  # Arabic-Indic digits
    "²",
    "1_000",
    "0x10",
    "10%",
    "7,5 điểm",
    "32768",
    "40000",
]
NUMBERS = [
    1e300,
    -1e20,
    10**40,
    -(10**40),
    2**63,
    1e-300,
    5e-324,
    0.1 + 0.2,
    -0.0,
    Decimal("0.00001"),
    Decimal("12.3456"),
    99999.99995,
    100000,
    32767,
    32768,
    40000,
    65536,
    2**31,
    float("nan"),
    float("inf"),
    float("-inf"),
]

printable = st.characters(blacklist_categories=("Cs", "Cc"))
texts = st.one_of(
    st.sampled_from(VIETNAMESE + WHITESPACE),
    st.text(printable, max_size=30),
    # Long text: past the database columns (32, 64, 255 characters) and past Excel's 32,767.
    st.builds(
        lambda unit, size: (unit * size)[:size],
        st.sampled_from(["Đ", "ệ", "😀", "a\u0323\u0302", "Sở Nội vụ "]),
        st.sampled_from([33, 65, 256, 3000, 40000]),
    ),
)
numbers = st.one_of(
    st.sampled_from(NUMBERS),
    st.integers(min_value=-(10**45), max_value=10**45),
    st.floats(),
    st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-1000, max_value=1000),
)
moments = st.one_of(
    st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(9999, 12, 31)),
    st.datetimes(min_value=datetime.datetime(1900, 3, 1), max_value=datetime.datetime(9999, 12, 31)),
    st.times(),
    st.timedeltas(min_value=datetime.timedelta(0), max_value=datetime.timedelta(days=3000)),
)
nasty = st.one_of(
    texts,
    numbers,
    st.sampled_from(NUMBER_TEXT),
    st.sampled_from(FORMULAS),  # real formulas: a file saved without their values reads them as blank
    st.sampled_from(FORMULA_LIKE).map(Text),
    moments,
    st.booleans(),
    st.none(),
)

# Values each column expects, so that rows also get past the first checks and reach the deeper ones.
PLAUSIBLE = {
    "Mã khối": ["SBN", "QH", "MOI", "sbn", " SBN "],
    "Tên khối": ["Khối sở, ban, ngành", "Khối quận, huyện"],
    "Thứ tự": [1, 2, 5, "3", 2.0, 2.5, 0],
    "Mã đơn vị": ["SNV", "QHC", "MOI"],
    "Tên đơn vị": ["Sở Nội vụ", "UBND quận Hải Châu"],
    "Mã kỳ": ["CCHC-2025", "CCHC-2024", "CCHC-2023", "VTLT-2026"],
    "Năm": [2023, 2024, 2025, 2026, "2026", 1989, 32768],
    "Lĩnh vực": ["CCHC", "VTLT", "vtlt", "CCHC "],
    "Tên kỳ": ["CCHC năm 2025"],
    "Kỳ trước": ["CCHC-2024", "CCHC-2025", "CCHC-2023", "VTLT-2026"],
    "Khen thưởng từ xếp loại": ["Rất tốt", "Tốt"],
    "Khen thưởng tối đa mỗi khối": [0, 2, "2"],
    "Xếp loại": ["Rất tốt", "Tốt", "Khá", "Trung bình", "Yếu"],
    "Chỉ số tối thiểu": [90, 80, 70, 50, 0, "80,5", 100, 101],
    "Mã tiêu chí": ["1", "1.1", "1.2", "1.3", "1.4", "2", "2.1", "3", "3.1", "1.1.1", "1..2", "1.a"],
    "Nội dung": ["Ban hành kế hoạch CCHC"],
    "Điểm tối đa": [10, 2, "1,5", 0, -1],
    "Phương thức": [m.value for m in Method] + ["NUMBER", "khác"],
    "Áp dụng cho khối": ["SBN", "SBN, QH", "QH,,SBN", "KHAC"],
    "Cho phép không phát sinh": ["x", "X", "có", "yes"],
    "Yêu cầu kiểm chứng": ["x"],
    "Hướng dẫn chấm": ["Ban hành trước 31/12: 2 điểm."],
    "Lựa chọn": ["Đúng hạn=2; Trễ hạn=1; Không=0", "a=b", "=1", "Đúng hạn=2,5", "nhãn=-1"],
    "Điểm tự đánh giá": [7, "7,5", "-0,5", 10, 11, 0.25, "2"],
    "Điểm thẩm định": [6, "6,25", "-2", 2],
    "Không phát sinh": ["x", "không"],
    "Ghi chú": ["Kế hoạch số 12/KH-SNV"],
    "Số bậc hạ": [1, 2, "1", 0, 1.5],
    "Lý do": ["Vi phạm kỷ luật của người đứng đầu"],
    "Tổng điểm": [92, "88,5", -3],
    "Chỉ số": [92.5, "88,5", -1],
    "Xếp hạng": [1, 3, 0, "2"],
    "Mã nhóm đối tượng": ["ND", "nd", "LD"],
    "Số phiếu": [1, "1", "01", 2, 2.5],
    "Mã câu hỏi": ["C1", "C2", "c1"],
    "Trả lời": ["A", "b", "E", 1, "Có"],
}


def cell_for(column: str):
    plausible = PLAUSIBLE.get(column)
    return st.one_of(st.sampled_from(plausible), nasty) if plausible else nasty


# --- sheets and headers ------------------------------------------------------------------------


def without_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("đ", "d").replace("Đ", "D")


def misspelled(column: str) -> list[str]:
    return [
        without_marks(column),  # "Ma ky": typed without a Vietnamese keyboard
        unicodedata.normalize("NFD", column),  # looks the same, other code points
        column.upper(),
        column.replace(" ", ""),
        column.replace(" ", "\n", 1),
        column + "*",
    ]


@st.composite
def headers(draw, columns: list[str]) -> list:
    modes = ["exact", "exact", "missing", "duplicated", "extra", "misspelled", "shuffled"]
    mode = draw(st.sampled_from(modes))
    header: list = list(columns)
    if mode == "missing":
        del header[draw(st.integers(0, len(header) - 1))]
    elif mode == "duplicated":
        header.insert(draw(st.integers(0, len(header))), draw(st.sampled_from(columns)))
    elif mode == "extra":
        header.insert(draw(st.integers(0, len(header))), draw(st.one_of(texts, st.none(), numbers)))
    elif mode == "misspelled":
        position = draw(st.integers(0, len(header) - 1))
        header[position] = draw(st.sampled_from(misspelled(header[position])))
    elif mode == "shuffled":
        header = draw(st.permutations(header))
    if draw(st.booleans()):
        header = [f" {h} " if isinstance(h, str) else h for h in header]
    return header


@st.composite
def sheet_rows(draw, name: str) -> list[list]:
    layout = draw(st.sampled_from(["rows", "rows", "rows", "empty", "header only", "no header"]))
    if layout == "empty":
        return []
    columns = COLUMNS.get(name) or draw(st.lists(texts, min_size=1, max_size=4))
    header = draw(headers(columns)) if name in COLUMNS else columns
    rows = [] if layout == "no header" else [header]
    if layout == "header only":
        return rows
    for _ in range(draw(st.integers(1, 3))):
        row = [draw(cell_for(h.strip() if isinstance(h, str) else "")) for h in header]
        row += draw(st.lists(nasty, max_size=2))  # cells beyond the header are ignored
        rows.append(row[: draw(st.integers(0, len(row)))] if draw(st.booleans()) else row)
    return rows


SHEET_NAMES = list(COLUMNS) + ["Sheet1", "HuongDan", "diem", "DIEM", " Diem", "Điểm", "KetQua2"]


@st.composite
def workbooks(draw) -> list[tuple[str, list[list]]]:
    names = draw(st.lists(st.sampled_from(SHEET_NAMES), min_size=0, max_size=3, unique=True))
    return [(name, draw(sheet_rows(name.strip()))) for name in names]


def write(path: Path, sheets: list[tuple[str, list[list]]]) -> Path:
    """Write the sheets; with none, the file keeps the empty "Sheet" a new workbook has."""
    book = Workbook()
    if sheets:
        book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = sheet.cell(row=r, column=c, value=value)
                if isinstance(value, Text):
                    cell.data_type = "s"
    book.save(path)
    return path


# --- the database before and after ------------------------------------------------------------


def every_model():
    """Every model of the product, the history tables included."""
    return [m for label in ("accounts", "ranking") for m in apps.get_app_config(label).get_models()]


def snapshot() -> dict[str, list[dict]]:
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in every_model()}


def changed_models(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


def imported(path: Path):
    """Import in a transaction rolled back afterwards; returns the report and both snapshots."""
    with override("en"), transaction.atomic():
        before = snapshot()
        try:
            report = workbook_import(file=str(path))
        except Exception as error:
            raise AssertionError(f"workbook_import raised {type(error).__name__}: {error}") from error
        after = snapshot()
        transaction.set_rollback(True)
    return report, before, after


def command_refuses(path: Path) -> bool:
    """Run `import_workbook`; True when it refuses with CommandError (nothing is kept either way)."""
    out, err = io.StringIO(), io.StringIO()
    with override("en"), transaction.atomic():
        try:
            call_command("import_workbook", str(path), stdout=out, stderr=err)
            refused = False
        except CommandError:
            refused = True
        except Exception as error:
            raise AssertionError(
                f"import_workbook raised {type(error).__name__}, not CommandError: {error}"
            ) from error
        transaction.set_rollback(True)
    return refused


def assert_clean_outcome(path: Path, *, readable: bool = True):
    report, before, after = imported(path)
    if currently_in_test_context():
        event("accepted" if report.ok else "refused")
    if not report.ok:
        assert report.problems, "refused without a problem"
        if readable and report.problems[0].startswith(UNRECOGNISED):
            assert len(report.problems) == 1
        elif readable:
            bad = [line for line in report.problems if not LINE.fullmatch(line)]
            assert bad == [], f"problems not of the form SHEET!ROW COLUMN: message: {bad[:3]}"
            crashes = [line for line in report.problems if "Unexpected error" in line]
            assert crashes == [], f"a crash reported as a problem: {crashes[:3]}"
        assert changed_models(before, after) == [], "a refused import changed the database"
    assert command_refuses(path) == (not report.ok)
    return report


# --- any workbook, against a database that already holds a year --------------------------------


@pytest.fixture
def existing_year():
    """What the import meets: two groups, agencies, a published 2024 and a 2025 being scored."""
    sbn = AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành", order=1)
    qh = AgencyGroupFactory(code="QH", name="Khối quận, huyện", order=2)
    snv = AgencyFactory(code="SNV", name="Sở Nội vụ", group=sbn)
    AgencyFactory(code="QHC", name="UBND quận Hải Châu", group=qh)
    past = PeriodFactory(year=2024, phase=Phase.PUBLISHED, published_at=timezone.now())
    make_tiers(past)
    period = PeriodFactory(year=2025, phase=Phase.SELF_ASSESSMENT, previous=past)
    make_tiers(period)
    field = CriterionFactory(period=period, code="1", title="Chỉ đạo, điều hành", max_points=Decimal("13"))
    leaf = CriterionFactory(period=period, parent=field, code="1.1", max_points=Decimal("10"))
    CriterionFactory(
        period=period,
        parent=field,
        code="1.2",
        method=Method.CHOICE,
        max_points=Decimal("2"),
        options=[["Đúng hạn", "2"], ["Trễ hạn", "1"]],
    )
    CriterionFactory(period=period, parent=field, code="1.3", method=Method.YESNO, max_points=Decimal("1"))
    CriterionFactory(
        period=period, parent=field, code="1.4", method=Method.DEDUCTION, max_points=Decimal("2")
    )
    CriterionFactory(period=period, code="2", max_points=Decimal("5"))
    past_leaf = CriterionFactory(period=past, code="1", max_points=Decimal("10"))
    ScoreFactory(assessment=AssessmentFactory(period=period, agency=snv), criterion=leaf, self_score=7)
    ScoreFactory(assessment=AssessmentFactory(period=past, agency=snv), criterion=past_leaf, final_score=9)
    DemotionFactory(period=period, agency=snv)
    HistoricalResult.objects.create(period=past, agency=snv, total=92, index=92, tier_label="Rất tốt", rank=1)
    # The survey the paper-answers sheet refers to: group ND (2 forms per agency), question C1.
    survey_leaf = CriterionFactory(period=period, code="3", method=Method.SURVEY, max_points=Decimal("4"))
    group = RespondentGroup.objects.create(period=period, code="ND", name="Người dân", quota=2)
    scale = SurveyScale.objects.create(
        period=period,
        code="ABCD",
        name="Bốn mức",
        kind="abcd",
        options=[["A", "Tốt", "100"], ["B", "Kém", "0"]],
    )
    question = SurveyQuestion.objects.create(
        period=period, code="C1", text="Thái độ phục vụ?", criterion=survey_leaf, scale=scale
    )
    question.groups.set([group])


@FUZZ
@given(book=workbooks())
@example(book=[])
@example(book=[("Diem", [])])
@example(book=[("Diem", [COLUMNS["Diem"]])])
@example(book=[("Sheet1", [["a", "b"], [1, 2]])])
@example(book=[("Khoi", [COLUMNS["Khoi"], ["SBN", "Khối sở, ban, ngành", 1]])])
def test_any_workbook_is_imported_or_refused_cleanly(book, existing_year, tmp_path):
    assert_clean_outcome(write(tmp_path / "nam.xlsx", book))


DIEM_ROW = ["CCHC-2025", "SNV", "1.1", None, None, None, None]


def diem(column: str, value) -> tuple[str, list[list]]:
    row = list(DIEM_ROW)
    row[COLUMNS["Diem"].index(column)] = value
    return ("Diem", [COLUMNS["Diem"], row])


# Cells the generator finds sooner or later, kept as fixed cases so that each stays visible.
NASTY_ROWS = {
    "score beyond Decimal's exponent range": diem("Điểm tự đánh giá", "1e1000000"),
    "score of 1e300": diem("Điểm tự đánh giá", "1e300"),
    "score with a line break": diem("Điểm tự đánh giá", "7\n8"),
    "score as a formula": diem("Điểm tự đánh giá", "=1/0"),
    "score as formula text": diem("Điểm tự đánh giá", Text("=1/0")),
    "score as a date": diem("Điểm tự đánh giá", datetime.date(2025, 1, 1)),
    "score as a boolean": diem("Điểm tự đánh giá", True),
    "score of 10**40": diem("Điểm thẩm định", 10**40),
    "score of 1e-300": diem("Điểm thẩm định", 1e-300),
    "note of 40,000 characters": diem("Ghi chú", "Đ" * 40000),
    "group code of 33 characters": ("Khoi", [COLUMNS["Khoi"], ["A" * 33, "Khối mới", 1]]),
    "group name of 256 characters": ("Khoi", [COLUMNS["Khoi"], ["MOI", "Đ" * 256, 1]]),
    "year 32768": ("KyDanhGia", [COLUMNS["KyDanhGia"], ["CCHC-2030", 32768, "CCHC", None, None, None, None]]),
    "tier order 40000": ("XepLoai", [COLUMNS["XepLoai"], ["CCHC-2025", 40000, "Xuất sắc", 95]]),
    "tier order 1e300": ("XepLoai", [COLUMNS["XepLoai"], ["CCHC-2025", 1e300, "Xuất sắc", 95]]),
    "tier label of 65 characters": ("XepLoai", [COLUMNS["XepLoai"], ["CCHC-2025", 6, "Đ" * 65, 0]]),
    "past tier label of 70 characters": (
        "KetQua",
        [COLUMNS["KetQua"], ["CCHC-2024", "QHC", 80, 80, "Rất tốt" * 10, 2]],
    ),
    "demotion by 40000 tiers": ("HaBac", [COLUMNS["HaBac"], ["CCHC-2025", "QHC", 40000, "Vi phạm"]]),
}


@pytest.mark.parametrize("sheet", NASTY_ROWS.values(), ids=NASTY_ROWS.keys())
def test_a_nasty_cell_is_imported_or_refused_cleanly(sheet, existing_year, tmp_path):
    assert_clean_outcome(write(tmp_path / "nam.xlsx", [sheet]))


# --- files that are not workbooks ---------------------------------------------------------------


def xlsx_bytes(sheets: list[tuple[str, list[list]]]) -> bytes:
    buffer = io.BytesIO()
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(buffer)
    return buffer.getvalue()


VALID = xlsx_bytes([("Khoi", [COLUMNS["Khoi"], ["SBN", "Khối sở, ban, ngành", 1]])])


CSV_CELLS = ["Mã khối", "SBN", "Khối sở", "1", "=1/0"]


def csv_bytes(rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(row) for row in rows).encode("utf-8")


@st.composite
def zip_of_junk(draw) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        names = st.sampled_from(["[Content_Types].xml", "xl/workbook.xml", "a.txt"])
        for name in draw(st.lists(names, unique=True)):
            archive.writestr(name, draw(st.binary(max_size=200)))
    return buffer.getvalue()


not_workbooks = st.one_of(
    st.binary(max_size=3000),
    st.just(b""),
    st.lists(st.lists(st.sampled_from(CSV_CELLS), max_size=4), max_size=4).map(csv_bytes),
    zip_of_junk(),
    st.integers(0, len(VALID) - 1).map(lambda cut: VALID[:cut]),  # a download cut short
    st.just(b"<html><body><table><tr><td>Khoi</td></tr></table></body></html>"),
    st.just(b"%PDF-1.4\n%%EOF\n"),
)


@FUZZ
@given(content=not_workbooks)
@example(content=b"")
@example(content=csv_bytes([COLUMNS["Khoi"], ["SBN", "Khối sở, ban, ngành", "1"]]))
def test_a_file_that_is_not_a_workbook_is_refused_with_one_line(content, existing_year, tmp_path):
    path = tmp_path / "nam.xlsx"
    path.write_bytes(content)
    report = assert_clean_outcome(path, readable=False)
    assert not report.ok
    assert len(report.problems) == 1 and report.problems[0].startswith(UNREADABLE)


def patched(content: bytes, old: bytes, new: bytes) -> bytes:
    """The workbook with one piece of a sheet's XML replaced, as a broken writer would leave it."""
    source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(target, "w") as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                assert old in data
                data = data.replace(old, new)
            archive.writestr(item, data)
    return target.getvalue()


@pytest.mark.parametrize(
    "cell",
    [
        b'<c r="C2" t="n"><v>abc</v></c>',  # a number cell holding text
        b'<c r="C2" t="s"><v>999</v></c>',  # a shared string that does not exist
        '<c r="C2" t="d"><v>hôm qua</v></c>'.encode(),  # a date cell holding text
        b'<c r="ZZZZZZ2" t="n"><v>1</v></c>',  # a cell reference past the last column
    ],
    ids=["text in a number cell", "missing shared string", "text in a date cell", "bad reference"],
)
def test_a_workbook_with_a_broken_cell_is_refused_not_crashed(cell, existing_year, tmp_path):
    """The file opens as a workbook; its sheet breaks only when its rows are read."""
    path = tmp_path / "nam.xlsx"
    path.write_bytes(patched(VALID, b'<c r="C2" t="n"><v>1</v></c>', cell))
    report = assert_clean_outcome(path, readable=False)
    assert not report.ok
    assert len(report.problems) == 1


# --- one cell of a valid workbook changed ------------------------------------------------------

P, PAST = "CCHC-2025", "CCHC-2024"


def base_sheets() -> dict[str, list[list]]:
    """A small valid year: 2 groups, 2 agencies, CCHC-2024 (past ranks) and CCHC-2025."""
    return {
        "Khoi": [COLUMNS["Khoi"], ["SBN", "Khối sở, ban, ngành", 1], ["QH", "Khối quận, huyện", 2]],
        "DonVi": [COLUMNS["DonVi"], ["SNV", "Sở Nội vụ", "SBN"], ["QHC", "UBND quận Hải Châu", "QH"]],
        "KyDanhGia": [
            COLUMNS["KyDanhGia"],
            [PAST, 2024, "CCHC", "CCHC năm 2024", None, "Rất tốt", None],
            [P, 2025, "CCHC", "CCHC năm 2025", PAST, "Rất tốt", 2],
        ],
        "XepLoai": [COLUMNS["XepLoai"], [P, 1, "Rất tốt", 90], [P, 2, "Tốt", 70], [P, 3, "Yếu", 0]],
        "TieuChi": [
            COLUMNS["TieuChi"],
            [P, "1", "Chỉ đạo, điều hành", None, None, None, None, None, None, None],
            [P, "1.1", "Ban hành kế hoạch", 10, "number", None, None, "x", "Đúng hạn: 10 điểm", None],
            [P, "1.2", "Tổ chức thực hiện", 5, "number", None, "x", None, None, None],
            [P, "2", "Thủ tục hành chính", None, None, None, None, None, None, None],
            [P, "2.1", "Một cửa cấp xã", 15, "number", "QH", None, None, None, None],
        ],
        "Diem": [
            COLUMNS["Diem"],
            [P, "SNV", "1.1", 8, "7,5", None, "Kế hoạch số 12"],
            [P, "SNV", "1.2", 5, 4, None, None],
            [P, "QHC", "1.1", 10, 10, None, None],
        ],
        "HaBac": [COLUMNS["HaBac"], [P, "QHC", 1, "Vi phạm kỷ luật"]],
        "KetQua": [
            COLUMNS["KetQua"],
            [PAST, "SNV", 92, "92,5", "Rất tốt", 1],
            [PAST, "QHC", 80, 80, "Tốt", 2],
        ],
    }


def row_dict(sheet: str, index: int) -> dict:
    return dict(zip(COLUMNS[sheet], base_sheets()[sheet][index], strict=True))


def stored(sheet: str, row: dict, column: str):
    """What the database holds for `column` of the row identified by the row's key cells."""
    if sheet == "Khoi":
        group = AgencyGroup.objects.get(code=row["Mã khối"])
        return {"Tên khối": group.name, "Thứ tự": group.order}[column]
    if sheet == "DonVi":
        return Agency.objects.get(code=row["Mã đơn vị"]).name
    if sheet == "KyDanhGia":
        period = Period.objects.get(code=row["Mã kỳ"])
        return {
            "Tên kỳ": period.name,
            "Khen thưởng từ xếp loại": period.award_from_tier,
            "Khen thưởng tối đa mỗi khối": period.award_max_per_group,
        }[column]
    if sheet == "XepLoai":
        tier = Tier.objects.get(period__code=row["Mã kỳ"], order=row["Thứ tự"])
        return {"Xếp loại": tier.label, "Chỉ số tối thiểu": tier.min_index}[column]
    if sheet == "TieuChi":
        criterion = Criterion.objects.get(period__code=row["Mã kỳ"], code=row["Mã tiêu chí"])
        return {
            "Nội dung": criterion.title,
            "Điểm tối đa": criterion.max_points,
            "Cho phép không phát sinh": criterion.allow_not_arising,
            "Yêu cầu kiểm chứng": criterion.evidence_required,
            "Hướng dẫn chấm": criterion.guidance,
        }[column]
    if sheet == "Diem":
        score = Score.objects.get(
            assessment__period__code=row["Mã kỳ"],
            assessment__agency__code=row["Mã đơn vị"],
            criterion__code=row["Mã tiêu chí"],
        )
        return {
            "Điểm tự đánh giá": score.self_score,
            "Điểm thẩm định": score.reviewed_score,
            "Không phát sinh": score.not_arising,
            "Ghi chú": score.note,
        }[column]
    if sheet == "HaBac":
        demotion = Demotion.objects.get(period__code=row["Mã kỳ"], agency__code=row["Mã đơn vị"])
        return {"Số bậc hạ": demotion.steps, "Lý do": demotion.reason}[column]
    result = HistoricalResult.objects.get(period__code=row["Mã kỳ"], agency__code=row["Mã đơn vị"])
    return {
        "Tổng điểm": result.total,
        "Chỉ số": result.index,
        "Xếp loại": result.tier_label,
        "Xếp hạng": result.rank,
    }[column]


@dataclass(frozen=True)
class Cell:
    """What a cell takes: `kind` text, name (blank: the period's code), flag, number or whole;
    `low`/`high` bounds (`low` excluded where `above` is set); `blank_is` what a blank stores."""

    kind: str
    required: bool = False
    low: int | None = None
    high: int | None = None
    above: bool = False
    blank_is: object = None


TEXT, REQUIRED, FLAG = Cell("text"), Cell("text", required=True), Cell("flag")
# (sheet, data row, column, what it takes): cells no other row or sheet depends on.
MUTABLE = [
    ("Khoi", 1, "Tên khối", REQUIRED),
    ("Khoi", 2, "Thứ tự", Cell("whole", low=0, blank_is=0)),
    ("DonVi", 1, "Tên đơn vị", REQUIRED),
    ("KyDanhGia", 2, "Tên kỳ", Cell("name")),
    ("KyDanhGia", 2, "Khen thưởng từ xếp loại", TEXT),
    ("KyDanhGia", 2, "Khen thưởng tối đa mỗi khối", Cell("whole", low=0)),
    ("XepLoai", 2, "Xếp loại", REQUIRED),
    ("XepLoai", 1, "Chỉ số tối thiểu", Cell("number", required=True, low=0, high=100)),
    ("XepLoai", 2, "Chỉ số tối thiểu", Cell("number", required=True, low=0, high=100)),
    ("TieuChi", 5, "Điểm tối đa", Cell("number", required=True, low=0, above=True)),
    ("TieuChi", 2, "Nội dung", REQUIRED),
    ("TieuChi", 2, "Hướng dẫn chấm", TEXT),
    ("TieuChi", 2, "Yêu cầu kiểm chứng", FLAG),
    ("TieuChi", 5, "Cho phép không phát sinh", FLAG),
    ("Diem", 1, "Điểm tự đánh giá", Cell("number", low=0, high=10)),
    ("Diem", 2, "Điểm thẩm định", Cell("number", low=0, high=5)),
    ("Diem", 1, "Ghi chú", TEXT),
    ("Diem", 2, "Không phát sinh", FLAG),
    ("HaBac", 1, "Số bậc hạ", Cell("whole", required=True, low=1)),
    ("HaBac", 1, "Lý do", REQUIRED),
    ("KetQua", 1, "Tổng điểm", Cell("number")),
    ("KetQua", 2, "Chỉ số", Cell("number", low=0)),
    ("KetQua", 1, "Xếp loại", TEXT),
    ("KetQua", 2, "Xếp hạng", Cell("whole", required=True, low=1)),
]
# A tier scheme is checked across its rows (each bound below the one above, labels unique):
# a changed cell there may be reported on a neighbouring row of the same column.
ACROSS_ROWS = {"XepLoai"}

in_range = st.one_of(
    st.integers(0, 12),
    st.decimals(min_value=0, max_value=12, places=2),
    st.sampled_from(["7,5", "0,25", " 3 ", "1.234,5", "12", "4.5", 2.0, 0.5]),
)


def text_in(value) -> str:
    """A cell as text, as WORKBOOK.md reads codes and names: trimmed; 3.0 is "3"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def number_in(value) -> Decimal | None:
    """A cell as a number: a number, or text with a decimal comma or point (7,5 or 7.5)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    if isinstance(value, int):
        return Decimal(value)
    text = value.strip().replace("\u00a0", "").replace(" ", "").replace("−", "-")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def acceptable(spec: Cell, value, row: dict):
    """What an accepted cell must be stored as; raises LookupError where it must be refused."""
    if spec.kind in ("text", "name"):
        text = text_in(value)
        if spec.required and not text:
            raise LookupError("a required cell left blank")
        return text or (row["Mã kỳ"] if spec.kind == "name" else "")
    if spec.kind == "flag":
        text = text_in(value).lower()
        if text and text not in FLAG_TRUE:
            raise LookupError("neither x nor blank")
        return bool(text)
    if blank(value):
        if spec.required:
            raise LookupError("a required cell left blank")
        return spec.blank_is
    number = number_in(value)
    if number is None:
        raise LookupError("not a number")
    if spec.kind == "whole" and number != number.to_integral_value():
        raise LookupError("not a whole number")
    if spec.low is not None and (number <= spec.low if spec.above else number < spec.low):
        raise LookupError("below the lowest value allowed")
    if spec.high is not None and number > spec.high:
        raise LookupError("above the highest value allowed")
    return int(number) if spec.kind == "whole" else number


@st.composite
def mutations(draw):
    sheet, index, column, spec = draw(st.sampled_from(MUTABLE))
    plausible = in_range if spec.kind in ("number", "whole") else st.sampled_from(VIETNAMESE)
    return sheet, index, column, draw(st.one_of(plausible, nasty))


def read_back(path: Path, sheet: str, row: int, column: int):
    """The cell as the importer reads it (a formula saved without its value reads as blank)."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return list(book[sheet].iter_rows(min_row=row, max_row=row, values_only=True))[0][column - 1]
    finally:
        book.close()


def test_the_base_workbook_imports(tmp_path):
    path = tmp_path / "nam.xlsx"
    write(path, list(base_sheets().items()))
    report, _before, _after = imported(path)
    assert report.problems == []
    assert [(c.sheet, c.new) for c in report.sheets] == [
        ("Khoi", 2),
        ("DonVi", 2),
        ("KyDanhGia", 2),
        ("XepLoai", 3),
        ("TieuChi", 5),
        ("Diem", 3),
        ("HaBac", 1),
        ("KetQua", 2),
    ]


@settings(FUZZ, max_examples=examples(80))
@given(mutation=mutations())
@example(mutation=("Diem", 1, "Điểm tự đánh giá", "7.00001"))
@example(mutation=("Diem", 1, "Ghi chú", Text("=1/0")))
def test_one_changed_cell_is_stored_as_written_or_named_in_the_refusal(mutation, tmp_path):
    sheet, index, column, value = mutation
    spec = next(spec for s, i, c, spec in MUTABLE if (s, i, c) == (sheet, index, column))
    sheets = base_sheets()
    position = COLUMNS[sheet].index(column)
    sheets[sheet][index][position] = value
    path = write(tmp_path / "nam.xlsx", list(sheets.items()))
    excel_row = index + 1
    cell = read_back(path, sheet, excel_row, position + 1)
    row = row_dict(sheet, index)
    with override("en"), transaction.atomic():
        before = snapshot()
        try:
            report = workbook_import(file=str(path))
        except Exception as error:
            raise AssertionError(f"workbook_import raised {type(error).__name__}: {error}") from error
        if report.ok:
            try:
                expected = acceptable(spec, cell, row)
            except LookupError as why:
                raise AssertionError(f"{sheet}!{excel_row} {column} = {cell!r} accepted: {why}") from None
            assert stored(sheet, row, column) == expected, f"{sheet}!{excel_row} {column} = {cell!r}"
        else:
            if sheet in ACROSS_ROWS:
                named = [
                    line for line in report.problems if re.match(rf"{sheet}!\d+ {re.escape(column)}: ", line)
                ]
            else:
                named = [
                    line for line in report.problems if line.startswith(f"{sheet}!{excel_row} {column}: ")
                ]
            assert named, f"{sheet}!{excel_row} {column} = {cell!r} refused with {report.problems}"
            assert all(LINE.fullmatch(line) for line in report.problems), report.problems
            assert not [line for line in report.problems if "Unexpected error" in line], report.problems
            assert changed_models(before, snapshot()) == []
        transaction.set_rollback(True)
