"""publish_notice / close_notice: rounds, withdrawal of a superseded notice, parameter checks, audit."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from freezegun import freeze_time

from engine.operators import OperatorContext, OperatorError
from portal.cases.models import Case, Household, Member, Program
from portal.notices.models import PublicNotice
from portal.notices.operators import close_notice, publish_notice
from tests.workflows.driver import rid

pytestmark = pytest.mark.django_db
VILLAGE = "522601101200"


@pytest.fixture
def case(db):
    call_command("load_jurisdictions", verbosity=0)
    program = Program.objects.create(code="dibao", name="农村最低生活保障", process_key="dibao")
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
    ({"days": 7.5}, "days should be a whole number"),
    ({"household_size": 0}, "household_size should be 1–100"),
    ({"amount": -1}, "amount should be a non-negative number"),
    ({"applicant_name": "  "}, "applicant_name"),
])
def test_bad_parameters_are_refused(case, context, changes, message):
    with pytest.raises(OperatorError, match=message):
        publish(context, **changes)
    assert not PublicNotice.objects.exists()


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
