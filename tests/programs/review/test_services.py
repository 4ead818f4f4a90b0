"""portal.programs.review.services: enrolment, opening reviews, deaths and the sweep, case by case."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from freezegun import freeze_time

from engine.deploy import deploy_source
from engine.errors import TaskForbidden
from engine.models import AuditEvent, ProcessDefinition, ProcessInstance
from portal.cases.models import Case, CaseConflict, Jurisdiction, Member, StaffRelative
from portal.programs.review import services
from portal.programs.review.models import DeathTrigger, ReviewCase, ReviewSchedule
from tests.workflows.driver import VILLAGE, make_household, rid

from .support import ELDERLY_COUPLE, WITH_WORKING_SON, ReviewDriver, approved_case, china_noon

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time(china_noon(TODAY)):
        yield


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2025, 3, 2), 12, date(2026, 3, 2)),
    (date(2025, 8, 31), 6, date(2026, 2, 28)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2025, 11, 30), 3, date(2026, 2, 28)),
    (date(2025, 12, 15), 1, date(2026, 1, 15)),
])
def test_add_months_clamps_to_the_end_of_the_month(day, months, expected):
    assert services.add_months(day, months) == expected


def test_approval_date_falls_back_to_the_first_payment_then_the_opening(review_programs):
    case = approved_case(review_programs["dibao"], approved_on=date(2025, 5, 20))
    assert services.approval_date(case) == date(2025, 5, 20)
    case.closed_at = None
    assert services.approval_date(case) == date(2025, 5, 1)
    case.payment_starts = None
    assert services.approval_date(case) == date(2025, 5, 20)


def test_recipient_is_the_living_head_else_a_living_member_else_the_family(jurisdictions):
    home = make_household(VILLAGE, ELDERLY_COUPLE)
    members = list(home.members.order_by("pk"))
    assert services.recipient_name(members) == "王秀英"
    members[0].deceased_on = date(2026, 1, 1)
    assert services.recipient_name(members) == "李建国"
    members[1].deceased_on = date(2026, 1, 2)
    assert services.recipient_name(members) == "王秀英家属"


def test_enrol_refuses_cases_that_are_not_approved_or_not_reviewed(review_programs):
    refused = approved_case(review_programs["dibao"])
    Case.objects.filter(pk=refused.pk).update(status=Case.Status.REFUSED)
    with pytest.raises(services.ReviewRefused, match="不是已批准"):
        services.enrol(refused)
    medical = approved_case(review_programs["medical"], members=WITH_WORKING_SON)
    with pytest.raises(services.ReviewRefused, match="不实行定期核查"):
        services.enrol(medical)
    assert not ReviewSchedule.objects.exists()


def test_enrol_twice_keeps_the_first_schedule(review_programs):
    case = approved_case(review_programs["dibao"])
    first = services.enrol(case)
    assert services.enrol(case) == first
    assert (first.interval_months, first.next_due, first.able_bodied_members) == (12, date(2026, 3, 2), 0)
    assert not ProcessInstance.objects.exists()  # the rules are evaluated directly, no process is run
    # A case without a process of its own (migrated from paper files) is audited on the system chain.
    scheduled = AuditEvent.objects.get(kind="review.scheduled")
    assert scheduled.instance_id is None and scheduled.payload["business_key"] == case.business_key
    assert (scheduled.payload["next_due"], scheduled.payload["interval_months"]) == ("2026-03-02", 12)


def test_the_schedule_is_audited_with_the_rules_that_decided_it(review_programs):
    case = approved_case(review_programs["dibao"], members=WITH_WORKING_SON, with_instance=True)
    schedule = services.enrol(case)
    assert (schedule.interval_months, schedule.able_bodied_members, schedule.next_due) == (6, 1, date(2025, 9, 2))
    scheduled = AuditEvent.objects.get(instance=case.instance, kind="review.scheduled")
    policy, interval = (ProcessDefinition.objects.get(key=key) for key in ("review_policy", "review_interval"))
    assert scheduled.payload == {
        "original_case": case.business_key, "next_due": "2025-09-02", "interval_months": 6,
        "reason": "低保家庭有劳动能力成员：每半年核查一次", "irregular_income": False, "able_bodied_members": 1,
        "rules": [
            {"decision": "review_policy", "version": 1, "definition_id": policy.pk, "sha256": policy.sha256,
             "rules": ["Rule_review_policy_5226_2025"]},
            {"decision": "review_interval", "version": 1, "definition_id": interval.pk, "sha256": interval.sha256,
             "rules": ["Rule_interval_dibao_able"]},
        ],
    }


def test_enrolment_refuses_a_rule_that_gives_no_usable_interval(review_programs):
    case = approved_case(review_programs["dibao"])
    source = ProcessDefinition.objects.get(key="review_interval").source
    deploy_source("review/review_interval.dmn", source.replace(
        '<outputEntry id="Out_interval_dibao_stable_months"><text>12</text>',
        '<outputEntry id="Out_interval_dibao_stable_months"><text>0</text>'))
    with pytest.raises(services.ReviewRefused, match="review_interval（第 2 版）的 interval_months"):
        services.enrol(case)
    assert not ReviewSchedule.objects.exists() and not AuditEvent.objects.filter(kind="review.scheduled").exists()


def test_enrolment_can_start_from_irregular_income(review_programs):
    case = approved_case(review_programs["dibao"])
    schedule = services.enrol(case, irregular_income=True)
    assert (schedule.interval_months, schedule.irregular_income, schedule.next_due) == (6, True, date(2025, 9, 2))


def test_household_facts_count_who_can_work(review_programs):
    members = [
        ("甲", "head", rid("19660303", "011"), Decimal("0"), {}),  # 59 on 2026-03-02: able
        ("乙", "spouse", rid("19660302", "024"), Decimal("0"), {}),  # 60 that day: past working age
        ("丙", "child", rid("20100302", "035"), Decimal("0"), {}),  # 16: able
        ("丁", "child", rid("20100303", "043"), Decimal("0"), {}),  # 15
        ("戊", "child", rid("20000101", "051"), Decimal("0"), {"student": True}),
        ("己", "sibling", rid("19800101", "066"), Decimal("0"), {"disabled": True}),
        ("庚", "sibling", rid("19820101", "077"), Decimal("0"), {"seriously_ill": True}),
        ("辛", "sibling", rid("19840101", "081"), Decimal("0"), {}),  # died
    ]
    case = approved_case(review_programs["dibao"], members=members)
    case.household.members.filter(name="辛").update(deceased_on=date(2026, 1, 1))
    facts = services.household_facts(case, date(2026, 3, 2), 16, 60)
    assert facts == {"living_members": 7, "able_bodied_members": 2, "deceased_members": 1}
    # Alive on an earlier day.
    assert services.household_facts(case, date(2025, 12, 31), 16, 60)["deceased_members"] == 0


def test_a_schedule_made_outside_a_review_notes_no_last_review(review_programs):
    case = approved_case(review_programs["dibao"])
    schedule = services.schedule_next_review(case, start=date(2025, 3, 2), irregular_income=False)
    assert (schedule.next_due, schedule.last_review, schedule.last_reviewed_on) == (date(2026, 3, 2), None, None)


def test_a_schedule_at_the_end_of_a_review_notes_it_and_is_audited_on_its_chain_too(review_programs):
    case = approved_case(review_programs["dibao"], members=WITH_WORKING_SON, with_instance=True)
    services.enrol(case)
    ReviewSchedule.objects.filter(case=case).update(ended_on=date(2026, 1, 1))
    review = services.open_review(case)[0]
    recorded = []
    schedule = services.schedule_next_review(case, start=TODAY, irregular_income=True, review=review,
                                             record_event=lambda kind, payload: recorded.append((kind, payload)))
    schedule.refresh_from_db()
    assert (schedule.next_due, schedule.interval_months, schedule.irregular_income) == (date(2026, 9, 2), 6, True)
    assert (schedule.last_review, schedule.last_reviewed_on, schedule.ended_on) == (review, TODAY, None)
    on_case = AuditEvent.objects.filter(instance=case.instance, kind="review.scheduled").order_by("seq").last()
    assert recorded == [("review.scheduled", on_case.payload)]
    assert on_case.payload["reason"] == "低保家庭收入来源不固定：每半年核查一次"
    assert on_case.payload["rules"][1]["rules"] == ["Rule_interval_dibao_irregular"]


def test_open_review_refuses_a_case_that_is_not_approved(review_programs):
    case = approved_case(review_programs["dibao"])
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    with pytest.raises(services.ReviewRefused):
        services.open_review(case)
    assert not Case.objects.filter(program="dibao_review").exists()


def test_review_process_data_holds_no_id_numbers(review_programs):
    case = approved_case(review_programs["dibao"])
    review, created = services.open_review(case)
    assert created
    started = AuditEvent.objects.get(instance=review.instance, kind="instance.started")
    text = json.dumps(started.payload, ensure_ascii=False)
    assert "王秀英" in text
    assert all(m.resident_id not in text for m in case.household.members.all())


def test_staff_related_to_the_household_are_recused_from_its_review(review_programs, people):
    case = approved_case(review_programs["dibao"])
    StaffRelative.objects.create(staff=people["shenhe"], name="王秀英", resident_id=ELDERLY_COUPLE[0][2],
                                 relation="sibling")
    CaseConflict.objects.create(case=case, staff=people["cunwei"], staff_name="cunwei", member_name="李建国",
                                relation="子女", source=CaseConflict.Source.DECLARED)
    review, _ = services.open_review(case)
    assert review.separately_registered
    assert set(CaseConflict.objects.filter(case=review).values_list("staff__username", "source")) == {
        ("shenhe", "matched"), ("cunwei", "declared")}
    driver = ReviewDriver(review_programs["dibao_review"], people)
    driver.home_visit(review)
    with pytest.raises(TaskForbidden, match="回避"):
        driver.propose(review, "continue")


def test_record_death_refuses_impossible_dates(review_programs):
    case = approved_case(review_programs["dibao"])
    member = case.household.members.get(name="李建国")
    with pytest.raises(services.DeathRefused, match="晚于今天"):
        services.record_death(member, date(2026, 3, 3))
    with pytest.raises(services.DeathRefused, match="早于出生"):
        services.record_death(member, date(1960, 4, 30))
    services.record_death(member, date(2026, 2, 1))
    with pytest.raises(services.DeathRefused, match="另一个死亡日期"):
        services.record_death(member, date(2026, 2, 2))


def test_a_death_is_recorded_in_every_register_that_lists_the_person(review_programs):
    first = approved_case(review_programs["dibao"])
    # The same person is also registered in another household (moved, never removed) that gets 特困 support.
    approved_case(review_programs["tekun"], members=[("王秀英", "head", ELDERLY_COUPLE[0][2], Decimal("0"), {})])
    reviews = services.record_death(first.household.members.get(name="王秀英"), date(2026, 2, 27))
    assert sorted(r.program_id for r in reviews) == ["dibao_review", "tekun_review"]
    assert set(Member.objects.filter(name="王秀英").values_list("deceased_on", flat=True)) == {date(2026, 2, 27)}
    assert DeathTrigger.objects.count() == 2


def test_a_death_in_a_household_without_aid_is_audited_on_the_system_chain(jurisdictions, review_programs):
    home = make_household(VILLAGE, WITH_WORKING_SON)
    assert services.record_death(home.members.get(name="李明"), date(2026, 1, 5)) == []
    assert services.record_death(home.members.get(name="李明"), date(2026, 1, 5)) == []  # once only
    event = AuditEvent.objects.get(kind="member.deceased")
    assert event.instance_id is None and event.payload["households"] == [home.pk]
    assert not ReviewCase.objects.exists()


def test_the_sweep_goes_on_when_one_case_fails(review_programs):
    Jurisdiction.objects.create(code="520102001001", name="某村", level="village")
    outside = approved_case(review_programs["dibao"], village="520102001001")  # no rules for Guiyang
    inside = approved_case(review_programs["dibao"], members=WITH_WORKING_SON)
    result = services.open_due_reviews(today=date(2025, 3, 2))
    assert (result.enrolled, result.failed) == (1, [outside.business_key])
    assert ReviewSchedule.objects.filter(case=inside).exists()
    assert not ReviewSchedule.objects.filter(case=outside).exists()


def test_due_schedules_skip_cases_with_a_running_review(review_programs):
    case = approved_case(review_programs["dibao"])
    services.enrol(case)
    assert list(services.due_schedules(TODAY)) == [case.review_schedule]
    services.open_review(case)
    assert list(services.due_schedules(TODAY)) == []
