"""Chinese is the default language; English works from the catalogue in locale/en, and that catalogue is complete."""

from __future__ import annotations

import ast
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

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
