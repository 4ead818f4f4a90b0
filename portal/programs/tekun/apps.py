from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TekunConfig(AppConfig):
    name = "portal.programs.tekun"
    label = "tekun"
    verbose_name = _("特困人员救助供养")

    def ready(self) -> None:
        from . import operators  # noqa: F401 - registers the service task operators
