from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    """Registry records from other departments and the household economic verification operator."""

    name = "portal.verification"
    label = "verification"
    verbose_name = _("家庭经济状况核对")

    def ready(self) -> None:
        from . import operators  # noqa: F401 - registers the service task operators
