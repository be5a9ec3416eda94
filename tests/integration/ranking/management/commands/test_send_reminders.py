"""`manage.py send_reminders`: which agencies are reminded of a deadline, and what they receive."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext, override

from accounts.models import Role
from ranking.enums import AssessmentStatus, Phase, Subject
from ranking.models import Assessment
from tests.factories import AgencyFactory, AgencyGroupFactory, PeriodFactory, UserFactory

pytestmark = pytest.mark.django_db

S = AssessmentStatus


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def day(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


def agency_with_people(code: str, group, *, people=("officer", "head")):
    agency = AgencyFactory(code=code, name=f"Đơn vị {code}", group=group)
    for role in people:
        UserFactory(username=f"{role}.{code.lower()}", role=role, agency=agency)
    return agency


def period(code, phase, **deadlines):
    subject, year = code.split("-")
    return PeriodFactory(
        code=code,
        name=f"{subject} {year}",
        subject=Subject(subject),
        year=int(year),
        phase=phase,
        **deadlines,
    )


@pytest.fixture
def year():
    """Self-assessment closing in 2 days, explanation closing in 3, and periods not to remind."""
    group = AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành")
    a = {code: agency_with_people(code, group) for code in ("SNV", "STC", "STP", "SYT", "SXD")}
    # Only active members with an e-mail address are written to.
    UserFactory(username="nghi.snv", role=Role.OFFICER, agency=a["SNV"], is_active=False)
    UserFactory(username="khong.email.stc", role=Role.OFFICER, agency=a["STC"], email="")
    UserFactory(username="thamdinh", role=Role.REVIEWER)

    cchc = period("CCHC-2026", Phase.SELF_ASSESSMENT, self_assessment_deadline=day(2))
    Assessment.objects.create(period=cchc, agency=a["SNV"], status=S.DRAFT)
    Assessment.objects.create(period=cchc, agency=a["STC"], status=S.RETURNED)
    Assessment.objects.create(period=cchc, agency=a["STP"], status=S.SUBMITTED)

    vtlt = period("VTLT-2026", Phase.EXPLANATION, explanation_deadline=day(3))
    Assessment.objects.create(period=vtlt, agency=a["SYT"], status=S.APPROVED)
    Assessment.objects.create(period=vtlt, agency=a["SNV"], status=S.EXPLAINED)

    far = period("CCHC-2027", Phase.SELF_ASSESSMENT, self_assessment_deadline=day(4))
    Assessment.objects.create(period=far, agency=a["SXD"], status=S.DRAFT)
    passed = period("VTLT-2027", Phase.SELF_ASSESSMENT, self_assessment_deadline=day(-1))
    Assessment.objects.create(period=passed, agency=a["SXD"], status=S.DRAFT)
    # The right deadline but the wrong phase: appraisal has begun.
    appraisal = period("CCHC-2028", Phase.APPRAISAL, self_assessment_deadline=day(1))
    Assessment.objects.create(period=appraisal, agency=a["SXD"], status=S.DRAFT)
    return a


def run(*args) -> str:
    out = io.StringIO()
    with override("en"):
        call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def expected_subject(period_name: str, deadline: datetime.date) -> str:
    with override(settings.LANGUAGE_CODE):
        return gettext("Reminder: the deadline of %(period)s is %(deadline)s") % {
            "period": period_name,
            "deadline": deadline.strftime("%d/%m/%Y"),
        }


def test_reminds_agencies_with_work_left_before_the_deadline(
    year, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        output = run()

    assert output == "6 reminder e-mails queued.\n"
    sent = sorted((m.to[0], m.subject) for m in mailoutbox)
    cchc, vtlt = expected_subject("CCHC 2026", day(2)), expected_subject("VTLT 2026", day(3))
    assert sent == [
        ("head.snv@example.gov.vn", cchc),
        ("head.stc@example.gov.vn", cchc),
        ("head.syt@example.gov.vn", vtlt),
        ("officer.snv@example.gov.vn", cchc),
        ("officer.stc@example.gov.vn", cchc),
        ("officer.syt@example.gov.vn", vtlt),
    ]
    snv = Assessment.objects.get(agency=year["SNV"], period__code="CCHC-2026")
    message = next(m for m in mailoutbox if m.to == ["officer.snv@example.gov.vn"])
    assert f"{settings.SITE_URL}/danh-gia/{snv.pk}/" in message.body
    assert "Đơn vị SNV" in message.body


def test_days_narrows_the_window(year, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert run("--days", "2") == "4 reminder e-mails queued.\n"
    assert {m.to[0].split("@")[0] for m in mailoutbox} == {
        "officer.snv",
        "head.snv",
        "officer.stc",
        "head.stc",
    }


def test_nothing_due(year, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert run("--days", "1") == "0 reminder e-mails queued.\n"
    assert mailoutbox == []


def test_a_deadline_today_is_still_reminded(mailoutbox, django_capture_on_commit_callbacks):
    group = AgencyGroupFactory(code="SBN")
    agency = agency_with_people("SNV", group, people=("head",))
    today = period("CCHC-2026", Phase.SELF_ASSESSMENT, self_assessment_deadline=day(0))
    Assessment.objects.create(period=today, agency=agency, status=S.DRAFT)

    with django_capture_on_commit_callbacks(execute=True):
        assert run("--days", "0") == "1 reminder e-mail queued.\n"
    assert [m.subject for m in mailoutbox] == [expected_subject("CCHC 2026", day(0))]


def test_negative_days_are_refused():
    with pytest.raises(CommandError, match="--days cannot be negative."), override("en"):
        call_command("send_reminders", "--days", "-1")
