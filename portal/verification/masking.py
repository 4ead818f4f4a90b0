"""Masking resident ID numbers for output: logs, command output, admin lists.

Works on any text, valid number or not, because a rejected row's number must be masked too.
"""

from __future__ import annotations

from forms.resident_id import normalise

_KEEP = 4
_MIN_LENGTH_TO_KEEP = 12  # shorter than this, showing 4 + 4 characters would reveal most of it


def mask_resident_id(value: str) -> str:
    """``52260119520315011X`` → ``5226**********011X``; short or garbled text is all stars."""
    text = normalise(value or "")
    if len(text) < _MIN_LENGTH_TO_KEEP:
        return "*" * len(text)
    return f"{text[:_KEEP]}{'*' * (len(text) - 2 * _KEEP)}{text[-_KEEP:]}"
