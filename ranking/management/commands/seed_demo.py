import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from ranking.demo import builder as demo
from ranking.demo import data
from ranking.enums import AssessmentStatus


class Command(BaseCommand):
    help = (
        "Create the demonstration city year (groups, agencies, users, the published 2025 year and "
        "the 2026 year in progress). Does nothing when the demo exists; prints the demo logins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="delete the demo's data first, then build it again"
        )

    def handle(self, *args, reset: bool, **options):
        started = time.monotonic()
        with transaction.atomic():
            if reset:
                demo.demo_reset()
            state = demo.demo_state()
            if state == demo.INCOMPLETE:
                raise CommandError(
                    _("Part of the demo data exists already; run “seed_demo --reset” to build it again.")
                )
            summary = demo.demo_build() if state == demo.ABSENT else None

        if summary is None:
            self.stdout.write(_("The demo data exists already; nothing was changed."))
        else:
            self.write_summary(summary, time.monotonic() - started)
        self.write_logins()

    def write_summary(self, summary: demo.DemoSummary, seconds: float) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo data created in %(seconds).1f s: %(groups)d groups, %(agencies)d agencies, "
                    "%(users)d users, %(periods)d periods, %(assessments)d assessments, %(scores)d scores."
                )
                % {
                    "seconds": seconds,
                    "groups": summary.groups,
                    "agencies": summary.agencies,
                    "users": summary.users,
                    "periods": summary.periods,
                    "assessments": summary.assessments,
                    "scores": summary.scores,
                }
            )
        )
        awards = demo.award_counts()
        for computed in summary.computed:
            self.stdout.write(
                f"{computed.period.name} — {computed.agencies} đơn vị, "
                f"{awards.get(computed.period.code, 0)} Bằng khen:"
            )
            for group, counts in computed.tier_counts:
                self.stdout.write(f"  {group.name}: " + ", ".join(f"{label} {n}" for label, n in counts))
        for code, counts in summary.statuses.items():
            self.stdout.write(
                f"{code}: "
                + ", ".join(f"{AssessmentStatus(status).label} {n}" for status, n in sorted(counts.items()))
            )

    def write_logins(self) -> None:
        logins = demo.demo_logins()
        width = max([len(login.username) for login in logins] + [14]) + 2
        self.stdout.write("")
        self.stdout.write(f"Tài khoản dùng thử (mật khẩu chung: {data.DEMO_PASSWORD})")
        self.stdout.write(f"  {'Tên đăng nhập':<{width}}{'Mật khẩu':<12}{'Vai trò':<24}Đơn vị")
        for login in logins:
            self.stdout.write(
                f"  {login.username:<{width}}{data.DEMO_PASSWORD:<12}{login.role:<24}{login.agency}".rstrip()
            )
        officer, head = demo.agency_usernames("Q-HC")
        self.stdout.write(
            f"  Mỗi đơn vị còn có tài khoản canbo.<mã đơn vị> và lanhdao.<mã đơn vị> "
            f"(ví dụ {officer}, {head}), cùng mật khẩu."
        )
