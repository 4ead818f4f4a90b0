"""Township reserve funds (备用金): top-ups, payments, the append-only ledger, the balance that cannot go
negative, the management command, and concurrent payments on PostgreSQL."""

from __future__ import annotations

import threading
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from engine.models import AuditEvent
from portal.programs.temporary import funds
from portal.programs.temporary.models import ReserveFund, ReserveFundEntry

from .conftest import TOWNSHIP

pytestmark = pytest.mark.django_db


def test_top_up_opens_the_fund_and_writes_the_ledger_and_the_audit_chain(kaili, make_user):
    admin = make_user("xianguan", "county_admin")
    entry = funds.top_up(TOWNSHIP, "2000", actor=admin, reason="2026年第一季度备用金")
    funds.top_up(TOWNSHIP, 500.5, actor=admin, reason="追加")
    assert funds.balance(TOWNSHIP) == Decimal("2500.50")
    assert (entry.kind, entry.amount, entry.balance_after, entry.actor, entry.case) == (
        "top_up", Decimal("2000.00"), Decimal("2000.00"), admin, None)
    event = AuditEvent.objects.filter(kind="reserve_fund.topped_up").order_by("seq").first()
    assert event.instance is None and event.actor == admin
    assert (event.payload["township"], event.payload["amount"], event.payload["balance"]) == (
        TOWNSHIP, "2000.00", "2000.00")


def test_payment_within_the_balance(case, make_user):
    caseworker = make_user("jingban", "township_caseworker")
    funds.top_up(TOWNSHIP, 1000, actor=None, reason="备用金")
    payment = funds.pay(TOWNSHIP, 999.99, case=case, actor=caseworker, reason="先行救助")
    assert (payment.paid, payment.balance, payment.shortfall) == (True, Decimal("0.01"), Decimal(0))
    assert (payment.entry.kind, payment.entry.case, payment.entry.actor_label) == ("payment", case, "jingban")
    assert AuditEvent.objects.filter(kind="reserve_fund.paid").get().payload["business_key"] == case.business_key


def test_payment_beyond_the_balance_changes_nothing(case):
    funds.top_up(TOWNSHIP, 300, actor=None, reason="备用金")
    payment = funds.pay(TOWNSHIP, 1000, case=case, actor=None, reason="先行救助")
    assert (payment.paid, payment.balance, payment.shortfall, payment.entry) == (
        False, Decimal("300.00"), Decimal("700.00"), None)
    assert funds.balance(TOWNSHIP) == Decimal("300.00")
    assert ReserveFundEntry.objects.count() == 1
    # A township without a fund has nothing to pay from.
    assert funds.pay("522601103", 10, case=case, actor=None, reason="先行救助").shortfall == Decimal("10.00")


@pytest.mark.parametrize("amount", [0, -5, "abc", True, float("nan"), "1e12"])
def test_amounts_must_be_positive(kaili, amount):
    with pytest.raises(funds.FundError):
        funds.top_up(TOWNSHIP, amount, actor=None, reason="备用金")
    assert not ReserveFund.objects.exists()


def test_only_townships_have_funds_and_top_ups_need_a_reason(kaili):
    with pytest.raises(funds.FundError, match="乡镇"):
        funds.top_up("522601", 100, actor=None, reason="备用金")
    with pytest.raises(funds.FundError, match="事由"):
        funds.top_up(TOWNSHIP, 100, actor=None, reason="  ")


def test_ledger_entries_are_append_only(kaili):
    entry = funds.top_up(TOWNSHIP, 100, actor=None, reason="备用金")
    entry.amount = Decimal("1000")
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()
    assert ReserveFundEntry.objects.get().amount == Decimal("100.00")


def test_the_database_refuses_a_negative_balance(kaili):
    funds.top_up(TOWNSHIP, 100, actor=None, reason="备用金")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReserveFund.objects.filter(pk=TOWNSHIP).update(balance=Decimal("-0.01"))
    assert funds.balance(TOWNSHIP) == Decimal("100.00")


def test_management_command_tops_up_with_a_reason(kaili, make_user):
    make_user("xianguan", "county_admin")
    out = StringIO()
    call_command("top_up_reserve_fund", TOWNSHIP, "20000", "--reason", "凯民发〔2026〕3号", "--user", "xianguan",
                 stdout=out)
    assert "舟溪镇 备用金拨付 20000.00 元，余额 20000.00 元" in out.getvalue()
    entry = ReserveFundEntry.objects.get()
    assert (entry.reason, entry.actor.username) == ("凯民发〔2026〕3号", "xianguan")
    with pytest.raises(CommandError, match="nobody"):
        call_command("top_up_reserve_fund", TOWNSHIP, "1", "--reason", "x", "--user", "nobody")
    with pytest.raises(CommandError, match="乡镇"):
        call_command("top_up_reserve_fund", "999999999", "1", "--reason", "x")
    with pytest.raises(CommandError):
        call_command("top_up_reserve_fund", TOWNSHIP, "1")  # no reason


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_never_overspend(integration, case):
    """Five payments of 300 at once from a fund of 1,000 on PostgreSQL: exactly three are paid."""
    funds.top_up(TOWNSHIP, 1000, actor=None, reason="备用金")
    barrier = threading.Barrier(5)
    results: list[bool] = []

    def pay() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(funds.pay(TOWNSHIP, 300, case=case, actor=None, reason="先行救助").paid)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [False, False, True, True, True]
    assert funds.balance(TOWNSHIP) == Decimal("100.00")
    balances = [e.balance_after for e in ReserveFundEntry.objects.filter(kind="payment").order_by("pk")]
    assert balances == [Decimal("700.00"), Decimal("400.00"), Decimal("100.00")]
