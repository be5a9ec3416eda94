"""The sheet PhieuKhaoSat: paper survey forms, one row per answer (docs/workbook.md).
Messages are checked as the English msgids, and once in Vietnamese.

The year is `build_year` (CCHC-2025, survey leaf 2.1) with `add_survey`: groups LD (quota 2)
and ND (quota 3), question C1 for both, C2 for ND only, scale A/B/C/D. The sheet below holds
three forms: SNV · LD · form 1 (C1 = A), SNV · ND · form 7 (C1 = B, C2 = c, written in lower
case), STC · ND · form 7 (C1 = D; the same number, another agency). So: 3 responses, 4 answers.
"""

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django.utils.translation import override
from openpyxl import load_workbook

from ranking.enums import Phase, SurveySource
from ranking.models import Period, SurveyAnswer, SurveyResponse
from ranking.workbook.importer import workbook_export, workbook_import
from tests.builders import add_survey, build_year
from tests.factories import UserFactory
from tests.workbooks import write_workbook

pytestmark = pytest.mark.django_db

HEADER = ["Mã kỳ", "Mã đơn vị", "Mã nhóm đối tượng", "Số phiếu", "Mã câu hỏi", "Trả lời"]
ROWS = [
    ["CCHC-2025", "SNV", "LD", 1, "C1", "A"],
    ["CCHC-2025", "SNV", "ND", "7", "C1", "B"],
    ["CCHC-2025", "SNV", "ND", "7", "C2", "c"],
    ["CCHC-2025", "STC", "ND", "7", "C1", "D"],
]


@pytest.fixture
def year():
    year = build_year()
    add_survey(year.period, year.leaves["2.1"])
    return year


def sheet(tmp_path, rows, name="phieu.xlsx"):
    return str(write_workbook(tmp_path / name, {"PhieuKhaoSat": [HEADER, *rows]}))


def stored():
    return sorted(
        SurveyAnswer.objects.values_list(
            "response__agency__code",
            "response__group__code",
            "response__source",
            "response__reference",
            "question__code",
            "option",
        )
    )


def test_paper_forms_become_anonymous_paper_responses(year, tmp_path):
    report = workbook_import(file=sheet(tmp_path, ROWS))

    assert report.problems == []
    assert [(c.sheet, c.new, c.updated, c.unchanged) for c in report.sheets] == [("PhieuKhaoSat", 4, 0, 0)]
    assert stored() == [
        ("SNV", "LD", "paper", "1", "C1", "A"),
        ("SNV", "ND", "paper", "7", "C1", "B"),
        ("SNV", "ND", "paper", "7", "C2", "C"),
        ("STC", "ND", "paper", "7", "C1", "D"),
    ]
    assert SurveyResponse.objects.count() == 3
    assert set(SurveyResponse.objects.values_list("source", flat=True)) == {SurveySource.PAPER}


def test_importing_the_sheet_again_adds_nothing_and_a_changed_answer_is_updated(year, tmp_path):
    workbook_import(file=sheet(tmp_path, ROWS))
    again = workbook_import(file=sheet(tmp_path, ROWS, "lai.xlsx"))
    assert [(c.new, c.updated, c.unchanged) for c in again.sheets] == [(0, 0, 4)]
    assert SurveyResponse.objects.count() == 3

    changed = [row[:] for row in ROWS]
    changed[0][5] = "B"
    report = workbook_import(file=sheet(tmp_path, changed, "sua.xlsx"))
    assert [(c.new, c.updated, c.unchanged) for c in report.sheets] == [(0, 1, 3)]
    assert stored()[0] == ("SNV", "LD", "paper", "1", "C1", "B")
    assert SurveyResponse.objects.count() == 3


def test_the_year_export_carries_the_paper_answers_and_imports_back_unchanged(year, tmp_path):
    workbook_import(file=sheet(tmp_path, ROWS))
    path = tmp_path / "nam.xlsx"
    workbook_export().save(path)

    rows = list(load_workbook(path)["PhieuKhaoSat"].values)
    assert rows == [
        tuple(HEADER),
        ("CCHC-2025", "SNV", "LD", "1", "C1", "A"),
        ("CCHC-2025", "SNV", "ND", "7", "C1", "B"),
        ("CCHC-2025", "SNV", "ND", "7", "C2", "C"),
        ("CCHC-2025", "STC", "ND", "7", "C1", "D"),
    ]
    before = stored()
    report = workbook_import(file=str(path))
    assert report.problems == []
    assert next(c for c in report.sheets if c.sheet == "PhieuKhaoSat").unchanged == 4
    assert stored() == before


def test_web_responses_count_against_the_quota_but_are_not_exported(year, tmp_path):
    agency = year.assessments["SNV"].agency
    group = year.period.respondent_groups.get(code="LD")
    web = SurveyResponse.objects.create(
        period=year.period, agency=agency, group=group, source=SurveySource.WEB, submitted_on="2025-11-03"
    )
    SurveyAnswer.objects.create(response=web, question=group.questions.get(code="C1"), option="A")
    rows = [
        ["CCHC-2025", "SNV", "LD", "1", "C1", "A"],
        ["CCHC-2025", "SNV", "LD", "2", "C1", "B"],
    ]

    with override("en"):
        report = workbook_import(file=sheet(tmp_path, rows))

    assert report.problems == [
        "PhieuKhaoSat!3 Số phiếu: The group Lãnh đạo cấp phòng of Sở Nội vụ already has 2 responses, "
        "its quota: paper form 2 is one too many."
    ]
    assert SurveyResponse.objects.count() == 1
    path = tmp_path / "nam.xlsx"
    workbook_export().save(path)
    assert list(load_workbook(path)["PhieuKhaoSat"].values) == [tuple(HEADER)]


def test_every_bad_cell_is_named_with_its_sheet_row_and_column(year, tmp_path):
    rows = [
        ["CCHC-2099", "SNV", "LD", "1", "C1", "A"],
        ["CCHC-2025", "XXX", "LD", "1", "C1", "A"],
        ["CCHC-2025", "SNV", "CB", "1", "C1", "A"],
        ["CCHC-2025", "SNV", "LD", "1", "C9", "A"],
        ["CCHC-2025", "SNV", "LD", "1", "C2", "A"],
        ["CCHC-2025", "SNV", "LD", "1", "C1", "E"],
        ["CCHC-2025", "SNV", "LD", None, "C1", "A"],
        ["CCHC-2025", "SNV", "ND", "3", "C1", None],
        ["CCHC-2025", "STC", "ND", "1", "C1", "A"],
        ["CCHC-2025", "STC", "ND", "1", "C1", "B"],
        ["CCHC-2025", "STP", "ND", "1", "C1", "A"],
        ["CCHC-2025", "STP", "ND", "2", "C1", "A"],
        ["CCHC-2025", "STP", "ND", "3", "C1", "A"],
        ["CCHC-2025", "STP", "ND", "4", "C1", "A"],
        ["CCHC-2025", "STP", "ND", "2", "C2", "A"],
    ]

    with override("en"):
        report = workbook_import(file=sheet(tmp_path, rows))

    assert report.problems == [
        "PhieuKhaoSat!2 Mã kỳ: Unknown period code “CCHC-2099”.",
        "PhieuKhaoSat!3 Mã đơn vị: Unknown agency code “XXX”.",
        "PhieuKhaoSat!4 Mã nhóm đối tượng: Period CCHC-2025 has no respondent group “CB”.",
        "PhieuKhaoSat!5 Mã câu hỏi: Period CCHC-2025 has no survey question “C9”.",
        "PhieuKhaoSat!6 Mã câu hỏi: Question C2 is not asked of the group Lãnh đạo cấp phòng.",
        "PhieuKhaoSat!7 Trả lời: “E” is not an option of question C1: write one of A, B, C, D.",
        "PhieuKhaoSat!8 Số phiếu: This cell is required.",
        "PhieuKhaoSat!9 Trả lời: This cell is required.",
        "PhieuKhaoSat!11 Mã câu hỏi: Row 10 already has these codes.",
        "PhieuKhaoSat!15 Số phiếu: The group Người dân, doanh nghiệp of Sở Tư pháp already has 3 responses, "
        "its quota: paper form 4 is one too many.",
    ]
    assert SurveyResponse.objects.count() == 0


def test_a_published_period_refuses_new_paper_answers(year, tmp_path):
    Period.objects.filter(pk=year.period.pk).update(phase=Phase.PUBLISHED)

    with override("en"):
        report = workbook_import(file=sheet(tmp_path, ROWS[:1]))

    assert report.problems == [
        "PhieuKhaoSat!2 Mã kỳ: Period CCHC-2025 is published and frozen: reopen it for a correction first."
    ]


def test_the_messages_are_in_vietnamese(year, tmp_path):
    report = workbook_import(
        file=sheet(
            tmp_path,
            [["CCHC-2025", "SNV", "LD", "1", "C2", "A"], ["CCHC-2025", "SNV", "LD", "2", "C1", "Z"]],
        )
    )

    assert report.problems == [
        "PhieuKhaoSat!2 Mã câu hỏi: Câu hỏi C2 không dành cho nhóm Lãnh đạo cấp phòng.",
        "PhieuKhaoSat!3 Trả lời: “Z” không phải là phương án trả lời của câu hỏi C1: "
        "ghi một trong các phương án A, B, C, D.",
    ]


def test_the_admin_site_previews_the_sheet_then_imports_it(client, year, tmp_path):
    client.force_login(UserFactory(username="quantri", is_staff=True, is_superuser=True))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    formats = admin.site._registry[SurveyAnswer].get_import_formats()
    xlsx = next(i for i, f in enumerate(formats) if f().get_title() == "xlsx")
    bad = [*ROWS, ["CCHC-2025", "SNV", "LD", "2", "C2", "A"]]

    with open(sheet(tmp_path, bad, "sai.xlsx"), "rb") as file:
        refused = client.post(
            reverse("admin:ranking_surveyanswer_import"),
            {"resource": "0", "import_file": file, "format": str(xlsx)},
        )
    assert refused.status_code == 200
    assert "Câu hỏi C2 không dành cho nhóm Lãnh đạo cấp phòng." in refused.content.decode()
    assert "confirm_form" not in refused.context
    assert SurveyResponse.objects.count() == 0

    with open(sheet(tmp_path, ROWS), "rb") as file:
        preview = client.post(
            reverse("admin:ranking_surveyanswer_import"),
            {"resource": "0", "import_file": file, "format": str(xlsx)},
        )
    assert preview.status_code == 200
    assert preview.context["preview_summary"].__dict__ == {
        "sheet": "PhieuKhaoSat",
        "new": 4,
        "changed": 0,
        "unchanged": 0,
        "refused": 0,
    }
    assert SurveyResponse.objects.count() == 0
    confirm = preview.context["confirm_form"]
    names = ("import_file_name", "original_file_name", "format", "resource")
    done = client.post(
        reverse("admin:ranking_surveyanswer_process_import"), {name: confirm.initial[name] for name in names}
    )
    assert done.status_code == 302
    assert len(stored()) == 4
    assert SurveyResponse.objects.count() == 3
