"""Who may use the one-stop settlement pages: hospital settlement windows (``hospital_window:<county>``)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from engine.actors import office_codes

ROLE = "hospital_window"
COUNTY_DIGITS = 6


def window_counties(user: Any) -> list[str]:
    """The 6-digit county codes of the user's ``hospital_window:<code>`` groups."""
    return [code for code in office_codes(user, [ROLE]) if len(code) == COUNTY_DIGITS]


def require_window(user: Any) -> list[str]:
    """The user's counties; anyone else gets a 404, as for everything outside one's office."""
    counties = window_counties(user)
    if not counties:
        raise Http404
    return counties
