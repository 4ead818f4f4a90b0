"""The case page's BPMN diagram is drawn with names in the reader's language; ids and drawing unchanged."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from portal.casefile.diagram_language import in_reader_language

from .conftest import VILLAGE, rid

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(make_case):
    return make_case("王秀英", rid("19650412", "124"))


@pytest.fixture
def village_user(make_user):
    return make_user("village", "village_committee", village=VILLAGE)


def test_english_readers_get_translated_names(client, case, village_user):
    client.force_login(village_user)
    url = reverse("casefile:diagram", args=[case.pk])
    chinese = client.get(url).content.decode()
    assert 'name="填写救助申请"' in chinese
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    with translation.override("en"):
        translated = translation.gettext("填写救助申请")
    assert translated != "填写救助申请" and f'name="{translated}"' in english
    assert 'name="填写救助申请"' not in english
    assert english.count('bpmnElement="') == chinese.count('bpmnElement="')
    assert 'id="Task_apply"' in english


def test_chinese_source_is_returned_as_it_is():
    source = ('<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">'
              '<process id="p" name="审批"/></definitions>')
    with translation.override("zh-hans"):
        assert in_reader_language(source) is source
    with translation.override("en"):
        assert 'id="p"' in in_reader_language(source)
