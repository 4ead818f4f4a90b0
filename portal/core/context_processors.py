"""Template context shared by every portal page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from engine.actors import user_offices

from .menu import menu_for


def staff_roles(request: HttpRequest) -> dict[str, Any]:
    """The roles the user holds (from their ``<role>:<code>`` groups) and the menu entries they can use."""
    roles = sorted({role for role, _code in user_offices(getattr(request, "user", None))})
    return {"staff_roles": roles, "menu": menu_for(roles)}
