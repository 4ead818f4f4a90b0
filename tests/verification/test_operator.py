"""verify_household_economy: worked examples of the declaration against the registries."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from engine import operators
from engine.operators import OperatorError
from forms.resident_id import mask as mask_resident_id
from portal.verification.demo import DEMO_FILE, DEMO_IDS
from portal.verification.models import RegistryRecord

from .conftest import HEAD, SON, SPOUSE, new_batch

pytestmark = pytest.mark.django_db

NO_ASSETS = {"deposit": 0.0, "vehicle": 0.0, "house": 0.0, "securities": 0.0, "other": 0.0, "total": 0.0}


@pytest.fixture
def couple(build):
    """张大山 (pension 1000) and 李桂花 (deposit 5000), both declared as the registries report."""
    case = build()
    case.member("张大山", HEAD)
    case.member("李桂花", SPOUSE, relation="spouse")
    case.registry(HEAD, "social_insurance", "income", "养老金", "1000.00", valid_from="2015-01-01")
    case.registry(SPOUSE, "bank", "asset", "活期存款", "5000.00")
    case.income("张大山", "transfer", "1000")
    case.asset("deposit", "5000")
    return case


def test_operator_is_registered_with_its_params():
    op = operators.get("verify_household_economy")
    assert set(op.params) == {"standard", "asset_limit_months", "as_of"}
    assert all(p.required for p in op.params.values())


def test_consistent_household(couple, verify):
    result = verify(standard=800, asset_limit_months=12, as_of="2025-03-01")
    assert result == {
        "as_of": "2025-03-01",
        "sources_checked": ["social_insurance", "bank"],
        "registry_batches": [RegistryRecord.objects.first().batch_id],
        "household_size": 2,
        "declared_monthly_income": 1000.0,
        "registry_monthly_income": 1000.0,
        "assessed_monthly_income": 1000.0,
        "per_capita_income": 500.0,
        "declared_assets": {**NO_ASSETS, "deposit": 5000.0, "total": 5000.0},
        "registry_assets": {**NO_ASSETS, "deposit": 5000.0, "total": 5000.0},
        "financial_assets": 5000.0,
        "asset_limit": 19200.0,  # 800 × 12 months × 2 people
        "over_asset_limit": False,
        "vehicles": 0,
        "discrepancies": [],
        "deceased_members": [],
        "consistent": True,
        "eligible_by_verification": True,
    }
    json.dumps(result)  # JSON data, as the engine stores it


def test_undeclared_pension_is_found_and_counted(build, verify):
    case = build()
    case.member("张大山", HEAD)
    case.member("李桂花", SPOUSE, relation="spouse")
    case.income("李桂花", "wages", "300")
    case.registry(HEAD, "social_insurance", "income", "养老金", "1850.00", valid_from="2012-04-01")
    result = verify(standard=800)
    assert result["discrepancies"] == [{
        "member": "张大山", "item": "转移净收入：养老金", "kind": "transfer", "declared": 0.0, "found": 1850.0,
        "source": "social_insurance",
    }]
    assert (result["declared_monthly_income"], result["registry_monthly_income"]) == (300.0, 1850.0)
    assert result["assessed_monthly_income"] == 2150.0 and result["per_capita_income"] == 1075.0
    assert result["consistent"] is False and result["eligible_by_verification"] is False


def test_assessed_income_is_the_larger_of_declared_and_registry_per_member(build, verify):
    case = build()
    case.member("张大山", HEAD)
    case.member("张小军", SON, relation="child")
    # 张大山 declared more (odd jobs) than the registry knows; 张小军 less than his tax record.
    case.income("张大山", "wages", "2000")
    case.registry(HEAD, "social_insurance", "income", "养老金", "1500.00")
    case.income("张小军", "wages", "1000")
    case.registry(SON, "tax", "income", "工资薪金", "2400.00")
    case.income(None, "property", "150.50")  # land rent declared for the household: no registry reports it
    result = verify(standard=1000, as_of="2025-03-01")
    assert result["declared_monthly_income"] == 3150.5
    assert result["registry_monthly_income"] == 3900.0
    assert result["assessed_monthly_income"] == 2000 + 2400 + 150.5
    assert result["per_capita_income"] == 2275.25
    assert [(d["member"], d["kind"], d["declared"], d["found"]) for d in result["discrepancies"]] == [
        ("张大山", "transfer", 0.0, 1500.0), ("张小军", "wages", 1000.0, 2400.0)]


def test_vehicle_found_in_the_registry(couple, verify):
    couple.registry(SPOUSE, "vehicle", "asset", "小型汽车", "45000.00", valid_from="2021-05-10")
    result = verify()
    assert result["vehicles"] == 1
    assert result["registry_assets"]["vehicle"] == 45000.0 and result["declared_assets"]["vehicle"] == 0.0
    assert result["discrepancies"] == [
        {"member": "李桂花", "item": "车辆：小型汽车", "kind": "vehicle", "declared": 0.0, "found": 45000.0,
         "source": "vehicle"},
        {"member": "李桂花", "item": "车辆数量：小型汽车", "kind": "vehicle_count", "declared": 0, "found": 1,
         "source": "vehicle"},
    ]
    assert result["consistent"] is False
    # A vehicle alone does not decide eligibility here; the process's rules weigh the discrepancy.
    assert result["eligible_by_verification"] is True


def test_declared_vehicle_matches(couple, verify):
    couple.registry(SPOUSE, "vehicle", "asset", "小型汽车", "45000.00")
    couple.asset("vehicle", "45000")
    result = verify()
    assert result["vehicles"] == 1 and result["consistent"] is True


def test_deposits_over_the_asset_limit(couple, verify):
    # Limit for 2 people: 800 × 12 × 2 = 19200. Registry: 5000 + 12000 deposit + 3000 wealth product = 20000.
    couple.registry(HEAD, "bank", "asset", "定期存款", "12000.00")
    couple.registry(HEAD, "bank", "asset", "理财产品", "3000.00")
    result = verify(standard=800, asset_limit_months=12)
    assert result["registry_assets"]["deposit"] == 17000.0 and result["registry_assets"]["securities"] == 3000.0
    assert result["financial_assets"] == 20000.0 and result["asset_limit"] == 19200.0
    assert result["over_asset_limit"] is True and result["eligible_by_verification"] is False
    assert {d["kind"] for d in result["discrepancies"]} == {"deposit", "securities"}
    # Declaring it makes the household consistent, still over the limit.
    couple.asset("deposit", "12000")
    couple.asset("securities", "3000")
    result = verify(standard=800, asset_limit_months=12)
    assert result["consistent"] is True and result["over_asset_limit"] is True


def test_financial_assets_at_the_limit_are_not_over_it(couple, verify):
    couple.asset("deposit", "14200")  # declared 19200 in all, more than the registry's 5000
    result = verify(standard=800, asset_limit_months=12)
    assert result["financial_assets"] == 19200.0 and result["over_asset_limit"] is False
    assert result["consistent"] is True  # declaring more than the registry knows is no discrepancy


def test_house_and_housing_fund_balance_are_not_financial_assets(couple, verify):
    couple.registry(HEAD, "real_estate", "asset", "住房", "180000.00")
    couple.registry(HEAD, "housing_fund", "asset", "公积金余额", "30000.00")
    couple.asset("house", "180000")
    couple.asset("other", "30000")
    result = verify()
    assert result["financial_assets"] == 5000.0 and result["consistent"] is True
    assert result["registry_assets"]["house"] == 180000.0 and result["registry_assets"]["other"] == 30000.0


def test_deceased_member_in_the_registry(couple, verify):
    couple.registry(SPOUSE, "other", "death", "死亡（火化登记）", valid_from="2024-09-03")
    result = verify(as_of="2025-03-01")
    assert result["deceased_members"] == ["李桂花"]
    assert result["discrepancies"] == [{
        "member": "李桂花", "item": "死亡登记：死亡（火化登记）", "kind": "death", "declared": None,
        "found": "2024-09-03", "source": "other",
    }]
    assert result["eligible_by_verification"] is False
    # Before the death the registry has nothing to say.
    before = verify(as_of="2024-09-02")
    assert before["deceased_members"] == [] and before["eligible_by_verification"] is True


def test_deceased_member_in_the_household_file(couple, verify):
    couple.members["李桂花"].deceased_on = "2024-12-01"
    couple.members["李桂花"].save()
    result = verify(as_of="2025-03-01")
    assert result["deceased_members"] == ["李桂花"] and result["consistent"] is True
    assert result["eligible_by_verification"] is False
    assert verify(as_of="2024-11-30")["deceased_members"] == []


def test_records_outside_their_validity_are_ignored(couple, verify):
    couple.registry(HEAD, "tax", "income", "工资", "2600.00", valid_from="2023-01-01", valid_to="2024-06-30")
    couple.registry(HEAD, "bank", "asset", "定期存款", "50000.00", valid_from="2025-06-01")
    couple.registry(SON, "business_registry", "income", "个体经营", "900.00")  # not in this household
    result = verify(as_of="2025-03-01")
    assert result["registry_monthly_income"] == 1000.0 and result["registry_assets"]["deposit"] == 5000.0
    assert result["consistent"] is True
    # The sources with data on that day, whoever it is about: the tax data had expired.
    assert result["sources_checked"] == ["social_insurance", "business_registry", "bank"]


def test_as_of_is_respected(couple, verify):
    couple.registry(HEAD, "tax", "income", "工资", "2600.00", valid_from="2023-01-01", valid_to="2024-06-30")
    on_last_day = verify(as_of="2024-06-30")  # both ends inclusive
    assert on_last_day["as_of"] == "2024-06-30"
    assert on_last_day["registry_monthly_income"] == 3600.0
    assert on_last_day["discrepancies"][0]["kind"] == "wages"
    assert verify(as_of="2024-07-01")["registry_monthly_income"] == 1000.0
    # Before the pension started only the deposit (open-ended) counts.
    early = verify(as_of="2014-12-31")
    assert early["registry_monthly_income"] == 0.0 and early["registry_assets"]["deposit"] == 5000.0


def test_the_same_fact_imported_twice_counts_once(couple, verify):
    later = new_batch("social-insurance-2025-02.csv")
    couple.registry(HEAD, "social_insurance", "income", "养老金", "1000.00", valid_from="2015-01-01", batch=later)
    result = verify()
    assert result["registry_monthly_income"] == 1000.0 and result["consistent"] is True
    assert len(result["registry_batches"]) == 1


def test_money_is_rounded_to_cents(build, verify):
    case = build()
    for name, number, relation in [("张大山", HEAD, "head"), ("李桂花", SPOUSE, "spouse"), ("张小军", SON, "child")]:
        case.member(name, number, relation)
    case.income("张大山", "transfer", "1000")
    result = verify(standard=480.5, asset_limit_months=0.5)
    assert result["per_capita_income"] == 333.33
    assert result["asset_limit"] == 720.75  # 480.5 × 0.5 × 3


def test_demo_file_worked_example(build, verify):
    call_command("import_registry_records", str(DEMO_FILE), verbosity=0)
    case = build()
    case.member("王德明", DEMO_IDS["王德明"])
    case.member("李秀英", DEMO_IDS["李秀英"], relation="spouse")
    case.member("王建国", DEMO_IDS["王建国"], relation="child")
    case.member("张兰", DEMO_IDS["张兰"], relation="other")
    case.member("王小雨", DEMO_IDS["王小雨"], relation="grandchild")
    case.income("王德明", "transfer", "1850")
    case.income("李秀英", "transfer", "150")
    case.income("张兰", "wages", "3100")
    for kind, value in [("deposit", "32000"), ("vehicle", "45000"), ("house", "180000")]:
        case.asset(kind, value)

    now = verify(standard=480, asset_limit_months=24, as_of="2025-03-01")
    assert now["consistent"] is True and now["deceased_members"] == []
    assert now["registry_monthly_income"] == 5100.0 and now["per_capita_income"] == 1020.0
    assert now["financial_assets"] == 32000.0 and now["asset_limit"] == 57600.0 and now["vehicles"] == 1
    assert now["eligible_by_verification"] is False
    assert now["sources_checked"] == ["social_insurance", "housing_fund", "business_registry", "vehicle",
                                      "real_estate", "bank", "other"]

    # A year earlier 王建国 had a taxed wage he never declared, and 张兰's housing fund had not started.
    then = verify(standard=480, asset_limit_months=24, as_of="2024-03-01")
    assert then["discrepancies"] == [{
        "member": "王建国", "item": "工资性收入：工资", "kind": "wages", "declared": 0.0, "found": 2600.0,
        "source": "tax",
    }]
    assert then["registry_monthly_income"] == 1850 + 150 + 2600
    assert then["assessed_monthly_income"] == 1850 + 150 + 2600 + 3100


def test_no_id_number_in_the_result_or_the_audit_event(couple, verify):
    couple.registry(SPOUSE, "other", "death", "死亡", valid_from="2024-09-03")
    couple.registry(HEAD, "vehicle", "asset", "小型汽车", "30000.00")
    result = verify()
    assert [kind for kind, _ in verify.events] == ["verification.completed"]
    payload = verify.events[0][1]
    assert payload["discrepancies"] == 3 and payload["deceased_members"] == 1
    assert payload["consistent"] is False and payload["per_capita_income"] == result["per_capita_income"]
    assert payload["standard"] == 800.0 and payload["asset_limit_months"] == 12.0
    text = json.dumps([result, payload], ensure_ascii=False)
    for number in (HEAD, SPOUSE):
        assert number not in text and number[6:14] + number[14:] not in text
        assert mask_resident_id(number) not in text
    # The audit summary carries figures and counts, not names.
    assert "张大山" not in json.dumps(payload, ensure_ascii=False)


def test_unknown_business_key(couple, verify):
    with pytest.raises(OperatorError, match="verify_household_economy: no case has business key 'DIBAO-NOPE'"):
        verify(business_key="DIBAO-NOPE")
    with pytest.raises(OperatorError, match="no business key"):
        verify(business_key="")
    assert verify.events == []


@pytest.mark.parametrize(("params", "message"), [
    ({"standard": 0}, "standard should be positive"),
    ({"standard": -480}, "standard should be positive"),
    ({"standard": True}, "standard should be a number"),
    ({"standard": float("nan")}, "standard should be a finite number"),
    ({"asset_limit_months": -1}, "asset_limit_months should not be negative"),
    ({"as_of": "2025/03/01"}, "as_of should be an ISO date"),
    ({"as_of": "2025-02-30"}, "as_of is not a valid date"),
    ({"as_of": None}, "as_of should be an ISO date"),
])
def test_bad_params(couple, verify, params, message):
    with pytest.raises(OperatorError, match=message):
        verify(**params)


def test_engine_call_checks_param_types(couple, verify):
    with pytest.raises(OperatorError, match="parameter 'standard' should be"):
        operators.call("verify_household_economy", {"standard": "480", "asset_limit_months": 12,
                                                    "as_of": "2025-03-01"}, verify.context())
    with pytest.raises(OperatorError, match="missing parameter 'as_of'"):
        operators.call("verify_household_economy", {"standard": 480, "asset_limit_months": 12}, verify.context())
    result = operators.call("verify_household_economy", {"standard": 480, "asset_limit_months": 12,
                                                        "as_of": "2025-03-01"}, verify.context())
    assert result["consistent"] is True


def test_household_without_members(build, verify):
    build()
    with pytest.raises(OperatorError, match="DIBAO-TEST-1: the household has no members"):
        verify()


def test_runs_without_an_audit_callback(couple, verify):
    context = verify.context()
    plain = type(context)(instance_id=None, process_key="", jurisdiction="", task_spec="", business_key="DIBAO-TEST-1")
    assert operators.call("verify_household_economy", {"standard": 800, "asset_limit_months": 12,
                                                      "as_of": "2025-03-01"}, plain)["consistent"] is True
