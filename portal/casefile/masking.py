"""Resident ID numbers on the case pages: the region code and the last four characters, never more."""

from __future__ import annotations

import re

_RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])")


def mask_resident_id(number: str) -> str:
    """A member's number for display: ``522601********1234``; anything not 18 characters long is all stars."""
    number = number or ""
    if len(number) != 18:
        return "*" * len(number)
    return f"{number[:6]}{'*' * 8}{number[-4:]}"


def mask_ids(text: str) -> str:
    """``text`` with every 18-character resident ID number in it masked like ``mask_resident_id``."""
    return _RESIDENT_ID.sub(lambda m: f"{m.group(1)}{'*' * 8}{m.group(2)}", text)
