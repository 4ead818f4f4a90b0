from datetime import date

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from portal.cases.models import Member
from portal.programs.review.services import DeathRefused, ReviewRefused, record_death


class Command(BaseCommand):
    help = ("Record a household member's death (in every household register listing the person) and open an "
            "immediate review of each approved 低保/特困 case of those households.")

    def add_arguments(self, parser):
        parser.add_argument("member", type=int, help="the member's id (Member primary key)")
        parser.add_argument("died_on", help="date of death, YYYY-MM-DD")
        parser.add_argument("--actor", required=True, help="the user name of the staff member recording it")

    def handle(self, *args, member: int, died_on: str, actor: str, **options):
        try:
            day = date.fromisoformat(died_on)
        except ValueError:
            raise CommandError(f"died_on should be YYYY-MM-DD, got {died_on!r}") from None
        person = Member.objects.filter(pk=member).first()
        if person is None:
            raise CommandError(f"no member with id {member}")
        user = get_user_model().objects.filter(username=actor).first()
        if user is None:
            raise CommandError(f"no user named {actor!r}")
        with translation.override("zh-hans"):
            try:
                reviews = record_death(person, day, actor=user)
            except (DeathRefused, ReviewRefused) as err:
                raise CommandError(str(err)) from None
            self.stdout.write(_("已登记 %(name)s 于 %(date)s 死亡；启动核查 %(count)d 件") % {
                "name": person.name, "date": day.isoformat(), "count": len(reviews)})
            for review in reviews:
                self.stdout.write(f"  {review.business_key}")
