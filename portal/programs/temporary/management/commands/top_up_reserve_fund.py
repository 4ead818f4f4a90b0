"""``manage.py top_up_reserve_fund TOWNSHIP AMOUNT --reason TEXT [--user NAME]``: allocate money to a
township's temporary assistance reserve fund (备用金). The ledger entry and the audit event name who did it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from portal.programs.temporary.funds import FundError, top_up


class Command(BaseCommand):
    help = "Top up a township's temporary assistance reserve fund (备用金) with a reason; recorded in its ledger."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("township", help="the township's 9-digit code, e.g. 522601101")
        parser.add_argument("amount", help="yuan, e.g. 20000 or 1500.50")
        parser.add_argument("--reason", required=True, help="why, e.g. the county's allocation document")
        parser.add_argument("--user", default="", help="the staff user who allocates it (username)")

    def handle(self, *args: Any, township: str, amount: str, reason: str, user: str, **options: Any) -> None:
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"no user named {user!r}")
        with translation.override("zh-hans"):
            try:
                entry = top_up(township, amount, actor=actor, reason=reason)
            except FundError as err:
                raise CommandError(str(err)) from None
            self.stdout.write(_("%(township)s 备用金拨付 %(amount)s 元，余额 %(balance)s 元（记录 %(entry)d）") % {
                "township": entry.fund.township.name, "amount": entry.amount, "balance": entry.balance_after,
                "entry": entry.pk})
