from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorklistConfig(AppConfig):
    name = "portal.worklist"
    label = "worklist"
    verbose_name = _("待办")
