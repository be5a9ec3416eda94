"""E-mail notifications of the year's steps, sent once the change is committed.

Mail never undoes or breaks the change it reports: it leaves after the commit, and a failure
to send is logged and collected for the page to warn about (see `undelivered_mail`).
"""

import logging
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import AGENCY_ROLES, Role, User

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
    """Queue the e-mail of `event` about `assessment`; it leaves after the transaction commits."""
    subject, sentence, roles, page = EVENTS[event]
    people = recipients(roles, assessment)
    if not people:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        values = {"agency": assessment.agency.name, "period": assessment.period.name, **context}
        link = settings.SITE_URL.rstrip("/") + reverse(page, args=[assessment.pk])
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
    return len(messages)


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
