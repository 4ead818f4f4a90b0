from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisasterConfig(AppConfig):
    name = "portal.programs.disaster"
    label = "disaster"
    verbose_name = _("受灾人员救助")
