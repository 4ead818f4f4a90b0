from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasefileConfig(AppConfig):
    name = "portal.casefile"
    label = "casefile"
    verbose_name = _("救助案卷")
