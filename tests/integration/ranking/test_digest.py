"""The daily digest (ranking/notifications.py, `manage.py send_digests`): people who chose it
receive the work that reached them in one e-mail a day instead of one e-mail per submission.

Sở Nội vụ (SNV) and Sở Tài chính (STC) are both appraised by reviewer `thamdinh`, who chose the
digest; council member `hoidong1` did not.
"""

import io
import smtplib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from accounts.models import Role
from ranking.enums import Phase
from ranking.models import Assessment, DigestItem
from ranking.notifications import notify
from tests.factories import AgencyFactory, AgencyGroupFactory, AssessmentFactory, PeriodFactory, UserFactory

SITE = "https://danhgia.danang.gov.vn"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SITE_URL = SITE + "/"


@pytest.fixture
def year():
    group = AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành", order=1)
    snv = AgencyFactory(code="SNV", name="Sở Nội vụ", group=group)
    stc = AgencyFactory(code="STC", name="Sở Tài chính", group=group)
    period = PeriodFactory(code="CCHC-2025", year=2025, name="Chỉ số CCHC năm 2025", phase=Phase.APPRAISAL)
    reviewer = UserFactory(username="thamdinh", role=Role.REVIEWER, daily_digest=True)
    council = UserFactory(username="hoidong1", role=Role.COUNCIL)
    officer = UserFactory(username="canbo_snv", role=Role.OFFICER, agency=snv, daily_digest=True)
    first = AssessmentFactory(period=period, agency=snv, reviewer=reviewer)
    second = AssessmentFactory(period=period, agency=stc, reviewer=reviewer)
    return {"reviewer": reviewer, "council": council, "officer": officer, "snv": first, "stc": second}


def fresh(assessment) -> Assessment:
    return Assessment.objects.select_related("period", "agency").get(pk=assessment.pk)


def link(assessment) -> str:
    return f"{SITE}/tham-dinh/{assessment.pk}/"


@pytest.mark.django_db
def test_a_submission_waits_for_the_digest_of_who_chose_it(
    year, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        told = notify("submitted", assessment=fresh(year["snv"]))

    assert told == 2
    assert [message.to for message in mailoutbox] == [["hoidong1@example.gov.vn"]]
    assert list(DigestItem.objects.values_list("user__username", "assessment__agency__code", "event")) == [
        ("thamdinh", "SNV", "submitted")
    ]


@pytest.mark.django_db
def test_the_digest_lists_every_update_once_in_one_e_mail(
    year, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify("submitted", assessment=fresh(year["snv"]))
        notify("submitted", assessment=fresh(year["stc"]))
        notify("explained", assessment=fresh(year["snv"]))
        # Submitted again after a return: the same line is not repeated.
        notify("submitted", assessment=fresh(year["snv"]))
    mailoutbox.clear()

    call_command("send_digests", stdout=(out := io.StringIO()))

    assert out.getvalue() == "Đã gửi 1 thư tổng hợp.\n"
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["thamdinh@example.gov.vn"]
    assert message.subject.startswith("Thư tổng hợp ngày ")
    assert message.subject.endswith(": 3 việc mới")
    body = message.body
    lines = [
        "- Sở Nội vụ đã gửi kết quả tự đánh giá Chỉ số CCHC năm 2025. Hồ sơ đã sẵn sàng để thẩm định.",
        "- Sở Tài chính đã gửi kết quả tự đánh giá Chỉ số CCHC năm 2025. Hồ sơ đã sẵn sàng để thẩm định.",
        "- Sở Nội vụ đã gửi giải trình kỳ Chỉ số CCHC năm 2025, đang chờ bạn quyết định.",
    ]
    positions = [body.index(line) for line in lines]
    assert positions == sorted(positions)
    assert body.count("Sở Nội vụ đã gửi kết quả tự đánh giá") == 1
    assert body.count(link(year["snv"])) == 2
    assert body.count(link(year["stc"])) == 1
    assert "Từ thư tổng hợp trước:" in body
    assert DigestItem.objects.count() == 0

    mailoutbox.clear()
    call_command("send_digests", stdout=(out := io.StringIO()))
    assert mailoutbox == []
    assert out.getvalue() == "Đã gửi 0 thư tổng hợp.\nKhông ai có thông báo đang chờ.\n"


@pytest.mark.django_db
def test_a_change_rolled_back_leaves_nothing_for_the_digest(year):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify("submitted", assessment=fresh(year["snv"]))
        raise RuntimeError

    assert DigestItem.objects.count() == 0


@pytest.mark.django_db
def test_steps_that_are_not_work_arriving_are_sent_at_once(
    year, mailoutbox, django_capture_on_commit_callbacks
):
    # The officer chose the digest too, but a return for correction cannot wait a day.
    with django_capture_on_commit_callbacks(execute=True):
        notify("returned", assessment=fresh(year["snv"]), reason="Thiếu minh chứng")

    assert [message.to for message in mailoutbox] == [["canbo_snv@example.gov.vn"]]
    assert DigestItem.objects.count() == 0


@pytest.mark.django_db
def test_a_digest_that_cannot_leave_waits_for_the_next_run(
    year, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify("submitted", assessment=fresh(year["snv"]))
    mailoutbox.clear()

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("máy chủ thư không trả lời")

    monkeypatch.setattr("django.core.mail.message.EmailMessage.send", refuse)
    with pytest.raises(CommandError, match="^1 thư tổng hợp không gửi được; nhật ký ghi lý do.$"):
        call_command("send_digests", stdout=io.StringIO())
    assert DigestItem.objects.count() == 1

    monkeypatch.undo()
    call_command("send_digests", stdout=io.StringIO())
    assert [message.to for message in mailoutbox] == [["thamdinh@example.gov.vn"]]
    assert DigestItem.objects.count() == 0


@pytest.mark.django_db
def test_the_items_of_someone_who_left_are_dropped(year, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify("submitted", assessment=fresh(year["snv"]))
    mailoutbox.clear()
    year["reviewer"].is_active = False
    year["reviewer"].save()

    call_command("send_digests", stdout=io.StringIO())

    assert mailoutbox == []
    assert DigestItem.objects.count() == 0
