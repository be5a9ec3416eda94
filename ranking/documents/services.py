"""Writes of the official documents: the decision recorded on a publication."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from ranking.errors import ServiceError, recorded
from ranking.models import Period, Publication
from ranking.results.finalization import period_locked
from ranking.results.publications import latest_publication
from ranking.rules import require


@transaction.atomic
def publication_decision_set(
    *,
    user: User,
    period: Period,
    number: str,
    date: datetime.date | None,
    signer_name: str,
    signer_title: str,
) -> Publication:
    """Record the decision announcing the period's published version (number, date, signer).

    Only while the period is published: a reopened period's next version gets its own decision.
    The publication's history keeps who recorded what, and what it said before.
    """
    period = period_locked(period)
    require(user, "ranking.record_decision", period)
    publication = latest_publication(period=period)
    if publication is None:
        raise ServiceError(_("This period has no published version to record a decision for."))
    number, signer_name, signer_title = number.strip(), signer_name.strip(), signer_title.strip()
    problems = []
    if not number:
        problems.append(_("Enter the decision number."))
    if date is None:
        problems.append(_("Enter the date of the decision."))
    if not signer_name:
        problems.append(_("Enter the name of the signer."))
    if not signer_title:
        problems.append(_("Enter the title of the signer."))
    if problems:
        raise ServiceError(*problems)
    publication.decision_number = number
    publication.decision_date = date
    publication.signer_name = signer_name
    publication.signer_title = signer_title
    publication._history_user = user
    publication._change_reason = recorded(
        gettext_noop("Decision recorded for version %(version)d"), {"version": publication.version}
    )
    publication.save(update_fields=["decision_number", "decision_date", "signer_name", "signer_title"])
    return publication
