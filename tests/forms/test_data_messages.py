"""forms/data_messages.py: the texts of the data files as gettext_noop calls for makemessages, kept up to date."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from forms.management import data_texts
from forms.management.data_texts import Sources, bpmn_texts, collect, dmn_texts, program_texts, render, schema_texts

SCHEMA = {
    "title": "表单标题",
    "description": "表单说明",
    "type": "object",
    "required": ["kind"],
    "properties": {
        "kind": {
            "title": "类别",
            "type": "string",
            "enum": ["a", "b"],
            "enumNames": ["甲类", "乙类"],
            "default": "a",
            "x-messages": {"required": "请选择类别", "enum": "类别不在列表中"},
        },
        "title": {"title": "标题字段", "type": "string", "description": "名为 title 的字段"},
        "rows": {
            "title": "明细",
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": {"title": "行内姓名", "type": "string", "x-messages": {"minLength": "太短"}}},
                "x-rules": [{"rule": "required_if", "field": "name", "when": {"name": "x"}, "message": "行规则"}],
            },
        },
    },
    "x-rules": [{"rule": "max_sum", "fields": ["a"], "of": "b", "message": "表单规则"}, {"rule": "min_ratio"}],
    "x-figures": [{"from": "aid.amount", "title": "测算金额"}, {"from": "aid.basis"}],
    "x-prefill": {"amount": ["dibao", "amount"]},
}

BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="D" targetNamespace="t">
  <bpmn:collaboration id="C"><bpmn:participant id="P" name="\xe6\xb1\xa0" processRef="p" /></bpmn:collaboration>
  <bpmn:process id="p" name="Process name" isExecutable="true">
    <bpmn:laneSet id="LS"><bpmn:lane id="L" name="Lane name">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="role" value="village_committee" />
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="s" />
    <bpmn:userTask id="t" name="User task" />
    <bpmn:exclusiveGateway id="g" name="Gateway?" default="f2" />
    <bpmn:sequenceFlow id="f1" name="Flow" sourceRef="s" targetRef="t" />
    <bpmn:sequenceFlow id="f2" name=" " sourceRef="g" targetRef="e" />
    <bpmn:boundaryEvent id="b" name="Timer" attachedToRef="t" />
    <bpmn:endEvent id="e" name="" />
  </bpmn:process>
</bpmn:definitions>
"""

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="D" name="决策" namespace="t">
  <decision id="d" name="决策">
    <decisionTable id="T" hitPolicy="UNIQUE">
      <input id="i" label="县"><inputExpression id="ie" typeRef="string"><text>county</text></inputExpression></input>
      <output id="o1" label="层级" name="tier" typeRef="string" />
      <output id="o2" label="版本" name="rules_version" typeRef="string" />
      <output id="o3" label="天数" name="days" typeRef="number" />
      <rule id="r1">
        <inputEntry id="r1i"><text>"中文条件"</text></inputEntry>
        <outputEntry id="r1o1"><text>"township"</text></outputEntry>
        <outputEntry id="r1o2"><text> "凯里市2026年规则" </text></outputEntry>
        <outputEntry id="r1o3"><text>3</text></outputEntry>
      </rule>
      <rule id="r2">
        <inputEntry id="r2i"><text>-</text></inputEntry>
        <outputEntry id="r2o1"><text>"county"</text></outputEntry>
        <outputEntry id="r2o2"><text>"规则" + suffix</text></outputEntry>
        <outputEntry id="r2o3"><text></text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
""".encode()


def test_schema_texts_are_every_title_description_message_enum_name_and_x_message_at_any_depth():
    assert sorted(schema_texts(SCHEMA)) == sorted([
        "表单标题", "表单说明", "类别", "甲类", "乙类", "请选择类别", "类别不在列表中", "标题字段", "名为 title 的字段",
        "明细", "行内姓名", "太短", "行规则", "表单规则", "测算金额",
    ])  # not property names, enum values, defaults, rule names or prefill paths


def test_bpmn_texts_are_the_names_of_bpmn_elements_only():
    assert list(bpmn_texts(BPMN)) == ["池", "Process name", "Lane name", "User task", "Gateway?", "Flow", "Timer"]


def test_dmn_texts_are_worded_string_outputs():
    assert list(dmn_texts(DMN)) == ["凯里市2026年规则"]  # not codes, conditions, numbers or expressions


def test_program_texts_are_the_program_names():
    data = {"programs": [{"code": "dibao", "name": "农村最低生活保障"}, {"code": "x", "name": ""}, "junk"]}
    assert list(program_texts(data)) == ["农村最低生活保障"]
    assert list(program_texts([])) == []


def make_tree(root: Path) -> Sources:
    (root / "forms").mkdir()
    (root / "forms" / "a.json").write_text(json.dumps({"title": "共同"}, ensure_ascii=False), encoding="utf-8")
    program_forms = root / "workflows" / "prog" / "forms"
    program_forms.mkdir(parents=True)
    (program_forms / "b.json").write_text(json.dumps(SCHEMA, ensure_ascii=False), encoding="utf-8")
    (root / "workflows" / "prog" / "p.bpmn").write_bytes(BPMN.replace(b"User task", "共同".encode()))
    (root / "workflows" / "prog" / "d.dmn").write_bytes(DMN)
    (root / "programs.json").write_text(json.dumps({"programs": [{"name": "项目"}]}, ensure_ascii=False),
                                        encoding="utf-8")
    return Sources(base=root, schema_dirs=(root / "forms", program_forms), workflows=root / "workflows",
                   programs=root / "programs.json")


def test_collect_names_each_text_with_the_files_it_comes_from(tmp_path):
    found = collect(make_tree(tmp_path))
    assert found["共同"] == {"forms/a.json", "workflows/prog/p.bpmn"}
    assert found["测算金额"] == {"workflows/prog/forms/b.json"}
    assert found["凯里市2026年规则"] == {"workflows/prog/d.dmn"}
    assert found["项目"] == {"programs.json"}
    assert "Lane name" in found and "county" not in found


def test_render_is_sorted_valid_python_of_one_gettext_noop_per_text():
    found = {"乙": {"b.json"}, "甲 \"引号\" \\ 反斜杠": {"a.json"}, "多处": {f"f{i}.bpmn" for i in range(5)}}
    module = render(found)
    calls = [node.value for node in ast.parse(module).body
             if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)]
    assert all(call.func.id == "gettext_noop" for call in calls)
    texts = [call.args[0].value for call in calls]
    assert texts == sorted(found)
    lines = module.splitlines()
    assert 'gettext_noop("多处")  # f0.bpmn, f1.bpmn, f2.bpmn (+2 more)' in lines
    assert 'gettext_noop("甲 \\"引号\\" \\\\ 反斜杠")  # a.json' in lines
    assert render(found) == module  # deterministic


def test_committed_module_is_up_to_date_with_the_data_files():
    """Like the BPMN diagrams: a data file changed without regenerating the module fails here."""
    expected = render(collect(Sources.of_project()))
    assert data_texts.MODULE.read_text(encoding="utf-8") == expected, (
        f"{data_texts.MODULE} is out of date with the form schemas, BPMN/DMN files or programs.json: run "
        f"`{data_texts.REGENERATE}`, then makemessages and translate the new entries (README.md, Translations)"
    )


def test_committed_module_covers_a_form_label_a_task_name_and_a_program():
    module = data_texts.MODULE.read_text(encoding="utf-8")
    assert 'gettext_noop("申请人身份证号")  # forms/schemas/household_application.json' in module
    assert 'gettext_noop("填写救助申请")  # workflows/demo/demo_assistance.bpmn' in module
    assert 'gettext_noop("农村最低生活保障")  # portal/cases/data/programs.json' in module


def test_command_writes_checks_and_reports_a_stale_module(tmp_path, capsys):
    target = tmp_path / "data_messages.py"
    call_command("form_messages", output=str(target))
    assert target.read_text(encoding="utf-8") == data_texts.MODULE.read_text(encoding="utf-8")
    assert "wrote" in capsys.readouterr().out
    call_command("form_messages", output=str(target))
    assert "unchanged" in capsys.readouterr().out
    call_command("form_messages", "--check", output=str(target))
    target.write_text(target.read_text(encoding="utf-8").replace('gettext_noop("申请人身份证号")', ""),
                      encoding="utf-8")
    with pytest.raises(CommandError, match="run `python manage.py form_messages`"):
        call_command("form_messages", "--check", output=str(target))
    assert 'gettext_noop("申请人身份证号")' not in target.read_text(encoding="utf-8")  # --check writes nothing
