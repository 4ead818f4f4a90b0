"""The children's pages: the list and a child's protection file, only for the offices of the case's jurisdiction."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from portal.cases.models import Case, Household, Jurisdiction, Member, Program
from portal.cases.permissions import grant_case_access
from portal.programs.children.models import (
    ChildCaseLink,
    DepartmentNotification,
    GuardianshipPetition,
    RiskAssessment,
    TemporaryGuardianship,
)
from tests.workflows.driver import rid

pytestmark = pytest.mark.django_db
VILLAGE = "522601101200"  # 凯里市舟溪镇舟溪村
OTHER_VILLAGE = "522622100201"  # 黄平县新州镇


@pytest.fixture
def programs(shipped_programs):
    call_command("load_jurisdictions", verbosity=0)
    for code, parent, level in [("522622", "5226", "county"), ("522622100", "522622", "township"),
                                (OTHER_VILLAGE, "522622100", "village")]:
        Jurisdiction.objects.get_or_create(code=code, defaults={"name": code, "level": level, "parent_id": parent})
    return shipped_programs["children"], shipped_programs["dibao"]


def make_case(program: Program, key: str, village: str = VILLAGE) -> Case:
    home = Household.objects.create(village_id=village, address="舟溪村五组 7 号")
    Member.objects.create(household=home, name="张明", relation="head", resident_id=rid("19880315", "031"))
    case = Case.objects.create(household=home, program=program, business_key=key)
    grant_case_access(case)
    return case


@pytest.fixture
def child_case(programs, make_user):
    children, dibao = programs
    case = make_case(children, "CHILDREN-20260302-000001")
    supervisor = make_user("dudao", "child_supervisor", village=VILLAGE)
    assessment = RiskAssessment.objects.create(
        case=case, assessed_on=date(2026, 3, 2), risk_level="emergency", points={"guardianship": 3}, total=4,
        no_effective_guardian=True, findings="无人照料", assessed_by=supervisor)
    DepartmentNotification.objects.create(case=case, assessment=assessment, department="police",
                                          notified_on=date(2026, 3, 2), risk_level="emergency")
    TemporaryGuardianship.objects.create(
        case=case, kind="relatives", guardian_name="王桂兰", guardian_relation="外祖母", guardian_phone="13900001111",
        placement_address="舟溪村三组 2 号", starts_at=datetime(2026, 3, 2, 4, 0, tzinfo=UTC), arrangement="外祖母照料",
        due_at=datetime(2026, 3, 3, 3, 0, tzinfo=UTC), recorded_at=datetime(2026, 3, 2, 5, 0, tzinfo=UTC))
    linked = Case.objects.create(household=case.household, program=dibao, business_key="DIBAO-20260302-000002")
    grant_case_access(linked)
    ChildCaseLink.objects.create(case=case, program_code="dibao", program_name="农村最低生活保障", linked_case=linked,
                                 status="opened", referral_reason="家庭无收入")
    ChildCaseLink.objects.create(case=case, program_code="temporary", program_name="临时救助", status="refused",
                                 referral_reason="生活困难", problems="该家庭已有在办的临时救助案件")
    GuardianshipPetition.objects.create(case=case, grounds="neglect", respondent_name="李芳",
                                        neglect_since=date(2025, 8, 1), neglect_months=7, court="凯里市人民法院",
                                        filed_on=date(2026, 3, 2), facts="离家不归")
    return case


def test_pages_need_a_login(client, child_case):
    for url in (reverse("children:list"), reverse("children:detail", args=[child_case.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_township_sees_the_list_and_the_file(client, child_case, make_user):
    director = make_user("ertong", "child_director", village=VILLAGE)
    client.force_login(director)
    listing = client.get(reverse("children:list")).content.decode()
    assert "CHILDREN-20260302-000001" in listing and "紧急" in listing
    assert "DIBAO-20260302-000002" not in listing  # other programs' cases are not children's cases
    page = client.get(reverse("children:detail", args=[child_case.pk])).content.decode()
    for text in ("王桂兰", "外祖母", "按时安排", "公安机关", "DIBAO-20260302-000002", "不予受理",
                 "该家庭已有在办的临时救助案件", "凯里市人民法院", "持续 7 个月"):
        assert text in page, text
    assert reverse("casefile:detail", args=[child_case.child_links.get(program_code="dibao").linked_case_id]) in page
    assert rid("19880315", "031") not in page


def test_another_jurisdiction_gets_404_and_an_empty_list(client, child_case, make_user):
    client.force_login(make_user("dudao_hp", "child_supervisor", village=OTHER_VILLAGE))
    assert client.get(reverse("children:detail", args=[child_case.pk])).status_code == 404
    assert "CHILDREN-20260302-000001" not in client.get(reverse("children:list")).content.decode()


def test_a_case_of_another_program_is_not_a_child_file(client, child_case, make_user):
    client.force_login(make_user("jingban", "township_caseworker", village=VILLAGE))
    linked = child_case.child_links.get(program_code="dibao").linked_case
    assert client.get(reverse("children:detail", args=[linked.pk])).status_code == 404
    assert client.get(reverse("children:detail", args=[child_case.pk])).status_code == 200
