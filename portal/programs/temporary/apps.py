from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TemporaryConfig(AppConfig):
    """Temporary assistance (临时救助): reserve funds, emergency aid and their service task operators."""

    name = "portal.programs.temporary"
    label = "temporary"
    verbose_name = _("临时救助")

    def ready(self) -> None:
        from . import operators  # noqa: F401 - registers the service task operators
