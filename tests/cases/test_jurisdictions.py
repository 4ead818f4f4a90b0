import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from portal.cases.models import Jurisdiction

pytestmark = pytest.mark.django_db


def test_kaili_loads_as_a_tree_and_reloads_idempotently(capsys):
    call_command("load_jurisdictions")
    first = capsys.readouterr().out
    call_command("load_jurisdictions")
    assert "(0 new)" in capsys.readouterr().out and "(231 new)" in first
    kaili = Jurisdiction.objects.get(code="522601")
    assert (kaili.name, kaili.level, kaili.parent_id) == ("凯里市", "county", "5226")
    zhouxi = Jurisdiction.objects.get(code="522601101")
    assert zhouxi.name == "舟溪镇" and zhouxi.parent == kaili
    village = Jurisdiction.objects.get(code="522601101200")
    assert village.name == "舟溪村村民委员会" and village.parent == zhouxi
    assert village.ancestor_codes() == ["52", "5226", "522601", "522601101"]
    assert Jurisdiction.objects.filter(level="township").count() == 20
    assert Jurisdiction.objects.filter(level="village", code__startswith="522601").count() == 208


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"code": "5226011", "name": "x", "level": "township", "parent": "522601"}, "9 位"),
        ({"code": "522602101", "name": "x", "level": "township", "parent": "522601"}, "前缀"),
    ],
)
def test_bad_rows_are_refused_and_nothing_is_loaded(tmp_path, row, message):
    data = {"jurisdictions": [
        {"code": "52", "name": "贵州省", "level": "province", "parent": None},
        {"code": "5226", "name": "黔东南州", "level": "city", "parent": "52"},
        {"code": "522601", "name": "凯里市", "level": "county", "parent": "5226"},
        row,
    ]}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("load_jurisdictions", str(path))
    assert not Jurisdiction.objects.exists()
