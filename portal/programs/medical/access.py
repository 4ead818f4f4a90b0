"""Who may use the one-stop settlement pages: hospital settlement windows (``hospital_window:<county>``)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from engine.actors import user_groups

ROLE = "hospital_window"
COUNTY_DIGITS = 6


def window_counties(user: Any) -> list[str]:
    """The 6-digit county codes of the user's ``hospital_window:<code>`` groups."""
    prefix = f"{ROLE}:"
    codes = (name[len(prefix):] for name in user_groups(user) if name.startswith(prefix))
    return sorted(code for code in codes if len(code) == COUNTY_DIGITS and code.isdigit())


def require_window(user: Any) -> list[str]:
    """The user's counties; anyone else gets a 404, as for everything outside one's office."""
    counties = window_counties(user)
    if not counties:
        raise Http404
    return counties
