"""E-mail notifications of the year's steps, sent once the change is committed.

Mail never undoes or breaks the change it reports: it leaves after the commit, and a failure
to send is logged and collected for the page to warn about (see `undelivered_mail`).
"""

import logging
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import groupby

from django.conf import settings
from django.core.mail import EmailMessage, get_connection, send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import AGENCY_ROLES, Role, User
from ranking.models import DigestItem

# event → (subject, sentence, who receives it, the page the link opens)
EVENTS = {
    "submitted": (
        _("%(agency)s submitted its self-assessment (%(period)s)"),
        _("%(agency)s submitted its self-assessment for %(period)s. It is ready for appraisal."),
        ("reviewer", "council"),
        "review_detail",
    ),
    "returned": (
        _("Your self-assessment was returned for correction (%(period)s)"),
        _("The reviewer returned the self-assessment of %(agency)s for correction: %(reason)s"),
        ("agency",),
        "assessment_detail",
    ),
    "reopened": (
        _("Your self-assessment was reopened (%(period)s)"),
        _("The appraisal council reopened the self-assessment of %(agency)s: %(reason)s"),
        ("agency",),
        "assessment_detail",
    ),
    "reviewed": (
        _("Appraisal of %(agency)s complete (%(period)s)"),
        _("The appraisal of %(agency)s for %(period)s is complete and awaits the council's approval."),
        ("council",),
        "review_detail",
    ),
    "approved": (
        _("The appraisal of your self-assessment is available (%(period)s)"),
        _(
            "The appraisal of %(agency)s for %(period)s has been approved. You can read the reviewed "
            "scores and comments and, where you disagree, write an explanation before the deadline."
        ),
        ("agency",),
        "assessment_detail",
    ),
    "explained": (
        _("%(agency)s submitted its explanation (%(period)s)"),
        _("%(agency)s submitted an explanation for %(period)s. It awaits your decision."),
        ("reviewer",),
        "review_detail",
    ),
    "answered": (
        _("Your explanation has been answered (%(period)s)"),
        _("The reviewer decided on every explanation of %(agency)s for %(period)s."),
        ("agency",),
        "assessment_detail",
    ),
    "reminder": (
        _("Reminder: the deadline of %(period)s is %(deadline)s"),
        _("%(agency)s still has work to finish for %(period)s before %(deadline)s."),
        ("agency",),
        "assessment_detail",
    ),
}


# The events that bring work to someone: a person who chose the daily digest receives these in
# it. Their sentences need nothing but the agency and the period, which the digest reads back.
DIGEST_EVENTS = ("submitted", "explained", "reviewed")

logger = logging.getLogger(__name__)

# The subjects of the notifications that could not be sent, while `undelivered_mail` collects.
_undelivered: ContextVar[list[str] | None] = ContextVar("undelivered_mail", default=None)


@contextmanager
def undelivered_mail() -> Iterator[list[str]]:
    """Collect the subjects of the notifications that fail to leave while the block runs."""
    failed: list[str] = []
    token = _undelivered.set(failed)
    try:
        yield failed
    finally:
        _undelivered.reset(token)


def header_line(text: str) -> str:
    """`text` as one line for a mail header: line breaks, tabs and other control characters
    (in names typed or imported with them) become single spaces."""
    spaced = "".join(" " if unicodedata.category(char) in ("Cc", "Zl", "Zp") else char for char in text)
    return " ".join(spaced.split())


def send_after_commit(messages: list[tuple[str, str, str, list[str]]]) -> None:
    """Send `messages` once the transaction commits; a failure is logged, never raised."""

    def send() -> None:
        try:
            send_mass_mail(messages, fail_silently=False)
        except Exception:
            # The change is committed: the person who made it learns that the mail did not
            # leave (a warning on the page), the administrator finds why in the log.
            subjects = [subject for subject, _body, _sender, _to in messages]
            logger.exception("Notification e-mail not sent: %s", "; ".join(sorted(set(subjects))))
            failed = _undelivered.get()
            if failed is not None:
                failed.extend(subjects)

    transaction.on_commit(send)


def recipients(roles: tuple[str, ...], assessment) -> list[User]:
    people: dict[int, User] = {}
    if "agency" in roles:
        for user in User.objects.filter(
            agency_id=assessment.agency_id, role__in=AGENCY_ROLES, is_active=True
        ):
            people[user.id] = user
    if "reviewer" in roles and assessment.reviewer_id:
        reviewer = User.objects.filter(pk=assessment.reviewer_id, is_active=True).first()
        if reviewer:
            people[reviewer.id] = reviewer
    if "council" in roles:
        for user in User.objects.filter(role=Role.COUNCIL, is_active=True):
            people[user.id] = user
    return [user for user in people.values() if user.email]


def notify(event: str, *, assessment, actor: User | None = None, **context) -> int:
    """Queue the e-mail of `event` about `assessment`; it leaves after the transaction commits.

    People who chose the daily digest find the events that bring them work in it instead: they
    are kept in the same transaction as the change. Returns how many people are told."""
    subject, sentence, roles, page = EVENTS[event]
    people = recipients(roles, assessment)
    if event in DIGEST_EVENTS:
        digest = [user for user in people if user.daily_digest]
        DigestItem.objects.bulk_create(
            DigestItem(user=user, assessment=assessment, event=event) for user in digest
        )
        people = [user for user in people if not user.daily_digest]
    else:
        digest = []
    if not people:
        return len(digest)
    with translation.override(settings.LANGUAGE_CODE):
        values = {"agency": assessment.agency.name, "period": assessment.period.name, **context}
        link = event_link(page, assessment)
        messages = [
            (
                header_line(str(subject) % values),
                render_to_string(
                    "emails/notification.txt",
                    {"user": user, "sentence": str(sentence) % values, "link": link, "actor": actor},
                ),
                settings.DEFAULT_FROM_EMAIL,
                [user.email],
            )
            for user in people
        ]
    send_after_commit(messages)
    return len(messages) + len(digest)


def event_link(page: str, assessment) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(page, args=[assessment.pk])


def digests_send() -> tuple[int, int]:
    """Send each person's waiting notifications as one e-mail; returns (sent, not sent).

    An item is deleted only once the e-mail listing it has left: a failure keeps it for the
    next run. Items of people who left (inactive, no e-mail) are dropped.
    """
    items = DigestItem.objects.select_related("user", "assessment__agency", "assessment__period").order_by(
        "user_id", "created_at", "id"
    )
    sent = failed = 0
    connection = get_connection()
    with translation.override(settings.LANGUAGE_CODE):
        for _user_id, group in groupby(items, key=lambda item: item.user_id):
            pending = list(group)
            user = pending[0].user
            if not (user.is_active and user.email):
                DigestItem.objects.filter(pk__in=[item.pk for item in pending]).delete()
                continue
            lines: list[tuple[str, str]] = []
            for item in pending:
                _subject, sentence, _roles, page = EVENTS[item.event]
                values = {"agency": item.assessment.agency.name, "period": item.assessment.period.name}
                line = (str(sentence) % values, event_link(page, item.assessment))
                if line not in lines:
                    lines.append(line)
            subject = ngettext(
                "Daily digest %(date)s: %(count)d update",
                "Daily digest %(date)s: %(count)d updates",
                len(lines),
            ) % {"date": timezone.localdate().strftime("%d/%m/%Y"), "count": len(lines)}
            body = render_to_string("emails/digest.txt", {"user": user, "lines": lines})
            message = EmailMessage(
                header_line(subject), body, settings.DEFAULT_FROM_EMAIL, [user.email], connection=connection
            )
            try:
                message.send(fail_silently=False)
            except Exception:
                logger.exception("Daily digest e-mail not sent to user %s", user.pk)
                failed += 1
                continue
            DigestItem.objects.filter(pk__in=[item.pk for item in pending]).delete()
            sent += 1
    return sent, failed


PERIOD_EVENTS = {
    "published": (
        _("The results of %(period)s are published"),
        _("The results and the certificate-of-merit list of %(period)s have been published."),
    ),
}


def notify_period(event: str, *, period, users) -> int:
    """One e-mail to each of `users` about a period (publication), in the site's language."""
    people = [user for user in users if user.email]
    if not people:
        return 0
    subject, sentence = PERIOD_EVENTS[event]
    link = settings.SITE_URL.rstrip("/") + reverse("public_results", args=[period.code])
    with translation.override(settings.LANGUAGE_CODE):
        values = {"period": period.name}
        messages = [
            (
                header_line(str(subject) % values),
                render_to_string(
                    "emails/notification.txt",
                    {"user": user, "sentence": str(sentence) % values, "link": link},
                ),
                settings.DEFAULT_FROM_EMAIL,
                [user.email],
            )
            for user in people
        ]
    send_after_commit(messages)
    return len(messages)
