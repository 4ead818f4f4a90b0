"""How a program pays, and how its amounts are worded: a standing benefit paid every month (低保, 特困) or a single
payment (医疗救助, 临时救助, 受灾人员救助). The kind is data of the program (``Program.payment``, loaded from
``data/programs.json``); pages, notices and records word an amount by it, never by the program's name."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Payment(models.TextChoices):
    MONTHLY = "monthly", _("按月发放")
    ONE_OFF = "one_off", _("一次性发放")


@dataclass(frozen=True)
class AmountWording:
    amount: Promise  # the decided amount on the case page
    proposed: Promise  # the column of a notice board
    unit: Promise  # after a bare figure
    payment_month: Promise  # the month it is paid (from)


WORDING = {
    Payment.MONTHLY: AmountWording(_("月保障金额（元）"), _("拟保障金额（元/月）"), _("元/月"), _("发放起始月份")),
    Payment.ONE_OFF: AmountWording(_("救助金额（元）"), _("拟救助金额（元）"), _("元（一次性）"), _("发放月份")),
}
# The heading of a column that holds both kinds: each amount then carries its own unit.
MIXED_PROPOSED = _("拟救助金额")


def wording(payment: str) -> AmountWording:
    return WORDING[Payment(payment)]


class AmountColumn(NamedTuple):
    heading: str
    units: bool  # whether each amount is followed by its unit


def proposed_amount_column(payments: Iterable[str]) -> AmountColumn:
    """The column of proposed amounts of the given payment kinds: amounts of one kind have the unit in the heading;
    monthly and one-off amounts side by side carry their own."""
    kinds = set(payments)
    if len(kinds) == 1:
        return AmountColumn(str(wording(kinds.pop()).proposed), False)
    return AmountColumn(str(MIXED_PROPOSED), bool(kinds))
