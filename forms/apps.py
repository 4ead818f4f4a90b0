from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormsConfig(AppConfig):
    name = "forms"
    label = "task_forms"
    verbose_name = _("任务表单")
