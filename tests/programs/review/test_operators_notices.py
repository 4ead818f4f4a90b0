"""``issue_review_notice``: an adjustment is notified on an amount adjustment notice (救助金额调整决定书), a
termination on a termination notice (终止救助决定书), each with the township's reasons, the hearing and the right of
appeal, sealed by the deciding level. Issued on the review day; verified afterwards, when the test PKI's
certificates are valid."""

from __future__ import annotations

from datetime import date

import pytest
from freezegun import freeze_time

from engine import audit, operators
from engine.models import ProcessInstance
from engine.operators import OperatorContext
from portal.cases.models import Case
from portal.programs.review import services
from portal.records import service
from portal.records.models import Record
from tests.records.conftest import pdf_text, sealed_by

from .support import approved_case, china_noon

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 2)


def context(case: Case) -> OperatorContext:
    return OperatorContext(instance_id=case.instance_id, process_key="annual_review",
                           jurisdiction=case.household.village_id, task_spec="Service_notice",
                           business_key=case.business_key)


def completes(review: Case, task: str, **data) -> None:
    """A ``task.completed`` link on the review's chain, as the engine writes it."""
    instance = ProcessInstance.objects.get(pk=review.instance_id)
    audit.append("task.completed", instance=instance, payload={"task": task, "name": task, "data": data})
    instance.save(update_fields=["audit_seq", "audit_head"])


@pytest.fixture
def review(review_programs) -> Case:
    with freeze_time(china_noon(TODAY)):
        return services.open_review(approved_case(review_programs["dibao"]))[0]


def notice(review: Case, outcome: str, amount: float = 0, levels: list | None = None) -> Record:
    with freeze_time(china_noon(TODAY)):
        result = operators.call("issue_review_notice", {
            "outcome": outcome, "levels": levels or ["township", "county"], "amount": amount,
            "change_delay_months": 1}, context(review))
    assert result["effective_from"] == "2026-04-01"
    return Record.objects.get(pk=result["record_id"])


def test_an_adjustment_is_notified_on_an_amount_adjustment_notice(review):
    completes(review, "Task_township_review", decision="adjust", proposed_amount=1000, opinion="减",
              reasons="家庭成员李明已就业。\n按2026年标准重新核算。")
    completes(review, "Task_hearing", heard_on="2026-03-02", heard_person="王秀英", conclusion="maintain",
              position="objects", response="其工资收入已核实")
    completes(review, "Task_county_approval", decision="approve", opinion="同意")
    record = notice(review, "adjust", 1000)
    assert (record.kind, record.title) == ("adjustment_notice", "农村最低生活保障金额调整决定书")
    assert record.seals == {"county": "522601"}
    assert sealed_by(record) == ["凯里市民政局"]
    text = pdf_text(service.read(record))
    for stated in ("原保障金额", "1,452.00", "调整后金额", "1,000.00", "2026年4月", review.business_key,
                   "家庭成员李明已就业", "按2026年标准重新核算", "已于2026年3月2日听取王秀英的陈述和申辩",
                   "其工资收入已核实", "六十日内向凯里市人民政府申请行政复议", "凯里市民政局"):
        assert stated in text, stated


def test_a_termination_is_notified_on_a_termination_notice(review):
    completes(review, "Task_township_review", decision="terminate", opinion="收入超标",
              reasons="家庭月人均收入 1500 元，高于当地低保标准。")
    completes(review, "Task_hearing", heard_on="2026-03-02", heard_person="王秀英", conclusion="maintain")
    completes(review, "Task_county_approval", decision="approve", opinion="同意")
    record = notice(review, "terminate")
    assert (record.kind, record.title) == ("termination_notice", "终止农村最低生活保障决定书")
    assert sealed_by(record) == ["凯里市民政局"]
    text = pdf_text(service.read(record))
    for stated in ("已不再符合条件", "自2026年4月起终止救助", "1,452.00", "终止理由", "高于当地低保标准",
                   "陈述人对拟办意见无异议", "救济途径", "凯里市人民政府申请行政复议", "行政诉讼"):
        assert stated in text, stated


def test_a_township_confirming_under_delegation_seals_the_notice_itself(review):
    completes(review, "Task_township_review", decision="adjust", proposed_amount=1600, opinion="增", reasons="标准提高")
    completes(review, "Task_township_confirm", decision="approve", opinion="同意")
    record = notice(review, "adjust", 1600, levels=["township"])
    assert record.seals == {"township": "522601101"}
    assert sealed_by(record) == ["凯里市舟溪镇人民政府"]
