"""Township reserve funds (备用金): top-ups and emergency aid payments, each under a row lock.

Every change locks the fund's row (``select_for_update``), checks and moves the balance and appends a
ledger entry in one transaction, so two payments at once cannot both spend the same money, and the
balance never goes below zero (a database constraint backs the check). Each movement is written to the
audit chain: the case's chain when it happens inside a process step, the system chain otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from engine import audit
from engine.actors import actor_label
from portal.cases.models import Case, Jurisdiction

from .models import ReserveFund, ReserveFundEntry

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("100000000")


class FundError(Exception):
    """The movement is refused (unknown township, bad amount); nothing was changed."""


@dataclass(frozen=True)
class Payment:
    paid: bool
    amount: Decimal
    balance: Decimal
    shortfall: Decimal
    entry: ReserveFundEntry | None = None


def money(value: Any) -> Decimal:
    """A positive amount of yuan, rounded half-up to the fen."""
    if isinstance(value, bool):
        raise FundError(_("金额应为正数"))
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise FundError(_("金额应为正数")) from None
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT:
        raise FundError(_("金额应为正数且不超过一亿元"))
    return amount


def _locked_fund(township_code: str) -> ReserveFund:
    township = Jurisdiction.objects.filter(code=township_code, level=Jurisdiction.Level.TOWNSHIP).first()
    if township is None:
        raise FundError(_("没有区划代码为 %(code)s 的乡镇（街道）") % {"code": township_code})
    ReserveFund.objects.get_or_create(township=township)
    return ReserveFund.objects.select_for_update().select_related("township").get(pk=township.code)


def _record(kind: str, payload: dict[str, Any], actor: Any, record_event: Callable[..., Any] | None) -> None:
    if record_event is not None:
        record_event(kind, payload, actor)
    else:
        audit.append(kind, actor=actor, payload=payload)


def _entry(fund: ReserveFund, kind: str, amount: Decimal, *, case: Case | None, actor: Any,
           reason: str) -> ReserveFundEntry:
    return ReserveFundEntry.objects.create(
        fund=fund, kind=kind, amount=amount, balance_after=fund.balance, case=case,
        actor=actor if getattr(actor, "pk", None) else None, actor_label=actor_label(actor), reason=reason,
    )


def _payload(entry: ReserveFundEntry, case: Case | None) -> dict[str, Any]:
    return {"entry_id": entry.pk, "township": entry.fund_id, "kind": entry.kind, "amount": str(entry.amount),
            "balance": str(entry.balance_after), "business_key": case.business_key if case else "",
            "reason": entry.reason}


def top_up(township_code: str, amount: Any, *, actor: Any, reason: str, case: Case | None = None,
           record_event: Callable[..., Any] | None = None) -> ReserveFundEntry:
    """Add ``amount`` to the township's fund (created at zero the first time)."""
    value = money(amount)
    reason = reason.strip()
    if not reason:
        raise FundError(_("拨付备用金须写明事由"))
    with transaction.atomic():
        fund = _locked_fund(township_code)
        fund.balance += value
        fund.save(update_fields=["balance", "updated_at"])
        entry = _entry(fund, ReserveFundEntry.Kind.TOP_UP, value, case=case, actor=actor, reason=reason)
        _record("reserve_fund.topped_up", _payload(entry, case), actor, record_event)
    return entry


def pay(township_code: str, amount: Any, *, case: Case, actor: Any, reason: str,
        record_event: Callable[..., Any] | None = None) -> Payment:
    """Pay ``amount`` from the township's fund if the balance covers it; otherwise change nothing and report
    the shortfall (paying beyond the balance needs the county's approval and a top-up first)."""
    value = money(amount)
    with transaction.atomic():
        fund = _locked_fund(township_code)
        if fund.balance < value:
            return Payment(paid=False, amount=value, balance=fund.balance, shortfall=value - fund.balance)
        fund.balance -= value
        fund.save(update_fields=["balance", "updated_at"])
        entry = _entry(fund, ReserveFundEntry.Kind.PAYMENT, value, case=case, actor=actor, reason=reason)
        _record("reserve_fund.paid", _payload(entry, case), actor, record_event)
    return Payment(paid=True, amount=value, balance=fund.balance, shortfall=Decimal(0), entry=entry)


def balance(township_code: str) -> Decimal:
    fund = ReserveFund.objects.filter(pk=township_code).first()
    return fund.balance if fund else Decimal(0)
