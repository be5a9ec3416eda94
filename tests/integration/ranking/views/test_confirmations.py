"""Irreversible steps ask first with a sentence that says what happens (issue 11 §2), and the
reviewer's bulk acceptance of a field's self-scores says what it filled and kept, and can be
undone (ranking/views/council.py, ranking/views/review.py, static/js/app.js reads the sentence).

The year is `build_year` (tests/builders.py); pages are read in Vietnamese, the site's language.
"""

import html as html_lib
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from ranking.assessments.appraisal import score_review_set
from ranking.enums import AssessmentStatus, Phase
from ranking.models import Assessment, Score
from ranking.results.compute import results_compute
from ranking.results.finalization import results_approve
from tests.builders import build_year, text
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

S = AssessmentStatus
D = Decimal


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def council(client):
    user = UserFactory(username="hoidong", role=Role.COUNCIL)
    client.force_login(user)
    return user


def confirmations(html: str) -> list[str]:
    return [html_lib.unescape(m) for m in re.findall(r'(?:data|hx)-confirm="([^"]*)"', html)]


def flash_messages(html: str) -> list[str]:
    return [
        text(m)
        for m in re.findall(r'<div class="alert alert-\w+ alert-dismissible[^>]*>(.*?)<button', html, re.S)
    ]


# --- the council's steps ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phase", "sentence"),
    [
        (
            Phase.SETUP,
            "Chuyển sang giai đoạn Chuẩn bị: đơn vị và chuyên viên thẩm định không làm việc được "
            "trên kỳ này nữa.",
        ),
        (
            Phase.SELF_ASSESSMENT,
            "Chuyển sang giai đoạn Tự đánh giá: đơn vị được sửa và nộp tự đánh giá đến hết hạn.",
        ),
        (
            Phase.APPRAISAL,
            "Chuyển sang giai đoạn Thẩm định: đơn vị không sửa tự đánh giá được nữa, trừ bản bị trả lại.",
        ),
        (
            Phase.EXPLANATION,
            "Chuyển sang giai đoạn Giải trình: đơn vị không sửa tự đánh giá được nữa và chuyên viên "
            "không thẩm định được nữa; đơn vị giải trình trên kết quả thẩm định đã phê duyệt.",
        ),
        (
            Phase.FINALIZATION,
            "Chuyển sang giai đoạn Hoàn thiện kết quả: đơn vị không giải trình được nữa; kết quả thẩm "
            "định đã phê duyệt mà không có giải trình trở thành kết quả cuối cùng.",
        ),
    ],
)
def test_each_phase_change_confirms_what_it_does(client, council, phase, sentence):
    build_year(phase=Phase.APPRAISAL, status=S.IN_REVIEW)

    html = client.get("/hoi-dong/CCHC-2025/").content.decode()

    option = re.search(rf'<option value="{phase}"[^>]*data-confirm="([^"]*)"', html)
    assert html_lib.unescape(option.group(1)) == sentence


def test_approving_one_appraisal_confirms_what_it_does(client, council):
    year = build_year(phase=Phase.APPRAISAL, status=S.IN_REVIEW)
    Assessment.objects.filter(pk=year.assessments["STC"].pk).update(status=S.REVIEWED)

    html = client.get("/hoi-dong/CCHC-2025/").content.decode()

    approvals = [c for c in confirmations(html) if not c.startswith("Chuyển sang giai đoạn")]
    assert approvals == [
        "Phê duyệt kết quả thẩm định của Sở Tài chính: đơn vị sẽ thấy điểm thẩm định và được giải trình; "
        "đã phê duyệt thì không hoàn tác được."
    ]


def test_publishing_confirms_what_it_does(client, council):
    year = build_year(phase=Phase.FINALIZATION)
    results_compute(period=year.period)
    results_approve(user=council, period=year.period)

    html = client.get("/hoi-dong/CCHC-2025/").content.decode()

    assert "Công bố kết quả? Kết quả sẽ được khóa và tất cả đơn vị được thông báo qua thư điện tử." in (
        confirmations(html)
    )


# --- the reviewer's steps ---------------------------------------------------------------------------


@pytest.fixture
def in_review():
    year = build_year(phase=Phase.APPRAISAL, status=S.IN_REVIEW)
    snv = year.assessments["SNV"]
    Assessment.objects.filter(pk=snv.pk).update(review_opened_at=timezone.now())
    # 1.1 untouched by the reviewer; 1.2 reviewed at 20 (self 28) with a comment.
    Score.objects.filter(assessment=snv, criterion=year.leaves["1.1"]).update(
        reviewed_score=None, final_score=None
    )
    Score.objects.filter(assessment=snv, criterion=year.leaves["1.2"]).update(
        reviewed_score=D(20), final_score=D(20), review_comment="Chậm 5 ngày"
    )
    return year


def test_returning_to_the_agency_confirms_what_it_does(client, council, in_review):
    html = client.get(f"/tham-dinh/{in_review.assessments['SNV'].pk}/").content.decode()

    assert (
        "Trả lại bản đánh giá của Sở Nội vụ để sửa: đơn vị được sửa tự đánh giá và phải nộp lại."
        in confirmations(html)
    )


def test_deciding_an_explanation_confirms_what_it_does(client, council):
    year = build_year(phase=Phase.EXPLANATION, status=S.EXPLAINED)
    Score.objects.filter(assessment=year.assessments["SNV"], criterion=year.leaves["1.2"]).update(
        explanation="Đã hoàn thành đúng hạn", proposed_score=D(30)
    )

    html = client.get(f"/tham-dinh/{year.assessments['SNV'].pk}/").content.decode()

    assert confirmations(html) == [
        "Quyết định về giải trình tiêu chí 1.2: quyết định chốt điểm cuối cùng; quyết định giải trình cuối "
        "cùng sẽ hoàn tất bản đánh giá."
    ]


def test_accepting_a_field_confirms_what_it_does(client, council, in_review):
    html = client.get(f"/tham-dinh/{in_review.assessments['SNV'].pk}/").content.decode()

    assert (
        "Lấy điểm tự đánh giá làm điểm thẩm định cho các tiêu chí chưa thẩm định của lĩnh vực này? "
        "Các tiêu chí đã thẩm định được giữ nguyên." in confirmations(html)
    )


# --- accepting a field's self-scores, and undoing it ------------------------------------------------


def accept(client, year, field="1"):
    return client.post(f"/tham-dinh/{year.assessments['SNV'].pk}/linh-vuc/{field}/chap-nhan/", follow=True)


def undo(client, year, field="1"):
    return client.post(f"/tham-dinh/{year.assessments['SNV'].pk}/linh-vuc/{field}/hoan-tac/", follow=True)


def reviewed(year) -> dict[str, tuple]:
    return {
        code: (s.reviewed_score, s.review_comment)
        for code, s in (
            (code, Score.objects.get(assessment=year.assessments["SNV"], criterion=year.leaves[code]))
            for code in ("1.1", "1.2")
        )
    }


def test_accepting_a_field_fills_what_is_not_reviewed_and_says_what_it_kept(client, council, in_review):
    response = accept(client, in_review)

    html = response.content.decode()
    assert flash_messages(html) == [
        "Lĩnh vực 1: 1 tiêu chí chưa thẩm định đã nhận điểm tự đánh giá. Giữ nguyên 1 tiêu chí đã thẩm định."
    ]
    assert reviewed(in_review) == {"1.1": (D(55), ""), "1.2": (D(20), "Chậm 5 ngày")}
    assert 'class="px-3 py-2 border-bottom accept-undo"' in html
    assert "Hoàn tác chấp nhận điểm tự đánh giá" in html


def test_undoing_the_acceptance_leaves_the_filled_leaves_unreviewed_again(client, council, in_review):
    accept(client, in_review)

    response = undo(client, in_review)

    html = response.content.decode()
    assert flash_messages(html) == ["Lĩnh vực 1: 1 tiêu chí trở lại chưa thẩm định."]
    assert reviewed(in_review) == {"1.1": (None, ""), "1.2": (D(20), "Chậm 5 ngày")}
    assert "accept-undo" not in html


def test_undoing_keeps_a_leaf_changed_since(client, council, in_review):
    accept(client, in_review)
    score_review_set(
        user=council,
        assessment=in_review.assessments["SNV"],
        criterion_id=in_review.leaves["1.1"].pk,
        value=D(50),
        comment="Thiếu minh chứng",
    )

    response = undo(client, in_review)

    assert flash_messages(response.content.decode()) == [
        "Lĩnh vực 1: 0 tiêu chí trở lại chưa thẩm định. Giữ nguyên 1 tiêu chí đã sửa sau đó."
    ]
    assert reviewed(in_review) == {"1.1": (D(50), "Thiếu minh chứng"), "1.2": (D(20), "Chậm 5 ngày")}


def test_there_is_nothing_to_undo_without_an_acceptance(client, council, in_review):
    response = undo(client, in_review)

    assert flash_messages(response.content.decode()) == ["Lĩnh vực 1 không có gì để hoàn tác."]
    assert reviewed(in_review) == {"1.1": (None, ""), "1.2": (D(20), "Chậm 5 ngày")}


def test_an_agency_officer_cannot_undo(client, in_review):
    client.force_login(
        UserFactory(username="canbo", role=Role.OFFICER, agency=in_review.assessments["SNV"].agency)
    )

    response = client.post(f"/tham-dinh/{in_review.assessments['SNV'].pk}/linh-vuc/1/hoan-tac/")

    assert response.status_code == 403


# --- undoing a phase change ---------------------------------------------------------------------------


PHASE = "/hoi-dong/CCHC-2025/giai-doan/"
PHASE_UNDO = "/hoi-dong/CCHC-2025/giai-doan/hoan-tac/"


def test_a_phase_change_nobody_acted_on_is_undone(client, council):
    year = build_year(phase=Phase.APPRAISAL, status=S.IN_REVIEW)

    moved = client.post(PHASE, {"phase": Phase.EXPLANATION}, follow=True)
    assert flash_messages(moved.content.decode()) == ["CCHC 2025 đã chuyển sang giai đoạn “Giải trình”."]
    assert 'class="mt-2 phase-undo"' in moved.content.decode()
    response = client.post(PHASE_UNDO, follow=True)

    html = response.content.decode()
    assert flash_messages(html) == ["Đã hoàn tác chuyển giai đoạn: CCHC 2025 trở lại giai đoạn “Thẩm định”."]
    assert "phase-undo" not in html
    period = year.reload()
    assert period.phase == Phase.APPRAISAL
    last = period.history.first()
    assert (last.history_user, last.history_change_reason) == (
        council,
        "Giai đoạn: Thẩm định — Hoàn tác chuyển giai đoạn",
    )


def test_a_phase_change_is_not_undone_once_someone_acted(client, council):
    year = build_year(phase=Phase.APPRAISAL, status=S.IN_REVIEW)
    client.post(PHASE, {"phase": Phase.EXPLANATION}, follow=True)
    score = Score.objects.get(assessment=year.assessments["STC"], criterion=year.leaves["1.1"])
    score.review_comment = "Thiếu minh chứng"
    score.save()

    response = client.post(PHASE_UNDO, follow=True)

    assert flash_messages(response.content.decode()) == [
        "Không hoàn tác được việc chuyển giai đoạn nữa: kỳ đánh giá đã có thay đổi sau đó."
    ]
    assert year.reload().phase == Phase.EXPLANATION


def test_a_move_to_finalization_that_finalized_assessments_is_not_undone(client, council):
    year = build_year(phase=Phase.EXPLANATION, status=S.APPROVED)
    client.post(PHASE, {"phase": Phase.FINALIZATION}, follow=True)

    response = client.post(PHASE_UNDO, follow=True)

    assert flash_messages(response.content.decode()) == [
        "Không hoàn tác được việc chuyển giai đoạn nữa: kỳ đánh giá đã có thay đổi sau đó."
    ]
    assert year.reload().phase == Phase.FINALIZATION
    assert set(Assessment.objects.values_list("status", flat=True)) == {S.FINALIZED}


def test_without_a_phase_change_there_is_nothing_to_undo(client, council):
    year = build_year(phase=Phase.APPRAISAL, status=S.IN_REVIEW)

    response = client.post(PHASE_UNDO, follow=True)

    assert flash_messages(response.content.decode()) == ["Không có lần chuyển giai đoạn nào để hoàn tác."]
    assert year.reload().phase == Phase.APPRAISAL


def test_a_reviewer_cannot_undo_a_phase_change(client):
    build_year(phase=Phase.APPRAISAL, status=S.IN_REVIEW)
    client.force_login(UserFactory(username="thamdinh", role=Role.REVIEWER))

    assert client.post(PHASE_UNDO).status_code == 403
