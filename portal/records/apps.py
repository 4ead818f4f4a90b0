from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "portal.records"
    label = "records"
    verbose_name = _("签章文书")

    def ready(self) -> None:
        from . import checks, operators  # noqa: F401 - registers the system checks and the service task operators
