from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TemporaryConfig(AppConfig):
    name = "portal.programs.temporary"
    label = "temporary"
    verbose_name = _("临时救助")
