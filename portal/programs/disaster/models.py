"""The disaster relief register (受灾人员救助台账): one row per case, written by the process's operators.

The row names the disaster event and the aid, and keeps the last calculation of the amount with the
rule values it used, so that the emergency-management department can list aid by event and check
every amount. The case (and its audit chain) stays the record of who decided what.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.cases.models import Case


class DisasterType(models.TextChoices):
    FLOOD = "flood", _("洪涝")
    LANDSLIDE = "landslide", _("滑坡、泥石流等地质灾害")
    EARTHQUAKE = "earthquake", _("地震")
    STORM = "storm", _("风雹（大风、冰雹）")
    OTHER = "other", _("其他")


class AidType(models.TextChoices):
    EMERGENCY_TRANSFER = "emergency_transfer", _("紧急转移安置")
    EMERGENCY_LIVING = "emergency_living", _("应急生活救助")
    TRANSITIONAL_LIVING = "transitional_living", _("过渡期生活救助")
    HOUSE_REBUILDING = "house_rebuilding", _("倒损房屋恢复重建（维修）补助")


LIVING_AID_TYPES = (AidType.EMERGENCY_TRANSFER, AidType.EMERGENCY_LIVING, AidType.TRANSITIONAL_LIVING)
EMERGENCY_AID_TYPES = (AidType.EMERGENCY_TRANSFER, AidType.EMERGENCY_LIVING)


class DamageLevel(models.TextChoices):
    COLLAPSED = "collapsed", _("倒塌")
    SEVERE = "severe", _("严重损坏")
    GENERAL = "general", _("一般损坏")


class HouseholdCategory(models.TextChoices):
    DIBAO = "dibao", _("低保户")
    REGISTERED_POOR = "registered_poor", _("建档立卡贫困户")
    ORDINARY = "ordinary", _("一般农户")


class DisasterAid(models.Model):
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="disaster_aid",
                                verbose_name=_("救助案件"))
    event_name = models.CharField(_("灾害事件名称"), max_length=100)
    event_date = models.DateField(_("灾害发生日期"))
    event_type = models.CharField(_("灾害类型"), max_length=16, choices=DisasterType.choices)
    aid_type = models.CharField(_("救助类别"), max_length=24, choices=AidType.choices)
    # Living aid (紧急转移安置, 应急生活救助, 过渡期生活救助): persons × days × rate per person and day.
    persons = models.PositiveSmallIntegerField(_("救助人数"), null=True, blank=True)
    days_requested = models.PositiveSmallIntegerField(_("核定天数"), null=True, blank=True)
    days = models.PositiveSmallIntegerField(_("计发天数"), null=True, blank=True)
    daily_rate = models.DecimalField(_("每人每天标准（元）"), max_digits=8, decimal_places=2, null=True, blank=True)
    max_days = models.PositiveSmallIntegerField(_("最长救助天数"), null=True, blank=True)
    # House rebuilding or repair: damage level and area from the assessment, the household's category.
    damage_level = models.CharField(_("倒损程度"), max_length=16, choices=DamageLevel.choices, blank=True)
    damaged_area = models.DecimalField(_("倒损面积（平方米）"), max_digits=8, decimal_places=2, null=True, blank=True)
    household_category = models.CharField(_("家庭类别"), max_length=16, choices=HouseholdCategory.choices,
                                          blank=True)
    amount = models.DecimalField(_("救助金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    basis = models.CharField(_("计算依据"), max_length=300, blank=True)
    registered_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    calculated_at = models.DateTimeField(_("计算时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("受灾人员救助")
        verbose_name_plural = _("受灾人员救助台账")
        indexes = [models.Index(fields=["event_name"], name="disaster_aid_event")]

    def __str__(self) -> str:
        return f"{self.case} {self.event_name}"

    @property
    def is_emergency(self) -> bool:
        return self.aid_type in EMERGENCY_AID_TYPES
