"""Template context shared by every portal page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from engine.actors import user_groups


def staff_roles(request: HttpRequest) -> dict[str, Any]:
    """The roles the user holds (from their ``<role>:<code>`` groups), for showing the menus they can use."""
    roles = {name.split(":", 1)[0] for name in user_groups(getattr(request, "user", None)) if ":" in name}
    return {"staff_roles": sorted(roles & set(settings.ENGINE_ROLES))}
