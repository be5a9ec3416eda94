"""The data of the demonstration city year (a Đà Nẵng-style city), used by `ranking.demo.builder`.

Everything here is Vietnamese because it is data. The targets of each agency are written
out (not drawn at random) so that the tiers, ranks and statuses of the demo are known facts
that the tests can assert; only the detail of the scores is varied by a seeded generator.
"""

from dataclasses import dataclass

from accounts.models import Role
from ranking.enums import Method

SEED = 2026
DEMO_PASSWORD = "demo@2026"
EMAIL_DOMAIN = "danang.example"

GROUPS = [
    ("TW", "Khối cơ quan Trung ương"),
    ("SBN", "Khối sở, ban, ngành"),
    ("QH", "Khối quận, huyện"),
    ("SN", "Khối đơn vị sự nghiệp"),
]

# 2026 states of an agency's assessment.
PARTIAL = "partial"  # CCHC-2026: draft, some self-scores entered
COMPLETE = "complete"  # CCHC-2026: draft, every self-score entered
SUBMITTED = "submitted"  # submitted by the head, not yet opened by the reviewer
IN_REVIEW = "in_review"  # VTLT-2026: the reviewer has scored part of it
REVIEWED = "reviewed"  # VTLT-2026: every leaf reviewed

P, C, S, R, D = PARTIAL, COMPLETE, SUBMITTED, IN_REVIEW, REVIEWED


@dataclass(frozen=True)
class AgencyPlan:
    code: str
    name: str
    group: str
    head_title: str
    cchc_2025: str  # the index (%) the final scores of CCHC-2025 aim at
    vtlt_2025: str
    cchc_2026: str
    vtlt_2026: str
    in_2024: bool = True


# fmt: off
AGENCIES = [
    AgencyPlan("CTHUE", "Cục Thuế thành phố Đà Nẵng", "TW", "Cục trưởng", "93.4", "91.2", S, D),
    AgencyPlan("KBNN", "Kho bạc Nhà nước Đà Nẵng", "TW", "Giám đốc", "94.6", "88.5", S, D),
    AgencyPlan("BHXH", "Bảo hiểm xã hội thành phố Đà Nẵng", "TW", "Giám đốc", "91.8", "92.3", C, R),
    AgencyPlan("CHQ", "Cục Hải quan thành phố Đà Nẵng", "TW", "Cục trưởng", "87.2", "84.1", P, S),
    AgencyPlan("CTK", "Cục Thống kê thành phố Đà Nẵng", "TW", "Cục trưởng", "85.5", "76.4", C, R),
    AgencyPlan("NHNN", "Ngân hàng Nhà nước – Chi nhánh Đà Nẵng", "TW", "Giám đốc", "82.9", "86.7", P, S),

    AgencyPlan("SNV", "Sở Nội vụ", "SBN", "Giám đốc Sở", "97.8", "95.8", C, R),
    AgencyPlan("STTTT", "Sở Thông tin và Truyền thông", "SBN", "Giám đốc Sở", "96.9", "94.3", S, D),
    AgencyPlan("STC", "Sở Tài chính", "SBN", "Giám đốc Sở", "96.2", "95.1", P, S),
    AgencyPlan("SGTVT", "Sở Giao thông vận tải", "SBN", "Giám đốc Sở", "94.1", "93.2", S, D),
    AgencyPlan("SVHTT", "Sở Văn hóa và Thể thao", "SBN", "Giám đốc Sở", "92.1", "92.4", C, R),
    AgencyPlan("SCT", "Sở Công Thương", "SBN", "Giám đốc Sở", "92.6", "90.7", P, S),
    AgencyPlan("BQL-KCN", "Ban Quản lý các Khu công nghiệp và Chế xuất", "SBN", "Trưởng ban",
               "93.7", "96.5", S, D),
    AgencyPlan("BQL-KCNC", "Ban Quản lý Khu Công nghệ cao", "SBN", "Trưởng ban", "94.8", "91.5", C, R),
    AgencyPlan("SXD", "Sở Xây dựng", "SBN", "Giám đốc Sở", "91.4", "82.6", P, S),
    AgencyPlan("SYT", "Sở Y tế", "SBN", "Giám đốc Sở", "91.7", "85.4", S, D),
    AgencyPlan("SGDDT", "Sở Giáo dục và Đào tạo", "SBN", "Giám đốc Sở", "88.3", "77.8", C, R),
    AgencyPlan("STP", "Sở Tư pháp", "SBN", "Giám đốc Sở", "93.2", "87.1", P, S),
    AgencyPlan("SKHDT", "Sở Kế hoạch và Đầu tư", "SBN", "Giám đốc Sở", "95.4", "88.9", S, D),
    AgencyPlan("STNMT", "Sở Tài nguyên và Môi trường", "SBN", "Giám đốc Sở", "90.6", "81.3", C, R),
    AgencyPlan("SLDTBXH", "Sở Lao động – Thương binh và Xã hội", "SBN", "Giám đốc Sở", "75.2", "66.4", P, S),
    AgencyPlan("SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn", "SBN", "Giám đốc Sở",
               "64.8", "55.6", P, S),
    AgencyPlan("SKHCN", "Sở Khoa học và Công nghệ", "SBN", "Giám đốc Sở", "84.6", "74.5", C, R),
    AgencyPlan("TTTP", "Thanh tra thành phố", "SBN", "Chánh Thanh tra", "72.4", "62.3", S, D),
    AgencyPlan("VP-UBND", "Văn phòng UBND thành phố", "SBN", "Chánh Văn phòng", "90.9", "84.2", C, D),
    AgencyPlan("SDL", "Sở Du lịch", "SBN", "Giám đốc Sở", "78.5", "71.2", P, R),

    AgencyPlan("Q-HC", "UBND quận Hải Châu", "QH", "Chủ tịch UBND quận", "95.6", "94.2", S, D),
    AgencyPlan("Q-TK", "UBND quận Thanh Khê", "QH", "Chủ tịch UBND quận", "92.5", "92.8", C, R),
    AgencyPlan("Q-ST", "UBND quận Sơn Trà", "QH", "Chủ tịch UBND quận", "93.9", "88.4", P, S),
    AgencyPlan("Q-NHS", "UBND quận Ngũ Hành Sơn", "QH", "Chủ tịch UBND quận", "88.7", "91.1", S, D),
    AgencyPlan("Q-LC", "UBND quận Liên Chiểu", "QH", "Chủ tịch UBND quận", "85.3", "76.3", C, R),
    AgencyPlan("Q-CL", "UBND quận Cẩm Lệ", "QH", "Chủ tịch UBND quận", "90.8", "85.9", P, S),
    AgencyPlan("H-HV", "UBND huyện Hòa Vang", "QH", "Chủ tịch UBND huyện", "82.1", "81.7", S, R),
    AgencyPlan("H-HS", "UBND huyện Hoàng Sa", "QH", "Chủ tịch UBND huyện", "73.6", "63.5", C, S),

    AgencyPlan("CDN", "Trường Cao đẳng Nghề Đà Nẵng", "SN", "Hiệu trưởng", "81.5", "78.1", P, S),
    AgencyPlan("DRT", "Đài Phát thanh – Truyền hình Đà Nẵng", "SN", "Giám đốc", "88.6", "82.8", S, D),
    AgencyPlan("TTHCC", "Trung tâm Phục vụ hành chính công thành phố", "SN", "Giám đốc",
               "94.3", "93.6", S, D),
    AgencyPlan("BVDN", "Bệnh viện Đà Nẵng", "SN", "Giám đốc", "91.2", "86.2", C, R),
    AgencyPlan("BQL-BDST", "Ban Quản lý bán đảo Sơn Trà và các bãi biển du lịch Đà Nẵng", "SN",
               "Trưởng ban", "61.8", "56.3", P, S, in_2024=False),
    AgencyPlan("QDTPT", "Quỹ Đầu tư phát triển thành phố Đà Nẵng", "SN", "Giám đốc", "86.4", "90.9", S, D),
    AgencyPlan("BXTDT", "Ban Xúc tiến và Hỗ trợ đầu tư thành phố", "SN", "Trưởng ban", "83.7", "72.6", C, R),
    AgencyPlan("BQLDA-DDCN", "Ban Quản lý dự án đầu tư xây dựng các công trình dân dụng và công nghiệp",
               "SN", "Giám đốc", "76.9", "64.7", P, S),
]
# fmt: on

# Records work (VTLT) groups some agencies differently from administrative reform, as the
# city's published results do: these public service units keep their records as the
# departments do and are ranked with them in every VTLT period (their CCHC group is SN).
VTLT_GROUPS = {"DRT": "SBN", "BVDN": "SBN", "BXTDT": "SBN"}

# Who appraises which group (the council may act on every agency).
REVIEWER_OF_GROUP = {"SBN": "thamdinh1", "TW": "thamdinh2", "QH": "thamdinh2", "SN": "thamdinh3"}


@dataclass(frozen=True)
class PersonPlan:
    username: str
    role: str
    last_name: str
    first_name: str
    position: str
    agency: str | None = None
    is_staff: bool = False
    is_superuser: bool = False


STAFF = [
    PersonPlan(
        "quantri",
        Role.ADMIN,
        "Lê",
        "Minh Tuấn",
        "Chuyên viên Phòng Cải cách hành chính, Sở Nội vụ (quản trị hệ thống)",
        is_staff=True,
        is_superuser=True,
    ),
    PersonPlan(
        "hoidong",
        Role.COUNCIL,
        "Nguyễn",
        "Thị Thanh Hoa",
        "Phó Giám đốc Sở Nội vụ, Chủ tịch Hội đồng thẩm định",
        is_staff=True,
    ),
    PersonPlan("thamdinh1", Role.REVIEWER, "Phan", "Thanh Hải", "Chuyên viên Phòng Cải cách hành chính"),
    PersonPlan("thamdinh2", Role.REVIEWER, "Võ", "Thị Thu Hà", "Chuyên viên Phòng Cải cách hành chính"),
    PersonPlan("thamdinh3", Role.REVIEWER, "Đặng", "Ngọc Minh", "Chuyên viên Chi cục Văn thư – Lưu trữ"),
    PersonPlan("xem", Role.VIEWER, "Phạm", "Văn Đông", "Chuyên viên Văn phòng UBND thành phố"),
]

# Agency people with fixed names; every other agency gets a generated officer and head.
NAMED_AGENCY_PEOPLE = {
    "canbo.snv": ("Huỳnh", "Thị Mỹ Linh", "Chuyên viên Văn phòng Sở, đầu mối CCHC"),
    "lanhdao.snv": ("Trần", "Văn Nam", "Giám đốc Sở"),
    "canbo.stc": ("Lê", "Thị Thanh Thủy", "Chuyên viên Văn phòng Sở, đầu mối CCHC"),
    "lanhdao.stc": ("Nguyễn", "Hữu Phước", "Giám đốc Sở"),
}
# The logins the banner lists, in this order; the other agency logins follow one pattern.
BANNER_USERNAMES = [
    "quantri",
    "hoidong",
    "thamdinh1",
    "thamdinh2",
    "thamdinh3",
    "canbo.snv",
    "lanhdao.snv",
    "canbo.stc",
    "lanhdao.stc",
    "xem",
]
ROLE_NAMES = {
    Role.ADMIN: "Quản trị hệ thống",
    Role.COUNCIL: "Hội đồng thẩm định",
    Role.REVIEWER: "Chuyên viên thẩm định",
    Role.OFFICER: "Cán bộ đầu mối",
    Role.HEAD: "Lãnh đạo đơn vị",
    Role.VIEWER: "Người xem kết quả",
}

FAMILY_NAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Ngô"]
MALE_NAMES = [
    ("Văn", "Hùng"),
    ("Hữu", "Thắng"),
    ("Minh", "Quang"),
    ("Quốc", "Việt"),
    ("Đức", "Long"),
    ("Thanh", "Sơn"),
    ("Văn", "Dũng"),
    ("Công", "Trí"),
    ("Ngọc", "Tuấn"),
    ("Xuân", "Bình"),
]
FEMALE_NAMES = [
    ("Thị", "Hương"),
    ("Thị Thu", "Trang"),
    ("Ngọc", "Anh"),
    ("Thị Kim", "Oanh"),
    ("Hoài", "Thương"),
    ("Thị Minh", "Nguyệt"),
    ("Thu", "Hằng"),
    ("Thị Bích", "Ngọc"),
    ("Thanh", "Tâm"),
    ("Thị Lan", "Phương"),
]
OFFICER_POSITIONS = [
    "Chuyên viên Văn phòng, đầu mối CCHC",
    "Phó Chánh Văn phòng",
    "Chuyên viên Phòng Tổ chức – Hành chính",
    "Văn thư cơ quan",
]


# --- periods ----------------------------------------------------------------------------

CCHC_TIERS = [("Rất tốt", "90"), ("Tốt", "80"), ("Khá", "70"), ("Trung bình", "50"), ("Yếu", "0")]
VTLT_TIERS = [
    ("Xuất sắc", "90"),
    ("Tốt", "80"),
    ("Khá", "70"),
    ("Trung bình khá", "60"),
    ("Trung bình", "50"),
    ("Yếu", "0"),
]


@dataclass(frozen=True)
class PeriodPlan:
    code: str
    year: int
    subject: str
    name: str
    tiers: list[tuple[str, str]] | None = None
    award_from_tier: str = ""
    award_max_per_group: int | None = None
    deadlines: tuple[str, str, str] | None = None  # self-assessment, appraisal, explanation
    # Built with `period_copy` from this period (criteria, tiers, award rule, previous).
    copy_of: str | None = None
    # A past year known only by its published results (sheet KetQua): no criteria.
    history_only: bool = False


PERIODS = [
    PeriodPlan(
        "CCHC-2024", 2024, "CCHC", "Chỉ số CCHC năm 2024", CCHC_TIERS, "Rất tốt", None, history_only=True
    ),
    PeriodPlan(
        "VTLT-2024",
        2024,
        "VTLT",
        "Công tác văn thư – lưu trữ năm 2024",
        VTLT_TIERS,
        "Xuất sắc",
        4,
        history_only=True,
    ),
    PeriodPlan(
        "CCHC-2025",
        2025,
        "CCHC",
        "Chỉ số CCHC năm 2025",
        CCHC_TIERS,
        "Rất tốt",
        None,
        ("2025-12-15", "2026-01-15", "2026-01-31"),
    ),
    PeriodPlan(
        "VTLT-2025",
        2025,
        "VTLT",
        "Công tác văn thư – lưu trữ năm 2025",
        VTLT_TIERS,
        "Xuất sắc",
        4,
        ("2025-11-15", "2025-12-15", "2025-12-31"),
    ),
    PeriodPlan(
        "CCHC-2026",
        2026,
        "CCHC",
        "Chỉ số CCHC năm 2026",
        deadlines=("2026-12-15", "2027-01-15", "2027-01-31"),
        copy_of="CCHC-2025",
    ),
    PeriodPlan(
        "VTLT-2026",
        2026,
        "VTLT",
        "Công tác văn thư – lưu trữ năm 2026",
        deadlines=("2026-11-15", "2026-12-15", "2026-12-31"),
        copy_of="VTLT-2025",
    ),
]

# Bonus and deduction points (leaf code → value) per period and agency. For 2025 they are
# the final scores; for 2026 what the agency declared.
EXTRAS = {
    "CCHC-2025": {
        "SNV": {"9.1": "2"},
        "STTTT": {"9.1": "1"},
        "STC": {"9.1": "1"},
        "Q-HC": {"9.1": "1"},
        "TTHCC": {"9.1": "1"},
        "SNNPTNT": {"9.2": "-1"},
        "TTTP": {"9.2": "-0.5"},
        "H-HS": {"9.2": "-0.5"},
        "BQL-BDST": {"9.2": "-1"},
        "SDL": {"9.3": "-1"},
    },
    "VTLT-2025": {
        "BQL-KCN": {"7.1": "1"},
        "SNV": {"7.1": "1"},
        "SNNPTNT": {"7.2": "-1"},
        "BQL-BDST": {"7.2": "-1"},
    },
    "CCHC-2026": {"SNV": {"9.1": "2"}, "STTTT": {"9.1": "1"}, "SNNPTNT": {"9.2": "-0.5"}},
    "VTLT-2026": {"BQL-KCN": {"7.1": "1"}},
}

# Explanations of 2025 and the reviewer's decision on each (one per agency).
EXPLANATIONS_2025 = {
    "CCHC-2025": {"SGDDT": "accepted", "Q-LC": "accepted", "SKHCN": "partial", "SDL": "rejected"},
    "VTLT-2025": {"BQLDA-DDCN": "rejected"},
}

DEMOTION = (
    "CCHC-2025",
    "SXD",
    1,
    "Người đứng đầu bị kỷ luật khiển trách trong năm 2025 (Quyết định số 145/QĐ-UBND ngày "
    "20/10/2025 của UBND thành phố); hạ một bậc xếp loại theo Quy định đánh giá, xếp hạng.",
)

# The 2024 results were published in the old workbook; a few agencies moved a lot since.
HISTORY_SHIFT = {"STTTT": "-6.5", "Q-ST": "-7.2", "SKHDT": "3.1", "SGDDT": "4.5", "QDTPT": "-5.8"}


# --- criteria -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """A criterion: a parent when `max_points` is None, else a leaf."""

    code: str
    title: str
    max_points: str | None = None
    method: str = Method.NUMBER
    step: str | None = None
    options: str = ""  # "label=points; label=points", as in the workbook
    groups: tuple[str, ...] = ()
    not_arising: bool = False
    evidence: bool = False
    guidance: str = ""


def parse_options(text: str) -> list[list[str]]:
    pairs = []
    for part in text.split(";"):
        label, _, points = part.strip().rpartition("=")
        pairs.append([label.strip(), points.strip()])
    return pairs


NA_HINT = " Không phát sinh nội dung này trong năm: chọn “không phát sinh”."
SURVEY_HINT = (
    "Điểm lấy từ kết quả điều tra xã hội học do Sở Nội vụ tổ chức, quy đổi theo tỷ lệ người "
    "được hỏi hài lòng và rất hài lòng; đơn vị không tự chấm."
)

CCHC_CRITERIA = [
    Node("1", "Công tác chỉ đạo, điều hành cải cách hành chính"),
    Node("1.1", "Kế hoạch cải cách hành chính năm"),
    Node(
        "1.1.1",
        "Ban hành kế hoạch CCHC năm đúng thời hạn",
        "1",
        Method.CHOICE,
        options="Đúng hạn=1; Trễ dưới 5 ngày=0.5; Trễ từ 5 ngày trở lên=0",
        evidence=True,
        guidance="Kế hoạch CCHC năm phải ban hành chậm nhất ngày 15/01 của năm đánh giá; "
        "căn cứ ngày ký ban hành.",
    ),
    Node(
        "1.1.2",
        "Mức độ hoàn thành kế hoạch CCHC năm",
        "2",
        step="0.25",
        guidance="Hoàn thành 100% nhiệm vụ đề ra: 2 điểm; mỗi nhiệm vụ không hoàn thành trừ 0,25 điểm.",
    ),
    Node(
        "1.1.3",
        "Bố trí kinh phí thực hiện kế hoạch CCHC",
        "1",
        Method.YESNO,
        guidance="Có bố trí kinh phí cho các nhiệm vụ CCHC trong dự toán năm: 1 điểm; không bố trí: 0 điểm.",
    ),
    Node(
        "1.2",
        "Thực hiện chế độ báo cáo CCHC định kỳ",
        "2",
        Method.CHOICE,
        options="Đầy đủ nội dung, số liệu theo đề cương=2; Thiếu một số nội dung, số liệu=1; "
        "Không có báo cáo=0",
        guidance="Gồm báo cáo quý I, 6 tháng, quý III và báo cáo năm theo đề cương của UBND thành phố.",
    ),
    Node(
        "1.3",
        "Kiểm tra công tác CCHC đối với các đơn vị trực thuộc",
        "2",
        step="0.5",
        not_arising=True,
        evidence=True,
        guidance="Có kế hoạch và kiểm tra ít nhất 30% đơn vị trực thuộc: 2 điểm; kiểm tra dưới 30%: "
        "1 điểm; không kiểm tra: 0 điểm." + NA_HINT,
    ),
    Node(
        "1.4",
        "Công tác thông tin, tuyên truyền về CCHC",
        "2",
        step="0.5",
        guidance="Có kế hoạch tuyên truyền và triển khai đầy đủ các hình thức (trang thông tin điện tử, "
        "hội nghị, tập huấn): 2 điểm; triển khai một phần: 0,5 – 1,5 điểm.",
    ),
    Node(
        "1.5",
        "Đổi mới, sáng kiến trong chỉ đạo, điều hành CCHC",
        "2",
        step="0.5",
        evidence=True,
        guidance="Có ít nhất một mô hình, giải pháp mới được triển khai và mang lại hiệu quả: 2 điểm; "
        "có triển khai nhưng chưa đánh giá được hiệu quả: 1 điểm.",
    ),
    Node("2", "Xây dựng và tổ chức thực hiện văn bản quy phạm pháp luật"),
    Node(
        "2.1",
        "Tham mưu UBND thành phố ban hành văn bản QPPL đúng tiến độ",
        "2",
        Method.CHOICE,
        options="100% đúng tiến độ=2; Từ 80% đến dưới 100%=1; Dưới 80%=0",
        groups=("SBN",),
        not_arising=True,
        guidance="Tỷ lệ văn bản QPPL trong chương trình ban hành của UBND thành phố được cơ quan trình "
        "đúng tiến độ. Không được giao chủ trì soạn thảo: chọn “không phát sinh”.",
    ),
    Node(
        "2.2",
        "Tổ chức triển khai, phổ biến văn bản QPPL mới ban hành",
        "2",
        step="0.5",
        groups=("TW", "QH", "SN"),
        guidance="Triển khai kịp thời, đầy đủ đến cán bộ, công chức và người dân: 2 điểm; triển khai "
        "chậm hoặc chưa đầy đủ: 0,5 – 1,5 điểm.",
    ),
    Node(
        "2.3",
        "Rà soát, hệ thống hóa văn bản QPPL theo quy định",
        "2",
        Method.YESNO,
        evidence=True,
        guidance="Có báo cáo kết quả rà soát, hệ thống hóa đúng thời hạn: 2 điểm; không có: 0 điểm.",
    ),
    Node(
        "2.4",
        "Xử lý văn bản sau rà soát, kiểm tra",
        "2",
        step="0.5",
        not_arising=True,
        guidance="Xử lý 100% văn bản được kiến nghị: 2 điểm; từ 80% đến dưới 100%: 1 điểm; dưới 80%: "
        "0 điểm." + NA_HINT,
    ),
    Node(
        "2.5",
        "Theo dõi tình hình thi hành pháp luật",
        "2",
        step="0.25",
        guidance="Có kế hoạch và báo cáo theo dõi thi hành pháp luật trong lĩnh vực quản lý: 2 điểm; "
        "thiếu kế hoạch hoặc báo cáo: trừ 1 điểm mỗi loại.",
    ),
    Node("3", "Cải cách thủ tục hành chính"),
    Node(
        "3.1",
        "Rà soát, đánh giá và đề xuất đơn giản hóa thủ tục hành chính",
        "2",
        step="0.5",
        evidence=True,
        guidance="Có kế hoạch rà soát và phương án đơn giản hóa được UBND thành phố thông qua: 2 điểm; "
        "có rà soát nhưng không có phương án: 1 điểm.",
    ),
    Node(
        "3.2",
        "Công khai TTHC đầy đủ, đúng quy định tại nơi tiếp nhận và trên Cổng dịch vụ công",
        "2",
        Method.YESNO,
        guidance="100% TTHC được công khai đúng quy định: 2 điểm; có TTHC chưa công khai hoặc công khai "
        "không đúng: 0 điểm.",
    ),
    Node(
        "3.3",
        "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn",
        "4",
        Method.CHOICE,
        options="100% đúng hạn=4; Từ 95% đến dưới 100%=3; Từ 90% đến dưới 95%=2; Dưới 90%=0",
        guidance="Số liệu trích xuất từ Hệ thống thông tin giải quyết TTHC của thành phố tại thời "
        "điểm 15/12.",
    ),
    Node(
        "3.4",
        "Tỷ lệ hồ sơ TTHC cấp xã giải quyết đúng hạn",
        "2",
        Method.CHOICE,
        options="Từ 98% trở lên=2; Từ 95% đến dưới 98%=1; Dưới 95%=0",
        groups=("QH",),
        guidance="Tính chung cho các phường, xã thuộc quận, huyện; số liệu trên Hệ thống thông tin "
        "giải quyết TTHC.",
    ),
    Node(
        "3.5",
        "Tiếp nhận, xử lý phản ánh, kiến nghị của cá nhân, tổ chức về TTHC",
        "2",
        step="0.5",
        groups=("TW", "SBN", "SN"),
        not_arising=True,
        guidance="Xử lý 100% phản ánh, kiến nghị đúng hạn: 2 điểm; có phản ánh xử lý trễ hạn: 1 điểm; "
        "không xử lý: 0 điểm." + NA_HINT,
    ),
    Node(
        "3.6",
        "Thực hiện cơ chế một cửa, một cửa liên thông",
        "2",
        step="0.5",
        guidance="Bố trí công chức, trang thiết bị tại Bộ phận một cửa đúng quy định và thực hiện liên "
        "thông theo danh mục được phê duyệt: 2 điểm.",
    ),
    Node(
        "3.7",
        "Thực hiện xin lỗi cá nhân, tổ chức khi giải quyết hồ sơ trễ hạn",
        "2",
        Method.YESNO,
        not_arising=True,
        guidance="100% hồ sơ trễ hạn có văn bản xin lỗi và hẹn lại ngày trả kết quả: 2 điểm. Không có "
        "hồ sơ trễ hạn: chọn “không phát sinh”.",
    ),
    Node("4", "Cải cách tổ chức bộ máy hành chính"),
    Node(
        "4.1",
        "Ban hành quy định chức năng, nhiệm vụ, cơ cấu tổ chức của các đơn vị thuộc, trực thuộc",
        "2",
        Method.YESNO,
        evidence=True,
        guidance="Có quyết định quy định chức năng, nhiệm vụ, quyền hạn, cơ cấu tổ chức phù hợp quy "
        "định hiện hành: 2 điểm.",
    ),
    Node(
        "4.2",
        "Thực hiện quy định về số lượng cấp phó và cơ cấu lãnh đạo",
        "2",
        Method.YESNO,
        guidance="Đúng quy định về số lượng cấp phó của người đứng đầu: 2 điểm; vượt số lượng: 0 điểm.",
    ),
    Node(
        "4.3",
        "Sắp xếp, tinh gọn đầu mối các tổ chức bên trong",
        "2",
        step="0.5",
        guidance="Hoàn thành lộ trình sắp xếp theo kế hoạch của thành phố: 2 điểm; hoàn thành một "
        "phần: 0,5 – 1,5 điểm.",
    ),
    Node(
        "4.4",
        "Thực hiện phân cấp, ủy quyền trong quản lý",
        "2",
        step="0.5",
        not_arising=True,
        guidance="Thực hiện đầy đủ nội dung được phân cấp, ủy quyền và có kiểm tra việc thực hiện: "
        "2 điểm." + NA_HINT,
    ),
    Node("5", "Xây dựng và nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức"),
    Node(
        "5.1",
        "Xác định vị trí việc làm và cơ cấu ngạch công chức, chức danh nghề nghiệp viên chức",
        "2",
        Method.YESNO,
        evidence=True,
        guidance="Đề án vị trí việc làm được phê duyệt và bố trí công chức, viên chức đúng vị trí việc "
        "làm: 2 điểm.",
    ),
    Node(
        "5.2",
        "Tuyển dụng, bổ nhiệm, bổ nhiệm lại đúng quy định",
        "2",
        step="0.5",
        not_arising=True,
        guidance="100% trường hợp đúng quy trình, tiêu chuẩn: 2 điểm; có trường hợp sai sót phải khắc "
        "phục: 0,5 – 1,5 điểm." + NA_HINT,
    ),
    Node(
        "5.3",
        "Đào tạo, bồi dưỡng cán bộ, công chức, viên chức theo kế hoạch",
        "2",
        Method.CHOICE,
        options="Hoàn thành 100% kế hoạch=2; Từ 80% đến dưới 100%=1; Dưới 80%=0",
        guidance="Tỷ lệ lượt cán bộ, công chức, viên chức được cử đi đào tạo, bồi dưỡng so với kế hoạch năm.",
    ),
    Node(
        "5.4",
        "Đánh giá, xếp loại chất lượng cán bộ, công chức, viên chức đúng quy định",
        "2",
        Method.YESNO,
        guidance="Thực hiện đánh giá, xếp loại đúng quy trình và thời hạn theo Nghị định số "
        "90/2020/NĐ-CP (đã sửa đổi, bổ sung): 2 điểm.",
    ),
    Node(
        "5.5",
        "Chấp hành kỷ luật, kỷ cương hành chính của cán bộ, công chức, viên chức",
        "2",
        step="0.25",
        guidance="Không có cán bộ, công chức, viên chức bị xử lý kỷ luật: 2 điểm; mỗi trường hợp bị "
        "kỷ luật trừ 0,5 điểm.",
    ),
    Node("6", "Cải cách tài chính công"),
    Node(
        "6.1",
        "Thực hiện cơ chế tự chủ, tự chịu trách nhiệm về tài chính",
        "2",
        step="0.5",
        guidance="Thực hiện đúng quy định về giao quyền tự chủ đối với cơ quan và các đơn vị sự nghiệp "
        "trực thuộc: 2 điểm.",
    ),
    Node(
        "6.2",
        "Ban hành và thực hiện quy chế chi tiêu nội bộ, quy chế quản lý tài sản công",
        "2",
        Method.YESNO,
        evidence=True,
        guidance="Có quy chế chi tiêu nội bộ và quy chế quản lý, sử dụng tài sản công được cập nhật "
        "trong năm: 2 điểm.",
    ),
    Node(
        "6.3",
        "Thực hiện kết luận thanh tra, kiểm toán về tài chính, ngân sách",
        "2",
        step="0.5",
        not_arising=True,
        guidance="Thực hiện đầy đủ, đúng hạn các kết luận, kiến nghị: 2 điểm; còn kiến nghị chưa thực "
        "hiện: 0,5 – 1,5 điểm. Không có thanh tra, kiểm toán trong năm: chọn “không phát sinh”.",
    ),
    Node(
        "6.4",
        "Tỷ lệ giải ngân vốn đầu tư công được giao",
        "2",
        Method.CHOICE,
        options="Từ 95% kế hoạch trở lên=2; Từ 80% đến dưới 95%=1; Dưới 80%=0",
        not_arising=True,
        guidance="Theo số liệu của Kho bạc Nhà nước đến ngày 31/01 năm sau. Không được giao vốn đầu tư "
        "công: chọn “không phát sinh”.",
    ),
    Node("7", "Hiện đại hóa nền hành chính (chuyển đổi số)"),
    Node("7.1", "Ứng dụng công nghệ thông tin trong quản lý, điều hành"),
    Node(
        "7.1.1",
        "Xử lý văn bản, hồ sơ công việc trên hệ thống quản lý văn bản và điều hành",
        "2",
        step="0.25",
        guidance="Từ 90% văn bản được xử lý trên môi trường mạng: 2 điểm; mỗi 10% thấp hơn trừ 0,5 điểm.",
    ),
    Node(
        "7.1.2",
        "Sử dụng chữ ký số trong phát hành văn bản điện tử",
        "1",
        Method.YESNO,
        guidance="100% văn bản đi (trừ văn bản mật) được ký số: 1 điểm.",
    ),
    Node(
        "7.2",
        "Tỷ lệ hồ sơ TTHC được tiếp nhận, giải quyết trực tuyến toàn trình",
        "3",
        Method.CHOICE,
        options="Từ 80% trở lên=3; Từ 50% đến dưới 80%=2; Từ 30% đến dưới 50%=1; Dưới 30%=0",
        not_arising=True,
        guidance="Tính trên tổng số hồ sơ của các TTHC đủ điều kiện cung cấp dịch vụ công trực tuyến "
        "toàn trình. Đơn vị không giải quyết TTHC: chọn “không phát sinh”.",
    ),
    Node(
        "7.3",
        "Số hóa hồ sơ, kết quả giải quyết TTHC",
        "2",
        step="0.25",
        evidence=True,
        guidance="Tỷ lệ hồ sơ, kết quả được số hóa, ký số và lưu trữ điện tử: từ 90%: 2 điểm; từ 70% "
        "đến dưới 90%: 1 điểm; dưới 70%: 0 điểm.",
    ),
    Node(
        "7.4",
        "Cập nhật thông tin trên cổng/trang thông tin điện tử của cơ quan",
        "2",
        step="0.5",
        guidance="Cập nhật đầy đủ, kịp thời thông tin theo Nghị định số 42/2022/NĐ-CP: 2 điểm.",
    ),
    Node(
        "7.5",
        "Áp dụng, duy trì hệ thống quản lý chất lượng theo TCVN ISO 9001:2015",
        "2",
        Method.YESNO,
        evidence=True,
        guidance="Có quyết định công bố hệ thống phù hợp tiêu chuẩn và duy trì, cải tiến trong năm: 2 điểm.",
    ),
    Node(
        "7.6",
        "Bảo đảm an toàn thông tin mạng",
        "2",
        step="0.5",
        guidance="Phê duyệt cấp độ an toàn hệ thống thông tin và không để xảy ra sự cố mất an toàn "
        "thông tin: 2 điểm.",
    ),
    Node("8", "Tác động của cải cách hành chính – mức độ hài lòng của người dân, tổ chức"),
    Node(
        "8.1", "Mức độ hài lòng về tiếp cận dịch vụ hành chính công", "6", Method.SURVEY, guidance=SURVEY_HINT
    ),
    Node("8.2", "Mức độ hài lòng về thủ tục hành chính", "6", Method.SURVEY, guidance=SURVEY_HINT),
    Node(
        "8.3",
        "Mức độ hài lòng về công chức trực tiếp giải quyết công việc",
        "7",
        Method.SURVEY,
        guidance=SURVEY_HINT,
    ),
    Node("8.4", "Mức độ hài lòng về kết quả giải quyết công việc", "7", Method.SURVEY, guidance=SURVEY_HINT),
    Node("9", "Điểm thưởng, điểm trừ"),
    Node(
        "9.1",
        "Sáng kiến CCHC được thành phố công nhận",
        "2",
        Method.BONUS,
        evidence=True,
        guidance="Mỗi sáng kiến được Hội đồng sáng kiến thành phố công nhận trong năm: cộng 1 điểm, "
        "tối đa 2 điểm; không tính vào 100 điểm chuẩn.",
    ),
    Node(
        "9.2",
        "Điểm trừ: báo cáo trễ hạn",
        "2",
        Method.DEDUCTION,
        guidance="Mỗi báo cáo CCHC gửi trễ hạn so với yêu cầu: trừ 0,5 điểm, tối đa trừ 2 điểm. "
        "Nhập số âm (ví dụ −0,5).",
    ),
    Node(
        "9.3",
        "Điểm trừ: sai phạm trong giải quyết TTHC bị cơ quan có thẩm quyền kết luận",
        "3",
        Method.DEDUCTION,
        guidance="Mỗi trường hợp bị kết luận sai phạm: trừ 1 điểm, tối đa trừ 3 điểm. Nhập số âm.",
    ),
]

VTLT_CRITERIA = [
    Node("1", "Công tác chỉ đạo, ban hành văn bản về văn thư, lưu trữ"),
    Node(
        "1.1",
        "Ban hành kế hoạch công tác văn thư, lưu trữ năm",
        "3",
        Method.CHOICE,
        options="Ban hành trong quý I=3; Ban hành sau quý I=1.5; Không ban hành=0",
        evidence=True,
        guidance="Căn cứ ngày ký kế hoạch; kế hoạch phải giao nhiệm vụ cụ thể cho các đơn vị thuộc, "
        "trực thuộc.",
    ),
    Node(
        "1.2",
        "Ban hành, cập nhật quy chế công tác văn thư, lưu trữ của cơ quan",
        "3",
        Method.YESNO,
        evidence=True,
        guidance="Quy chế phù hợp Nghị định số 30/2020/NĐ-CP và Luật Lưu trữ năm 2024: 3 điểm; chưa "
        "ban hành hoặc chưa cập nhật: 0 điểm.",
    ),
    Node(
        "1.3",
        "Ban hành danh mục hồ sơ năm",
        "4",
        Method.CHOICE,
        options="Ban hành trước ngày 31/01=4; Ban hành trong quý I=2; "
        "Ban hành sau quý I hoặc không ban hành=0",
        guidance="Danh mục hồ sơ phải bao quát các nhiệm vụ của cơ quan và giao trách nhiệm lập hồ sơ "
        "đến từng công chức.",
    ),
    Node(
        "1.4",
        "Bố trí công chức, viên chức làm văn thư, lưu trữ đúng chuyên môn, nghiệp vụ",
        "3",
        step="0.5",
        guidance="Người làm văn thư, lưu trữ được đào tạo đúng chuyên ngành hoặc có chứng chỉ bồi "
        "dưỡng: 3 điểm; kiêm nhiệm chưa qua bồi dưỡng: 1 điểm.",
    ),
    Node(
        "1.5",
        "Bố trí kho lưu trữ và trang thiết bị bảo quản tài liệu",
        "2",
        step="0.5",
        guidance="Có kho lưu trữ riêng đạt yêu cầu và đủ giá, hộp, cặp: 2 điểm; kho tạm hoặc thiếu "
        "trang thiết bị: 0,5 – 1,5 điểm.",
    ),
    Node("2", "Quản lý văn bản đi – đến"),
    Node(
        "2.1",
        "Thể thức, kỹ thuật trình bày văn bản đúng quy định",
        "6",
        step="0.5",
        guidance="Kiểm tra xác suất 20 văn bản đi trong năm; mỗi văn bản sai thể thức, kỹ thuật trình "
        "bày trừ 0,5 điểm.",
    ),
    Node(
        "2.2",
        "Tiếp nhận, đăng ký và quản lý văn bản đến",
        "4",
        step="0.5",
        guidance="100% văn bản đến được đăng ký trên hệ thống và chuyển xử lý trong ngày: 4 điểm.",
    ),
    Node(
        "2.3",
        "Đăng ký, phát hành và lưu văn bản đi",
        "4",
        step="0.25",
        guidance="Văn bản đi được cấp số, đăng ký, phát hành đúng quy định và lưu bản gốc đầy đủ: 4 điểm.",
    ),
    Node(
        "2.4",
        "Quản lý, sử dụng con dấu và thiết bị lưu khóa bí mật",
        "3",
        Method.YESNO,
        guidance="Giao cho văn thư quản lý, có sổ theo dõi và sử dụng đúng quy định: 3 điểm.",
    ),
    Node(
        "2.5",
        "Theo dõi, đôn đốc giải quyết văn bản đến",
        "3",
        step="0.5",
        guidance="Có theo dõi thời hạn giải quyết trên hệ thống và thông báo văn bản quá hạn định kỳ: "
        "3 điểm.",
    ),
    Node("3", "Lập hồ sơ và nộp lưu hồ sơ, tài liệu vào lưu trữ"),
    Node(
        "3.1",
        "Tỷ lệ hồ sơ công việc được lập theo danh mục",
        "8",
        Method.CHOICE,
        options="Từ 90% trở lên=8; Từ 70% đến dưới 90%=6; Từ 50% đến dưới 70%=4; Dưới 50%=0",
        guidance="Tỷ lệ hồ sơ được lập so với danh mục hồ sơ năm của cơ quan.",
    ),
    Node(
        "3.2",
        "Chất lượng hồ sơ (thu thập, sắp xếp, biên mục văn bản)",
        "5",
        step="0.5",
        guidance="Kiểm tra xác suất 10 hồ sơ; mỗi hồ sơ thiếu văn bản hoặc biên mục chưa đúng trừ 0,5 điểm.",
    ),
    Node(
        "3.3",
        "Nộp lưu hồ sơ, tài liệu vào lưu trữ cơ quan đúng thời hạn",
        "6",
        Method.CHOICE,
        options="Đúng hạn, đầy đủ=6; Đúng hạn nhưng chưa đầy đủ=3; Trễ hạn hoặc không nộp lưu=0",
        guidance="Hồ sơ của năm trước phải nộp lưu vào lưu trữ cơ quan trong thời hạn quy định.",
    ),
    Node(
        "3.4",
        "Nộp lưu tài liệu vào Lưu trữ lịch sử thành phố",
        "6",
        Method.YESNO,
        not_arising=True,
        evidence=True,
        guidance="Cơ quan thuộc danh mục nộp lưu đã giao nộp đúng kế hoạch: 6 điểm. Cơ quan không "
        "thuộc danh mục hoặc chưa đến hạn nộp lưu: chọn “không phát sinh”.",
    ),
    Node("4", "Bảo quản, khai thác tài liệu lưu trữ"),
    Node(
        "4.1",
        "Chỉnh lý tài liệu tồn đọng, tích đống",
        "5",
        step="0.5",
        not_arising=True,
        evidence=True,
        guidance="Chỉnh lý hoàn chỉnh khối tài liệu tồn đọng theo kế hoạch: 5 điểm; chỉnh lý một phần: "
        "1 – 4 điểm. Không còn tài liệu tồn đọng: chọn “không phát sinh”.",
    ),
    Node(
        "4.2",
        "Bảo quản an toàn tài liệu (kho, giá, phòng cháy chữa cháy, nhiệt độ, độ ẩm)",
        "4",
        step="0.5",
        guidance="Đáp ứng đầy đủ các biện pháp bảo quản theo quy định: 4 điểm; mỗi biện pháp chưa đáp "
        "ứng trừ 0,5 điểm.",
    ),
    Node(
        "4.3",
        "Tổ chức phục vụ khai thác, sử dụng tài liệu lưu trữ",
        "3",
        step="0.5",
        guidance="Có nội quy phòng đọc, sổ theo dõi và phục vụ đầy đủ yêu cầu khai thác: 3 điểm.",
    ),
    Node(
        "4.4",
        "Thẩm tra, tiêu hủy tài liệu hết giá trị đúng quy trình",
        "3",
        Method.YESNO,
        not_arising=True,
        guidance="Thành lập hội đồng, lấy ý kiến thẩm định và tiêu hủy đúng quy trình: 3 điểm. Không "
        "tiêu hủy tài liệu trong năm: chọn “không phát sinh”.",
    ),
    Node("5", "Ứng dụng công nghệ thông tin, lưu trữ điện tử"),
    Node(
        "5.1",
        "Tỷ lệ văn bản đi được ký số và phát hành điện tử",
        "5",
        Method.CHOICE,
        options="Từ 90% trở lên=5; Từ 70% đến dưới 90%=3; Dưới 70%=0",
        guidance="Không tính văn bản mật; số liệu trích xuất từ hệ thống quản lý văn bản và điều hành.",
    ),
    Node(
        "5.2",
        "Lập hồ sơ điện tử trên hệ thống quản lý văn bản và điều hành",
        "5",
        step="0.5",
        evidence=True,
        guidance="Từ 80% hồ sơ công việc được lập trên hệ thống: 5 điểm; mỗi 10% thấp hơn trừ 1 điểm.",
    ),
    Node(
        "5.3",
        "Số hóa tài liệu lưu trữ",
        "5",
        step="0.25",
        guidance="Hoàn thành kế hoạch số hóa tài liệu lưu trữ năm: 5 điểm; hoàn thành một phần: tính "
        "theo tỷ lệ hoàn thành.",
    ),
    Node("6", "Kiểm tra, báo cáo"),
    Node(
        "6.1",
        "Tự kiểm tra công tác văn thư, lưu trữ tại cơ quan và đơn vị trực thuộc",
        "3",
        Method.YESNO,
        evidence=True,
        guidance="Có kế hoạch và thông báo kết quả tự kiểm tra trong năm: 3 điểm.",
    ),
    Node(
        "6.2",
        "Báo cáo thống kê công tác văn thư, lưu trữ định kỳ",
        "4",
        Method.CHOICE,
        options="Đúng hạn=4; Trễ dưới 5 ngày=2; Trễ từ 5 ngày trở lên=0",
        guidance="Báo cáo thống kê cơ sở theo Thông tư của Bộ Nội vụ, gửi Sở Nội vụ trước ngày 15/01.",
    ),
    Node(
        "6.3",
        "Tham gia bồi dưỡng, tập huấn nghiệp vụ do Sở Nội vụ tổ chức",
        "3",
        step="0.5",
        guidance="Cử đúng thành phần, đủ số lượng tham gia các lớp bồi dưỡng: 3 điểm.",
    ),
    Node("7", "Điểm thưởng, điểm trừ"),
    Node(
        "7.1",
        "Mô hình, sáng kiến về văn thư, lưu trữ được công nhận",
        "2",
        Method.BONUS,
        evidence=True,
        guidance="Mỗi mô hình, sáng kiến được cấp có thẩm quyền công nhận: cộng 1 điểm, tối đa 2 điểm.",
    ),
    Node(
        "7.2",
        "Điểm trừ: để mất, thất lạc hồ sơ, tài liệu",
        "3",
        Method.DEDUCTION,
        guidance="Mỗi trường hợp để mất, thất lạc hồ sơ, tài liệu: trừ 1 điểm, tối đa trừ 3 điểm. "
        "Nhập số âm.",
    ),
]

CRITERIA = {"CCHC": CCHC_CRITERIA, "VTLT": VTLT_CRITERIA}


# --- texts of the scores ------------------------------------------------------------------

REVIEW_COMMENTS = {
    Method.NUMBER: [
        "Tài liệu kiểm chứng chưa thể hiện đầy đủ kết quả thực hiện; thẩm định giảm điểm.",
        "Nội dung thực hiện chưa đầy đủ so với yêu cầu của tiêu chí.",
        "Báo cáo kết quả không có số liệu cụ thể để đối chiếu.",
        "Tài liệu kiểm chứng là văn bản của năm trước, không được tính.",
        "Số liệu không thống nhất với báo cáo năm gửi Sở Nội vụ.",
    ],
    Method.CHOICE: [
        "Theo số liệu trích xuất từ hệ thống, tỷ lệ thực tế thuộc mức thấp hơn mức đơn vị tự chấm.",
        "Văn bản ban hành sau thời hạn quy định; chấm theo mức tương ứng.",
        "Số liệu đơn vị báo cáo chưa khớp với số liệu kiểm tra của Sở Nội vụ.",
    ],
    Method.YESNO: [
        "Chưa có văn bản chứng minh đã thực hiện nội dung này.",
        "Văn bản cung cấp chưa đúng thẩm quyền ban hành; không tính điểm.",
        "Nội dung chưa được cập nhật theo quy định mới; không tính điểm.",
    ],
}
AGENCY_NOTES = [
    "Đã thực hiện theo {doc}.",
    "Chi tiết tại {doc}.",
    "Kết quả được tổng hợp tại {doc}.",
]
PLAN_DOCUMENT = ("KH", "Kế hoạch")
DECISION_DOCUMENT = ("QĐ", "Quyết định")
REPORT_DOCUMENTS = [("BC", "Báo cáo"), ("TB", "Thông báo")]
# Leaves whose evidence is a decision of the agency (a regulation, a list, a certification).
DECISION_WORDS = ("quy chế", "quy định", "danh mục", "vị trí việc làm", "iso", "tiêu hủy")
NO_EVIDENCE_REASON = "Bản giấy đã gửi Sở Nội vụ kèm Báo cáo tự đánh giá của đơn vị."
NOTHING_DONE_REASON = "Đơn vị chưa thực hiện nội dung này trong năm."
EXPLANATION_TEXTS = {
    "accepted": (
        "Đơn vị bổ sung văn bản ban hành đúng hạn (bản scan có chữ ký số) mà hồ sơ tự đánh giá "
        "còn thiếu; đề nghị giữ nguyên điểm tự chấm.",
        "Tài liệu bổ sung hợp lệ; chấp nhận điểm đề nghị của đơn vị.",
    ),
    "partial": (
        "Đơn vị đã hoàn thành phần lớn nội dung, kèm theo báo cáo kết quả; đề nghị xem xét lại điểm.",
        "Tài liệu bổ sung chứng minh được một phần; chấp nhận một phần điểm đề nghị.",
    ),
    "rejected": (
        "Đơn vị đã thực hiện nhưng chưa kịp cập nhật tài liệu lên hệ thống; đề nghị giữ điểm tự chấm.",
        "Tài liệu bổ sung được ban hành sau thời điểm chốt số liệu đánh giá; giữ nguyên điểm thẩm định.",
    ),
}


# --- the survey of CCHC 2026 (điều tra xã hội học), under way ---------------------------------

# (code, name, weight, forms per agency)
SURVEY_GROUPS = [
    ("LD", "Lãnh đạo cấp phòng", "1", 3),
    ("CC", "Công chức", "1", 5),
    ("ND", "Người dân, doanh nghiệp", "2", 6),
]
# (code, question, survey leaf, scale: "MUC5" or "ABCD", groups asked)
SURVEY_QUESTIONS = [
    (
        "C1",
        "Việc tiếp cận thông tin, dịch vụ hành chính công của cơ quan có thuận tiện không?",
        "8.1",
        "MUC5",
        ["ND"],
    ),
    ("C2", "Thủ tục hành chính có được công khai đầy đủ, dễ hiểu không?", "8.2", "ABCD", ["CC", "ND"]),
    ("C3", "Công chức tiếp nhận có hướng dẫn tận tình, đúng quy định không?", "8.3", "MUC5", ["LD", "ND"]),
    (
        "C4",
        "Kết quả giải quyết công việc có đúng hẹn, đúng quy định không?",
        "8.4",
        "ABCD",
        ["LD", "CC", "ND"],
    ),
]
# How often each option is chosen, in the scale's order (most respondents are satisfied).
SURVEY_ANSWER_WEIGHTS = {"MUC5": [1, 2, 5, 12, 8], "ABCD": [10, 6, 2, 1]}
# The share of the links answered so far, and the days the answers came in.
SURVEY_ANSWERED = (0.45, 0.8)
SURVEY_DAYS = ("2026-11-09", "2026-12-03")
