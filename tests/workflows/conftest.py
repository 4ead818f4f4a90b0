"""Fixtures for whole-process tests of the programs: jurisdictions, a test PKI covering the offices
that sign, one staff user per role and office, and a driver that works a case through its tasks."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from portal.cases.models import Jurisdiction
from portal.records import pki
from tests.conftest import use_test_pki

from .driver import DELEGATED_VILLAGE, VILLAGE, CaseDriver

# Kaili (522601) keeps county approval; Huangping (522622) delegates confirmation to its townships from 2026.
# Each county's medical-security and emergency-management bureaus seal the medical and disaster decisions.
SIGNING_ORGS = {
    "522601": "凯里市民政局",
    "522601-medical_security": "凯里市医疗保障局",
    "522601-emergency_management": "凯里市应急管理局",
    "522601101": "凯里市舟溪镇人民政府",
    "522622": "黄平县民政局",
    "522622-medical_security": "黄平县医疗保障局",
    "522622-emergency_management": "黄平县应急管理局",
    "522622100": "黄平县新州镇人民政府",
}
ROLES = {
    "cunwei": "village_committee",
    "jingban": "township_caseworker",
    "jingban2": "township_caseworker",
    "shenhe": "township_reviewer",
    "queren": "township_approver",
    "shenpi": "county_approver",
    "xianguan": "county_admin",
    "yibao": "medical_security",
    "yingji": "emergency_management",
    "yiyuan": "hospital_window",
    "gongyang": "care_institution",
    "ertong": "child_director",
    "dudao": "child_supervisor",
}


@pytest.fixture(scope="session")
def workflow_pki(tmp_path_factory):
    return pki.create_test_pki(tmp_path_factory.mktemp("workflow-pki"), SIGNING_ORGS)


@pytest.fixture(autouse=True)
def records_settings(settings, workflow_pki, tmp_path):
    use_test_pki(settings, workflow_pki, tmp_path / "media")
    yield settings
    pki.clear_cache()


@pytest.fixture
def jurisdictions(db):
    call_command("load_jurisdictions", verbosity=0)
    levels = [("522622", "黄平县", "county", "5226"), ("522622100", "新州镇", "township", "522622"),
              (DELEGATED_VILLAGE, "城关村", "village", "522622100")]
    for code, name, level, parent in levels:
        Jurisdiction.objects.get_or_create(code=code, defaults={"name": name, "level": level, "parent_id": parent})


@pytest.fixture
def dibao_program(deployed, jurisdictions, shipped_programs):
    return shipped_programs["dibao"]


def _people(make_user, village: str, suffix: str = "") -> dict:
    return {name: make_user(name + suffix, role, village=village) for name, role in ROLES.items()}


@pytest.fixture
def people(make_user, jurisdictions):
    return _people(make_user, VILLAGE)


@pytest.fixture
def delegated_people(make_user, jurisdictions):
    return _people(make_user, DELEGATED_VILLAGE, suffix="_hp")


@pytest.fixture
def driver(dibao_program, people):
    return CaseDriver(dibao_program, people)
