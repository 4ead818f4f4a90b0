"""The case's audit chain as readable entries: what happened, who, when, and a few safe facts.

Payloads are never shown whole: only the summary fields below, as text, with anything shaped like a
resident ID number masked. Each entry keeps its ``seq`` and hash prefix so an auditor can match it
with ``manage.py verify_audit``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from engine.models import AuditEvent, HumanTask
from forms.resident_id import mask_in_text as mask_ids
from portal.records.models import Record

KIND_LABELS = {
    "instance.started": _("受理，流程启动"),
    "task.completed": _("环节办结"),
    "task.claimed": _("认领任务"),
    "task.unclaimed": _("退回组内"),
    "task.reassigned": _("改派任务"),
    "timer.fired": _("时限届满"),
    "instance.completed": _("流程办结"),
    "instance.cancelled": _("流程撤销"),
    "record.signed": _("文书签章"),
    "verification.completed": _("经济状况核对完成"),
    "case.viewed": _("查阅案卷"),
    "notice.published": _("发布公示"),
    "notice.closed": _("公示结束"),
    "case.closed": _("案件办结"),
    "case.imported": _("存量对象导入"),
    "review.opened": _("启动核查"),
    "review.scheduled": _("确定下次核查"),
    "case.reviewed": _("核查结果"),
    "member.deceased": _("登记成员死亡"),
    "medical.category_checked": _("核实救助类别"),
    "medical.prequalified": _("核对一站式结算资格"),
    "medical.calculated": _("测算医疗救助金额"),
    "medical.settled": _("记入年度医疗救助额"),
    "temporary.decision_basis": _("审批依据"),
    "emergency_aid.paid": _("先行救助发放"),
    "emergency_aid.overdue": _("补办手续超时"),
    "emergency_aid.settled": _("先行救助补办完成"),
    "reserve_fund.paid": _("备用金支出"),
    "reserve_fund.topped_up": _("备用金补充"),
    "reserve_fund.insufficient": _("备用金不足"),
    "children.assessment_shared": _("风险评估结果通报"),
    "children.guardianship_arranged": _("安排临时监护"),
    "children.case_linked": _("转介其他救助项目"),
    "children.petition_filed": _("申请撤销监护人资格"),
    "disaster.registered": _("登记灾害事件"),
    "disaster.household_category": _("核定家庭类别"),
    "disaster.amount_calculated": _("测算受灾救助金额"),
    "tekun.eligibility": _("特困条件审查"),
    "tekun.care_assessed": _("生活自理能力评估"),
    "tekun.spot_check": _("县级入户抽查"),
    "tekun.care_agreement": _("照料协议备案"),
    "tekun.visit": _("定期探访"),
    "tekun.admitted": _("集中供养入住"),
    "tekun.support_ended": _("终止供养"),
    "tekun.staffing_changed": _("护理人员配备调整"),
}
FALLBACK_LABEL = _("其他事件")

# The fields shown, in this order: from the submitted form data (``payload["data"]``) the first group
# only; from the event's own payload (reassignments, cancellations, signatures) both groups.
FORM_FIELDS = {
    "decision": _("结论"),
    "opinion": _("意见"),
    "reasons": _("理由"),
    "amount": _("金额（元）"),
    "proposed_amount": _("拟保障金额（元）"),
    "approved_amount": _("核定金额（元）"),
    "objector": _("异议人"),
    "investigators": _("调查人"),
}
EVENT_FIELDS = {
    **FORM_FIELDS,
    "reason": _("原因"),
    "from": _("原办理人"),
    "to": _("改派给"),
    "org_name": _("签章单位"),
    "signer": _("签章人"),
    "starts_on": _("公示开始"),
    "ends_on": _("公示结束"),
    "outcome": _("结果"),
    "status": _("状态"),
    "payment_starts": _("发放起始"),
    "basis": _("依据"),
    "next_due": _("下次核查"),
    "interval_months": _("核查周期（月）"),
    "trigger": _("触发原因"),
    "died_on": _("死亡日期"),
    "previous_amount": _("原金额"),
    "payment_stops": _("停发起始"),
    "end_reason": _("终止原因"),
    "old_case_number": _("原系统案件编号"),
    "approved_on": _("批准日期"),
    "source_file": _("导入文件"),
}
DECISIONS = {"approve": _("同意"), "refuse": _("不同意"), "return": _("退回"), "continue": _("继续保障"),
             "adjust": _("调整"), "terminate": _("停止保障"), "agree": _("同意"), "disagree": _("不同意"),
             "reinvestigate": _("重新调查"), "completed": _("期满无异议"), "objected": _("有异议"),
             "approved": _("已批准"), "refused": _("不予批准"), "withdrawn": _("已撤回"), "closed": _("已结案")}
MAX_TEXT = 300
HASH_PREFIX = 12


@dataclass
class Entry:
    seq: int
    kind: str
    label: str
    actor: str
    at: datetime
    subject: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    hash_prefix: str = ""


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, list):
        parts = [_text(v) for v in value if not isinstance(v, dict | list)]
        return "、".join(p for p in parts if p)
    if isinstance(value, dict) or value is None:
        return ""  # nested structures are never dumped
    text = mask_ids(str(value))
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _facts(payload: dict[str, Any]) -> list[tuple[str, str]]:
    data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
    facts = []
    for name, label in EVENT_FIELDS.items():
        value = data.get(name) if name in FORM_FIELDS and name in data else payload.get(name)
        if name in ("decision", "opinion", "outcome", "status") and isinstance(value, str):
            value = DECISIONS.get(value, value)
        text = _text(value)
        if text:
            facts.append((str(label), text))
    return facts


def _subject(event: AuditEvent, task_names: dict[str, str]) -> str:
    payload = event.payload if isinstance(event.payload, dict) else {}
    if event.kind == "record.signed":
        kind = payload.get("kind", "")
        return str(Record.Kind(kind).label) if kind in Record.Kind.values else ""
    if event.kind == "instance.started" and payload.get("key"):
        return f"{payload['key']} v{payload.get('version', '')}"
    name = payload.get("name") or task_names.get(event.task_id) or ""
    return mask_ids(gettext(name)) if isinstance(name, str) and name else ""


def entries(events: list[AuditEvent]) -> list[Entry]:
    """``events`` of one instance (``engine.runtime.history``) as timeline entries, oldest first."""
    instance_ids = {e.instance_id for e in events if e.instance_id}
    task_names = {
        str(task_id): name
        for task_id, name in HumanTask.objects.filter(instance_id__in=instance_ids).values_list("task_id", "name")
    }
    result = []
    for event in events:
        payload = event.payload if isinstance(event.payload, dict) else {}
        result.append(Entry(
            seq=event.seq,
            kind=event.kind,
            label=str(KIND_LABELS.get(event.kind, FALLBACK_LABEL)),
            actor=mask_ids(event.actor_label) if event.actor_label != "system" else str(_("系统")),
            at=event.occurred_at,
            subject=_subject(event, task_names),
            facts=[] if event.kind == "case.viewed" else _facts(payload),
            hash_prefix=event.hash[:HASH_PREFIX],
        ))
    return result
