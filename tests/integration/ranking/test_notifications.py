"""E-mail notifications (ranking/services/notifications.py): who receives which event, when, in
which language and with which link.

Sở Nội vụ (SNV) has an officer and a head with e-mail, an officer without e-mail and an
inactive officer; Sở Tài chính (STC) has an officer. Reviewer `thamdinh` is assigned to SNV,
`thamdinh2` is not. The council has two active members and an inactive one.

Wording comes from the Vietnamese catalogue, which others maintain: the expected subjects
and greetings are computed from the catalogue (`gettext` under "vi"), and the tests assert
on names, periods, reasons and links.
"""

import email
import io
import smtplib
from decimal import Decimal
from email.header import decode_header, make_header

import pytest
from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from accounts.models import Agency, Role
from ranking.assessments.services import assessment_submit, score_self_set
from ranking.enums import AssessmentStatus, Method, Phase
from ranking.models import Assessment, Period
from ranking.notifications import EVENTS, PERIOD_EVENTS, notify, notify_period
from ranking.results.finalization import period_publish, results_approve, results_compute_by
from tests.factories import (
    AgencyFactory,
    AgencyGroupFactory,
    AssessmentFactory,
    CriterionFactory,
    PeriodFactory,
    ScoreFactory,
    UserFactory,
    make_tiers,
)

SITE = "https://danhgia.danang.gov.vn"
AGENCY = ["canbo_snv@example.gov.vn", "lanhdao_snv@example.gov.vn"]
REVIEWER = ["thamdinh@example.gov.vn"]
COUNCIL = ["hoidong1@example.gov.vn", "hoidong2@example.gov.vn"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Nobody signs in here: hashing every user's password with PBKDF2 would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE + "/"


@pytest.fixture
def people():
    sbn = AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành", order=1)
    snv = AgencyFactory(code="SNV", name="Sở Nội vụ", group=sbn)
    stc = AgencyFactory(code="STC", name="Sở Tài chính", group=sbn)
    period = PeriodFactory(code="CCHC-2025", year=2025, name="Chỉ số CCHC năm 2025", phase=Phase.APPRAISAL)
    make_tiers(period)
    reviewer = UserFactory(username="thamdinh", role=Role.REVIEWER, last_name="Trần", first_name="Thị Bình")
    users = {
        "officer": UserFactory(
            username="canbo_snv", role=Role.OFFICER, agency=snv, last_name="Lê", first_name="Văn Cường"
        ),
        "head": UserFactory(
            username="lanhdao_snv", role=Role.HEAD, agency=snv, last_name="Phạm", first_name="Dũng"
        ),
        "officer_no_mail": UserFactory(username="canbo2_snv", role=Role.OFFICER, agency=snv, email=""),
        "officer_gone": UserFactory(username="canbo3_snv", role=Role.OFFICER, agency=snv, is_active=False),
        "officer_b": UserFactory(username="canbo_stc", role=Role.OFFICER, agency=stc),
        "reviewer": reviewer,
        "reviewer_other": UserFactory(username="thamdinh2", role=Role.REVIEWER),
        "council": UserFactory(username="hoidong1", role=Role.COUNCIL),
        "council2": UserFactory(username="hoidong2", role=Role.COUNCIL),
        "council_gone": UserFactory(username="hoidong3", role=Role.COUNCIL, is_active=False),
        "admin": UserFactory(username="quantri", role=Role.ADMIN),
        "viewer": UserFactory(username="ubnd", role=Role.VIEWER),
    }
    assessment = AssessmentFactory(period=period, agency=snv, reviewer=reviewer)
    AssessmentFactory(period=period, agency=stc, reviewer=users["reviewer_other"])
    return users, assessment


def fresh(assessment) -> Assessment:
    return Assessment.objects.select_related("period", "agency").get(pk=assessment.pk)


def addresses(mailoutbox) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)


def vietnamese(text) -> str:
    with override("vi"):
        return str(text)


# --- who receives what --------------------------------------------------------------------------


EVENT_CASES = [
    ("submitted", REVIEWER + COUNCIL, "review_detail"),
    ("returned", AGENCY, "assessment_detail"),
    ("reopened", AGENCY, "assessment_detail"),
    ("reviewed", COUNCIL, "review_detail"),
    ("approved", AGENCY, "assessment_detail"),
    ("explained", REVIEWER, "review_detail"),
    ("answered", AGENCY, "assessment_detail"),
    ("reminder", AGENCY, "assessment_detail"),
]
CONTEXT = {"reason": "Bổ sung minh chứng tiêu chí 1.1", "deadline": "31/03/2026"}


def test_every_event_is_covered():
    assert sorted(event for event, _to, _page in EVENT_CASES) == sorted(EVENTS)


@pytest.mark.django_db
@pytest.mark.parametrize(("event", "expected", "page"), EVENT_CASES)
def test_each_event_reaches_the_right_people(
    people, event, expected, page, mailoutbox, django_capture_on_commit_callbacks
):
    users, assessment = people

    with django_capture_on_commit_callbacks(execute=True):
        sent = notify(event, assessment=fresh(assessment), actor=users["council"], **CONTEXT)

    assert sent == len(expected)
    assert addresses(mailoutbox) == sorted(expected)
    assert all(len(message.to) == 1 for message in mailoutbox)
    assert {message.from_email for message in mailoutbox} == {settings.DEFAULT_FROM_EMAIL}


@pytest.mark.django_db
@pytest.mark.parametrize(("event", "expected", "page"), EVENT_CASES)
def test_each_event_links_to_its_page(
    people, event, expected, page, mailoutbox, django_capture_on_commit_callbacks
):
    users, assessment = people

    with django_capture_on_commit_callbacks(execute=True):
        notify(event, assessment=fresh(assessment), actor=users["council"], **CONTEXT)

    link = SITE + reverse(page, args=[assessment.pk])
    assert link.startswith(f"{SITE}/") and f"{SITE}//" not in link
    for message in mailoutbox:
        assert link in message.body


@pytest.mark.django_db
@pytest.mark.parametrize(("event", "expected", "page"), EVENT_CASES)
def test_each_event_names_the_agency_and_the_period(
    people, event, expected, page, mailoutbox, django_capture_on_commit_callbacks
):
    users, assessment = people
    subject, sentence, _roles, _page = EVENTS[event]
    values = {"agency": "Sở Nội vụ", "period": "Chỉ số CCHC năm 2025", **CONTEXT}

    with django_capture_on_commit_callbacks(execute=True):
        notify(event, assessment=fresh(assessment), actor=users["council"], **CONTEXT)

    for message in mailoutbox:
        assert message.subject == vietnamese(subject) % values
        assert vietnamese(sentence) % values in message.body
        assert "Chỉ số CCHC năm 2025" in message.subject
        assert "Sở Nội vụ" in message.body
    if event in ("returned", "reopened"):
        assert all(CONTEXT["reason"] in m.body for m in mailoutbox)
    if event == "reminder":
        assert all("31/03/2026" in m.subject for m in mailoutbox)


@pytest.mark.django_db
def test_each_person_is_greeted_by_name(people, mailoutbox, django_capture_on_commit_callbacks):
    users, assessment = people

    with django_capture_on_commit_callbacks(execute=True):
        notify("approved", assessment=fresh(assessment), actor=users["council"])

    with override("vi"):
        greetings = {
            "canbo_snv@example.gov.vn": gettext("Dear %(name)s,") % {"name": "Lê Văn Cường"},
            "lanhdao_snv@example.gov.vn": gettext("Dear %(name)s,") % {"name": "Phạm Dũng"},
        }
    assert {m.to[0]: m.body.splitlines()[0] for m in mailoutbox} == greetings


@pytest.mark.django_db
def test_without_an_assigned_reviewer_nobody_is_told(people, mailoutbox, django_capture_on_commit_callbacks):
    users, assessment = people
    Assessment.objects.filter(pk=assessment.pk).update(reviewer=None)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sent = notify("explained", assessment=fresh(assessment), actor=users["head"])

    assert (sent, callbacks, mailoutbox) == (0, [], [])


@pytest.mark.django_db
def test_an_inactive_reviewer_is_not_told(people, mailoutbox, django_capture_on_commit_callbacks):
    users, assessment = people
    users["reviewer"].is_active = False
    users["reviewer"].save()

    with django_capture_on_commit_callbacks(execute=True):
        sent = notify("submitted", assessment=fresh(assessment), actor=users["head"])

    assert sent == 2
    assert addresses(mailoutbox) == COUNCIL


# --- language -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_mail_is_in_vietnamese_whatever_the_senders_language(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    users, assessment = people

    with override("en"), django_capture_on_commit_callbacks(execute=True):
        notify("returned", assessment=fresh(assessment), actor=users["reviewer"], reason="Thiếu minh chứng")

    subject = EVENTS["returned"][0]
    for message in mailoutbox:
        assert message.subject == vietnamese(subject) % {"period": "Chỉ số CCHC năm 2025"}
    with override("vi"):
        greeting = gettext("Dear %(name)s,") % {"name": "Lê Văn Cường"}
    assert greeting != "Dear Lê Văn Cường,", "the catalogue translates the greeting"
    assert [m.body.splitlines()[0] for m in mailoutbox if m.to == ["canbo_snv@example.gov.vn"]] == [greeting]


@pytest.mark.django_db
def test_the_publication_mail_is_in_vietnamese_whatever_the_councils_language(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    """Every other notification is rendered in settings.LANGUAGE_CODE; the publication's
    must be too, not in the language of the council member who clicked "publish"."""
    users, assessment = people
    period = assessment.period
    criterion = CriterionFactory(period=period, code="1", max_points="100", method=Method.NUMBER)
    ScoreFactory(assessment=assessment, criterion=criterion, final_score="95")
    other = Assessment.objects.exclude(pk=assessment.pk).get()
    ScoreFactory(assessment=other, criterion=criterion, final_score="80")
    period.phase = Phase.FINALIZATION
    period.save()
    results_compute_by(user=users["council"], period=period)
    results_approve(user=users["council"], period=period)

    with override("en"), django_capture_on_commit_callbacks(execute=True):
        period_publish(user=users["council"], period=period)

    with override("vi"):
        greeting = gettext("Dear %(name)s,") % {"name": "Lê Văn Cường"}
        subject = gettext("The results of %(period)s are published") % {"period": "Chỉ số CCHC năm 2025"}
    officer_mail = [m for m in mailoutbox if m.to == ["canbo_snv@example.gov.vn"]]
    assert len(officer_mail) == 1
    assert officer_mail[0].subject == subject
    assert officer_mail[0].body.splitlines()[0] == greeting
    assert SITE + reverse("public_results", args=["CCHC-2025"]) in officer_mail[0].body


# --- after commit only --------------------------------------------------------------------------


@pytest.mark.django_db
def test_nothing_leaves_before_the_commit(people, mailoutbox, django_capture_on_commit_callbacks):
    users, assessment = people

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify("approved", assessment=fresh(assessment), actor=users["council"])

    assert len(callbacks) == 1
    assert mailoutbox == []
    callbacks[0]()
    assert addresses(mailoutbox) == AGENCY


@pytest.mark.django_db
def test_a_rolled_back_change_sends_nothing(people, mailoutbox, django_capture_on_commit_callbacks):
    users, assessment = people

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify("approved", assessment=fresh(assessment), actor=users["council"])
        raise RuntimeError("the rest of the change failed")

    assert callbacks == []
    assert mailoutbox == []


@pytest.mark.django_db
def test_a_submission_that_fails_later_sends_nothing(people, mailoutbox, django_capture_on_commit_callbacks):
    users, assessment = people
    period = assessment.period
    period.phase = Phase.SELF_ASSESSMENT
    period.save()
    leaf = CriterionFactory(period=period, code="1", max_points="10")
    score_self_set(
        user=users["officer"], assessment=fresh(assessment), criterion_id=leaf.id, value=Decimal("5")
    )

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        assessment_submit(user=users["head"], assessment=fresh(assessment))
        raise RuntimeError("the request failed after the submission")

    assert (callbacks, mailoutbox) == ([], [])
    assert fresh(assessment).status == AssessmentStatus.DRAFT


@pytest.mark.django_db(transaction=True)
def test_mail_leaves_when_the_transaction_commits(people, mailoutbox):
    users, assessment = people

    with transaction.atomic():
        notify("submitted", assessment=fresh(assessment), actor=users["head"])
        Assessment.objects.filter(pk=assessment.pk).update(submitted_at=timezone.now())
        assert mailoutbox == []

    assert addresses(mailoutbox) == sorted(REVIEWER + COUNCIL)


# --- a mail server that fails, names that would break a header ---------------------------------


UNDELIVERED = (
    "The change is saved, but its e-mail notification could not be sent. Please tell "
    "the people concerned directly; the administrator can find the cause in the log."
)


class UnreachableServer(BaseEmailBackend):
    """The mail server is down: every send fails as smtplib's does."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPConnectError(421, "4.3.2 Service not available")


@pytest.mark.django_db(transaction=True)
def test_a_mail_failure_after_a_submission_keeps_it_and_warns(people, client, settings, caplog):
    settings.EMAIL_BACKEND = f"{__name__}.UnreachableServer"
    users, assessment = people
    period = assessment.period
    period.phase = Phase.SELF_ASSESSMENT
    period.save()
    leaf = CriterionFactory(period=period, code="1", max_points="10")
    score_self_set(
        user=users["officer"], assessment=fresh(assessment), criterion_id=leaf.id, value=Decimal("5")
    )
    client.force_login(users["head"])

    response = client.post(reverse("assessment_submit", args=[assessment.pk]), follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [(reverse("assessment_detail", args=[assessment.pk]), 302)]
    page = response.content.decode()
    assert catalogue("The self-assessment was submitted. It is now read-only.") in page
    assert [(m.level_tag, str(m)) for m in response.context["messages"]] == [
        ("success", catalogue("The self-assessment was submitted. It is now read-only.")),
        ("warning", catalogue(UNDELIVERED)),
    ]
    assert fresh(assessment).status == AssessmentStatus.SUBMITTED
    failures = [r for r in caplog.records if r.name == "ranking.notifications"]
    assert [(r.levelname, r.exc_info[0]) for r in failures] == [("ERROR", smtplib.SMTPConnectError)]
    subject = vietnamese(EVENTS["submitted"][0]) % {"agency": "Sở Nội vụ", "period": "Chỉ số CCHC năm 2025"}
    assert failures[0].getMessage() == f"Notification e-mail not sent: {subject}"


@pytest.mark.django_db(transaction=True)
def test_a_mail_failure_after_publishing_keeps_the_publication_and_warns(people, client, settings):
    settings.EMAIL_BACKEND = f"{__name__}.UnreachableServer"
    users, assessment = people
    period = assessment.period
    leaf = CriterionFactory(period=period, code="1", max_points="10", method=Method.NUMBER)
    for each in Assessment.objects.filter(period=period):
        ScoreFactory(assessment=each, criterion=leaf, self_score=8, reviewed_score=8, final_score=8)
    Assessment.objects.filter(period=period).update(status=AssessmentStatus.FINALIZED)
    period.phase = Phase.FINALIZATION
    period.save()
    results_compute_by(user=users["council"], period=period)
    results_approve(user=users["council"], period=period)
    client.force_login(users["council"])

    response = client.post(reverse("period_publish", args=[period.code]), follow=True)

    assert response.status_code == 200
    assert [(m.level_tag, str(m)) for m in response.context["messages"]] == [
        (
            "success",
            catalogue("The results of %(period)s are published (version %(version)d).")
            % {"period": "Chỉ số CCHC năm 2025", "version": 1},
        ),
        ("warning", catalogue(UNDELIVERED)),
    ]
    period.refresh_from_db()
    assert (period.phase, period.version) == (Phase.PUBLISHED, 1)


@pytest.mark.django_db(transaction=True)
def test_reminders_that_cannot_be_sent_end_the_command_with_an_error(people, settings):
    settings.EMAIL_BACKEND = f"{__name__}.UnreachableServer"
    users, assessment = people
    period = assessment.period
    period.phase = Phase.SELF_ASSESSMENT
    period.self_assessment_deadline = timezone.localdate()
    period.save()
    out = io.StringIO()

    with override("en"), pytest.raises(CommandError) as refused:
        call_command("send_reminders", stdout=out)

    # SNV's officer and head, and STC's officer: three reminders queued, none sent.
    assert out.getvalue() == "3 reminder e-mails queued.\n"
    assert str(refused.value) == "3 reminder e-mails could not be sent; the log says why."


def catalogue(msgid: str) -> str:
    with override("vi"):
        return gettext(msgid)


def decoded(header: str) -> str:
    return str(make_header(decode_header(header)))


HEADERS = sorted(
    [
        "Content-Type",
        "MIME-Version",
        "Content-Transfer-Encoding",
        "Subject",
        "From",
        "To",
        "Date",
        "Message-ID",
    ]
)
HEADER_BREAKERS = ["\r\n", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029", "\t"]


@pytest.mark.django_db
@pytest.mark.parametrize("breaker", HEADER_BREAKERS, ids=[repr(b) for b in HEADER_BREAKERS])
def test_line_breaks_in_names_never_reach_a_mail_header(
    breaker, people, mailoutbox, django_capture_on_commit_callbacks
):
    users, assessment = people
    # Stored past the input's cleaning (rows written before it, or by hand in the database).
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Agency._meta.db_table} SET name = %s WHERE id = %s",
            [f"Sở Nội vụ{breaker}Bcc: ke.gian@example.com", assessment.agency_id],
        )
        cursor.execute(
            f"UPDATE {Period._meta.db_table} SET name = %s WHERE id = %s",
            [f"Chỉ số CCHC{breaker}năm 2025", assessment.period_id],
        )

    with django_capture_on_commit_callbacks(execute=True):
        notify("submitted", assessment=fresh(assessment), actor=users["head"])

    assert addresses(mailoutbox) == sorted(REVIEWER + COUNCIL)
    expected = vietnamese(EVENTS["submitted"][0]) % {
        "agency": "Sở Nội vụ Bcc: ke.gian@example.com",
        "period": "Chỉ số CCHC năm 2025",
    }
    for message in mailoutbox:
        assert message.subject == expected
        # As the receiving server reads it: the one subject, no header smuggled in.
        received = email.message_from_bytes(message.message().as_bytes())
        assert decoded(received["Subject"]) == expected
        assert sorted(received.keys()) == HEADERS
        assert received["To"] == message.to[0]


@pytest.mark.django_db
def test_the_publication_subject_is_one_line_too(people, mailoutbox, django_capture_on_commit_callbacks):
    users, assessment = people
    period = Period.objects.get(pk=assessment.period_id)
    period.name = "Chỉ số CCHC\r\nnăm 2025"

    with django_capture_on_commit_callbacks(execute=True):
        notify_period("published", period=period, users=[users["officer"]])

    expected = vietnamese(PERIOD_EVENTS["published"][0]) % {"period": "Chỉ số CCHC năm 2025"}
    assert [message.subject for message in mailoutbox] == [expected]
    received = email.message_from_bytes(mailoutbox[0].message().as_bytes())
    assert (decoded(received["Subject"]), sorted(received.keys())) == (expected, HEADERS)
