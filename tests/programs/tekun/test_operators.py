"""The tekun service task operators outside a process: what they write and what they refuse."""

from __future__ import annotations

import pytest

from engine import operators
from engine.operators import OperatorContext, OperatorError
from portal.cases.models import Case, Member
from portal.programs.tekun.models import CareAgreement, CareHome, Residency
from portal.records import service
from portal.records.models import Record
from tests.records.conftest import pdf_text, sealed_by
from tests.workflows.driver import rid

pytestmark = pytest.mark.django_db


def context(case: Case | None = None, events: list | None = None) -> OperatorContext:
    def record(kind: str, payload: dict, actor=None) -> None:  # noqa: ANN001
        if events is not None:
            events.append((kind, payload))

    return OperatorContext(instance_id=None, process_key="tekun", jurisdiction="522601101200", task_spec="T",
                           business_key=case.business_key if case else "", record_event=record)


def call(name: str, case: Case | None = None, events: list | None = None, **arguments):
    return operators.call(name, arguments, context(case, events))


AGREEMENT = {"carer_name": "张明", "carer_relation": "侄子", "carer_phone": "13987654321", "signed_on": "2026-04-01",
             "starts_on": "2026-04-01", "duties": "送餐、洗澡", "care_level": "partial", "visit_interval_days": 30}


def test_a_new_care_agreement_replaces_the_one_in_force(make_case):
    case = make_case(status=Case.Status.APPROVED)
    events: list = []
    call("record_care_agreement", case, events, **AGREEMENT)
    call("record_care_agreement", case, events, **{**AGREEMENT, "carer_name": "李芳", "starts_on": "2026-06-01"})
    first, second = CareAgreement.objects.order_by("pk")
    assert (first.ended_on.isoformat(), second.ended_on) == ("2026-06-01", None)
    assert [kind for kind, _ in events] == ["record.signed", "tekun.care_agreement"] * 2
    assert "carer_phone" not in events[1][1]


def test_the_care_agreement_is_filed_as_a_record_sealed_by_the_township(make_case):
    case = make_case(status=Case.Status.APPROVED)
    number = rid("19480506", "121")
    Member.objects.create(household=case.household, name="杨老汉", relation=Member.Relation.HEAD, resident_id=number)
    events: list = []
    result = call("record_care_agreement", case, events, **AGREEMENT)
    record = Record.objects.get(pk=result["record_id"])
    assert (record.kind, record.business_key, record.seals) == ("care_agreement", case.business_key,
                                                                {"township": "522601101"})
    assert result["sha256"] == record.sha256 and result["verify_url"].endswith(f"/records/v/{record.token}/")
    assert sealed_by(record, audited=False) == ["凯里市舟溪镇人民政府"]  # the chain is the process's, absent here
    text = pdf_text(service.read(record))
    for stated in ("甲方", "凯里市舟溪镇人民政府", "杨老汉", f"5226**********{number[-4:]}", "张明", "侄子",
                   "13987654321", "送餐、洗澡", "每30天至少探访", "部分丧失生活自理能力", "2026年4月1日"):
        assert stated in text, stated
    assert number not in text
    signed = dict(events)["record.signed"]
    assert (signed["record_id"], signed["field"], signed["org_code"]) == (record.pk, "township", "522601101")


def test_no_care_agreement_is_kept_without_the_township_seal(make_case, settings, tmp_path):
    case = make_case(status=Case.Status.APPROVED)
    settings.RECORDS_PKI_DIR = tmp_path  # no keys at all
    with pytest.raises(OperatorError, match="522601101"):
        call("record_care_agreement", case, **AGREEMENT)
    assert not CareAgreement.objects.exists() and not Record.objects.exists()


@pytest.mark.parametrize(("changes", "message"), [
    ({"care_level": "lots"}, "unknown care level"),
    ({"visit_interval_days": 0}, "at least one day"),
    ({"visit_interval_days": 7.5}, "whole number"),
    ({"signed_on": "yesterday"}, "not an ISO date"),
])
def test_care_agreement_refuses_bad_values(make_case, changes, message):
    with pytest.raises(OperatorError, match=message):
        call("record_care_agreement", make_case(status=Case.Status.APPROVED), **{**AGREEMENT, **changes})


def test_visits_are_numbered_per_case(make_case):
    case = make_case(status=Case.Status.APPROVED)
    visit = {"visited_on": "2026-05-01", "visitor": "杨某", "condition": "良好", "agreement_kept": "kept"}
    assert call("record_support_visit", case, **visit)["sequence"] == 1
    assert call("record_support_visit", case, **visit, needs="修缮屋顶")["sequence"] == 2
    with pytest.raises(OperatorError, match="agreement_kept"):
        call("record_support_visit", case, **{**visit, "agreement_kept": "sometimes"})


def test_admission_needs_valid_ratios_and_a_level(make_case):
    case = make_case(status=Case.Status.APPROVED)
    CareHome.objects.create(county_id="522601", code="kl-zx-01", name="舟溪敬老院", beds=5, carers=1)
    arguments = {"care_home": "kl-zx-01", "admitted_on": "2026-04-01", "care_level": "self_care",
                 "ratios": {"full": 3, "partial": 6, "self_care": 10}}
    with pytest.raises(OperatorError, match="ratio"):
        call("admit_tekun_resident", case, **{**arguments, "ratios": {"full": 3}})
    with pytest.raises(OperatorError, match="unknown care level"):
        call("admit_tekun_resident", case, **{**arguments, "care_level": "some"})
    CareHome.objects.filter(code="kl-zx-01").update(active=False)
    with pytest.raises(OperatorError, match="没有编码为 kl-zx-01"):
        call("admit_tekun_resident", case, **arguments)
    CareHome.objects.filter(code="kl-zx-01").update(active=True)
    assert call("admit_tekun_resident", case, **arguments)["required_carers"] == 1
    assert Residency.objects.get(case=case).room == ""


def test_support_ends_only_for_a_case_in_support(make_case):
    open_case = make_case()
    with pytest.raises(OperatorError, match="not in support"):
        call("end_tekun_support", open_case, ended_on="2026-05-01", reason="death")
    case = make_case(status=Case.Status.APPROVED)
    with pytest.raises(OperatorError, match="reason should be one of"):
        call("end_tekun_support", case, ended_on="2026-05-01", reason="bored")
    events: list = []
    result = call("end_tekun_support", case, events, ended_on="2026-05-01", reason="moved")
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert (result["end_reason"], result["reason"]) == ("moved", "迁出本县")


def test_judgement_errors_become_operator_errors():
    with pytest.raises(OperatorError, match="check_tekun_eligibility: the applicant is not among the members"):
        call("check_tekun_eligibility", members=[{"name": "别人", "birth_date": "1950-01-01"}], applicant_name="张三",
             as_of="2026-03-02", elderly_age=60, minor_age=16, income_limit=480, disabled=False,
             work_capacity="none", has_income=False, supporter_status="none")
    with pytest.raises(OperatorError, match="assess_care_level: thresholds"):
        call("assess_care_level", activities={k: "able" for k in ("eating", "dressing", "transfer", "toileting",
                                                                  "walking", "bathing")},
             partial_from=4, full_from=2)
