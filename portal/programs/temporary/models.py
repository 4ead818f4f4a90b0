"""Temporary assistance (临时救助): each township's reserve fund (备用金), its append-only ledger, and the
emergency aid (先行救助) paid from it before the review and approval paperwork is done."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.cases.models import Case, Jurisdiction

CENT = "0.01"


class ReserveFund(models.Model):
    """A township's reserve fund for emergency aid. The balance only changes through ``funds.pay`` and
    ``funds.top_up``, each under a row lock and with a ledger entry; it can never go below zero."""

    township = models.OneToOneField(Jurisdiction, on_delete=models.PROTECT, primary_key=True,
                                    related_name="temporary_reserve_fund", verbose_name=_("乡镇（街道）"))
    balance = models.DecimalField(_("余额（元）"), max_digits=14, decimal_places=2, default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("临时救助备用金")
        verbose_name_plural = _("临时救助备用金")
        constraints = [models.CheckConstraint(condition=models.Q(balance__gte=0), name="temporary_fund_not_negative")]

    def __str__(self) -> str:
        return f"{self.township.name} {self.balance}"


class AppendOnly(models.Model):
    """Rows written once: saving an existing row or deleting one is refused."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError(f"{type(self).__name__} rows are append-only")


class ReserveFundEntry(AppendOnly):
    """One movement of a reserve fund: a top-up (拨付) or an emergency aid payment (先行救助支出)."""

    class Kind(models.TextChoices):
        TOP_UP = "top_up", _("拨付")
        PAYMENT = "payment", _("先行救助支出")

    fund = models.ForeignKey(ReserveFund, on_delete=models.PROTECT, related_name="entries",
                             verbose_name=_("备用金"))
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2,
                                 validators=[MinValueValidator(CENT)])
    balance_after = models.DecimalField(_("变动后余额（元）"), max_digits=14, decimal_places=2)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("案件"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("经办人"))
    actor_label = models.CharField(_("经办人"), max_length=200)
    reason = models.CharField(_("事由"), max_length=500)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("备用金收支记录")
        verbose_name_plural = _("备用金收支记录")
        ordering = ["fund", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="temporary_entry_positive"),
            models.CheckConstraint(condition=models.Q(balance_after__gte=0), name="temporary_entry_balance"),
        ]

    def __str__(self) -> str:
        return f"{self.fund_id} {self.get_kind_display()} {self.amount}"


class EmergencyAid(models.Model):
    """Aid paid at once (先行救助), whose review and approval paperwork must follow within a deadline."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", _("补办手续后批准")
        REFUSED = "refused", _("补办手续后不予批准")
        WITHDRAWN = "withdrawn", _("申请撤回")

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="temporary_emergency_aid",
                                verbose_name=_("案件"))
    township = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("乡镇（街道）"))
    payment = models.OneToOneField(ReserveFundEntry, on_delete=models.PROTECT, related_name="emergency_aid",
                                   verbose_name=_("备用金支出"))
    amount = models.DecimalField(_("先行救助金额（元）"), max_digits=14, decimal_places=2)
    aid_date = models.DateField(_("救助日期"))
    situation = models.TextField(_("困难情形"))
    paid_at = models.DateTimeField(_("发放时间"))
    paperwork_due = models.DateTimeField(_("补办手续时限"))
    escalated_at = models.DateTimeField(_("逾期督办时间"), null=True, blank=True)
    settled_at = models.DateTimeField(_("手续办结时间"), null=True, blank=True)
    outcome = models.CharField(_("补办结果"), max_length=16, choices=Outcome.choices, blank=True)

    class Meta:
        verbose_name = _("先行救助")
        verbose_name_plural = _("先行救助")
        ordering = ["paperwork_due"]
        indexes = [models.Index(fields=["settled_at", "paperwork_due"], name="temporary_aid_open_due")]

    def __str__(self) -> str:
        return f"{self.case.business_key} {self.amount}"

    def is_overdue(self, now: Any = None) -> bool:
        return self.settled_at is None and self.paperwork_due < (now or timezone.now())
