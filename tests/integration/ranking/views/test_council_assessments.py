"""The council's list of assessments and approving several appraisals at once
(ranking/views/council.py: council_assessments, appraisals_approve_view).

The year is `build_year` (tests/builders.py) in appraisal, every assessment appraised, with
self = reviewed everywhere but Sở Tài chính's 1.1 (50 → 45, commented), so the totals are:

    agency               self    reviewed  difference
    Sở Nội vụ            92,00   92,00      0,00
    Sở Tài chính         83,50   78,50     -5,00
    Sở Tư pháp           94,50   94,50      0,00
    Sở Y tế              67,00   67,00      0,00
    UBND quận Hải Châu   79,00   79,00      0,00

Pages are read in Vietnamese, the site's language.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from ranking.enums import AssessmentStatus, Phase
from ranking.models import Assessment, Period, Score
from tests.builders import build_year, table_rows
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

S = AssessmentStatus
LIST = "/hoi-dong/CCHC-2025/danh-sach/"
APPROVE = "/hoi-dong/CCHC-2025/duyet-tham-dinh/"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def days(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


@pytest.fixture
def year():
    year = build_year(phase=Phase.APPRAISAL, status=S.REVIEWED)
    Period.objects.filter(pk=year.period.pk).update(appraisal_deadline=days(3), explanation_deadline=days(20))
    Score.objects.filter(assessment=year.assessments["STC"], criterion=year.leaves["1.1"]).update(
        reviewed_score=Decimal(45), final_score=Decimal(45), review_comment="Thiếu minh chứng"
    )
    return year


@pytest.fixture
def council(client):
    user = UserFactory(username="hoidong", role=Role.COUNCIL)
    client.force_login(user)
    return user


def statuses(year) -> dict[str, str]:
    return {code: Assessment.objects.get(pk=a.pk).status for code, a in year.assessments.items()}


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def chosen(year, *codes) -> dict:
    return {"assessment": [str(year.assessments[code].pk) for code in codes]}


# --- the list -------------------------------------------------------------------------------------


def test_the_list_shows_totals_difference_and_open_items(client, year, council):
    Score.objects.filter(assessment=year.assessments["SYT"], criterion=year.leaves["1.2"]).update(
        reviewed_score=None, final_score=None
    )
    Assessment.objects.filter(pk=year.assessments["SYT"].pk).update(status=S.IN_REVIEW)
    due = days(3).strftime("%d/%m/%Y")

    html = client.get(LIST).content.decode()

    department, district = "Khối sở, ban, ngành", "Khối quận, huyện"
    assert table_rows(html, "council-assessments") == [
        ["", "Sở Nội vụ", department, "Đã thẩm định", "92,00", "92,00", "0,00", "0", "—", due],
        ["", "Sở Tài chính", department, "Đã thẩm định", "83,50", "78,50", "-5,00", "0", "—", due],
        ["", "Sở Tư pháp", department, "Đã thẩm định", "94,50", "94,50", "0,00", "0", "—", due],
        [
            "",
            "Sở Y tế",
            department,
            "Đang thẩm định",
            "67,00",
            "47,00",
            "-20,00",
            "1 chưa thẩm định, 0 chưa nhận xét, 0 giải trình",
            "—",
            due,
        ],
        ["", "UBND quận Hải Châu", district, "Đã thẩm định", "79,00", "79,00", "0,00", "0", "—", due],
    ]
    # Only the appraisals awaiting approval can be chosen.
    assert html.count('name="assessment"') == 4
    assert f'value="{year.assessments["SYT"].pk}" form="bulk-approve"' not in html


def agencies(html: str) -> list[str]:
    return [row[1] for row in table_rows(html, "council-assessments")]


def test_the_list_searches_by_agency_name(client, year, council):
    html = client.get(LIST, {"q": "sở t"}).content.decode()

    assert agencies(html) == ["Sở Tài chính", "Sở Tư pháp"]
    assert 'value="sở t"' in html


def test_the_list_filters_by_status(client, year, council):
    Assessment.objects.filter(pk=year.assessments["STP"].pk).update(status=S.IN_REVIEW)

    assert agencies(client.get(LIST, {"status": "in_review"}).content.decode()) == ["Sở Tư pháp"]
    # An unknown status filters nothing rather than everything.
    assert len(agencies(client.get(LIST, {"status": "xoa-het"}).content.decode())) == 5


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("reviewed", ["Sở Y tế", "Sở Tài chính", "UBND quận Hải Châu", "Sở Nội vụ", "Sở Tư pháp"]),
        ("-reviewed", ["Sở Tư pháp", "Sở Nội vụ", "UBND quận Hải Châu", "Sở Tài chính", "Sở Y tế"]),
        ("-self", ["Sở Tư pháp", "Sở Nội vụ", "Sở Tài chính", "UBND quận Hải Châu", "Sở Y tế"]),
        ("difference", ["Sở Tài chính", "Sở Nội vụ", "Sở Tư pháp", "Sở Y tế", "UBND quận Hải Châu"]),
        ("-group", ["UBND quận Hải Châu", "Sở Nội vụ", "Sở Tài chính", "Sở Tư pháp", "Sở Y tế"]),
        # Not a column: the default order (group, then agency code).
        ("agency__password", ["Sở Nội vụ", "Sở Tài chính", "Sở Tư pháp", "Sở Y tế", "UBND quận Hải Châu"]),
    ],
)
def test_the_list_sorts_by_a_whitelisted_column(client, year, council, sort, expected):
    assert agencies(client.get(LIST, {"sort": sort}).content.decode()) == expected


def test_the_sort_links_keep_the_filters_and_turn_the_direction(client, year, council):
    html = client.get(LIST, {"q": "Sở", "sort": "self"}).content.decode()

    assert 'href="?q=S%E1%BB%9F&amp;sort=-self#assessments" data-sort="self"' in html
    assert 'href="?q=S%E1%BB%9F&amp;sort=reviewed#assessments" data-sort="reviewed"' in html
    assert 'aria-sort="ascending"' in html


def test_late_rows_carry_a_text_marker(client, year, council):
    Period.objects.filter(pk=year.period.pk).update(appraisal_deadline=days(-1))
    # Approved: the appraisal step is done, and the explanation is not due yet.
    Assessment.objects.filter(pk=year.assessments["STP"].pk).update(status=S.APPROVED)

    html = client.get(LIST).content.decode()

    late = {row[1]: row[-1] for row in table_rows(html, "council-assessments")}
    overdue = f"{days(-1):%d/%m/%Y} Quá hạn"
    assert late == {
        "Sở Nội vụ": overdue,
        "Sở Tài chính": overdue,
        "Sở Tư pháp": f"{days(20):%d/%m/%Y}",
        "Sở Y tế": overdue,
        "UBND quận Hải Châu": overdue,
    }
    assert html.count('class="table-warning"') == 4


@pytest.mark.parametrize("kept", [("SNV",), ("SNV", "STC", "STP")])
def test_the_list_reads_the_same_number_of_queries_for_1_and_3_rows(
    client, year, council, kept, django_assert_num_queries
):
    Assessment.objects.filter(period=year.period).exclude(agency__code__in=kept).delete()

    # Session, user, period; assessments, criteria, their groups, scores; whether a publication
    # exists (the link to the public page).
    with django_assert_num_queries(8):
        response = client.get(LIST)

    assert len(table_rows(response.content.decode(), "council-assessments")) == len(kept)


def test_the_list_is_closed_to_reviewers(client, year):
    client.force_login(UserFactory(username="thamdinh", role=Role.REVIEWER))

    assert client.get(LIST).status_code == 403


# --- approving several at once --------------------------------------------------------------------


def test_the_council_approves_three_appraisals_at_once(client, year, council):
    response = client.post(APPROVE, {**chosen(year, "SNV", "STC", "STP"), "back": "q=Sở&sort=-self&page=1"})

    assert response.status_code == 302
    assert response["Location"] == "/hoi-dong/CCHC-2025/danh-sach/?q=S%E1%BB%9F&sort=-self&page=1#assessments"
    page = client.get(response["Location"])
    assert messages_of(page) == ["Đã phê duyệt 3 kết quả thẩm định: Sở Nội vụ, Sở Tài chính, Sở Tư pháp."]
    assert statuses(year) == {
        "SNV": S.APPROVED,
        "STC": S.APPROVED,
        "STP": S.APPROVED,
        "SYT": S.REVIEWED,
        "QHC": S.REVIEWED,
    }
    last = Assessment.objects.get(pk=year.assessments["STC"].pk).history.first()
    assert (last.history_user, last.history_change_reason) == (council, "Đã duyệt kết quả thẩm định")


def test_one_appraisal_not_ready_approves_none_of_those_chosen(
    client, year, council, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(username="canbo.snv", role=Role.OFFICER, agency=year.assessments["SNV"].agency)
    Assessment.objects.filter(pk=year.assessments["SYT"].pk).update(status=S.IN_REVIEW)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(APPROVE, chosen(year, "SNV", "STC", "SYT"), follow=True)

    assert response.redirect_chain == [("/hoi-dong/CCHC-2025/danh-sach/#assessments", 302)]
    assert messages_of(response) == [
        "Chưa phê duyệt kết quả thẩm định nào, kể cả các đơn vị khác đã chọn: 1 đơn vị không phê duyệt được.",
        "Sở Y tế: kết quả thẩm định chưa ở trạng thái chờ phê duyệt (Đang thẩm định).",
    ]
    assert statuses(year) == {
        "SNV": S.REVIEWED,
        "STC": S.REVIEWED,
        "STP": S.REVIEWED,
        "SYT": S.IN_REVIEW,
        "QHC": S.REVIEWED,
    }
    # Only the record of its creation: the approval made before the refusal was taken back.
    assert Assessment.objects.get(pk=year.assessments["SNV"].pk).history.count() == 1
    assert mailoutbox == []


def test_approving_nothing_chosen_is_refused(client, year, council):
    response = client.post(APPROVE, {}, follow=True)

    assert messages_of(response) == ["Hãy chọn ít nhất một kết quả thẩm định để phê duyệt."]


def test_assessments_of_another_period_are_not_approved(client, year, council):
    other = Assessment.objects.get(pk=year.assessments["SNV"].pk)
    response = client.post(APPROVE, {"assessment": [str(other.pk), "999999", "abc"]}, follow=True)

    assert messages_of(response) == ["Đã phê duyệt 1 kết quả thẩm định: Sở Nội vụ."]


@pytest.mark.parametrize("role", [Role.OFFICER, Role.REVIEWER, Role.ADMIN])
def test_only_the_council_approves_several(client, year, role):
    agency = year.assessments["SNV"].agency if role == Role.OFFICER else None
    client.force_login(
        UserFactory(username="nguoi.khac", role=role, agency=agency, is_staff=role == Role.ADMIN)
    )

    response = client.post(APPROVE, chosen(year, "SNV", "STC"))

    assert response.status_code == 403
    assert (
        "Chỉ hội đồng thẩm định được phê duyệt kết quả thẩm định, trong giai đoạn thẩm định hoặc giải trình."
        in (response.content.decode())
    )
    assert set(statuses(year).values()) == {S.REVIEWED}


def test_nothing_is_approved_outside_the_appraisal_and_explanation(client, year, council):
    Period.objects.filter(pk=year.period.pk).update(phase=Phase.FINALIZATION)

    response = client.post(APPROVE, chosen(year, "SNV"))

    assert response.status_code == 403
    assert set(statuses(year).values()) == {S.REVIEWED}
    html = client.get(LIST).content.decode()
    assert 'id="bulk-approve"' not in html
    assert 'name="assessment"' not in html


def test_the_bulk_approval_confirms_with_a_sentence(client, year, council):
    html = client.get(LIST).content.decode()

    assert (
        'data-confirm="Phê duyệt các kết quả thẩm định đã chọn: từng đơn vị sẽ thấy điểm thẩm định và được '
        'giải trình; đã phê duyệt thì không hoàn tác được."'
    ) in html
    assert 'data-select-all="assessment"' in html
