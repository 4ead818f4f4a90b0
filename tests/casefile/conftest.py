"""Case-file fixtures: the Kaili jurisdictions, the demo program, households and cases opened through
``open_case`` (so permissions and the process are real)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command

from engine import runtime
from engine.deploy import deploy_source
from engine.models import HumanTask
from forms.resident_id import check_character
from portal.cases.models import Household, Member, Program
from portal.cases.services import open_case

VILLAGE = "522601101200"  # 舟溪村, 舟溪镇 (522601101), 凯里市 (522601)
NEIGHBOUR = "522601101203"  # 舟南村, same township
OTHER_TOWNSHIP = "522601103200"  # 旁海村, 旁海镇


def rid(birth: str, seq: str, region: str = "522601") -> str:
    body = region + birth + seq
    return body + check_character(body)


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The case.viewed throttle lives in the cache, which outlives each test's database.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def places(db):
    call_command("load_jurisdictions", verbosity=0)


@pytest.fixture
def demo_process(db):
    # Only the demo file: the rest of workflows/ is not what these tests are about.
    path = settings.WORKFLOWS_DIR / "demo" / "demo_assistance.bpmn"
    return deploy_source("demo/demo_assistance.bpmn", path.read_text(encoding="utf-8")).definition


@pytest.fixture
def program(demo_process):
    # A program of the demo process, not a shipped one: the case file is the same for every program.
    return Program.objects.create(code="demo", name="演示", process_key="demo_assistance")


@pytest.fixture
def household(places):
    def make(*members, village: str = VILLAGE) -> Household:
        home = Household.objects.create(village_id=village, address="舟溪村 3 组")
        for name, relation, number, *extra in members:
            Member.objects.create(household=home, name=name, relation=relation, resident_id=number,
                                  **(extra[0] if extra else {}))
        return home

    return make


@pytest.fixture
def make_case(household, program, make_user):
    opener = None

    def make(head: str = "王秀英", number: str | None = None, *, village: str = VILLAGE, members=(), prog=None,
             data: dict | None = None):
        nonlocal opener
        opener = opener or make_user("opener", "township_caseworker", village=VILLAGE)
        home = household((head, "head", number or rid("19650412", "124")), *members, village=village)
        return open_case(home, prog or program, actor=opener, data=data)

    return make


def complete(instance, user, data: dict) -> HumanTask:
    task = HumanTask.objects.get(instance=instance, status=HumanTask.Status.READY)
    return runtime.complete_task(task.pk, user, data)
