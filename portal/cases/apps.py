from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """The domain: jurisdictions, households, members and cases per program."""

    name = "portal.cases"
    label = "cases"
    verbose_name = _("救助对象与案件")

    def ready(self) -> None:
        from . import case_records, operators, outcome  # noqa: F401 - registers the service task operators
