from datetime import date

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from portal.programs.review.services import open_due_reviews


class Command(BaseCommand):
    help = ("Dynamic management sweep (what Celery beat runs): open reviews for recorded deaths, enrol approved "
            "低保/特困 cases not yet scheduled, open the reviews that are due. Safe to run again.")

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="day", default="", help="treat this day (YYYY-MM-DD) as today for due dates")
        parser.add_argument("--limit", type=int, default=500, help="at most this many cases per step")
        parser.add_argument("--actor", default="", help="the user name recorded as opening the reviews")

    def handle(self, *args, day: str, limit: int, actor: str, **options):
        today = _parse_date(day)
        user = None
        if actor:
            user = get_user_model().objects.filter(username=actor).first()
            if user is None:
                raise CommandError(f"no user named {actor!r}")
        with translation.override("zh-hans"):
            result = open_due_reviews(today=today, actor=user, limit=limit)
            summary = _("成员死亡启动核查 %(deaths)d 件，纳入动态管理 %(enrolled)d 件，启动定期核查 %(opened)d 件，"
                        "失败 %(failed)d 件")
            self.stdout.write(summary % {"deaths": len(result.death_reviews), "enrolled": result.enrolled,
                                         "opened": len(result.opened), "failed": len(result.failed)})
            for key in result.death_reviews + result.opened:
                self.stdout.write(f"  {key}")
            for key in result.failed:
                self.stderr.write(_("  失败：%(case)s（见日志）") % {"case": key})


def _parse_date(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date should be YYYY-MM-DD, got {value!r}") from None
