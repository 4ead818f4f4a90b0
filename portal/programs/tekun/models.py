"""特困人员救助供养: care homes and their staffing, residents, care agreements, visits and county spot checks.

Rows here are written by the tekun process's service task operators (``operators.py``), inside the engine
action that runs them, so each change is also an event in the case's audit chain. Care homes and their
staffing are master data kept by the county (admin, or the care-home page for the staffing figure).
"""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.cases.models import Case, Jurisdiction


class CareLevel(models.TextChoices):
    """生活自理能力 (the six daily activities) and the matching 照料护理 level."""

    SELF_CARE = "self_care", _("生活自理（自理）")
    PARTIAL = "partial", _("部分丧失生活自理能力（半护理）")
    FULL = "full", _("完全丧失生活自理能力（全护理）")


class CareHome(models.Model):
    """A 特困人员供养服务机构 (敬老院、福利院) of a county and its care staff."""

    county = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("所属县（市、区）"),
                               limit_choices_to={"level": Jurisdiction.Level.COUNTY})
    code = models.SlugField(_("机构编码"), max_length=40, unique=True,
                            help_text=_("入住登记时填写的编码：小写字母、数字和连字符"))
    name = models.CharField(_("机构名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    beds = models.PositiveIntegerField(_("床位数"), validators=[MinValueValidator(1)])
    carers = models.PositiveIntegerField(_("护理人员数"), default=0)
    active = models.BooleanField(_("在运营"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("供养服务机构")
        verbose_name_plural = _("供养服务机构")
        ordering = ["county", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def residents_by_level(self) -> dict[str, int]:
        counts = dict.fromkeys(CareLevel.values, 0)
        rows = (self.residencies.filter(ended_on__isnull=True).values_list("care_level")
                .annotate(n=models.Count("id")))
        for level, n in rows:
            counts[level] = n
        return counts


class Residency(models.Model):
    """A centralised-support person living in a care home (集中供养)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="tekun_residencies",
                             verbose_name=_("案件"))
    care_home = models.ForeignKey(CareHome, on_delete=models.PROTECT, related_name="residencies",
                                  verbose_name=_("供养服务机构"))
    resident_name = models.CharField(_("供养对象"), max_length=50)
    care_level = models.CharField(_("照料护理等级"), max_length=16, choices=CareLevel.choices)
    admitted_on = models.DateField(_("入住日期"))
    room = models.CharField(_("房间、床位"), max_length=50, blank=True)
    ended_on = models.DateField(_("离院日期"), null=True, blank=True)
    end_reason = models.CharField(_("离院原因"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("集中供养对象")
        verbose_name_plural = _("集中供养对象")
        ordering = ["care_home", "admitted_on", "id"]
        constraints = [models.UniqueConstraint(fields=["case"], condition=models.Q(ended_on__isnull=True),
                                               name="tekun_one_current_residency_per_case")]

    def __str__(self) -> str:
        return f"{self.resident_name} @ {self.care_home.code}"


class CareAgreement(models.Model):
    """The signed care agreement of a dispersed-support person with a named carer (分散供养照料协议)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="tekun_care_agreements",
                             verbose_name=_("案件"))
    supported_name = models.CharField(_("供养对象"), max_length=50)
    carer_name = models.CharField(_("照料人"), max_length=50)
    carer_relation = models.CharField(_("与供养对象的关系"), max_length=50)
    carer_phone = models.CharField(_("照料人联系电话"), max_length=20)
    signed_on = models.DateField(_("签订日期"))
    starts_on = models.DateField(_("照料起始日期"))
    duties = models.TextField(_("照料内容"))
    care_level = models.CharField(_("照料护理等级"), max_length=16, choices=CareLevel.choices)
    visit_interval_days = models.PositiveIntegerField(_("探访间隔（天）"))
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("备案时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("分散供养照料协议")
        verbose_name_plural = _("分散供养照料协议")
        ordering = ["case", "signed_on", "id"]

    def __str__(self) -> str:
        return f"{self.supported_name} — {self.carer_name}"


class SupportVisit(models.Model):
    """One regular visit to a dispersed-support person (定期探访记录)."""

    class Kept(models.TextChoices):
        KEPT = "kept", _("履行良好")
        PARTLY = "partly", _("部分履行")
        NOT_KEPT = "not_kept", _("未履行")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="tekun_visits", verbose_name=_("案件"))
    sequence = models.PositiveIntegerField(_("第几次探访"))
    visited_on = models.DateField(_("探访日期"))
    visitor = models.CharField(_("探访人"), max_length=100)
    condition = models.TextField(_("生活和健康状况"))
    agreement_kept = models.CharField(_("照料协议履行情况"), max_length=16, choices=Kept.choices)
    needs = models.TextField(_("需要解决的问题"), blank=True)
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("探访记录")
        verbose_name_plural = _("探访记录")
        ordering = ["case", "sequence"]
        constraints = [models.UniqueConstraint(fields=["case", "sequence"], name="tekun_visit_sequence_once")]

    def __str__(self) -> str:
        return f"{self.case} #{self.sequence}"


class SpotCheckCounter(models.Model):
    """Per county and year: how many cases reached county confirmation and how many were visited."""

    county = models.CharField(_("县（市、区）区划代码"), max_length=6)
    year = models.PositiveIntegerField(_("年度"))
    cases = models.PositiveIntegerField(_("确认环节案件数"), default=0)
    selected = models.PositiveIntegerField(_("入户核查案件数"), default=0)

    class Meta:
        verbose_name = _("县级入户抽查计数")
        verbose_name_plural = _("县级入户抽查计数")
        constraints = [models.UniqueConstraint(fields=["county", "year"], name="tekun_spot_counter_once")]

    def __str__(self) -> str:
        return f"{self.county} {self.year}: {self.selected}/{self.cases}"


class SpotCheck(models.Model):
    """Why a case was (or was not) visited by the county before confirmation: the auditable selection."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="tekun_spot_check",
                                verbose_name=_("案件"))
    county = models.CharField(_("县（市、区）区划代码"), max_length=6)
    year = models.PositiveIntegerField(_("年度"))
    sequence = models.PositiveIntegerField(_("本年度第几件"))
    rate = models.DecimalField(_("抽查比例"), max_digits=4, decimal_places=3)
    required = models.BooleanField(_("必须入户（单独登记备案或有异议）"), default=False)
    selected = models.BooleanField(_("入户核查"), default=False)
    selected_total = models.PositiveIntegerField(_("本年度入户核查累计"))
    decided_at = models.DateTimeField(_("确定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("县级入户抽查")
        verbose_name_plural = _("县级入户抽查")
        ordering = ["county", "year", "sequence"]

    def __str__(self) -> str:
        return f"{self.case} #{self.sequence}"
