"""The names drawn in a case's BPMN diagram, in the reader's language.

The BPMN files are written in Chinese; their names are in the catalogue (``forms/data_messages.py``). For another
language each element's ``name`` is replaced by its translation before the diagram is sent to bpmn-js; the ids and
the drawing are untouched.
"""

from __future__ import annotations

from django.utils import translation
from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def in_reader_language(source: str) -> str:
    """``source`` with its BPMN element names translated, or as it is when the reader reads Chinese."""
    if (translation.get_language() or "zh-hans").startswith("zh"):
        return source
    root = etree.fromstring(source.encode("utf-8"), _PARSER)
    for element in root.iter(f"{{{BPMN_NS}}}*"):
        name = element.get("name")
        if name:
            element.set("name", translation.gettext(name))
    return etree.tostring(root, encoding="unicode")
