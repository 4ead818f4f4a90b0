from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "portal.programs.review"
    label = "review"
    verbose_name = _("动态管理（定期核查）")
