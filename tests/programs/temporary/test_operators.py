"""The temporary assistance operators called directly, outside a process: argument checks and the no-aid case."""

from __future__ import annotations

import pytest

from engine import operators
from engine.operators import OperatorContext, OperatorError

pytestmark = pytest.mark.django_db


def call(name: str, business_key: str = "TEMPORARY-20260302-000001", **arguments):
    events: list[tuple[str, dict]] = []
    context = OperatorContext(instance_id=None, process_key="temporary", jurisdiction="522601101200",
                              task_spec="", business_key=business_key,
                              record_event=lambda kind, payload, actor=None: events.append((kind, payload)))
    return operators.call(name, arguments, context), events


def test_offices_of_the_case(case):
    assert call("temporary_offices")[0] == {"township": "舟溪镇人民政府", "county": "凯里市民政局"}


def test_a_case_without_emergency_aid_has_nothing_to_settle_or_check(case):
    assert call("temporary_settle_emergency_aid", outcome="refused") == ({"settled": False, "note": ""}, [])
    assert call("temporary_check_paperwork") == ({"overdue": False}, [])


def test_argument_checks(case):
    with pytest.raises(OperatorError, match="outcome"):
        call("temporary_settle_emergency_aid", outcome="lost")
    with pytest.raises(OperatorError, match="level"):
        call("temporary_record_decision", basis="依委托审批", level="village", tier="township", amount=100)
    with pytest.raises(OperatorError, match="basis"):
        call("temporary_record_decision", basis=" ", level="township", tier="township", amount=100)
    with pytest.raises(OperatorError, match="aid_form"):
        call("temporary_pay_emergency_aid", amount=100, ceiling=50000, aid_date="2026-03-02", situation="火灾",
             aid_form="gold", paperwork_due="2026-03-09T15:59:59+00:00", recorded_by="Task_emergency_aid")
    with pytest.raises(OperatorError, match="time zone"):
        call("temporary_pay_emergency_aid", amount=100, ceiling=50000, aid_date="2026-03-02", situation="火灾",
             aid_form="cash", paperwork_due="2026-03-09T15:59:59", recorded_by="Task_emergency_aid")
    with pytest.raises(OperatorError, match="超过临时救助最高金额 50,000 元"):
        call("temporary_pay_emergency_aid", amount=50000.01, ceiling=50000, aid_date="2026-03-02", situation="火灾",
             aid_form="cash", paperwork_due="2026-03-09T15:59:59+00:00", recorded_by="Task_emergency_aid")
    with pytest.raises(OperatorError, match="no case"):
        call("temporary_offices", business_key="NOPE")


def test_decision_basis_goes_to_the_audit_chain(case):
    result, events = call("temporary_record_decision", basis="舟溪镇人民政府依凯里市民政局委托审批", level="township",
                          tier="township", amount=780)
    assert events == [("temporary.decision_basis", result)]
    assert result == {"basis": "舟溪镇人民政府依凯里市民政局委托审批", "level": "township", "tier": "township",
                      "amount": "780.00", "delegated": True}
