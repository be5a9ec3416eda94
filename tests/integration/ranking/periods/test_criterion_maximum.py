"""A criterion's maximum may not be set below the scores already given (issue 9, item 6a).

CCHC-2025 has three leaves under field 1:

    1.1  number, max 4      SNV self 3,5, reviewed and final 3
                            STC self 2, reviewed and final 2, proposed 4 (its explanation)
    1.2  deduction, floor 2 SNV self, reviewed and final −1,5
    1.3  number, max 3      no score yet

The same check guards the year workbook's TieuChi sheet and the admin site's criterion form;
a refused row writes nothing, not even the other rows of the file.
"""

import io
import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.translation import override
from openpyxl import Workbook

from accounts.models import Role
from ranking.enums import Method, Phase
from ranking.models import Criterion, Score
from ranking.periods.criteria import highest_scores, scores_beyond
from ranking.workbook.importer import workbook_import
from tests.factories import AgencyFactory, AgencyGroupFactory, AssessmentFactory, PeriodFactory, UserFactory

pytestmark = pytest.mark.django_db

D = Decimal
TIEUCHI = ["Mã kỳ", "Mã tiêu chí", "Nội dung", "Điểm tối đa", "Phương thức"]


@pytest.fixture
def year(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    period = PeriodFactory(code="CCHC-2025", year=2025, phase=Phase.EXPLANATION)
    group = AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành")
    snv = AgencyFactory(code="SNV", name="Sở Nội vụ", group=group)
    stc = AgencyFactory(code="STC", name="Sở Tài chính", group=group)
    field = Criterion.objects.create(period=period, code="1", title="Chỉ đạo", max_points=D(9))
    leaves = {
        "1.1": Criterion.objects.create(
            period=period, parent=field, code="1.1", title="Kế hoạch", max_points=D(4)
        ),
        "1.2": Criterion.objects.create(
            period=period,
            parent=field,
            code="1.2",
            title="Báo cáo trễ",
            max_points=D(2),
            method=Method.DEDUCTION,
        ),
        "1.3": Criterion.objects.create(
            period=period, parent=field, code="1.3", title="Kiểm tra", max_points=D(3)
        ),
    }
    a_snv = AssessmentFactory(period=period, agency=snv)
    a_stc = AssessmentFactory(period=period, agency=stc)
    scores = [
        (a_snv, "1.1", {"self_score": "3.5", "reviewed_score": "3", "final_score": "3"}),
        (a_stc, "1.1", {"self_score": "2", "reviewed_score": "2", "final_score": "2", "proposed_score": "4"}),
        (a_snv, "1.2", {"self_score": "-1.5", "reviewed_score": "-1.5", "final_score": "-1.5"}),
    ]
    for assessment, code, values in scores:
        Score.objects.create(
            assessment=assessment, criterion=leaves[code], **{k: D(v) for k, v in values.items()}
        )
    return leaves


def xlsx(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.title = "TieuChi"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def maxima() -> dict[str, Decimal]:
    return dict(Criterion.objects.values_list("code", "max_points"))


def criteria_rows(**maximum) -> list[list]:
    """The TieuChi sheet of the year, with the maxima given (code with _ for .)."""
    chosen = {"1.1": 4, "1.2": 2, "1.3": 3} | {code.replace("_", "."): v for code, v in maximum.items()}
    return [
        TIEUCHI,
        ["CCHC-2025", "1", "Chỉ đạo", None, None],
        ["CCHC-2025", "1.1", "Kế hoạch", chosen["1.1"], "number"],
        ["CCHC-2025", "1.2", "Báo cáo trễ", chosen["1.2"], "deduction"],
        ["CCHC-2025", "1.3", "Kiểm tra (sửa tên)", chosen["1.3"], "number"],
    ]


def test_the_reach_of_the_scores_of_each_leaf(year):
    assert highest_scores(criterion_ids=[c.pk for c in year.values()]) == {
        year["1.1"].pk: D(4),
        year["1.2"].pk: D("1.5"),
    }
    beyond = scores_beyond(criterion_id=year["1.1"].pk, bound=D(3))
    assert (beyond.agency.code, beyond.column, beyond.value, beyond.agencies) == (
        "STC",
        "proposed_score",
        D(4),
        2,
    )
    assert scores_beyond(criterion_id=year["1.1"].pk, bound=D(4)) is None


def test_an_import_lowering_a_maximum_below_a_score_is_refused_per_cell(year):
    rows = criteria_rows(**{"1_1": "3,5", "1_2": 1, "1_3": 1})

    with override("en"):
        report = workbook_import(file=xlsx(rows))

    assert report.problems == [
        "TieuChi!3 Điểm tối đa: The maximum cannot be 3.5: 1 agency already has a score beyond it, "
        "such as the proposed score 4 of Sở Tài chính.",
        "TieuChi!4 Điểm tối đa: The maximum cannot be 1: 1 agency already has a score beyond it, "
        "such as the self-score -1.5 of Sở Nội vụ.",
    ]
    # Nothing written: neither the maxima nor the other rows' changes.
    assert maxima() == {"1": D(9), "1.1": D(4), "1.2": D(2), "1.3": D(3)}
    assert Criterion.objects.get(code="1.3").title == "Kiểm tra"


def test_the_refusal_names_how_many_agencies_in_vietnamese(year):
    rows = criteria_rows(**{"1_1": 3})

    with override("vi"):
        report = workbook_import(file=xlsx(rows))

    assert report.problems == [
        "TieuChi!3 Điểm tối đa: Không thể đặt điểm tối đa là 3: đã có 2 đơn vị có điểm vượt quá mức này, "
        "ví dụ điểm đề nghị 4 của Sở Tài chính."
    ]
    assert maxima()["1.1"] == D(4)


def test_a_maximum_kept_raised_or_lowered_to_the_highest_score_is_accepted(year):
    with override("en"):
        report = workbook_import(file=xlsx(criteria_rows(**{"1_1": 4, "1_2": "1,5", "1_3": 1})))

    assert report.problems == []
    assert maxima() == {"1": D(5), "1.1": D(4), "1.2": D("1.5"), "1.3": D(1)}

    with override("en"):
        report = workbook_import(file=xlsx(criteria_rows(**{"1_1": 6, "1_2": "1,5", "1_3": 1})))

    assert report.problems == []
    assert maxima()["1.1"] == D(6)


# --- the admin site's criterion form ----------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    user = UserFactory(username="quantri", role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def change(client, criterion: Criterion, max_points: str):
    data = {
        "period": criterion.period_id,
        "parent": criterion.parent_id,
        "code": criterion.code,
        "title": criterion.title,
        "max_points": max_points,
        "method": criterion.method,
        "step": "",
        "options": json.dumps(criterion.options),
        "guidance": "",
    }
    url = reverse("admin:ranking_criterion_change", args=[criterion.pk])
    return client.post(url, data)


def test_the_admin_form_refuses_a_maximum_below_a_score(admin_client, year):
    response = change(admin_client, year["1.1"], "3.5")

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors == {
        "max_points": [
            "The maximum cannot be 3.5: 1 agency already has a score beyond it, "
            "such as the proposed score 4 of Sở Tài chính."
        ]
    }
    assert maxima()["1.1"] == D(4)

    floor = change(admin_client, year["1.2"], "1")

    assert floor.context["adminform"].form.errors == {
        "max_points": [
            "The maximum cannot be 1: 1 agency already has a score beyond it, "
            "such as the self-score -1.5 of Sở Nội vụ."
        ]
    }
    assert maxima()["1.2"] == D(2)


def test_the_admin_form_accepts_a_maximum_the_scores_fit(admin_client, year):
    for code, value in (("1.1", "4.5"), ("1.3", "1")):
        response = change(admin_client, year[code], value)
        assert response.status_code == 302, response.context["adminform"].form.errors

    assert maxima() == {"1": D(9), "1.1": D("4.5"), "1.2": D(2), "1.3": D(1)}
