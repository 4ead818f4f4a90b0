"""engine.decisions: a deployed DMN decision evaluated directly, by the version in effect, in the sandbox."""

from __future__ import annotations

import builtins
import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from engine import decisions
from engine.deploy import deploy_source
from engine.errors import DefinitionNotFound, DeployError, EngineError
from engine.models import ProcessDefinition
from tests.conftest import TESTS_DIR

pytestmark = pytest.mark.django_db
TIER_DMN = (TESTS_DIR / "engine" / "bpmn" / "approval_tier.dmn").read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _fresh_tables():
    decisions.clear_cache()
    yield
    decisions.clear_cache()


def deploy(**replacements: str) -> ProcessDefinition:
    source = TIER_DMN
    for old, new in replacements.items():
        source = source.replace(old, new)
    return deploy_source("approval_tier.dmn", source).definition


def store_unlinted(source: str) -> ProcessDefinition:
    """A DMN row written without deploy's checks (an old database, a hand edit): evaluation must still refuse
    what the sandbox refuses."""
    return ProcessDefinition.objects.create(key="approval_tier", version=1, kind=ProcessDefinition.Kind.DMN,
                                            name="审批层级", source_path="approval_tier.dmn", source=source,
                                            sha256=hashlib.sha256(source.encode()).hexdigest())


@pytest.mark.parametrize(("amount", "tier", "rule"), [
    (1500, "township", "Rule_small"),
    (1500.01, "county", "Rule_mid"),
    (20000, "county", "Rule_mid"),
    (20001, "county_collective", "Rule_big"),
])
def test_a_unique_table_answers_with_the_matching_rule_and_says_which(amount, tier, rule):
    definition = deploy()
    found = decisions.evaluate("approval_tier", {"amount": amount})
    assert found.outputs == {"tier": tier}
    assert (found.key, found.version, found.definition_id, found.sha256, found.rules) == (
        "approval_tier", 1, definition.pk, definition.sha256, (rule,))
    assert found.audit() == {"decision": "approval_tier", "version": 1, "definition_id": definition.pk,
                             "sha256": definition.sha256, "rules": [rule]}


def test_a_collect_table_answers_with_a_list_per_output_in_table_order():
    deploy(**{'hitPolicy="UNIQUE"': 'hitPolicy="COLLECT"', "&gt; 20000": "&gt; 1000"})
    found = decisions.evaluate("approval_tier", {"amount": 1600})
    assert found.outputs == {"tier": ["county", "county_collective"]}
    assert found.rules == ("Rule_mid", "Rule_big")
    assert decisions.evaluate("approval_tier", {"amount": 500}).outputs == {"tier": ["township"]}


@pytest.mark.parametrize("policy", ["UNIQUE", "COLLECT"])
def test_no_matching_rule_is_an_error_naming_the_decision_and_version(policy):
    deploy(**{'hitPolicy="UNIQUE"': f'hitPolicy="{policy}"', "&gt; 20000": "20000 &lt; ? &lt; 50000"})
    with pytest.raises(decisions.NoMatchingRule, match="'approval_tier' v1") as raised:
        decisions.evaluate("approval_tier", {"amount": 60000})
    assert (raised.value.key, raised.value.version) == ("approval_tier", 1)
    assert isinstance(raised.value, EngineError)


def test_an_unknown_key_is_an_error():
    deploy()
    with pytest.raises(decisions.DecisionNotFound, match="'no_such_table'") as raised:
        decisions.evaluate("no_such_table", {"amount": 1})
    assert isinstance(raised.value, DefinitionNotFound) and raised.value.version is None


def test_the_active_version_in_effect_answers():
    first = deploy()
    second = deploy(**{'"township"': '"township_office"'})
    assert second.version == 2
    found = decisions.evaluate("approval_tier", {"amount": 100})
    assert (found.outputs, found.version, found.sha256) == ({"tier": "township_office"}, 2, second.sha256)

    second.status = ProcessDefinition.Status.RETIRED
    second.save(update_fields=["status"])
    found = decisions.evaluate("approval_tier", {"amount": 100})
    assert (found.outputs, found.version, found.definition_id) == ({"tier": "township"}, 1, first.pk)

    # Version 2 active again, but only from tomorrow: today version 1 answers, tomorrow version 2.
    tomorrow = timezone.now() + timedelta(days=1)
    second.status, second.effective_from = ProcessDefinition.Status.ACTIVE, tomorrow
    second.save(update_fields=["status", "effective_from"])
    assert decisions.evaluate("approval_tier", {"amount": 100}).version == 1
    assert decisions.evaluate("approval_tier", {"amount": 100}, on=tomorrow).version == 2

    first.status = ProcessDefinition.Status.RETIRED
    first.save(update_fields=["status"])
    with pytest.raises(decisions.DecisionNotFound):
        decisions.evaluate("approval_tier", {"amount": 100})


def test_only_dmn_definitions_answer(deploy_test_file):
    deploy_test_file("short_timer.bpmn")
    bpmn_key = ProcessDefinition.objects.get(kind=ProcessDefinition.Kind.BPMN).key
    with pytest.raises(decisions.DecisionNotFound):
        decisions.evaluate(bpmn_key, {})


@pytest.mark.parametrize(("old", "new"), [
    ('<text>"township"</text>', '<text>__import__("os").getcwd()</text>'),  # an output cell
    ("<text>&lt;= 1500</text>", "<text>amount.real &lt;= 1500</text>"),  # an input cell
    ("<text>amount</text>", "<text>().__class__</text>"),  # the input expression
])
def test_expressions_the_sandbox_refuses_are_refused_not_run(old, new):
    source = TIER_DMN.replace(old, new)
    with pytest.raises(DeployError):
        deploy_source("approval_tier.dmn", source)
    store_unlinted(source)
    with pytest.raises(decisions.DecisionError, match="refused"):
        decisions.evaluate("approval_tier", {"amount": 100})


def test_evaluation_never_reaches_python_eval(monkeypatch):
    deploy()

    def forbidden(*args, **kwargs):
        raise AssertionError("a DMN cell reached Python's eval/exec")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    assert decisions.evaluate("approval_tier", {"amount": 30000}).outputs == {"tier": "county_collective"}


@pytest.mark.parametrize(("inputs", "message"), [
    ({}, "name 'amount' is not defined"),
    ({"amount": "110101199003077777"}, "not supported"),
    ({"amount": None}, "not supported"),
])
def test_bad_inputs_are_an_error_that_never_shows_the_values(inputs, message):
    deploy()
    with pytest.raises(decisions.DecisionError, match=message) as raised:
        decisions.evaluate("approval_tier", inputs)
    assert "'approval_tier' v1" in str(raised.value)
    assert "110101199003077777" not in str(raised.value)


@pytest.mark.parametrize("inputs", [["amount", 1], {"_amount": 1}, {1: 1}])
def test_inputs_must_be_a_mapping_of_names(inputs):
    deploy()
    with pytest.raises(decisions.DecisionError, match="mapping of names"):
        decisions.evaluate("approval_tier", inputs)


def test_the_inputs_are_not_changed():
    deploy()
    inputs = {"amount": 100, "other": [1]}
    decisions.evaluate("approval_tier", inputs)
    assert inputs == {"amount": 100, "other": [1]}
