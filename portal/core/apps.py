from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "portal.core"
    label = "core"

    def ready(self) -> None:
        from django.contrib.auth import signals

        from .audit_signals import audit_login, audit_logout

        signals.user_logged_in.connect(audit_login, dispatch_uid="doudi-audit-login")
        signals.user_logged_out.connect(audit_logout, dispatch_uid="doudi-audit-logout")
