"""Mark failed the background jobs whose worker died (run from cron, e.g. every few minutes).

The job page does the same for the job it shows, and every worker before each task it takes;
this reaches the jobs nobody looks at while no worker runs.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from ranking.jobs import jobs_fail_dead


class Command(BaseCommand):
    help = (
        "Mark failed the running background jobs whose worker gave no sign of life for longer than "
        "JOBS_HEARTBEAT_TIMEOUT: the worker was killed or its server restarted, and nothing was written."
    )

    def handle(self, *args, **options):
        count = jobs_fail_dead()
        self.stdout.write(
            ngettext(
                "%(count)d job whose worker died was marked failed.",
                "%(count)d jobs whose worker died were marked failed.",
                count,
            )
            % {"count": count}
        )
