"""Fixtures of the notice tests: the Kaili jurisdictions, the test process of tests/notices/bpmn (the
publish_notice / objection / close_notice contract), a program running it, staff of two townships."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from engine import runtime
from engine.deploy import deploy_source
from engine.models import HumanTask
from forms.resident_id import check_character
from portal.cases.models import Case, Household, Member, Program
from portal.cases.services import open_case

BPMN = Path(__file__).resolve().parent / "bpmn" / "notice_flow.bpmn"
VILLAGE = "522601101200"  # 凯里市舟溪镇舟溪村
NEIGHBOUR = "522601101203"  # 舟南村, same township
ELSEWHERE = "522601100001"  # 巴拉河社区, another township of Kaili
ADDRESS = "舟溪村 3 组 12 号"
OPINION, OBJECTION = "Task_nf_opinion", "Task_nf_objection"


def rid(birth: str, seq: str, region: str = "522601") -> str:
    body = region + birth + seq
    return body + check_character(body)


HOUSEHOLD = [("王秀英", "head", rid("19580412", "124")), ("李建国", "spouse", rid("19600501", "013")),
             ("李小红", "grandchild", rid("20120901", "026"))]


@pytest.fixture
def jurisdictions(db):
    call_command("load_jurisdictions", verbosity=0)


@pytest.fixture
def program(jurisdictions):
    outcome = deploy_source("notices/notice_flow.bpmn", BPMN.read_text(encoding="utf-8"))
    assert outcome.ok, [str(p) for p in outcome.problems]
    # A program of the test process, not a shipped one: the notice contract is what is tested.
    return Program.objects.create(code="notice-test", name="公示测试救助", process_key="notice_flow")


@pytest.fixture
def people(make_user, jurisdictions):
    return {
        "cunwei": make_user("cunwei", "village_committee", village=VILLAGE),
        "jingban": make_user("jingban", "township_caseworker", village=VILLAGE),
        "shenhe": make_user("shenhe", "township_reviewer", village=VILLAGE),
        "neighbour": make_user("neighbour", "village_committee", village=NEIGHBOUR),
        "outsider": make_user("outsider", "village_committee", "township_reviewer", village=ELSEWHERE),
        "outsider_caseworker": make_user("outsider_caseworker", "township_caseworker", village=ELSEWHERE),
    }


def make_household(village: str = VILLAGE, members: list | None = None) -> Household:
    home = Household.objects.create(village_id=village, address=ADDRESS)
    for name, relation, number in members or HOUSEHOLD:
        Member.objects.create(household=home, name=name, relation=relation, resident_id=number)
    return home


def give_opinion(case: Case, actor: User) -> None:
    """Complete the township opinion, after which the test process publishes a notice round."""
    task = HumanTask.objects.get(instance=case.instance, spec_id=OPINION, status=HumanTask.Status.READY)
    runtime.complete_task(task.pk, actor, {"decision": "approve", "opinion": "情况属实，拟予保障"})


def objection_task(case: Case) -> HumanTask:
    return HumanTask.objects.get(instance=case.instance, spec_id=OBJECTION, status=HumanTask.Status.READY)


@pytest.fixture
def open_notice_case(program, people):
    """A case of the test program whose notice is up: opened, opinion given, notice published."""

    def make(village: str = VILLAGE, members: list | None = None, amount: str = "1452.00", days: int = 7) -> Case:
        case = open_case(make_household(village, members), program, actor=people["jingban"],
                         data={"notice_amount": float(Decimal(amount)), "notice_days": days})
        give_opinion(case, people["jingban"] if village[:9] == VILLAGE[:9] else people["outsider_caseworker"])
        return case

    return make
