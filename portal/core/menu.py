"""The portal's menu: each page and the roles it is shown to.

A link is shown only to users who can use the page behind it, so the roles here are the ones each page
admits (imported from the page's module where the page declares them). ``None`` means any member of staff.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal.programs.temporary.views import FUND_ROLES, REPORT_ROLES


@dataclass(frozen=True)
class Entry:
    url_name: str
    label: str | Promise
    roles: frozenset[str] | None = None  # None: every member of staff

    def shown_to(self, roles: Collection[str]) -> bool:
        if not roles:
            return False
        return self.roles is None or not self.roles.isdisjoint(roles)


ENTRIES = (
    Entry("intake:start", _("受理申请"), frozenset({"township_caseworker"})),
    Entry("casefile:list", _("案卷")),
    Entry("notices:index", _("公示")),
    Entry("review:schedules", _("动态管理")),
    Entry("disaster:register", _("受灾救助")),
    Entry("medical:claim", _("一站式结算"), frozenset({"hospital_window"})),
    Entry("temporary:overdue", _("先行救助补办"), frozenset(REPORT_ROLES)),
    Entry("temporary:funds", _("备用金"), frozenset(FUND_ROLES)),
    Entry("tekun:care_homes", _("供养机构"), frozenset({"care_institution", "county_admin", "county_approver"})),
    Entry("children:list", _("儿童关爱"), frozenset({"child_director", "child_supervisor"})),
)


def menu_for(roles: Collection[str]) -> list[tuple[str, str | Promise]]:
    """(url, label) of every entry shown to a user holding ``roles``, in menu order."""
    return [(reverse(entry.url_name), entry.label) for entry in ENTRIES if entry.shown_to(roles)]
