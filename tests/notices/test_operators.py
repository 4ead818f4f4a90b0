"""publish_notice / close_notice: rounds, withdrawal of a superseded notice, parameter checks, audit."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from freezegun import freeze_time

from engine.operators import OperatorContext, OperatorError
from portal.cases.models import Case, Household, Member
from portal.notices.models import PublicNotice
from portal.notices.operators import close_notice, publish_notice
from tests.program_data import shipped_program

from .conftest import rid

pytestmark = pytest.mark.django_db
VILLAGE = "522601101200"


@pytest.fixture
def case(db):
    call_command("load_jurisdictions", verbosity=0)
    program = shipped_program("dibao")
    home = Household.objects.create(village_id=VILLAGE, address="舟溪村 3 组")
    Member.objects.create(household=home, name="王秀英", relation="head", resident_id=rid("19580412", "124"))
    return Case.objects.create(household=home, program=program, business_key="DIBAO-TEST-000001")


@pytest.fixture
def events():
    return []


@pytest.fixture
def context(events):
    return OperatorContext(instance_id=None, process_key="dibao", jurisdiction=VILLAGE,
                           business_key="DIBAO-TEST-000001", task_spec="",
                           record_event=lambda kind, payload, actor=None: events.append((kind, payload)))


def publish(context, **changes):
    params = {"applicant_name": "王秀英", "household_size": 3, "amount": 1452.005, "days": 7, **changes}
    return publish_notice(**params, context=context)


def test_publish_posts_name_size_and_amount_for_the_days_given(case, context, events):
    with freeze_time("2026-03-02 09:00:00+08:00"):
        result = publish(context)
    notice = PublicNotice.objects.get(pk=result["notice_id"])
    assert result == {"notice_id": notice.pk, "starts_on": "2026-03-02", "ends_on": "2026-03-08", "round": 1}
    assert (notice.applicant_name, notice.household_size, str(notice.amount)) == ("王秀英", 3, "1452.01")
    assert (notice.village_id, notice.program_id, notice.status) == (VILLAGE, "dibao", "open")
    assert events[0][0] == "notice.published" and events[0][1]["round"] == 1
    assert not any(member.resident_id in str(events) for member in case.household.members.all())


def test_a_new_round_withdraws_the_open_notice(case, context):
    first = publish(context)
    second = publish(context, amount=1300)
    assert second["round"] == 2
    assert PublicNotice.objects.get(pk=first["notice_id"]).status == "withdrawn"
    assert PublicNotice.objects.get(pk=second["notice_id"]).status == "open"


def test_close_records_the_outcome_once(case, context, events):
    notice = publish(context)
    assert close_notice(notice_id=notice["notice_id"], outcome="objected", context=context)["status"] == "objected"
    assert events[-1] == ("notice.closed", {"notice_id": notice["notice_id"], "round": 1, "outcome": "objected"})
    with pytest.raises(OperatorError, match="already objected"):
        close_notice(notice_id=notice["notice_id"], outcome="completed", context=context)


@pytest.mark.parametrize(("changes", "message"), [
    ({"days": 0}, "days should be 1–60"),
    ({"days": 61}, "days should be 1–60"),
    ({"days": "7"}, "days should be a whole number"),
    ({"days": 7.5}, "days should be a whole number"),
    ({"household_size": 0}, "household_size should be 1–100"),
    ({"household_size": True}, "household_size should be a whole number"),
    ({"amount": -1}, "amount should be a non-negative number"),
    ({"applicant_name": "  "}, "applicant_name"),
])
def test_bad_parameters_are_refused(case, context, changes, message):
    with pytest.raises(OperatorError, match=message):
        publish(context, **changes)
    assert not PublicNotice.objects.exists()


def test_the_notice_period_counts_the_first_day(case, context):
    with freeze_time("2026-12-31 23:30:00+08:00"):  # the local date, not UTC's
        one_day = publish(context, days=1, amount=0)
        longest = publish(context, days=60)
    assert (one_day["starts_on"], one_day["ends_on"]) == ("2026-12-31", "2026-12-31")
    assert (longest["starts_on"], longest["ends_on"], longest["round"]) == ("2026-12-31", "2027-02-28", 2)
    assert PublicNotice.objects.get(pk=one_day["notice_id"]).amount == 0


def test_rounds_continue_after_a_closed_round(case, context):
    first = publish(context)
    close_notice(notice_id=first["notice_id"], outcome="objected", context=context)
    second = publish(context)
    assert second["round"] == 2
    assert PublicNotice.objects.get(pk=first["notice_id"]).status == "objected"  # closed rounds are not withdrawn


def test_a_notice_of_another_case_is_refused(case, context, events):
    other_home = Household.objects.create(village_id=VILLAGE, address="舟溪村 5 组")
    Member.objects.create(household=other_home, name="张国强", relation="head", resident_id=rid("19700203", "015"))
    Case.objects.create(household=other_home, program=case.program, business_key="DIBAO-TEST-000002")
    other = OperatorContext(instance_id=None, process_key="dibao", jurisdiction=VILLAGE,
                            business_key="DIBAO-TEST-000002", task_spec="", record_event=lambda *a, **k: None)
    foreign = publish(other, applicant_name="张国强")
    with pytest.raises(OperatorError, match="is not a notice of case DIBAO-TEST-000001"):
        close_notice(notice_id=foreign["notice_id"], outcome="completed", context=context)
    with pytest.raises(OperatorError, match="is not a notice of case"):
        close_notice(notice_id=987654, outcome="completed", context=context)
    assert PublicNotice.objects.get(pk=foreign["notice_id"]).status == "open"
    assert events == []


def test_unknown_case_or_foreign_notice_is_refused(case, context):
    notice = publish(context)
    other = OperatorContext(instance_id=None, process_key="dibao", jurisdiction=VILLAGE,
                            business_key="DIBAO-NOPE", task_spec="", record_event=lambda *a, **k: None)
    with pytest.raises(OperatorError, match="no case"):
        publish(other)
    with pytest.raises(OperatorError, match="no case"):
        close_notice(notice_id=notice["notice_id"], outcome="completed", context=other)
    with pytest.raises(OperatorError, match="outcome should be"):
        close_notice(notice_id=notice["notice_id"], outcome="done", context=context)
    assert date.fromisoformat(notice["ends_on"]) > date.fromisoformat(notice["starts_on"])
