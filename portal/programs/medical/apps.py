from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MedicalConfig(AppConfig):
    name = "portal.programs.medical"
    label = "medical"
    verbose_name = _("医疗救助")

    def ready(self) -> None:
        from . import operators  # noqa: F401 - registers the service task operators
