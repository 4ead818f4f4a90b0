"""Who may see the 特困 pages: staff of a county's offices see its care homes; the care institution and the
county civil affairs administrator of that county may change a home's staffing. Anyone else gets a 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from engine.actors import office_codes

COUNTY_DIGITS = 6
STAFFING_ROLES = ("care_institution", "county_admin")


def _codes(user: Any, roles: tuple[str, ...] | None = None) -> set[str]:
    """The counties of the user's offices (a township or village office lies in its county)."""
    return {code[:COUNTY_DIGITS] for code in office_codes(user, roles) if len(code) >= COUNTY_DIGITS}


def staff_counties(user: Any) -> list[str]:
    """The counties of the offices the user works in (any role); none: 404."""
    counties = sorted(_codes(user))
    if not counties:
        raise Http404
    return counties


def staffing_counties(user: Any) -> set[str]:
    """The counties whose care homes' staffing the user may change."""
    return _codes(user, STAFFING_ROLES)
