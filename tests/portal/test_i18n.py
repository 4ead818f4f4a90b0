"""Chinese is the default language; English works from the catalogue in locale/en, and that catalogue is complete."""

from __future__ import annotations

import ast
import re
from datetime import timedelta
from html import unescape
from uuid import uuid4

import pytest
from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from engine import runtime
from engine.models import HumanTask, TimerEvent
from forms import renderer
from forms.management.data_texts import Sources, collect

from ..conftest import VILLAGE

CATALOGUE = settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"


@pytest.fixture(autouse=True)
def _fresh_rate_limits_and_language():
    # The verification page is rate-limited per client address (cache-backed), and LocaleMiddleware leaves the
    # request's language active in this thread afterwards: put back whatever was active before.
    cache.clear()
    with translation.override(translation.get_language()):
        yield
    cache.clear()


@pytest.mark.django_db
def test_verify_page_is_chinese_by_default(client):
    response = client.get("/records/verify/")
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    html = response.content.decode()
    assert "电子文书核验" in html
    assert "核验手中的文件" in html
    assert "Electronic document verification" not in html


@pytest.mark.django_db
def test_verify_page_is_english_when_the_browser_asks_for_it(client):
    response = client.get("/records/verify/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    html = response.content.decode()
    assert "Electronic document verification" in html
    assert "Verify a file you hold" in html
    assert "Document verification · Doudi" in html  # <title>, from page_base.html
    assert "电子文书核验" not in html


@pytest.mark.django_db
def test_admin_login_is_english_when_the_browser_asks_for_it(client):
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Log in" in html
    assert "Username" in html
    assert "登录" not in html


def test_python_strings_translate_to_english():
    with translation.override("en"):
        assert translation.gettext("社会救助审批表") == "Social assistance approval form"
        assert translation.gettext("签署后被修改（%(level)s）") % {"level": "OTHER"} == "Modified after signing (OTHER)"
    with translation.override("zh-hans"):
        assert translation.gettext("社会救助审批表") == "社会救助审批表"


# --- the catalogue itself --------------------------------------------------------------------------------------------


def _unquote(line: str) -> str:
    return ast.literal_eval(line)  # a PO string line is a double-quoted C-style string


def parse_po(text: str) -> list[dict]:
    """Entries of a PO file: msgid, msgid_plural, msgstr (a dict: index → text; index 0 for singular), flags."""
    entries: list[dict] = []
    entry: dict | None = None
    field: tuple[str, int] | None = None

    def new_entry() -> dict:
        return {"msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": {}, "flags": set(), "obsolete": False}

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            field = None
            continue
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
            if line.startswith("|"):  # the previous msgid of an obsolete entry
                continue
        if line.startswith("#"):
            if entry is not None and entry["msgid"] is not None:
                entries.append(entry)
                entry = None
            entry = entry or new_entry()
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            continue
        match = re.match(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$", line)
        if match:
            keyword, index, value = match.group(1), match.group(2), _unquote(match.group(3))
            if keyword in ("msgctxt", "msgid") and entry is not None and entry["msgid"] is not None:
                entries.append(entry)
                entry = None
            entry = entry or new_entry()
            entry["obsolete"] = entry["obsolete"] or obsolete
            if keyword == "msgstr":
                field = ("msgstr", int(index or 0))
                entry["msgstr"][field[1]] = value
            else:
                field = (keyword, 0)
                entry[keyword] = value
            continue
        if line.startswith('"') and entry is not None and field is not None:
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] += _unquote(line)
            else:
                entry[field[0]] += _unquote(line)
            continue
        raise AssertionError(f"unparseable PO line: {raw!r}")
    if entry is not None and entry["msgid"] is not None:
        entries.append(entry)
    return entries


def test_parser_reads_plural_and_multi_line_entries():
    sample = (
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#, fuzzy, python-format\nmsgid "一"\n"二 %(n)s"\nmsgstr "One"\n" two %(n)s"\n\n'
        'msgid "个"\nmsgid_plural "个"\nmsgstr[0] "item"\nmsgstr[1] ""\n'
    )
    header, first, plural = parse_po(sample)
    assert header["msgid"] == "" and "Language: en" in header["msgstr"][0]
    assert first["msgid"] == "一二 %(n)s" and first["msgstr"] == {0: "One two %(n)s"}
    assert first["flags"] == {"fuzzy", "python-format"}
    assert plural["msgstr"] == {0: "item", 1: ""}


def test_english_catalogue_is_complete():
    entries = [e for e in parse_po(CATALOGUE.read_text(encoding="utf-8")) if not e["obsolete"]]
    header = [e for e in entries if e["msgid"] == ""]
    messages = [e for e in entries if e["msgid"] != ""]
    assert len(header) == 1 and "fuzzy" not in header[0]["flags"], "the PO header is still marked fuzzy"
    assert len(messages) > 100, f"suspiciously few messages in {CATALOGUE}"
    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e["flags"]]
    untranslated = [e["msgid"] for e in messages if not e["msgstr"] or not all(e["msgstr"].values())]
    plural_gaps = [e["msgid"] for e in messages if e["msgid_plural"] is not None and len(e["msgstr"]) < 2]
    assert not (fuzzy or untranslated or plural_gaps), (
        f"{CATALOGUE}: fuzzy {fuzzy}, untranslated {untranslated}, plurals without both forms {plural_gaps}; "
        "translate them and run `manage.py compilemessages`"
    )


def test_english_catalogue_keeps_every_placeholder():
    placeholder = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
    for e in parse_po(CATALOGUE.read_text(encoding="utf-8")):
        if not e["msgid"] or e["obsolete"]:
            continue
        expected = sorted(placeholder.findall(e["msgid"]))
        for translated in e["msgstr"].values():
            assert sorted(placeholder.findall(translated)) == expected, e["msgid"]


def test_every_text_of_the_data_files_is_translated():
    """Form schemas, BPMN names, DMN outputs and program names reach the catalogue through forms/data_messages.py."""
    translated = {e["msgid"] for e in parse_po(CATALOGUE.read_text(encoding="utf-8"))
                  if not e["obsolete"] and "fuzzy" not in e["flags"] and all(e["msgstr"].values())}
    missing = sorted(set(collect(Sources.of_project())) - translated)
    assert not missing, (
        f"{CATALOGUE} lacks English for {missing}: run `python manage.py form_messages`, then makemessages "
        "(README.md, Translations), translate and compilemessages"
    )


# --- data texts on the pages ------------------------------------------------------------------------------------------


def page_text(client, url: str, language: str = "en") -> str:
    return unescape(client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode())


@pytest.mark.django_db
def test_worklist_and_task_pages_show_task_names_programs_and_form_labels_in_english(client, deployed, staff,
                                                                                   shipped_programs):
    instance = runtime.start_process("demo_assistance", jurisdiction=VILLAGE, business_key="DB-EN-1")
    task = HumanTask.objects.get(instance=instance)
    TimerEvent.objects.create(instance=instance, task_id=uuid4(), spec_id="Timer_county_deadline", name="审批超时",
                              kind="DurationTimerEventDefinition", due_at=timezone.now() + timedelta(days=3))
    client.force_login(staff["village"])

    worklist = page_text(client, reverse("worklist") + "?tab=group")
    assert "Fill in the assistance application" in worklist and "填写救助申请" not in worklist
    assert "Rural minimum living guarantee (dibao)" in worklist and "农村最低生活保障" not in worklist
    assert "demo_assistance" in worklist  # a task without a case: the process key, as it is

    page = page_text(client, reverse("task", args=[task.pk]))
    assert "<h1>Fill in the assistance application</h1>" in page
    assert "<title>Fill in the assistance application</title>" in page
    assert "<h2>Assistance application</h2>" in page
    for label in ("Applicant's name", "Household size", "Amount applied for (yuan)", "Reasons for the application"):
        assert f">{label} *<" in page or f">{label}<" in page, label
    assert "Approval overdue：" in page  # a statutory clock's name
    assert "申请人姓名" not in page and "救助申请" not in page and "审批超时" not in page

    runtime.complete_task(task.pk, staff["village"], {"applicant_name": "张三", "household_size": 3,
                                                      "requested_amount": 1200.5})
    visit = HumanTask.objects.get(instance=instance, status=HumanTask.Status.READY)
    client.force_login(staff["caseworker"])
    page = page_text(client, reverse("task", args=[visit.pk]))
    assert "<h1>Home visit</h1>" in page
    assert "· Fill in the assistance application ·" in page  # the steps done so far
    assert "Investigators (at least two)" in page and "One investigator's name per line" in page
    assert "入户调查" not in page and "填写救助申请" not in page

    chinese = page_text(client, reverse("task", args=[visit.pk]), "zh-hans")
    assert "<h1>入户调查</h1>" in chinese and "调查人（至少两人）" in chinese


def test_household_application_renders_labels_choices_help_and_messages_in_english():
    posted = {"phone": "123", "members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "0", "members-0-name": "张三"}
    with translation.override("en"):
        bound = renderer.bind("household_application", posted)
        assert not bound.is_valid()
        html = unescape(render_to_string("portal/form_entries.html", {"bound": bound}))
    assert "<h2>Social assistance application</h2>" in html
    assert "Applicant's resident ID number" in html
    assert "Household members living together" in html and "Including the applicant" in html
    assert ">Head of household</option>" in html and ">Net business income</option>" in html
    assert "11-digit mobile number" in html and "Enter an 11-digit mobile number" in html  # help and x-messages
    assert "You must pledge that the information is true" in html  # a const message
    assert "申请人身份证号" not in html and "户主" not in html
