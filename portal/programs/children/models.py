"""What a child's protection case records beyond its process: the departments told of the risk assessment, the
temporary guardianship arranged, the other programs' cases opened for the child's household, and guardianship
revocation petitions. Each row is written by a service task operator (``operators.py``) and mirrored by an event in
the case's audit chain. No resident ID numbers are stored here."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.cases.models import Case


class RiskLevel(models.TextChoices):
    LOW = "low", _("低")
    MEDIUM = "medium", _("中")
    HIGH = "high", _("高")
    EMERGENCY = "emergency", _("紧急")


class RiskAssessment(models.Model):
    """One risk assessment of the child by the township child supervisor: the four aspects' points and the level."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="risk_assessments")
    assessed_on = models.DateField(_("评估日期"))
    risk_level = models.CharField(_("风险等级"), max_length=16, choices=RiskLevel.choices)
    points = models.JSONField(_("各方面程度分"), default=dict)
    total = models.PositiveSmallIntegerField(_("合计"))
    no_effective_guardian = models.BooleanField(_("无有效监护"), default=False)
    findings = models.TextField(_("评估情况"))
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("评估人"))
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("风险评估")
        verbose_name_plural = _("风险评估")
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case} — {self.get_risk_level_display()}"


class DepartmentNotification(models.Model):
    """The risk assessment shared with another department (评估结果通报)."""

    class Department(models.TextChoices):
        POLICE = "police", _("公安机关")
        EDUCATION = "education", _("教育部门（学校）")
        HEALTH = "health", _("卫生健康部门")
        WOMEN_FEDERATION = "women_federation", _("妇联")
        DISABLED_FEDERATION = "disabled_federation", _("残联")
        PROCURATORATE = "procuratorate", _("检察机关")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="department_notifications")
    assessment = models.ForeignKey(RiskAssessment, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="notifications", verbose_name=_("风险评估"))
    department = models.CharField(_("部门"), max_length=32, choices=Department.choices)
    notified_on = models.DateField(_("通报日期"))
    contact = models.CharField(_("通报对象及联系人"), max_length=500, blank=True)
    risk_level = models.CharField(_("风险等级"), max_length=16, choices=RiskLevel.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("风险评估通报")
        verbose_name_plural = _("风险评估通报")
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case} → {self.get_department_display()}"


class TemporaryGuardianship(models.Model):
    """Who looks after a child without an effective guardian, where, from when (临时监护)."""

    class Kind(models.TextChoices):
        RELATIVES = "relatives", _("委托亲属临时照料")
        VILLAGE_COMMITTEE = "village_committee", _("村（居）民委员会临时照料")
        PROTECTION_CENTER = "protection_center", _("未成年人救助保护机构")
        WELFARE_INSTITUTION = "welfare_institution", _("儿童福利机构")
        FOSTER_FAMILY = "foster_family", _("家庭寄养")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="temporary_guardianships")
    kind = models.CharField(_("临时监护方式"), max_length=32, choices=Kind.choices)
    guardian_name = models.CharField(_("临时照料人（机构）"), max_length=100)
    guardian_relation = models.CharField(_("与儿童的关系"), max_length=50, blank=True)
    guardian_phone = models.CharField(_("联系电话"), max_length=20)
    placement_address = models.CharField(_("照料地点"), max_length=200)
    starts_at = models.DateTimeField(_("开始照料时间"))
    arrangement = models.TextField(_("安排情况"))
    agreement_signed = models.BooleanField(_("已签订临时照料协议"), default=False)
    arranged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("安排人"))
    due_at = models.DateTimeField(_("应急处置时限"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("临时监护")
        verbose_name_plural = _("临时监护")
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case} — {self.guardian_name}"

    @property
    def within_clock(self) -> bool:
        return self.due_at is None or self.recorded_at <= self.due_at

    @property
    def active(self) -> bool:
        return self.ended_at is None


class ChildCaseLink(models.Model):
    """A case of another program opened for the child's household from the assistance plan (转介), or why not."""

    class Status(models.TextChoices):
        OPENED = "opened", _("已受理")
        REFUSED = "refused", _("不予受理")
        FAILED = "failed", _("未能启动")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="child_links")
    program_code = models.CharField(_("救助项目代码"), max_length=40)
    program_name = models.CharField(_("救助项目"), max_length=100)
    linked_case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="child_referrals", verbose_name=_("转介案件"))
    status = models.CharField(_("结果"), max_length=16, choices=Status.choices)
    referral_reason = models.CharField(_("转介理由"), max_length=500)
    problems = models.TextField(_("原因"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("转介人"))
    created_at = models.DateTimeField(_("转介时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("转介案件")
        verbose_name_plural = _("转介案件")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case} → {self.program_name} ({self.get_status_display()})"


class GuardianshipPetition(models.Model):
    """An application to the court to revoke a guardian's guardianship (申请撤销监护人资格)."""

    class Grounds(models.TextChoices):
        NEGLECT = "neglect", _("怠于履行监护职责")
        ABUSE = "abuse", _("性侵害、虐待、暴力伤害")
        ABANDONMENT = "abandonment", _("遗弃、出卖")
        OTHER_SERIOUS_HARM = "other_serious_harm", _("其他严重损害儿童身心健康的行为")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="guardianship_petitions")
    grounds = models.CharField(_("申请事由"), max_length=32, choices=Grounds.choices)
    respondent_name = models.CharField(_("被申请人"), max_length=50)
    neglect_since = models.DateField(_("怠于履行监护职责起始日期"), null=True, blank=True)
    neglect_months = models.PositiveIntegerField(_("持续月数"), null=True, blank=True)
    court = models.CharField(_("受理法院"), max_length=100)
    filed_on = models.DateField(_("提出申请日期"))
    facts = models.TextField(_("事实和理由"))
    evidence = models.JSONField(_("证据材料"), default=list, blank=True)
    proposed_guardian = models.CharField(_("建议指定的监护人"), max_length=100, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("撤销监护人资格申请")
        verbose_name_plural = _("撤销监护人资格申请")
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case} — {self.court} {self.filed_on}"
