"""The admin site as the administrator uses it: every page, the imports, the period actions."""

import io
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.urls import reverse
from import_export.admin import ImportMixin
from openpyxl import Workbook

from accounts.models import Agency, Role
from ranking.enums import Method, Phase
from ranking.models import (
    AwardEntry,
    Criterion,
    DecisionTemplate,
    Evidence,
    HistoricalResult,
    Period,
    Result,
    Score,
    SurveyAnswer,
    SurveyResponse,
    Tier,
)
from ranking.results.compute import results_compute
from ranking.workbook.template import template_workbook
from tests.builders import today
from tests.factories import (
    AgencyFactory,
    AgencyGroupFactory,
    AssessmentFactory,
    CriterionFactory,
    DemotionFactory,
    PeriodFactory,
    ScoreFactory,
    UserFactory,
    make_tiers,
)
from tests.survey_builders import one_paper_answer

pytestmark = pytest.mark.django_db

D = Decimal
# The project's own models (django-axes registers its lockout records too; they have no
# add page and are tested in accounts/test_security.py).
REGISTRY = sorted(
    (
        item
        for item in admin.site._registry.items()
        if item[0]._meta.app_label in ("accounts", "ranking", "auth")
    ),
    key=lambda item: item[0]._meta.label,
)
IMPORT_ADMINS = [
    (model, model_admin) for model, model_admin in REGISTRY if isinstance(model_admin, ImportMixin)
]


def label(item) -> str:
    return item[0]._meta.label


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def message_texts(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def superuser(client):
    user = UserFactory(username="quantri", role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def year():
    """One of everything: a computed CCHC-2025 with SNV (index 65/90 = 72,22…) and STC (100)."""
    Group.objects.create(name="Chuyên viên thẩm định")
    sbn = AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành", order=1)
    snv = AgencyFactory(code="SNV", name="Sở Nội vụ", group=sbn)
    stc = AgencyFactory(code="STC", name="Sở Tài chính", group=sbn)
    UserFactory(username="canbo", role=Role.OFFICER, agency=snv)
    before = PeriodFactory(code="CCHC-2024", year=2024, phase=Phase.PUBLISHED)
    HistoricalResult.objects.create(period=before, agency=snv, total=D("90.5"), index=D("90.5"), rank=1)
    period = PeriodFactory(code="CCHC-2025", year=2025, previous=before, phase=Phase.FINALIZATION)
    make_tiers(period)
    field = CriterionFactory(period=period, code="1", max_points=D("90"))
    number = CriterionFactory(period=period, code="1.1", parent=field, max_points=D("60"))
    choice = CriterionFactory(
        period=period,
        code="1.2",
        parent=field,
        max_points=D("30"),
        method=Method.CHOICE,
        options=[["Đúng hạn", "30"], ["Trễ", "15"]],
    )
    choice.groups.set([sbn])
    for agency, (first, second) in ((snv, ("50", "15")), (stc, ("60", "30"))):
        assessment = AssessmentFactory(period=period, agency=agency)
        ScoreFactory(assessment=assessment, criterion=number, self_score=D(first), final_score=D(first))
        ScoreFactory(assessment=assessment, criterion=choice, final_score=D(second))
    Evidence.objects.create(
        score=Score.objects.filter(assessment__agency=snv).first(),
        file="evidence/1/bien-ban.pdf",
        original_name="bien-ban.pdf",
        content_type="application/pdf",
        size=1024,
    )
    DemotionFactory(period=period, agency=stc, steps=1)
    results_compute(period=period)
    AwardEntry.objects.create(period=period, agency=snv, proposed=False, included=True, reason="Bổ sung")
    DecisionTemplate.objects.create(file="mau-quyet-dinh/3f2a9c.docx", description="Mẫu của thành phố")
    # The survey: its leaf applies to the districts only, so the results of SNV and STC stay as above.
    qh = AgencyGroupFactory(code="QH", name="Khối quận, huyện", order=2)
    survey_field = CriterionFactory(period=period, code="2", max_points=D("10"))
    survey_leaf = CriterionFactory(
        period=period, code="2.1", parent=survey_field, max_points=D("10"), method=Method.SURVEY
    )
    survey_field.groups.set([qh])
    survey_leaf.groups.set([qh])
    one_paper_answer(period, snv, survey_leaf, submitted_on=today())
    return period


# --- every page ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("model", "model_admin"), REGISTRY, ids=[label(item) for item in REGISTRY])
def test_changelist_and_add_pages(client, superuser, year, model, model_admin):
    changelist = client.get(url(model, "changelist"))
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count == model.objects.count()
    assert model.objects.count() >= 1
    add = client.get(url(model, "add"))
    # Results are computed, never typed in; survey responses and answers come from the form and
    # the paper sheet: no add page.
    assert add.status_code == (403 if model in (Result, SurveyResponse, SurveyAnswer) else 200)


@pytest.mark.parametrize(("model", "model_admin"), REGISTRY, ids=[label(item) for item in REGISTRY])
def test_change_and_history_pages(client, superuser, year, model, model_admin):
    obj = model.objects.order_by("pk").first()
    assert client.get(url(model, "change", obj.pk)).status_code == 200
    assert client.get(url(model, "history", obj.pk)).status_code == 200


def test_changelist_search_and_filters(client, superuser, year):
    response = client.get(url(Agency, "changelist"), {"q": "SNV"})
    assert [a.code for a in response.context["cl"].result_list] == ["SNV"]
    response = client.get(url(Result, "changelist"), {"period__id__exact": year.pk})
    assert response.context["cl"].result_count == 2
    response = client.get(url(Score, "changelist"), {"q": "1.2"})
    assert response.context["cl"].result_count == 2


@pytest.mark.parametrize(("model", "model_admin"), IMPORT_ADMINS, ids=[label(item) for item in IMPORT_ADMINS])
def test_import_page(client, superuser, model, model_admin):
    response = client.get(url(model, "import"))
    assert response.status_code == 200
    resource = model_admin.get_import_resource_classes(response.wsgi_request)[0]
    columns = dict(response.context["fields_list"])
    assert list(columns.values()) == [[field.column_name for field in resource().get_user_visible_fields()]]


def test_import_admins_are_the_workbook_sheets():
    sheets = {
        model._meta.label: model_admin.get_import_resource_classes(None)[0].sheet
        for model, model_admin in IMPORT_ADMINS
    }
    assert sheets == {
        "accounts.Agency": "DonVi",
        "accounts.AgencyGroup": "Khoi",
        "ranking.Criterion": "TieuChi",
        "ranking.Demotion": "HaBac",
        "ranking.HistoricalResult": "KetQua",
        "ranking.Period": "KyDanhGia",
        "ranking.Score": "Diem",
        "ranking.SurveyAnswer": "PhieuKhaoSat",
        "ranking.Tier": "XepLoai",
    }


# --- importing through the admin -------------------------------------------------------------------


def xlsx(sheets: dict[str, list[list]], *, active: str | None = None) -> io.BytesIO:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    if active:
        book.active = book.sheetnames.index(active)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "nam-2025.xlsx"
    return buffer


def xlsx_format(model) -> str:
    formats = admin.site._registry[model].get_import_formats()
    return str(next(i for i, f in enumerate(formats) if f().get_title() == "xlsx"))


DONVI = [
    ["Mã đơn vị", "Tên đơn vị", "Mã khối", "Ghi chú"],
    ["SNV", "Sở Nội vụ", "SBN", "bỏ qua"],
    [" STC ", "Sở Tài chính", "SBN", None],
    ["QHC", "UBND quận Hải Châu", "QH", None],
]


def upload(client, model, file) -> object:
    return client.post(
        url(model, "import"), {"resource": "0", "import_file": file, "format": xlsx_format(model)}
    )


def confirm(client, model, preview) -> object:
    form = preview.context["confirm_form"]
    data = {
        name: form.initial[name] for name in ("import_file_name", "original_file_name", "format", "resource")
    }
    return client.post(url(model, "process_import"), data)


def test_agencies_import_through_the_admin_with_preview(client, superuser):
    in_english(client)
    AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành", order=1)
    AgencyGroupFactory(code="QH", name="Khối quận, huyện", order=2)
    preview = upload(client, Agency, xlsx({"DonVi": DONVI}))
    assert preview.status_code == 200
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == 3
    assert "confirm_form" in preview.context
    assert Agency.objects.count() == 0  # the preview writes nothing

    done = confirm(client, Agency, preview)
    assert done.status_code == 302
    assert done["Location"] == url(Agency, "changelist")
    assert sorted(Agency.objects.values_list("code", "name", "group__code")) == [
        ("QHC", "UBND quận Hải Châu", "QH"),
        ("SNV", "Sở Nội vụ", "SBN"),
        ("STC", "Sở Tài chính", "SBN"),
    ]
    assert message_texts(done) == [
        ("success", "Import finished: 3 new, 0 updated, 0 deleted and 0 skipped agencies.")
    ]
    assert Agency.history.filter(history_type="+").count() == 3

    # The same file again: nothing new, nothing changed.
    again = upload(client, Agency, xlsx({"DonVi": DONVI}))
    assert (again.context["result"].totals["new"], again.context["result"].totals["skip"]) == (0, 3)


def test_admin_import_shows_cell_problems_and_writes_nothing(client, superuser):
    in_english(client)
    AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành", order=1)
    rows = [DONVI[0], ["SNV", "Sở Nội vụ", "SBN", None], ["SXD", None, "XX", None]]
    preview = upload(client, Agency, xlsx({"DonVi": rows}))
    assert preview.status_code == 200
    result = preview.context["result"]
    assert result.has_validation_errors()
    assert "confirm_form" not in preview.context
    [invalid] = result.invalid_rows
    assert (invalid.number, invalid.error_dict) == (
        2,
        {"Tên đơn vị": ["This cell is required."], "Mã khối": ["Unknown group code “XX”."]},
    )
    content = preview.content.decode()
    assert "Unknown group code “XX”." in content
    assert Agency.objects.count() == 0


def test_admin_import_reports_a_tier_scheme_out_of_order(client, superuser):
    in_english(client)
    PeriodFactory(code="VTLT-2025", year=2025)
    rows = [
        ["Mã kỳ", "Thứ tự", "Xếp loại", "Chỉ số tối thiểu"],
        ["VTLT-2025", 1, "Xuất sắc", 90],
        ["VTLT-2025", 2, "Tốt", 95],
        ["VTLT-2025", 3, "Yếu", 0],
    ]
    preview = upload(client, Tier, xlsx({"XepLoai": rows}))
    assert preview.status_code == 200
    assert "confirm_form" not in preview.context
    assert "The lowest index of “Tốt” must be below that of “Xuất sắc”." in preview.content.decode()
    assert Tier.objects.count() == 0


def test_the_year_workbook_imports_its_agencies_through_the_admin(client, superuser):
    """WORKBOOK.md: the same file imports through the admin site — the downloaded template,
    filled in, opens on its instructions sheet, yet the agencies admin must read DonVi."""
    in_english(client)
    AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành", order=1)
    book = template_workbook()
    book["DonVi"].append(["SNV", "Sở Nội vụ", "SBN"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "mau-so-lieu-danh-gia.xlsx"
    preview = upload(client, Agency, buffer)
    assert preview.status_code == 200
    assert "confirm_form" in preview.context, preview.content.decode()[-3000:]
    confirm(client, Agency, preview)
    assert list(Agency.objects.values_list("code", flat=True)) == ["SNV"]


def test_criteria_import_through_the_admin_links_parents(client, superuser):
    in_english(client)
    AgencyGroupFactory(code="QH", name="Khối quận, huyện", order=1)
    PeriodFactory(code="CCHC-2025", year=2025)
    rows = [
        ["Mã kỳ", "Mã tiêu chí", "Nội dung", "Điểm tối đa", "Phương thức", "Áp dụng cho khối", "Lựa chọn"],
        ["CCHC-2025", "1", "Chỉ đạo", None, None, None, None],
        ["CCHC-2025", "1.1", "Kế hoạch", "7,5", None, "QH", None],
        ["CCHC-2025", "1.2", "Báo cáo", 2, "choice", None, "Đúng hạn=2; Trễ=1"],
    ]
    preview = upload(client, Criterion, xlsx({"TieuChi": rows}))
    assert "confirm_form" in preview.context
    assert confirm(client, Criterion, preview).status_code == 302
    criteria = {c.code: c for c in Criterion.objects.select_related("parent")}
    assert {code: (c.parent.code if c.parent else None, c.max_points) for code, c in criteria.items()} == {
        "1": (None, D("9.5")),
        "1.1": ("1", D("7.5")),
        "1.2": ("1", D("2")),
    }
    assert list(criteria["1.1"].groups.values_list("code", flat=True)) == ["QH"]
    assert criteria["1.2"].options == [["Đúng hạn", "2"], ["Trễ", "1"]]


# --- the period actions ----------------------------------------------------------------------------


def run_action(client, action: str, *periods) -> tuple[int, list[tuple[str, str]]]:
    """Run an action on the changelist; its status and the messages shown after the redirect."""
    response = client.post(
        url(Period, "changelist"),
        {"action": action, admin.helpers.ACTION_CHECKBOX_NAME: [p.pk for p in periods]},
        follow=True,
    )
    assert response.status_code == 200
    return response.redirect_chain[0][1], [(m.level_tag, str(m)) for m in response.context["messages"]]


def test_copy_to_next_year_action(client, superuser, year):
    in_english(client)
    status, messages = run_action(client, "copy_to_next_year", year)
    assert (status, messages) == (302, [("success", "Created CCHC-2026.")])
    copy = Period.objects.get(code="CCHC-2026")
    assert (copy.year, copy.previous, copy.phase) == (2026, year, Phase.SETUP)
    assert list(copy.criteria.values_list("code", flat=True)) == ["1", "1.1", "1.2", "2", "2.1"]
    assert list(copy.survey_questions.values_list("code", "criterion__code", "criterion__period")) == [
        ("Q1", "2.1", copy.pk)
    ]
    assert copy.tiers.count() == 5

    status, messages = run_action(client, "copy_to_next_year", year)
    assert (status, messages) == (302, [("error", "A period with the code CCHC-2026 already exists.")])
    assert Period.objects.filter(year=2026).count() == 1


@pytest.fixture
def council(client):
    """A member of the council with the run of the admin site (issue 9: the admin's actions ask
    the workflow's permissions, so computing is the council's here as on its pages)."""
    user = UserFactory(username="hoidong", role=Role.COUNCIL, is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def test_compute_action(client, council, year):
    in_english(client)
    Result.objects.all().delete()
    status, messages = run_action(client, "compute", year)
    assert (status, messages) == (302, [("success", "CCHC-2025: 2 agencies ranked.")])
    assert Result.objects.filter(period=year).count() == 2


def test_compute_action_reports_each_problem(client, council, year):
    in_english(client)
    Score.objects.filter(assessment__agency__code="SNV", criterion__code="1.2").update(final_score=None)
    empty = PeriodFactory(code="VTLT-2025", year=2025, subject="VTLT", phase=Phase.FINALIZATION)
    make_tiers(empty)
    status, messages = run_action(client, "compute", year, empty)
    assert status == 302
    assert sorted(messages) == [
        ("error", "Period VTLT-2025 has no criteria."),
        (
            "error",
            "Results of period CCHC-2025 cannot be computed: the agencies below have leaves without a "
            "final score. Complete their scores, or choose for each one on the results page: "
            "“Not assessed”, or “Not ranked” once every leaf is scored.",
        ),
        ("error", "Sở Nội vụ (SNV) has no final score for 1.2."),
    ]


# --- the results list ------------------------------------------------------------------------------


def test_result_changelist_shows_the_index_with_a_decimal_comma(client, superuser, year):
    response = client.get(url(Result, "changelist"))
    assert response.status_code == 200
    content = response.content.decode()
    rows = re.findall(r'<td class="field-index_shown">([^<]*)</td>', content)
    assert sorted(rows) == ["100,00", "72,22"]
    assert "72.22" not in content


def test_scores_import_through_the_admin_creates_assessments_only_on_confirm(client, superuser):
    in_english(client)
    sbn = AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành", order=1)
    AgencyFactory(code="SNV", name="Sở Nội vụ", group=sbn)
    period = PeriodFactory(code="CCHC-2025", year=2025)
    CriterionFactory(period=period, code="1", max_points=D("10"))
    CriterionFactory(period=period, code="2", max_points=D("5"), method=Method.SURVEY)
    rows = [
        [
            "Mã kỳ",
            "Mã đơn vị",
            "Mã tiêu chí",
            "Điểm tự đánh giá",
            "Điểm thẩm định",
            "Không phát sinh",
            "Ghi chú",
        ],
        ["CCHC-2025", "SNV", "1", "9,5", 9, None, "Đủ hồ sơ"],
        ["CCHC-2025", "SNV", "2", "4,25", None, None, None],
    ]
    preview = upload(client, Score, xlsx({"Diem": rows}))
    assert preview.status_code == 200
    assert "confirm_form" in preview.context
    assert preview.context["result"].totals["new"] == 2
    assert (Score.objects.count(), period.assessments.count(), Score.history.count()) == (0, 0, 0)

    assert confirm(client, Score, preview).status_code == 302
    scores = dict(
        Score.objects.filter(assessment__agency__code="SNV").values_list("criterion__code", "final_score")
    )
    assert scores == {"1": D("9"), "2": D("4.25")}
    assert period.assessments.count() == 1
    assert Score.history.count() == 2
