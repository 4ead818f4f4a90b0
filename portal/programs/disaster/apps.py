from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisasterConfig(AppConfig):
    """Disaster victims relief (受灾人员救助): the aid register and the service task operators of its process."""

    name = "portal.programs.disaster"
    label = "disaster"
    verbose_name = _("受灾人员救助")

    def ready(self) -> None:
        from . import operators  # noqa: F401 - registers the service task operators
