"""Values a task form takes from the process data: ``x-prefill`` on a property, ``x-figures`` on the form."""

from __future__ import annotations

import pytest
from django.utils import translation

from forms import process_values, registry
from forms.renderer import SchemaError

MEDICAL = {"compliant_cost": 12000.0, "rate": 1.0, "annual_cap": 60000.0, "paid_this_year": 0.0,
           "remaining_cap": 60000.0, "amount": 12000.0, "patient_share": 0.0}


@pytest.mark.parametrize("form_key", registry.form_keys())
def test_every_form_declares_well_formed_process_values(form_key):
    process_values.prefill(form_key, {})
    assert process_values.figures(form_key, {}) == []


@pytest.mark.parametrize(("data", "expected"), [
    ({"dibao": {"amount": 320.5}}, {"proposed_amount": 320.5}),
    ({"dibao": {"amount": 0}}, {}),  # not eligible: the reviewer states the amount
    ({"dibao": {"amount": True}}, {}),
    ({"dibao": {"amount": "320"}}, {}),
    ({"dibao": 320}, {}),
    ({}, {}),
])
def test_prefill_takes_a_computed_positive_amount(data, expected):
    assert process_values.prefill("township_opinion", data) == expected


def test_decisions_start_from_the_proposed_amount():
    for form_key in ("county_decision", "township_confirmation", "temporary_county_decision",
                     "temporary_collective_decision", "temporary_township_confirmation"):
        assert process_values.prefill(form_key, {"proposed_amount": 1500.01}) == {"approved_amount": 1500.01}


def test_figures_in_the_declared_order_leaving_out_what_is_missing():
    with translation.override("zh-hans"):
        shown = [(str(label), value) for label, value in
                 process_values.figures("medical_decision", {"medical_amount": MEDICAL})]
        assert shown[0] == ("政策范围内个人自付（元）", 12000.0)
        assert [label for label, _ in shown][-2:] == ["测算救助金额（元）", "个人负担（元）"]
        assert len(shown) == 7
        partial = {"medical_amount": {"amount": 900.0, "rate": {"nested": 1}}}
        assert [(str(a), b) for a, b in process_values.figures("medical_decision", partial)] == [
            ("测算救助金额（元）", 900.0)]
        # A shared form shows a programme's figures only when its process computed them.
        assert process_values.figures("county_decision", {"proposed_amount": 480}) == []
        care = {"care": {"level_label": "完全丧失生活自理能力", "unable_count": 5}}
        assert [str(a) for a, _ in process_values.figures("county_decision", care)] == [
            "生活自理能力", "不能自理的项目数"]


@pytest.mark.parametrize("schema", [
    {"properties": {"amount": {"type": "number", "x-prefill": "dibao..amount"}}},
    {"properties": {"amount": {"type": "number", "x-prefill": ["dibao", "amount"]}}},
    {"properties": {}, "x-figures": {"from": "a", "title": "甲"}},
    {"properties": {}, "x-figures": [{"from": "a"}]},
    {"properties": {}, "x-figures": [{"from": "a-b", "title": "甲"}]},
])
def test_malformed_declarations_are_schema_errors(monkeypatch, schema):
    monkeypatch.setattr(registry, "schema", lambda form_key: schema)
    with pytest.raises(SchemaError):
        process_values.prefill("broken", {"dibao": {"amount": 1}})
        process_values.figures("broken", {"a": 1})
