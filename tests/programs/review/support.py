"""Shared by the review tests (tests/programs/review/ and tests/workflows/test_review_*.py): the workflows the
review needs deployed, the programs, approved 低保/特困 cases built directly, and a driver for the review tasks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from freezegun import freeze_time

from engine import runtime
from engine.deploy import deploy_sources
from portal.cases.models import Case, Program
from portal.cases.permissions import grant_case_access
from portal.programs.review.models import ReviewCase
from tests.program_data import load_programs
from tests.workflows.driver import VILLAGE, CaseDriver, make_household, rid, today

CHINA = ZoneInfo("Asia/Shanghai")
# Kaili 2025: 王秀英 (66) and 李建国 (64, seriously ill): nobody able to work, a stable household.
ELDERLY_COUPLE = [
    ("王秀英", "head", rid("19580412", "124"), Decimal("300"), {}),
    ("李建国", "spouse", rid("19600501", "013"), Decimal("0"), {"seriously_ill": True}),
]
# 张桂兰 (51, disabled) with her son 李明 (30), who can work: reviewed every six months.
WITH_WORKING_SON = [
    ("张桂兰", "head", rid("19730611", "022"), Decimal("200"), {"single_parent": True, "disabled": True}),
    ("李明", "child", rid("19950920", "031"), Decimal("500"), {}),
]
# A 特困 person living alone: 吴老汉, 78.
ALONE = [("吴老汉", "head", rid("19470803", "015"), Decimal("0"), {})]


def china_noon(day: date) -> datetime:
    """Noon China time on ``day``, as the aware UTC datetime freezegun wants."""
    return datetime.combine(day, time(12), tzinfo=CHINA).astimezone(UTC)


def _workflow_files() -> list[Path]:
    root = Path(settings.WORKFLOWS_DIR)
    return [*sorted((root / "common").glob("*.bpmn")), *sorted((root / "dibao").glob("*.dmn")),
            *sorted((root / "review").glob("*.dmn")), *sorted((root / "review").glob("*.bpmn")),
            root / "demo" / "demo_assistance.bpmn"]


@pytest.fixture
def review_programs(db, jurisdictions) -> dict[str, Program]:
    """What a review needs deployed (shared sub-processes, the 低保 rules, workflows/review) and every program
    row of portal/cases/data/programs.json."""
    root = Path(settings.WORKFLOWS_DIR)
    outcomes = deploy_sources([(str(p.relative_to(root)), p.read_bytes()) for p in _workflow_files()])
    assert all(o.ok for o in outcomes), [str(p) for o in outcomes for p in o.problems]
    return load_programs()


_serial = iter(range(1, 1_000_000))


def approved_case(program: Program, *, members: list | None = None, village: str = VILLAGE,
                  amount: Decimal | str = "1452.00", approved_on: date = date(2025, 3, 2),
                  with_instance: bool = False) -> Case:
    """An approved case built directly (as if its application process had run), visible to its offices.

    ``with_instance`` gives it a process instance (the demo process) so that its own audit chain exists."""
    with freeze_time(china_noon(approved_on)):
        home = make_household(village, members or ELDERLY_COUPLE)
        case = Case.objects.create(
            household=home, program=program, status=Case.Status.APPROVED,
            business_key=f"{program.code.upper()}-{approved_on:%Y%m%d}-9{next(_serial):05d}",
            monthly_amount=Decimal(str(amount)), payment_starts=date(approved_on.year, approved_on.month, 1),
            closed_at=china_noon(approved_on),
        )
        if with_instance:
            case.instance = runtime.start_process("demo_assistance", jurisdiction=village, subject=case,
                                                  business_key=case.business_key)
            case.save(update_fields=["instance"])
        grant_case_access(case)
    return case


class ReviewDriver(CaseDriver):
    """Works a review case through its tasks as the staff would (every submission validated by its form)."""

    @staticmethod
    def link(review: Case) -> ReviewCase:
        return ReviewCase.objects.select_related("original", "review").get(review=review)

    def propose(self, review: Case, decision: str = "continue", *, amount: float | None = None,
                reasons: str = "", irregular_income: bool = False, who: str = "shenhe") -> None:
        data: dict[str, Any] = {"decision": decision, "opinion": "经核对和入户调查，提出核查意见。",
                                "irregular_income": irregular_income}
        if amount is not None:
            data["proposed_amount"] = amount
        if reasons:
            data["reasons"] = reasons
        self.complete(review, "Task_township_review", who, data)

    def hear(self, review: Case, *, conclusion: str = "maintain", objects: bool = True, who: str = "jingban") -> None:
        data: dict[str, Any] = {
            "heard_on": today(), "method": "home_visit", "heard_party": "recipient", "heard_person": "王秀英",
            "opinion": "儿子在外务工收入不稳定，请求继续保障。", "evidence": ["务工收入证明"],
            "position": "objects" if objects else "accepts", "conclusion": conclusion}
        if objects:
            data["response"] = "经向用工单位核实，近六个月月均工资 3000 元，收入稳定。"
        self.complete(review, "Task_hearing", who, data)

    def decide(self, review: Case, decision: str = "approve", *, who: str = "shenpi",
               spec_id: str = "Task_county_approval") -> None:
        self.complete(review, spec_id, who, {"decision": decision, "opinion": "同意乡镇核查意见。"})
