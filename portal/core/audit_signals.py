"""Logins and logouts go into the system audit chain."""

from typing import Any

from engine import audit


def _client(request: Any) -> dict[str, str]:
    if request is None:
        return {}
    return {"ip": request.META.get("REMOTE_ADDR", ""), "agent": request.META.get("HTTP_USER_AGENT", "")[:200]}


def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.append("auth.login", actor=user, payload=_client(request))


def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.append("auth.logout", actor=user, payload=_client(request))
