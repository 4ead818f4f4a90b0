"""The record kinds of their own for the amount adjustment, the termination and the 特困 care agreement: each renders,
is signed by the right organisation, verifies, and states what its reader is owed (reasons, the hearing, the right
of appeal; the parties, the carer's duties and the visits)."""

from __future__ import annotations

import pytest

from portal.records import render, samples, service
from portal.records.models import Record

from .conftest import VILLAGE, pdf_text, sealed_by

pytestmark = pytest.mark.django_db

EXPECTED = {
    "adjustment_notice": ("county", "凯里市民政局", [
        "救助金额调整决定书", "王秀英", "农村最低生活保障", "定期核查", "DBR-2026-0007", "原保障金额", "1,228.00",
        "调整后金额", "980.00", "2026年4月", "调整理由", "月工资收入2,400.00元", "听取王秀英的陈述和申辩",
        "救济途径", "六十日内向凯里市人民政府申请行政复议", "行政诉讼", "凯里市民政局", "2026年3月10日"]),
    "termination_notice": ("county", "凯里市民政局", [
        "终止救助决定书", "陈光明", "已不再符合条件", "自2026年4月起终止救助", "640.00", "终止理由",
        "高于当地最低生活保障标准720元", "听取陈光明的陈述和申辩", "救济途径", "申请行政复议", "行政诉讼",
        "可以重新提出申请"]),
    "care_agreement": ("township", "凯里市舟溪镇人民政府", [
        "特困人员照料服务协议", "甲方（乡镇人民政府）", "凯里市舟溪镇人民政府", "乙方（供养对象）", "杨老汉",
        "5226**********1217", "丙方（照料人）", "杨明", "侄子", "13987654321", "部分丧失生活自理能力",
        "每日送餐两次", "每30天至少探访乙方一次", "另行确定照料人", "自2026年4月1日起", "2026年3月28日"]),
}


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_each_new_kind_is_rendered_signed_and_states_what_it_must(kind):
    slot, organisation, stated = EXPECTED[kind]
    record = service.issue(kind, samples.SAMPLES[kind](), jurisdiction=VILLAGE, business_key="DBR-2026-0007")
    assert record.kind == kind and record.get_kind_display() == Record.Kind(kind).label
    assert record.slots == [slot] and record.signed_slots == [slot]
    assert sealed_by(record) == [organisation]
    text = pdf_text(service.read(record))
    for words in stated:
        assert words in text, words
    assert "522601194805061217" not in text  # the care agreement's sample ID number, masked


@pytest.mark.parametrize("kind", ["adjustment_notice", "termination_notice"])
def test_a_township_deciding_under_delegation_signs_the_notice_itself(kind):
    record = service.issue(kind, samples.SAMPLES[kind](), jurisdiction=VILLAGE, slots=("township",))
    assert sealed_by(record) == ["凯里市舟溪镇人民政府"]
    assert "凯里市舟溪镇人民政府" in pdf_text(service.read(record))


def test_the_care_agreement_is_the_townships_alone():
    assert render.KINDS["care_agreement"].slots == ("township",)
    with pytest.raises(service.RecordError, match="cannot be signed by"):
        service.issue("care_agreement", samples.care_agreement(), jurisdiction=VILLAGE, slots=("county",))
