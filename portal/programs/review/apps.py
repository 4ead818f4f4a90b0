from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    """Dynamic management of approved 低保/特困 cases: review schedules, review cases, deaths."""

    name = "portal.programs.review"
    label = "review"
    verbose_name = _("动态管理（定期核查）")

    def ready(self) -> None:
        from . import operators, retired_operators  # noqa: F401 - registers the service task operators
