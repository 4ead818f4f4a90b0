"""Dynamic management (动态管理) of approved 低保 and 特困 cases: when each is next reviewed, and which review case
reviews which approved case.

A review is a case of its own (program ``dibao_review`` or ``tekun_review``, process ``annual_review``) on the same
household; ``ReviewCase`` links it to the approved case it reviews. At most one review of a case is open at a time
(a partial unique constraint, besides ``Case``'s own one-open-case-per-household-and-program).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.cases.models import Case, Member


class ReviewSchedule(models.Model):
    """When an approved case is next due for review, and the facts and rule that set the interval."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="review_schedule",
                                verbose_name=_("被核查案件"))
    interval_months = models.PositiveSmallIntegerField(_("核查周期（月）"))
    # None once the case has been terminated: it is not reviewed any more.
    next_due = models.DateField(_("下次核查日期"), null=True, blank=True, db_index=True)
    basis = models.CharField(_("周期依据"), max_length=200, blank=True)
    irregular_income = models.BooleanField(_("收入来源不固定"), default=False)
    able_bodied_members = models.PositiveSmallIntegerField(_("有劳动能力的成员数"), default=0)
    last_reviewed_on = models.DateField(_("上次核查日期"), null=True, blank=True)
    last_review = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("上次核查案件"))
    ended_on = models.DateField(_("停止核查日期"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("动态管理核查计划")
        verbose_name_plural = _("动态管理核查计划")

    def __str__(self) -> str:
        return f"{self.case} → {self.next_due or '—'}"


class ReviewCase(models.Model):
    """A review case and the approved case it reviews, why it was opened and how it ended."""

    class Trigger(models.TextChoices):
        SCHEDULED = "scheduled", _("定期核查")
        DEATH = "death", _("家庭成员死亡")

    class Outcome(models.TextChoices):
        CONTINUE = "continue", _("继续保障")
        ADJUST = "adjust", _("调整保障金额")
        TERMINATE = "terminate", _("停止保障")
        CANCELLED = "cancelled", _("核查流程已撤销")

    review = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="review_link",
                                  verbose_name=_("核查案件"))
    original = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("被核查案件"))
    trigger = models.CharField(_("启动原因"), max_length=16, choices=Trigger.choices)
    due_on = models.DateField(_("应核查日期"), null=True, blank=True)
    death_date = models.DateField(_("成员死亡日期"), null=True, blank=True)
    opened_at = models.DateTimeField(_("启动时间"), auto_now_add=True)
    outcome = models.CharField(_("核查结果"), max_length=16, choices=Outcome.choices, blank=True)
    previous_amount = models.DecimalField(_("原保障金额（元/月）"), max_digits=12, decimal_places=2, null=True,
                                          blank=True)
    new_amount = models.DecimalField(_("核查后保障金额（元/月）"), max_digits=12, decimal_places=2, null=True,
                                     blank=True)
    effective_from = models.DateField(_("变更执行月份"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("核查案件")
        verbose_name_plural = _("核查案件")
        constraints = [
            models.UniqueConstraint(fields=["original"], condition=Q(concluded_at__isnull=True),
                                    name="review_one_open_review_per_case"),
        ]

    def __str__(self) -> str:
        return f"{self.review} ← {self.original}"


class DeathTrigger(models.Model):
    """A household member's death noted against an approved case, and the review that re-checks the case.

    ``record_death`` writes one per (member, case) when it marks the member deceased; the sweep of
    ``open_due_reviews`` writes the missing ones for deaths recorded any other way (the admin, an import).
    """

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("死亡成员"))
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+", verbose_name=_("被核查案件"))
    review = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+", verbose_name=_("核查案件"))
    died_on = models.DateField(_("死亡日期"))
    noted_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("成员死亡触发核查")
        verbose_name_plural = _("成员死亡触发核查")
        constraints = [models.UniqueConstraint(fields=["member", "case"], name="review_death_noted_once_per_case")]

    def __str__(self) -> str:
        return f"{self.member} → {self.review}"
