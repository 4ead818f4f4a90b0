"""Shared fixtures. Integration tests need PostgreSQL (DATABASE_URL) and Redis (CELERY_BROKER_URL);
without them they skip — unless DOUDI_REQUIRE_INTEGRATION=1 (set by .ci/run), where they fail."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User

from engine import specs
from engine.deploy import deploy_directory, deploy_source, deploy_sources, workflow_files
from portal.cases.models import Program
from tests.program_data import load_programs

TESTS_DIR = Path(__file__).resolve().parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = TESTS_DIR.parent / "test-artifacts"
VILLAGE = "522601101201"  # a village code under county 522601 / township 522601101


def integration_requirements() -> list[str]:
    missing = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        missing.append("DATABASE_URL pointing at PostgreSQL")
    if settings.INPROCESS_WORKER or not settings.CELERY_BROKER_URL.startswith("redis"):
        missing.append("CELERY_BROKER_URL pointing at Redis")
    return missing


@pytest.fixture
def integration():
    missing = integration_requirements()
    if missing:
        message = "integration test needs " + " and ".join(missing)
        if os.environ.get("DOUDI_REQUIRE_INTEGRATION") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_spec_cache():
    # Definition ids repeat across tests once the database is rolled back.
    specs.clear_cache()
    yield
    specs.clear_cache()


def use_test_pki(settings, pki_dir: Path, media_root: Path) -> None:
    """Point the records service at a test PKI (local TSA, no LTA) and a temporary media root."""
    settings.RECORDS_PKI_DIR = pki_dir
    settings.RECORDS_TRUST_ROOTS = [pki_dir / "root.cert.pem"]
    settings.RECORDS_EXTRA_CERTS = [pki_dir / "intermediate.cert.pem"]
    settings.RECORDS_SIGNERS = {}
    settings.RECORDS_TSA_URL = "local"
    settings.RECORDS_LTA = False
    settings.RECORDS_PUBLIC_URL = "http://testserver"
    settings.MEDIA_ROOT = media_root


@pytest.fixture
def deployed(db):
    """Every workflow under workflows/ deployed.

    While a program's files are half-written, ``DOUDI_TEST_WORKFLOWS=common,dibao,temporary`` deploys only
    those folders (CI never sets it).
    """
    only = [name.strip() for name in os.environ.get("DOUDI_TEST_WORKFLOWS", "").split(",") if name.strip()]
    if only:
        sources = [(str(p.relative_to(settings.WORKFLOWS_DIR)), p.read_bytes())
                   for name in only for p in workflow_files(settings.WORKFLOWS_DIR / name)]
        outcomes = deploy_sources(sources)
    else:
        outcomes = deploy_directory(settings.WORKFLOWS_DIR)
    assert all(o.ok for o in outcomes), [str(p) for o in outcomes for p in o.problems]
    return {o.definition.key: o.definition for o in outcomes}


@pytest.fixture
def shipped_programs(db) -> dict[str, Program]:
    """Every program of portal/cases/data/programs.json, loaded by ``manage.py load_programs``, by code."""
    return load_programs()


@pytest.fixture
def deploy_test_file(db):
    def deploy(name: str, **replacements: str):
        source = (TESTS_DIR / "engine" / "bpmn" / name).read_text(encoding="utf-8")
        for old, new in replacements.items():
            source = source.replace(old, new)
        return deploy_source(name, source).definition

    return deploy


def _groups_for(roles: list[str], village: str) -> list[Group]:
    digits = settings.ENGINE_LEVEL_DIGITS
    groups = []
    for role in roles:
        code = village[: digits[settings.ENGINE_ROLES[role]["level"]]]
        groups.append(Group.objects.get_or_create(name=f"{role}:{code}")[0])
    return groups


@pytest.fixture
def make_user(db):
    def make(username: str, *roles: str, village: str = VILLAGE) -> User:
        user = User.objects.create_user(username=username, password="pw-" + username)
        user.groups.add(*_groups_for(list(roles), village))
        return user

    return make


@pytest.fixture
def staff(make_user):
    """One user per role of the demo process, all for VILLAGE's village/township/county."""
    return {
        "village": make_user("village", "village_committee"),
        "caseworker": make_user("caseworker", "township_caseworker"),
        "township": make_user("township", "township_reviewer"),
        "county": make_user("county", "county_approver"),
        "admin": make_user("countyadmin", "county_admin"),
    }


@pytest.fixture
def eager_celery():
    """Run Celery tasks inline, as the embedded in-process worker does, whatever the broker."""
    from portal.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


# --- Browser tests: Debian's Chromium driven by Playwright (its own browser download cannot work here) ---


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("DOUDI_REQUIRE_INTEGRATION") == "1":
            pytest.fail("browser tests need Debian's chromium (scripts/system-packages.sh installs it)")
        pytest.skip("chromium is not installed")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in the same test
    # thread are still synchronous, so its async-safety guard is relaxed for these tests only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            )
            yield launched
            launched.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1200, "height": 800})
    yield context.new_page()
    context.close()


@pytest.fixture
def screenshot(page):
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
