"""Which rules of a DMN file match given inputs, each cell evaluated as the engine evaluates it: for the rules tests
that check a UNIQUE table has exactly one rule for every case of its domain (evaluating a deployed decision, which
stops at the first match, cannot show an overlap)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from engine.expressions import evaluate
from engine.lint import _dmn_cell_expression

DMN_NS = {"dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/"}


@dataclass(frozen=True)
class Rule:
    id: str
    outputs: dict[str, Any]


def matching_rules(path: Path, data: dict[str, Any]) -> list[Rule]:
    """Every rule of the table in ``path`` that matches ``data``, in table order, with its outputs."""
    table = etree.fromstring(path.read_bytes()).find("dmn:decision/dmn:decisionTable", DMN_NS)
    inputs = [i.findtext("dmn:inputExpression/dmn:text", namespaces=DMN_NS) for i in table.findall("dmn:input", DMN_NS)]
    names = [o.get("name") for o in table.findall("dmn:output", DMN_NS)]
    found = []
    for rule in table.findall("dmn:rule", DMN_NS):
        cells = [e.findtext("dmn:text", namespaces=DMN_NS).strip() for e in rule.findall("dmn:inputEntry", DMN_NS)]
        if all(cell in ("", "-") or evaluate(_dmn_cell_expression(inputs[col], cell),
                                             {**data, "dmninputexpr": evaluate(inputs[col], data)})
               for col, cell in enumerate(cells)):
            values = [evaluate(e.findtext("dmn:text", namespaces=DMN_NS), {})
                      for e in rule.findall("dmn:outputEntry", DMN_NS)]
            found.append(Rule(rule.get("id"), dict(zip(names, values, strict=True))))
    return found
