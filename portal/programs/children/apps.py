from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChildrenConfig(AppConfig):
    """Left-behind and at-risk children (留守儿童和困境儿童保障): temporary guardianship, referrals to other programs,
    department notifications, guardianship petitions, and their service task operators."""

    name = "portal.programs.children"
    label = "children"
    verbose_name = _("困境儿童保障")

    def ready(self) -> None:
        from . import operators  # noqa: F401 - registers the service task operators
