"""Send the daily digest e-mails of the people who chose them (run once a day from cron)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ranking.notifications import digests_send


class Command(BaseCommand):
    help = (
        "E-mail every person who chose the daily digest the submissions, explanations and completed "
        "appraisals that reached them since the last digest, in one e-mail each."
    )

    def handle(self, *args, **options):
        sent, failed = digests_send()
        self.stdout.write(
            ngettext("%(count)d digest e-mail sent.", "%(count)d digest e-mails sent.", sent)
            % {"count": sent}
        )
        if failed:
            # A non-zero exit, so that cron reports it; the items wait for the next run.
            raise CommandError(
                ngettext(
                    "%(count)d digest e-mail could not be sent; the log says why.",
                    "%(count)d digest e-mails could not be sent; the log says why.",
                    failed,
                )
                % {"count": failed}
            )
        if not sent:
            self.stdout.write(_("Nobody has anything waiting."))
