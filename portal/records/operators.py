"""Service task operators: BPMN service tasks issue and countersign records.

    <spiffworkflow:serviceTaskOperator id="render_signed_record" resultVariable="approval_record">
      <spiffworkflow:parameter id="kind" type="str" value="'approval_form'"/>
      <spiffworkflow:parameter id="data" type="any" value="approval_form_data"/>
    </spiffworkflow:serviceTaskOperator>
"""

from __future__ import annotations

from typing import Any

from engine.operators import OperatorContext, OperatorError, Param, operator

from . import service


@operator(
    "render_signed_record",
    params={"kind": str, "data": dict, "signer": Param("signer", str, required=False),
            "slots": Param("slots", list, required=False)},
    label="生成并签章文书",
)
def render_signed_record(*, kind: str, data: dict, signer: str | None = None, slots: list | None = None,
                         context: OperatorContext) -> dict[str, Any]:
    try:
        record = service.issue(
            kind, data, jurisdiction=context.jurisdiction, signer_name=signer or "",
            instance_id=context.instance_id, business_key=context.business_key, record_event=context.record_event,
            slots=tuple(slots) if slots else None,
        )
    except (service.RecordError, LookupError) as err:
        raise OperatorError(f"render_signed_record: {err}") from err
    return service.summary(record)


@operator(
    "countersign_record",
    params={"record_id": int, "signer": Param("signer", str, required=False)},
    label="会签文书",
)
def countersign_record(*, record_id: int, signer: str | None = None, context: OperatorContext) -> dict[str, Any]:
    from .models import Record

    if not Record.objects.filter(pk=record_id, instance_id=context.instance_id).exists():
        raise OperatorError(f"countersign_record: record {record_id} does not belong to this instance")
    try:
        record = service.countersign(record_id, signer_name=signer or "", record_event=context.record_event)
    except (service.RecordError, LookupError) as err:
        raise OperatorError(f"countersign_record: {err}") from err
    return service.summary(record)
