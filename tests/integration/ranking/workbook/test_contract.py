"""Black-box tests of the year workbook contract (WORKBOOK.md).

The commands `import_workbook`, `compute_results` and `export_results` are driven exactly as
an administrator's script would drive them, with a workbook built here from Python data, and
every figure is checked against the hand calculation below — never against the code.

THE FIXTURE
===========
Groups (sheet Khoi, written out of display order; codes sort the other way round):
    TW  "Khối cơ quan Trung ương"  Thứ tự 1
    SBN "Khối sở, ban, ngành"      Thứ tự 2
    QH  "Khối quận, huyện"         Thứ tự 3

Periods: CCHC-2024 (past, only KetQua ranks), CCHC-2025 (Kỳ trước CCHC-2024, certificates
from "Rất tốt", at most 2 per group), VTLT-2025 (no previous period, from "Xuất sắc", no limit).

CCHC-2025 criteria (leaves; parents 1, 1.1, 2, 3 have no maximum of their own):
    1.1.1 number 12 | 1.1.2 yesno 6 | 1.2 choice 2 (Đúng hạn=2; Trễ hạn=1; Không thực hiện=0)
    1.3 number 10 (method blank) | 1.4 deduction, floor −2
    2.1 number 20 | 2.2 number 10, may not arise | 2.3 number 10, only for TW and SBN
    2.4 number 15, only for QH | 2.5 bonus, cap 3
    3.1 number 20 | 3.2 survey 10
  maximum for TW and SBN = 12+6+2+10 + 20+10+10 + 20+10 = 100
  maximum for QH         = 12+6+2+10 + 20+10+15 + 20+10 = 105
  (SCT: 2.2 did not arise, so its maximum is 100 − 10 = 90)

HAND CALCULATION, CCHC-2025 (final score = Điểm thẩm định). Leaves in the order
1.1.1 1.1.2 1.2 1.3 1.4 | 2.1 2.2 2.3 2.4 2.5 | 3.1 3.2(survey); "-" = leaf not for the group.

 code   field 1                  field 2                    field 3        f1    f2    f3      total   max
 KBNN   12  6 2  9    0     | 19   9.5 8.5  -   0 | 20   9      29    37    29      95      100
 CTHUE  11  6 2  9.5 -0.5   | 19.5 10  7.5  -   1 | 20   9      28    38    29      95      100
 SNV    12  6 2 10    0     | 20   9.5 7    -   2 | 19   9      30    38.5  28      96.5    100
 STTTT  12  6 1  9    0     | 19   9   10   -   0 | 20   8      28    38    28      94      100
 STC    12  6 2 10   -1     | 18   9   8.5  -   0 | 20   9.5    29    35.5  29.5    94      100
 SXD    11  6 2  9    0     | 18   9   8    -   0 | 19   9      28    35    28      91      100
 SYT    10  6 1  8    0     | 17   8   8    -   0 | 18.5 8.5    25    33    27      85      100
 SGTVT   9  6 2  8.5 -0.5   | 16   8.5 7.5  -   1 | 18.5 8.5    25    33    27      85      100
 SCT    10  6 1  7   -2     | 14   x   6    -   0 | 16   7      22    20    23      65       90
 QHC    12  6 2 10    0     | 19.5 10  -  14.5  0 | 18.5 8.3    30    44    26.8   100.8    105
 QTK    11  6 2  9    0     | 18   9   -  13    0 | 18   8.4958 28    40    26.4958 94.4958 105
 QST    10  6 1  8   -0.5   | 17   8   -  12    3 | 12   7.5    24.5  40    19.5    84      105
 QLC     8  0 1  7   -1     | 14   7   -  10    0 | 19   7.45   15    31    26.45   72.45   105

 code   index (exact)         shown  tier before → after   w/o survey  rank  2024  change
 KBNN   95                    95,00  Rất tốt                 86          1     1     0 (=)
 CTHUE  95                    95,00  Rất tốt                 86          2     -     new
 SNV    96.5                  96,50  Rất tốt                 87.5        1     2     +1
 STTTT  94                    94,00  Rất tốt → Tốt (hạ bậc)  86          2     1     −1
 STC    94                    94,00  Rất tốt                 84.5        3     3     0
 SXD    91                    91,00  Rất tốt                 82          4     6     +2
 SYT    85                    85,00  Tốt                     76.5        5     4     −1
 SGTVT  85                    85,00  Tốt                     76.5        5     7     +2
 SCT    65/90 = 72.2222…      72,22  Khá                     58          7     5     −2
 QHC    100.8/105 = 96        96,00  Rất tốt                 92.5        1     3     +2
 QTK    94.4958/105 = 89.996  90,00  Tốt (89.996 < 90)       86          2     1     −1
 QST    84/105 = 80           80,00  Tốt (bound inclusive)   76.5        3     2     −1
 QLC    72.45/105 = 69        69,00  Trung bình              65          4     4     0

Ranking, special cases:
  TW:  KBNN and CTHUE tie on index (95) and on total without survey (86); field 1 breaks it:
       29 > 28 (CTHUE's 1.4 deduction counts in its field 1).
  SBN: STTTT and STC tie on index (94); total without survey 86 > 84.5 puts STTTT first even
       though STC has the higher field 1 (29 > 28): the tie-breakers apply in order.
       SYT and SGTVT are equal on index, total without survey and every field (25, 33, 27):
       they share rank 5 and the next rank is 7 (1, 2, 3, 4, 5, 5, 7).
  QH:  QTK's index 89.996 prints as 90,00 but stays "Tốt"; QST's index is exactly 80: "Tốt".
Tier counts: TW  Rất tốt 2, Tốt 0, Khá 0, Trung bình 0, Yếu 0
             SBN Rất tốt 3 (SNV, STC, SXD), Tốt 3 (STTTT, SYT, SGTVT), Khá 1, Trung bình 0, Yếu 0
             QH  Rất tốt 1, Tốt 2, Khá 0, Trung bình 1, Yếu 0
Proposed certificates (tier ≥ "Rất tốt", not demoted, best ranks first, ≤ 2 per group):
  TW: KBNN, CTHUE.  SBN: SNV, STC — STTTT is demoted (and now "Tốt"); SXD (rank 4, "Rất tốt")
  is cut by the limit of 2.  QH: QHC.

HAND CALCULATION, VTLT-2025 (leaves 1.1 number 30, 1.2 yesno 20, 2.1 number 40, 2.2 choice 10;
maximum 100, so index = total; QLC has no Diem row there, so it does not take part):
 TW:  KBNN 28+20+36+10 = 94 Xuất sắc r1;  CTHUE 25+20+30+5 = 80 Tốt r2
 SBN: SNV 29+20+38+10 = 97 Xuất sắc r1;  STC 26.5+20+36+10 = 92.5 Xuất sắc r2;
      STTTT 27+20+35+10 = 92 Xuất sắc r3 (its CCHC demotion does not touch VTLT);
      SXD 24+20+30+5 = 79 Khá r4;  SYT 22+20+24+0 = 66 Trung bình khá r5;
      SGTVT 20+0+35+5 = 60 Trung bình khá r6 (bound inclusive);  SCT 18+0+30+0 = 48 Yếu r7
 QH:  QTK 28+20+37+5 = 90 Xuất sắc r1;  QHC 27.5+20+34+5 = 86.5 Tốt r2;
      QST 20+20+12.5+0 = 52.5 Trung bình r3
 No previous period: previous rank and change are blank everywhere.
 Proposed (no limit): KBNN, SNV, STC, STTTT, QTK.

Cell styles: agencies in TEXT_STYLE have every Diem number typed as text with a decimal comma
("7,5", "-0,5", "12"); the others as Excel numbers (7.5, -0.5, 12). "SNV " and " 2.1 " carry
spaces to trim. DonVi has an extra column, which is ignored.
"""

import io
import re
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from accounts.models import Agency, AgencyGroup
from ranking.models import (
    Assessment,
    AwardEntry,
    Criterion,
    Demotion,
    HistoricalResult,
    Period,
    Result,
    Score,
    Tier,
)
from tests.workbooks import write_workbook

pytestmark = pytest.mark.django_db(transaction=False)

D = Decimal
CCHC = "CCHC-2025"
VTLT = "VTLT-2025"
NOT_ARISING = "x"

# --- master data ---------------------------------------------------------------------------

GROUPS = [  # (code, name, order) in display order
    ("TW", "Khối cơ quan Trung ương", 1),
    ("SBN", "Khối sở, ban, ngành", 2),
    ("QH", "Khối quận, huyện", 3),
]
GROUP_NAME = {code: name for code, name, _ in GROUPS}

AGENCIES = [  # (code, name, group)
    ("KBNN", "Kho bạc Nhà nước thành phố", "TW"),
    ("CTHUE", "Cục Thuế thành phố", "TW"),
    ("SNV", "Sở Nội vụ", "SBN"),
    ("STTTT", "Sở Thông tin và Truyền thông", "SBN"),
    ("STC", "Sở Tài chính", "SBN"),
    ("SXD", "Sở Xây dựng", "SBN"),
    ("SYT", "Sở Y tế", "SBN"),
    ("SGTVT", "Sở Giao thông vận tải", "SBN"),
    ("SCT", "Sở Công Thương", "SBN"),
    ("QHC", "UBND quận Hải Châu", "QH"),
    ("QTK", "UBND quận Thanh Khê", "QH"),
    ("QST", "UBND quận Sơn Trà", "QH"),
    ("QLC", "UBND quận Liên Chiểu", "QH"),
]
AGENCY_NAME = {code: name for code, name, _ in AGENCIES}
AGENCY_GROUP = {code: group for code, _, group in AGENCIES}

CCHC_TIERS = [("Rất tốt", 90), ("Tốt", 80), ("Khá", 70), ("Trung bình", 50), ("Yếu", 0)]
VTLT_TIERS = [
    ("Xuất sắc", 90),
    ("Tốt", 80),
    ("Khá", 70),
    ("Trung bình khá", 60),
    ("Trung bình", 50),
    ("Yếu", 0),
]

TIEUCHI_HEADER = [
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
]
CCHC_CRITERIA = [
    # code, content, maximum, method, groups, may not arise, evidence, guidance, choices
    ("1", "Công tác chỉ đạo, điều hành cải cách hành chính", None, None, None, None, None, None, None),
    ("1.1", "Kế hoạch cải cách hành chính năm", 18, None, None, None, None, None, None),
    (
        "1.1.1",
        "Ban hành kế hoạch đúng hạn, đủ nội dung",
        12,
        "number",
        None,
        None,
        "x",
        "Thiếu mỗi nội dung trừ 1 điểm",
        None,
    ),
    ("1.1.2", "Hoàn thành 100% nhiệm vụ theo kế hoạch", 6, "yesno", None, None, "x", None, None),
    (
        "1.2",
        "Báo cáo cải cách hành chính định kỳ",
        2,
        "choice",
        None,
        None,
        "x",
        None,
        "Đúng hạn=2; Trễ hạn=1; Không thực hiện=0",
    ),
    ("1.3", "Công tác kiểm tra cải cách hành chính", 10, None, None, None, None, None, None),
    (
        "1.4",
        "Chậm thực hiện nhiệm vụ được giao",
        2,
        "deduction",
        None,
        None,
        None,
        "Trừ 0,5 điểm mỗi nhiệm vụ trễ hạn, tối đa trừ 2 điểm",
        None,
    ),
    ("2", "Cải cách thủ tục hành chính", None, None, None, None, None, None, None),
    ("2.1", "Giải quyết hồ sơ đúng hạn", 20, "number", None, None, "x", None, None),
    ("2.2", "Xử lý văn bản sau rà soát", 10, "number", None, "x", None, None, None),
    ("2.3", "Công khai thủ tục hành chính tại cơ quan", 10, None, "TW, SBN", None, None, None, None),
    ("2.4", "Bộ phận một cửa cấp xã, phường", 15, "number", "QH", None, "x", None, None),
    ("2.5", "Sáng kiến cải cách hành chính được công nhận", 3, "bonus", None, None, "x", None, None),
    ("3", "Hiện đại hóa hành chính và sự hài lòng", None, None, None, None, None, None, None),
    ("3.1", "Ứng dụng công nghệ thông tin", 20, "number", None, None, None, None, None),
    (
        "3.2",
        "Sự hài lòng của người dân, tổ chức",
        10,
        "survey",
        None,
        None,
        None,
        "Theo kết quả điều tra xã hội học",
        None,
    ),
]
VTLT_CRITERIA = [
    ("1", "Công tác văn thư", None, None, None, None, None, None, None),
    ("1.1", "Quản lý văn bản đi, văn bản đến", 30, "number", None, None, None, None, None),
    ("1.2", "Lập hồ sơ và nộp lưu vào lưu trữ cơ quan", 20, "yesno", None, None, "x", None, None),
    ("2", "Công tác lưu trữ", None, None, None, None, None, None, None),
    ("2.1", "Chỉnh lý tài liệu tồn đọng", 40, None, None, None, None, None, None),
    (
        "2.2",
        "Số hóa tài liệu lưu trữ",
        10,
        "choice",
        None,
        None,
        None,
        None,
        "Đầy đủ=10; Một phần=5; Chưa thực hiện=0",
    ),
]

# --- scores --------------------------------------------------------------------------------

CCHC_LEAVES = ["1.1.1", "1.1.2", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "2.4", "2.5", "3.1", "3.2"]
SURVEY_LEAVES = {"3.2"}
# Reviewed (= final) scores, as typed; None: the leaf does not apply to the agency's group.
CCHC_REVIEWED = {
    "KBNN": ["12", "6", "2", "9", "0", "19", "9.5", "8.5", None, "0", "20", "9"],
    "CTHUE": ["11", "6", "2", "9.5", "-0.5", "19.5", "10", "7.5", None, "1", "20", "9"],
    "SNV": ["12", "6", "2", "10", "0", "20", "9.5", "7", None, "2", "19", "9"],
    "STTTT": ["12", "6", "1", "9", "0", "19", "9", "10", None, "0", "20", "8"],
    "STC": ["12", "6", "2", "10", "-1", "18", "9", "8.5", None, "0", "20", "9.5"],
    "SXD": ["11", "6", "2", "9", "0", "18", "9", "8", None, "0", "19", "9"],
    "SYT": ["10", "6", "1", "8", "0", "17", "8", "8", None, "0", "18.5", "8.5"],
    "SGTVT": ["9", "6", "2", "8.5", "-0.5", "16", "8.5", "7.5", None, "1", "18.5", "8.5"],
    "SCT": ["10", "6", "1", "7", "-2", "14", NOT_ARISING, "6", None, "0", "16", "7"],
    "QHC": ["12", "6", "2", "10", "0", "19.5", "10", None, "14.5", "0", "18.5", "8.3"],
    "QTK": ["11", "6", "2", "9", "0", "18", "9", None, "13", "0", "18", "8.4958"],
    "QST": ["10", "6", "1", "8", "-0.5", "17", "8", None, "12", "3", "12", "7.5"],
    "QLC": ["8", "0", "1", "7", "-1", "14", "7", None, "10", "0", "19", "7.45"],
}
# Where the agency scored itself differently from the reviewer (otherwise self = reviewed;
# survey leaves have no self-score).
CCHC_SELF = {
    ("SNV", "2.2"): "10",
    ("STTTT", "1.2"): "2",
    ("SXD", "3.1"): "20",
    ("SCT", "1.4"): "-1",
    ("QTK", "2.4"): "15",
    ("QLC", "1.1.2"): "6",
}
VTLT_LEAVES = ["1.1", "1.2", "2.1", "2.2"]
VTLT_REVIEWED = {
    "KBNN": ["28", "20", "36", "10"],
    "CTHUE": ["25", "20", "30", "5"],
    "SNV": ["29", "20", "38", "10"],
    "STTTT": ["27", "20", "35", "10"],
    "STC": ["26.5", "20", "36", "10"],
    "SXD": ["24", "20", "30", "5"],
    "SYT": ["22", "20", "24", "0"],
    "SGTVT": ["20", "0", "35", "5"],
    "SCT": ["18", "0", "30", "0"],
    "QHC": ["27.5", "20", "34", "5"],
    "QTK": ["28", "20", "37", "5"],
    "QST": ["20", "20", "12.5", "0"],
}
TEXT_STYLE = {"SNV", "STC", "SGTVT", "SCT", "QTK", "QLC"}
PADDED = {("SNV", "1.1.1"): ("SNV ", "1.1.1"), ("QHC", "2.1"): ("QHC", " 2.1 ")}

DIEM_HEADER = [
    "Mã kỳ",
    "Mã đơn vị",
    "Mã tiêu chí",
    "Điểm tự đánh giá",
    "Điểm thẩm định",
    "Không phát sinh",
    "Ghi chú",
]

# --- CCHC-2024 published results -----------------------------------------------------------

PREVIOUS = [  # (agency, Tổng điểm, Chỉ số, Xếp loại, Xếp hạng) as typed
    ("KBNN", 93.5, 93.5, "Rất tốt", 1),
    ("STTTT", 95, 95, "Rất tốt", 1),
    ("SNV", 92, 92, "Rất tốt", 2),
    ("STC", "90,5", "90,5", "Rất tốt", 3),
    ("SYT", 86, 86, "Tốt", 4),
    ("SCT", "81,25", "81,25", "Tốt", 5),
    ("SXD", 78, 78, "Khá", 6),
    ("SGTVT", "74,5", "74,5", "Khá", 7),
    ("QTK", "96,6", 92, "Rất tốt", 1),
    ("QST", 92.4, 88, "Tốt", 2),
    ("QHC", 90.3, 86, "Tốt", 3),
    ("QLC", 73.5, 70, "Khá", 4),
]

# --- the expected figures (hand calculation above) -------------------------------------------

CCHC_EXPECTED = {
    # code: (f1, f2, f3, total, maximum, exact index, tier, demoted, rank, previous rank)
    "KBNN": ("29", "37", "29", "95", "100", Fraction(95), "Rất tốt", False, 1, 1),
    "CTHUE": ("28", "38", "29", "95", "100", Fraction(95), "Rất tốt", False, 2, None),
    "SNV": ("30", "38.5", "28", "96.5", "100", Fraction("96.5"), "Rất tốt", False, 1, 2),
    "STTTT": ("28", "38", "28", "94", "100", Fraction(94), "Tốt", True, 2, 1),
    "STC": ("29", "35.5", "29.5", "94", "100", Fraction(94), "Rất tốt", False, 3, 3),
    "SXD": ("28", "35", "28", "91", "100", Fraction(91), "Rất tốt", False, 4, 6),
    "SYT": ("25", "33", "27", "85", "100", Fraction(85), "Tốt", False, 5, 4),
    "SGTVT": ("25", "33", "27", "85", "100", Fraction(85), "Tốt", False, 5, 7),
    "SCT": ("22", "20", "23", "65", "90", Fraction(650, 9), "Khá", False, 7, 5),
    "QHC": ("30", "44", "26.8", "100.8", "105", Fraction(96), "Rất tốt", False, 1, 3),
    "QTK": ("28", "40", "26.4958", "94.4958", "105", Fraction("89.996"), "Tốt", False, 2, 1),
    "QST": ("24.5", "40", "19.5", "84", "105", Fraction(80), "Tốt", False, 3, 2),
    "QLC": ("15", "31", "26.45", "72.45", "105", Fraction(69), "Trung bình", False, 4, 4),
}
CCHC_SHOWN_INDEX = {
    "KBNN": "95.00",
    "CTHUE": "95.00",
    "SNV": "96.50",
    "STTTT": "94.00",
    "STC": "94.00",
    "SXD": "91.00",
    "SYT": "85.00",
    "SGTVT": "85.00",
    "SCT": "72.22",
    "QHC": "96.00",
    "QTK": "90.00",
    "QST": "80.00",
    "QLC": "69.00",
}
CCHC_CHANGE = {
    "KBNN": 0,
    "CTHUE": None,
    "SNV": 1,
    "STTTT": -1,
    "STC": 0,
    "SXD": 2,
    "SYT": -1,
    "SGTVT": 2,
    "SCT": -2,
    "QHC": 2,
    "QTK": -1,
    "QST": -1,
    "QLC": 0,
}
CCHC_TIER_LINES = [
    "Khối cơ quan Trung ương: Rất tốt 2, Tốt 0, Khá 0, Trung bình 0, Yếu 0",
    "Khối sở, ban, ngành: Rất tốt 3, Tốt 3, Khá 1, Trung bình 0, Yếu 0",
    "Khối quận, huyện: Rất tốt 1, Tốt 2, Khá 0, Trung bình 1, Yếu 0",
]
CCHC_AWARDS = {"KBNN", "CTHUE", "SNV", "STC", "QHC"}

VTLT_EXPECTED = {  # code: (total = index, tier, rank)
    "KBNN": ("94", "Xuất sắc", 1),
    "CTHUE": ("80", "Tốt", 2),
    "SNV": ("97", "Xuất sắc", 1),
    "STC": ("92.5", "Xuất sắc", 2),
    "STTTT": ("92", "Xuất sắc", 3),
    "SXD": ("79", "Khá", 4),
    "SYT": ("66", "Trung bình khá", 5),
    "SGTVT": ("60", "Trung bình khá", 6),
    "SCT": ("48", "Yếu", 7),
    "QTK": ("90", "Xuất sắc", 1),
    "QHC": ("86.5", "Tốt", 2),
    "QST": ("52.5", "Trung bình", 3),
}
VTLT_TIER_LINES = [
    "Khối cơ quan Trung ương: Xuất sắc 1, Tốt 1, Khá 0, Trung bình khá 0, Trung bình 0, Yếu 0",
    "Khối sở, ban, ngành: Xuất sắc 3, Tốt 0, Khá 1, Trung bình khá 2, Trung bình 0, Yếu 1",
    "Khối quận, huyện: Xuất sắc 1, Tốt 1, Khá 0, Trung bình khá 0, Trung bình 1, Yếu 0",
]
VTLT_AWARDS = {"KBNN", "SNV", "STC", "STTTT", "QTK"}

GROUP_SHEET_HEADERS = [
    "Xếp hạng",
    "Mã đơn vị",
    "Tên đơn vị",
    "1",
    "2",
    "3",
    "Tổng điểm",
    "Điểm tối đa",
    "Chỉ số (%)",
    "Xếp loại",
    "Xếp hạng năm trước",
    "Thay đổi",
]
AWARD_SHEET_HEADERS = ["STT", "Mã đơn vị", "Tên đơn vị", "Khối", "Chỉ số (%)", "Xếp loại"]

SHEETS = [
    "Khoi",
    "DonVi",
    "KyDanhGia",
    "XepLoai",
    "TieuChi",
    "KhoiTheoKy",
    "Diem",
    "TinhTrang",
    "HaBac",
    "KetQua",
]
COUNT_LINE = re.compile(r"^(\w+): (\d+) mới, (\d+) cập nhật, (\d+) không đổi$")
PROBLEM_LINE = re.compile(r"^(?:" + "|".join(SHEETS) + r")!\d+ ")

# Everything the import may write; the M2M table of criterion groups included.
IMPORTED_MODELS = [
    AgencyGroup,
    Agency,
    Period,
    Tier,
    Criterion,
    Criterion.groups.through,
    Assessment,
    Score,
    Demotion,
    HistoricalResult,
]
HISTORY_MODELS = [
    m.history.model for m in (AgencyGroup, Agency, Period, Tier, Criterion, Assessment, Score, Demotion)
]


# --- building the workbook -------------------------------------------------------------------


def typed(value: str | None, *, as_text: bool) -> str | int | float | None:
    """A decimal as an Excel user types it: text with a decimal comma, or a number."""
    if value is None:
        return None
    if as_text:
        return value.replace(".", ",")
    number = D(value)
    return int(number) if number == number.to_integral_value() else float(number)


def diem_rows() -> list[list]:
    rows = [DIEM_HEADER]
    periods = ((CCHC, CCHC_LEAVES, CCHC_REVIEWED), (VTLT, VTLT_LEAVES, VTLT_REVIEWED))
    for period, leaves, reviewed_scores in periods:
        for agency, scores in reviewed_scores.items():
            as_text = agency in TEXT_STYLE
            for leaf, reviewed in zip(leaves, scores, strict=True):
                if reviewed is None:
                    continue
                agency_cell, leaf_cell = PADDED.get((agency, leaf), (agency, leaf))
                if reviewed == NOT_ARISING:
                    rows.append([period, agency_cell, leaf_cell, None, None, "x", "Không phát sinh"])
                    continue
                if period == VTLT:
                    own = reviewed
                elif leaf in SURVEY_LEAVES:
                    own = None
                else:
                    own = CCHC_SELF.get((agency, leaf), reviewed)
                note = "Thẩm định điều chỉnh điểm" if own not in (None, reviewed) else None
                rows.append(
                    [
                        period,
                        agency_cell,
                        leaf_cell,
                        typed(own, as_text=as_text),
                        typed(reviewed, as_text=as_text),
                        None,
                        note,
                    ]
                )
    return rows


def criteria_rows() -> list[list]:
    rows = [TIEUCHI_HEADER]
    for period, criteria in ((CCHC, CCHC_CRITERIA), (VTLT, VTLT_CRITERIA)):
        rows.extend([period, *criterion] for criterion in criteria)
    return rows


def contract_sheets() -> dict[str, list[list]]:
    """The whole year workbook; sheets deliberately not in import order."""
    return {
        "KetQua": [["Mã kỳ", "Mã đơn vị", "Tổng điểm", "Chỉ số", "Xếp loại", "Xếp hạng"]]
        + [["CCHC-2024", *row] for row in PREVIOUS],
        "Diem": diem_rows(),
        "HaBac": [
            ["Mã kỳ", "Mã đơn vị", "Số bậc hạ", "Lý do"],
            [CCHC, "STTTT", 1, "Người đứng đầu bị xử lý kỷ luật trong năm đánh giá"],
        ],
        "TieuChi": criteria_rows(),
        "XepLoai": [["Mã kỳ", "Thứ tự", "Xếp loại", "Chỉ số tối thiểu"]]
        + [["CCHC-2024", i, label, bound] for i, (label, bound) in enumerate(CCHC_TIERS, start=1)]
        + [[CCHC, i, label, bound] for i, (label, bound) in enumerate(CCHC_TIERS, start=1)]
        + [[VTLT, i, label, bound] for i, (label, bound) in enumerate(VTLT_TIERS, start=1)],
        "KyDanhGia": [
            [
                "Mã kỳ",
                "Năm",
                "Lĩnh vực",
                "Tên kỳ",
                "Kỳ trước",
                "Khen thưởng từ xếp loại",
                "Khen thưởng tối đa mỗi khối",
            ],
            ["CCHC-2024", 2024, "CCHC", "Chỉ số cải cách hành chính năm 2024", None, "Rất tốt", None],
            [CCHC, 2025, "CCHC", "Chỉ số cải cách hành chính năm 2025", "CCHC-2024", "Rất tốt", 2],
            [VTLT, 2025, "VTLT", "Công tác văn thư, lưu trữ năm 2025", None, "Xuất sắc", None],
        ],
        "DonVi": [["Mã đơn vị", "Tên đơn vị", "Mã khối", "Địa chỉ (không nhập)"]]
        + [[code, name, group, "Đà Nẵng"] for code, name, group in AGENCIES],
        "Khoi": [["Mã khối", "Tên khối", "Thứ tự"]] + [list(g) for g in (GROUPS[2], GROUPS[0], GROUPS[1])],
    }


def find_row(rows: list[list], sheet_codes: tuple[str, ...]) -> int:
    """Index in `rows` of the Diem row for (period, agency, leaf), codes compared trimmed."""
    for i, row in enumerate(rows):
        if tuple(str(c).strip() for c in row[:3]) == sheet_codes:
            return i
    raise LookupError(sheet_codes)


# --- running the commands ----------------------------------------------------------------------


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def count_lines(output: str) -> dict[str, tuple[int, int, int]]:
    counts = {}
    for line in output.splitlines():
        match = COUNT_LINE.match(line.strip())
        if match:
            counts[match[1]] = (int(match[2]), int(match[3]), int(match[4]))
    return counts


def snapshot() -> dict[str, list[dict]]:
    data = {}
    for model in IMPORTED_MODELS:
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if not (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
        ]
        data[model._meta.label] = list(model.objects.order_by("pk").values(*fields))
    return data


def score_of(period: str, agency: str, leaf: str) -> Score:
    return Score.objects.get(
        assessment__period__code=period, assessment__agency__code=agency, criterion__code=leaf
    )


def results_of(period: str) -> dict[str, Result]:
    rows = Result.objects.filter(period__code=period)
    found = rows.select_related("agency", "tier", "tier_before_demotion")
    return {r.agency.code: r for r in found}


def counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in IMPORTED_MODELS}


@pytest.fixture
def contract_file(tmp_path):
    return write_workbook(tmp_path / "nam-2025.xlsx", contract_sheets())


@pytest.fixture
def imported(contract_file):
    return run("import_workbook", str(contract_file))


@pytest.fixture
def computed(imported):
    return {CCHC: run("compute_results", CCHC), VTLT: run("compute_results", VTLT)}


@pytest.fixture
def exported(computed, tmp_path):
    path = tmp_path / "ket-qua-cchc-2025.xlsx"
    run("export_results", CCHC, str(path))
    return load_workbook(path)


# --- import ------------------------------------------------------------------------------------

FIRST_IMPORT_COUNTS = {
    "Khoi": (3, 0, 0),
    "DonVi": (13, 0, 0),
    "KyDanhGia": (3, 0, 0),
    "XepLoai": (16, 0, 0),
    "TieuChi": (22, 0, 0),
    "Diem": (191, 0, 0),  # CCHC: 9 agencies × 11 leaves + 4 × 11; VTLT: 12 × 4
    "HaBac": (1, 0, 0),
    "KetQua": (12, 0, 0),
}


def test_fixture_sheet_sizes():
    """The row counts the count lines are checked against (guards the fixture itself)."""
    sheets = contract_sheets()
    assert {name: len(rows) - 1 for name, rows in sheets.items()} == {
        name: new for name, (new, _, _) in FIRST_IMPORT_COUNTS.items()
    }


def test_import_prints_new_rows_per_sheet(imported):
    assert count_lines(imported) == FIRST_IMPORT_COUNTS


def test_import_stores_master_data_and_periods(imported):
    groups = list(AgencyGroup.objects.order_by("order").values_list("code", "name", "order"))
    assert groups == GROUPS
    assert {(a.code, a.name, a.group.code) for a in Agency.objects.select_related("group")} == set(AGENCIES)

    cchc = Period.objects.get(code=CCHC)
    assert (cchc.year, cchc.subject, cchc.previous.code) == (2025, "CCHC", "CCHC-2024")
    assert (cchc.award_from_tier, cchc.award_max_per_group) == ("Rất tốt", 2)
    vtlt = Period.objects.get(code=VTLT)
    assert (vtlt.year, vtlt.subject, vtlt.previous, vtlt.award_from_tier, vtlt.award_max_per_group) == (
        2025,
        "VTLT",
        None,
        "Xuất sắc",
        None,
    )
    assert [(t.label, t.min_index) for t in cchc.tiers.order_by("order")] == [
        (label, D(bound)) for label, bound in CCHC_TIERS
    ]
    assert [(t.label, t.min_index) for t in vtlt.tiers.order_by("order")] == [
        (label, D(bound)) for label, bound in VTLT_TIERS
    ]
    assert Assessment.objects.filter(period=cchc).count() == 13
    assert Assessment.objects.filter(period=vtlt).count() == 12  # QLC has no VTLT score: not taking part
    demotion = Demotion.objects.get()
    assert (demotion.period.code, demotion.agency.code, demotion.steps) == (CCHC, "STTTT", 1)
    past = {h.agency.code: h.rank for h in HistoricalResult.objects.filter(period__code="CCHC-2024")}
    assert past == {agency: rank for agency, *_, rank in PREVIOUS}
    assert HistoricalResult.objects.get(period__code="CCHC-2024", agency__code="STC").total == D("90.5")


def test_import_stores_criteria_tree(imported):
    criteria = {c.code: c for c in Criterion.objects.filter(period__code=CCHC).prefetch_related("groups")}
    assert set(criteria) == {row[0] for row in CCHC_CRITERIA}
    assert criteria["1.1.1"].parent.code == "1.1"
    assert criteria["1.1"].parent.code == "1"
    assert criteria["1"].parent is None
    leaves = {
        "1.1.1": ("number", "12"),
        "1.1.2": ("yesno", "6"),
        "1.2": ("choice", "2"),
        "1.3": ("number", "10"),
        "1.4": ("deduction", "2"),
        "2.1": ("number", "20"),
        "2.2": ("number", "10"),
        "2.3": ("number", "10"),
        "2.4": ("number", "15"),
        "2.5": ("bonus", "3"),
        "3.1": ("number", "20"),
        "3.2": ("survey", "10"),
    }
    assert {code: (criteria[code].method, criteria[code].max_points) for code in leaves} == {
        code: (method, D(maximum)) for code, (method, maximum) in leaves.items()
    }
    assert {g.code for g in criteria["2.3"].groups.all()} == {"TW", "SBN"}
    assert {g.code for g in criteria["2.4"].groups.all()} == {"QH"}
    assert not criteria["2.1"].groups.exists()
    assert [code for code, c in criteria.items() if c.allow_not_arising] == ["2.2"]
    assert Criterion.objects.filter(period__code=VTLT).count() == 6


def test_decimal_comma_and_point_give_the_same_decimal(imported):
    """CTHUE typed 7.5 and -0.5 as numbers, SGTVT "7,5" and "-0,5" as text."""

    def score(agency, leaf):
        return score_of(CCHC, agency, leaf)

    for agency in ("CTHUE", "SGTVT"):
        s = score(agency, "2.3")
        assert (s.self_score, s.reviewed_score, s.final_score) == (D("7.5"), D("7.5"), D("7.5"))
        s = score(agency, "1.4")
        assert (s.self_score, s.reviewed_score, s.final_score) == (D("-0.5"), D("-0.5"), D("-0.5"))
    survey = score("QTK", "3.2")  # "8,4958": four decimals kept
    assert (survey.self_score, survey.final_score) == (None, D("8.4958"))
    reviewed_lower = score("SNV", "2.2")  # self "10", reviewed "9,5": the reviewed score is final
    assert (reviewed_lower.self_score, reviewed_lower.final_score) == (D("10"), D("9.5"))
    not_arising = score("SCT", "2.2")
    assert not_arising.not_arising
    assert not_arising.final_score is None
    assert score("SNV", "1.1.1").final_score == D("12")  # "SNV " trimmed
    assert score("QHC", "2.1").final_score == D("19.5")  # " 2.1 " trimmed


# --- compute -----------------------------------------------------------------------------------


def test_compute_cchc_results(computed):
    results = results_of(CCHC)
    assert set(results) == set(CCHC_EXPECTED)
    for code, (_, _, _, total, maximum, index, tier, demoted, rank, previous) in CCHC_EXPECTED.items():
        r = results[code]
        got = (r.total, r.maximum, r.tier.label, r.demoted, r.rank, r.previous_rank, r.change)
        assert got == (D(total), D(maximum), tier, demoted, rank, previous, CCHC_CHANGE[code]), code
        assert D(r.index).quantize(D("0.01")) == D(CCHC_SHOWN_INDEX[code]), code
        assert abs(Fraction(r.index) - index) < Fraction(1, 10**9), code
    assert Fraction(results["QTK"].index) == Fraction("89.996")
    assert results["STTTT"].tier_before_demotion.label == "Rất tốt"
    assert results["SXD"].tier_before_demotion.label == "Rất tốt"
    assert results["QST"].total_without_survey == D("76.5")
    assert results["STTTT"].total_without_survey == D("86")
    assert results["STC"].total_without_survey == D("84.5")


def test_compute_prints_tier_counts_per_group(computed):
    for code, expected in ((CCHC, CCHC_TIER_LINES), (VTLT, VTLT_TIER_LINES)):
        lines = [line.strip() for line in computed[code].splitlines()]
        group_lines = [line for line in lines if line.split(":")[0] in GROUP_NAME.values()]
        assert group_lines == expected, code


def test_compute_vtlt_results(computed):
    results = results_of(VTLT)
    assert {
        code: (r.total, r.maximum, r.index, r.tier.label, r.rank, r.previous_rank, r.change, r.demoted)
        for code, r in results.items()
    } == {
        code: (D(total), D(100), D(total), tier, rank, None, None, False)
        for code, (total, tier, rank) in VTLT_EXPECTED.items()
    }


def test_compute_proposes_awards(computed):
    for code, expected in ((CCHC, CCHC_AWARDS), (VTLT, VTLT_AWARDS)):
        proposed = AwardEntry.objects.filter(period__code=code, proposed=True)
        assert {a.agency.code for a in proposed} == expected, code
        assert all(a.included for a in proposed), code


# --- export ------------------------------------------------------------------------------------


def header_index(sheet, first: str, required: list[str]) -> tuple[int, dict[str, int]]:
    """The header row (1-based) and the column of every required header, which must appear in order."""
    for row in sheet.iter_rows():
        texts = ["" if c.value is None else str(c.value).strip() for c in row]
        if texts and texts[0] == first:
            columns = {text: i for i, text in reversed(list(enumerate(texts))) if text}
            assert all(h in columns for h in required), texts
            positions = [columns[h] for h in required]
            assert positions == sorted(positions), texts
            return row[0].row, columns
    raise AssertionError(f"no header row starting with {first!r} in sheet {sheet.title!r}")


def body(sheet, header_row: int, key_column: int) -> list[tuple]:
    """Data rows after the header, up to the first row without a value in the key column."""
    rows = []
    for row in sheet.iter_rows(min_row=header_row + 1, values_only=True):
        if key_column >= len(row) or row[key_column] in (None, ""):
            break
        rows.append(row)
    return rows


def is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def test_export_sheets(exported):
    group_sheets = [name for name in exported.sheetnames if name in GROUP_NAME.values()]
    assert group_sheets == [name for _, name, _ in GROUPS]
    assert "Tổng hợp" in exported.sheetnames
    assert "Khen thưởng" in exported.sheetnames


@pytest.mark.parametrize("group", ["TW", "SBN", "QH"])
def test_export_group_sheet(exported, group):
    sheet = exported[GROUP_NAME[group]]
    header_row, col = header_index(sheet, "Xếp hạng", GROUP_SHEET_HEADERS)
    rows = body(sheet, header_row, col["Mã đơn vị"])
    members = [code for code, _, g in AGENCIES if g == group]
    assert len(rows) == len(members)
    ranks = [row[col["Xếp hạng"]] for row in rows]
    assert ranks == sorted(ranks), "rows are in rank order"

    got = {}
    for row in rows:
        cells = {h: row[col[h]] for h in GROUP_SHEET_HEADERS}
        for h in ("Xếp hạng", "1", "2", "3", "Tổng điểm", "Điểm tối đa", "Chỉ số (%)"):
            assert is_number(cells[h]), (h, cells)
        for h in ("Xếp hạng", "Xếp hạng năm trước", "Thay đổi"):
            assert cells[h] is None or (is_number(cells[h]) and cells[h] == int(cells[h])), (h, cells)
        got[cells["Mã đơn vị"]] = (
            cells["Xếp hạng"],
            cells["Tên đơn vị"],
            round(cells["1"], 4),
            round(cells["2"], 4),
            round(cells["3"], 4),
            round(cells["Tổng điểm"], 4),
            round(cells["Điểm tối đa"], 4),
            round(cells["Chỉ số (%)"], 2),
            cells["Xếp loại"],
            cells["Xếp hạng năm trước"],
            cells["Thay đổi"],
        )
    expected = {}
    for code in members:
        f1, f2, f3, total, maximum, _, tier, _, rank, previous = CCHC_EXPECTED[code]
        expected[code] = (
            rank,
            AGENCY_NAME[code],
            float(f1),
            float(f2),
            float(f3),
            float(total),
            float(maximum),
            float(CCHC_SHOWN_INDEX[code]),
            tier,
            previous,
            CCHC_CHANGE[code],
        )
    assert got == expected

    index_cell = sheet.cell(row=header_row + 1, column=col["Chỉ số (%)"] + 1)
    assert "0.00" in index_cell.number_format
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == str(sheet.PAPERSIZE_A4)
    repeated = [int(n) for n in re.findall(r"\d+", sheet.print_title_rows or "")]
    assert repeated and repeated[0] <= header_row <= repeated[-1]


def test_export_tier_summary(exported):
    sheet = exported["Tổng hợp"]
    labels = [label for label, _ in CCHC_TIERS]
    header_row, col = header_index(sheet, "Khối", ["Khối", *labels, "Tổng"])
    rows = {}
    for row in sheet.iter_rows(min_row=header_row + 1, values_only=True):
        if row[col["Khối"]] in GROUP_NAME.values():
            rows[row[col["Khối"]]] = [row[col[h]] for h in [*labels, "Tổng"]]
    assert list(rows) == [name for _, name, _ in GROUPS]
    assert rows == {
        "Khối cơ quan Trung ương": [2, 0, 0, 0, 0, 2],
        "Khối sở, ban, ngành": [3, 3, 1, 0, 0, 7],
        "Khối quận, huyện": [1, 2, 0, 1, 0, 4],
    }
    assert all(isinstance(n, int) for counts_ in rows.values() for n in counts_)


def test_export_award_list(exported):
    sheet = exported["Khen thưởng"]
    header_row, col = header_index(sheet, "STT", AWARD_SHEET_HEADERS)
    rows = body(sheet, header_row, col["Mã đơn vị"])
    assert [row[col["STT"]] for row in rows] == list(range(1, len(CCHC_AWARDS) + 1))
    got = {
        (
            row[col["Mã đơn vị"]],
            row[col["Tên đơn vị"]],
            row[col["Khối"]],
            round(row[col["Chỉ số (%)"]], 2),
            row[col["Xếp loại"]],
        )
        for row in rows
    }
    assert got == {
        (code, AGENCY_NAME[code], GROUP_NAME[AGENCY_GROUP[code]], float(CCHC_SHOWN_INDEX[code]), "Rất tốt")
        for code in CCHC_AWARDS
    }


# --- dry run, idempotency ------------------------------------------------------------------------


def test_dry_run_writes_nothing(contract_file):
    assert set(counts().values()) == {0}
    run("import_workbook", str(contract_file), "--dry-run")
    assert set(counts().values()) == {0}


def test_dry_run_after_import_changes_nothing(imported, contract_file, tmp_path):
    before = snapshot()
    sheets = contract_sheets()
    sheets["Khoi"][1][1] = "Khối quận, huyện (đổi tên)"
    changed = write_workbook(tmp_path / "doi-ten.xlsx", sheets)
    run("import_workbook", str(changed), "--dry-run")
    assert snapshot() == before


def test_import_is_idempotent(imported, contract_file):
    before = snapshot()
    second = run("import_workbook", str(contract_file))
    assert snapshot() == before
    assert count_lines(second) == {name: (0, 0, new) for name, (new, _, _) in FIRST_IMPORT_COUNTS.items()}


def test_second_import_records_no_history(imported, contract_file):
    """ "Changes nothing the second time": not even an audit entry for an unchanged row."""
    before = {m._meta.label: m.objects.count() for m in HISTORY_MODELS}
    run("import_workbook", str(contract_file))
    assert {m._meta.label: m.objects.count() for m in HISTORY_MODELS} == before


def test_changed_row_counts_as_updated(imported, tmp_path):
    sheets = contract_sheets()
    sheets["Khoi"][1][1] = "Khối quận, huyện (đổi tên)"  # the QH row
    sheets["Diem"][1][4] = 11.5  # KBNN 1.1.1 reviewed 12 -> 11.5
    output = run("import_workbook", str(write_workbook(tmp_path / "sua.xlsx", sheets)))
    lines = count_lines(output)
    assert lines["Khoi"] == (0, 1, 2)
    assert lines["Diem"] == (0, 1, 190)
    assert lines["DonVi"] == (0, 0, 13)
    assert AgencyGroup.objects.get(code="QH").name == "Khối quận, huyện (đổi tên)"
    assert score_of(CCHC, "KBNN", "1.1.1").reviewed_score == D("11.5")


# --- bad cells -----------------------------------------------------------------------------------


def bad_sheets() -> tuple[dict[str, list[list]], set[str]]:
    """The contract workbook with five bad cells, and the five problem lines expected."""
    sheets = contract_sheets()
    diem = sheets["Diem"]
    above = find_row(diem, (CCHC, "SNV", "1.3"))
    diem[above][3] = "12,5"  # leaf 1.3: maximum 10
    not_a_number = find_row(diem, (CCHC, "SXD", "2.1"))
    diem[not_a_number][3] = "abc"
    diem.append([CCHC, "XYZ", "1.1.1", 5, 5, None, None])
    unknown_agency = len(diem) - 1
    diem.append([CCHC, "SNV", "9.9", 1, 1, None, None])
    unknown_leaf = len(diem) - 1
    criteria = sheets["TieuChi"]
    criteria.append([CCHC, "7.1", "Tiêu chí mồ côi", 5, "number", None, None, None, None, None])
    orphan = len(criteria) - 1

    def excel_row(index: int) -> int:  # the header is row 1, rows[1] is row 2
        return index + 1

    expected = {
        f"Diem!{excel_row(above)} Điểm tự đánh giá: Điểm 12,5 vượt quá điểm tối đa 10.",
        f"Diem!{excel_row(unknown_agency)} Mã đơn vị: Không có đơn vị mã “XYZ”.",
        f"Diem!{excel_row(unknown_leaf)} Mã tiêu chí: Kỳ CCHC-2025 không có tiêu chí mã “9.9”.",
        f"Diem!{excel_row(not_a_number)} Điểm tự đánh giá: “abc” không phải là số.",
        f"TieuChi!{excel_row(orphan)} Mã tiêu chí: Thiếu tiêu chí cha “7”.",
    }
    return sheets, expected


def import_bad(path) -> set[str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_workbook", str(path), stdout=out, stderr=err)
    assert raised.value.returncode == 1
    text = "\n".join([str(raised.value), err.getvalue(), out.getvalue()])
    return {line.strip() for line in text.splitlines() if PROBLEM_LINE.match(line.strip())}


def test_bad_file_expected_rows():
    """Guards the row arithmetic of `bad_sheets` against the sheet as built."""
    sheets, expected = bad_sheets()
    rows = {int(line.split("!")[1].split(" ")[0]) for line in expected if line.startswith("Diem!")}
    diem = sheets["Diem"]
    typed_cells = {str(diem[row - 1][3]) for row in rows} | {diem[row - 1][1] for row in rows}
    assert {"12,5", "abc", "XYZ"} <= typed_cells
    assert sheets["TieuChi"][-1][1] == "7.1"
    assert len(sheets["TieuChi"]) == 24  # header + 22 good rows + the orphan: row 24


def test_bad_cells_on_empty_database_write_nothing(tmp_path):
    sheets, expected = bad_sheets()
    path = write_workbook(tmp_path / "loi.xlsx", sheets)
    assert import_bad(path) == expected
    assert set(counts().values()) == {0}


def test_bad_cells_leave_existing_data_untouched(imported, tmp_path):
    before = snapshot()
    sheets, expected = bad_sheets()
    sheets["Khoi"][1][1] = "Khối quận, huyện (đổi tên)"  # a valid change: must not be written either
    path = write_workbook(tmp_path / "loi.xlsx", sheets)
    assert import_bad(path) == expected
    assert snapshot() == before


# --- partial workbooks, later loads, errors of the other commands ---------------------------------


def test_every_sheet_is_optional(tmp_path):
    sheets = contract_sheets()
    path = write_workbook(tmp_path / "khoi.xlsx", {"Khoi": sheets["Khoi"], "DonVi": sheets["DonVi"]})
    lines = count_lines(run("import_workbook", str(path)))
    assert (lines["Khoi"], lines["DonVi"]) == ((3, 0, 0), (13, 0, 0))
    assert all(lines[sheet] == (0, 0, 0) for sheet in lines if sheet not in ("Khoi", "DonVi"))
    assert (AgencyGroup.objects.count(), Agency.objects.count(), Period.objects.count()) == (3, 13, 0)


def test_survey_results_loaded_later_change_the_results(computed, tmp_path):
    """A later file with one survey score: QTK's 3.2 goes from 8,4958 to 8,5.

    QTK: total 94.4958 − 8.4958 + 8.5 = 94.5; 94.5 / 105 = 0.9 exactly → index 90 → "Rất tốt"
    (the bound is inclusive). QH ranks stay QHC 1 (96), QTK 2, QST 3, QLC 4; the QH certificate
    list becomes QHC, QTK (2 = the limit).
    """
    path = write_workbook(
        tmp_path / "dieu-tra.xlsx",
        {"Diem": [DIEM_HEADER, [CCHC, "QTK", "3.2", None, "8,5", None, "Kết quả điều tra xã hội học"]]},
    )
    assert count_lines(run("import_workbook", str(path)))["Diem"] == (0, 1, 0)
    run("compute_results", CCHC)
    qtk = results_of(CCHC)["QTK"]
    assert (qtk.total, qtk.maximum, qtk.index, qtk.tier.label, qtk.rank) == (
        D("94.5"),
        D("105"),
        D("90"),
        "Rất tốt",
        2,
    )
    proposed = AwardEntry.objects.filter(period__code=CCHC, proposed=True)
    assert {a.agency.code for a in proposed} == CCHC_AWARDS | {"QTK"}


def test_vtlt_export_has_two_fields_and_no_previous_ranks(computed, tmp_path):
    path = tmp_path / "ket-qua-vtlt-2025.xlsx"
    run("export_results", VTLT, str(path))
    sheet = load_workbook(path)[GROUP_NAME["SBN"]]
    headers = [h for h in GROUP_SHEET_HEADERS if h != "3"]
    header_row, col = header_index(sheet, "Xếp hạng", headers)
    assert "3" not in col
    rows = body(sheet, header_row, col["Mã đơn vị"])
    assert [
        (
            row[col["Xếp hạng"]],
            row[col["Mã đơn vị"]],
            row[col["Xếp loại"]],
            row[col["Xếp hạng năm trước"]],
            row[col["Thay đổi"]],
        )
        for row in rows
    ] == [
        (1, "SNV", "Xuất sắc", None, None),
        (2, "STC", "Xuất sắc", None, None),
        (3, "STTTT", "Xuất sắc", None, None),
        (4, "SXD", "Khá", None, None),
        (5, "SYT", "Trung bình khá", None, None),
        (6, "SGTVT", "Trung bình khá", None, None),
        (7, "SCT", "Yếu", None, None),
    ]


def test_compute_and_export_refuse_an_unknown_period(imported, tmp_path):
    for args in (("compute_results", "CCHC-1999"), ("export_results", "CCHC-1999", str(tmp_path / "x.xlsx"))):
        with pytest.raises(CommandError) as raised:
            call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())
        assert raised.value.returncode == 1
        assert "CCHC-1999" in str(raised.value)
    assert not (tmp_path / "x.xlsx").exists()


def test_compute_refuses_unscored_leaves(tmp_path):
    sheets = contract_sheets()
    del sheets["Diem"][find_row(sheets["Diem"], (CCHC, "KBNN", "1.3"))]
    run("import_workbook", str(write_workbook(tmp_path / "thieu.xlsx", sheets)))
    with pytest.raises(CommandError) as raised:
        call_command("compute_results", CCHC, stdout=io.StringIO(), stderr=io.StringIO())
    assert raised.value.returncode == 1
    message = str(raised.value)
    assert "1.3" in message
    assert "KBNN" in message or AGENCY_NAME["KBNN"] in message
    assert not Result.objects.filter(period__code=CCHC).exists()
