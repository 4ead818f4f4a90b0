"""Medical assistance paid, per person and calendar year (医疗救助年度救助额).

One ``Settlement`` per approved case, written by the ``record_medical_settlement`` operator when the
medical-security department approves (normal path) or confirms (one-stop settlement). The person is
their resident ID number: a person's cases may belong to different household records over the years.
``paid_in_year`` is what the calculation subtracts from the annual cap.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from engine.models import AuditEvent
from forms.resident_id import mask as mask_resident_id
from forms.resident_id import validate_resident_id
from portal.cases.models import Case

from .categories import Category, Channel


class Settlement(models.Model):
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="medical_settlement",
                                verbose_name=_("案件"))
    resident_id = models.CharField(_("患者身份证号"), max_length=18, validators=[validate_resident_id])
    patient_name = models.CharField(_("患者姓名"), max_length=50)
    year = models.PositiveSmallIntegerField(_("救助年度"))
    category = models.CharField(_("救助类别"), max_length=32, choices=Category.choices)
    channel = models.CharField(_("办理方式"), max_length=16, choices=Channel.choices)
    hospital = models.CharField(_("医疗机构"), max_length=100)
    bill_number = models.CharField(_("医保结算单号"), max_length=40)
    admission_date = models.DateField(_("入院日期"))
    discharge_date = models.DateField(_("出院日期"))
    total_cost = models.DecimalField(_("住院总费用（元）"), max_digits=12, decimal_places=2)
    insurance_reimbursed = models.DecimalField(_("医保已报销（元）"), max_digits=12, decimal_places=2)
    compliant_cost = models.DecimalField(_("核定政策范围内个人自付（元）"), max_digits=12, decimal_places=2)
    rate = models.DecimalField(_("救助比例"), max_digits=5, decimal_places=4)
    annual_cap = models.DecimalField(_("年度封顶额（元）"), max_digits=12, decimal_places=2)
    paid_before = models.DecimalField(_("此前本年度已救助（元）"), max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("救助金额（元）"), max_digits=12, decimal_places=2)
    rules_version = models.CharField(_("规则版本"), max_length=100, blank=True)
    settled_at = models.DateTimeField(_("记账时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("医疗救助结算记录")
        verbose_name_plural = _("医疗救助结算记录")
        ordering = ["-settled_at"]
        indexes = [models.Index(fields=["resident_id", "year"], name="medical_settlement_person_year")]
        constraints = [
            # One hospital bill is settled once, whichever path it came by.
            models.UniqueConstraint(fields=["hospital", "bill_number"], name="medical_settlement_bill_once"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="medical_settlement_amount_not_negative"),
            models.CheckConstraint(condition=models.Q(amount__lte=models.F("annual_cap") - models.F("paid_before")),
                                   name="medical_settlement_within_cap"),
        ]

    def __str__(self) -> str:
        return f"{self.patient_name} {self.year} {self.amount}"

    @property
    def masked_resident_id(self) -> str:
        return mask_resident_id(self.resident_id)


def bill_settled(hospital: str, bill_number: str) -> bool:
    return Settlement.objects.filter(hospital=hospital.strip(), bill_number=bill_number.strip()).exists()


def bill_in_open_case(household: Any, program_code: str, hospital: str, bill_number: str, *,
                      exclude_instance: int | None = None) -> bool:
    """Whether an open case of the program for ``household`` was started for this hospital bill. A household may
    have several open claims (each stay of each member is its own), but one bill is claimed once. The household's
    few open cases are looked at through indexed keys; another household's claim of the same bill is stopped by
    the settlement's unique bill."""
    instances = (Case.objects.filter(household=household, program_id=program_code, status=Case.Status.OPEN,
                                     instance__isnull=False)
                 .exclude(instance_id=exclude_instance).values_list("instance_id", flat=True))
    return AuditEvent.objects.filter(
        instance_id__in=list(instances), kind="instance.started",
        payload__data__hospital=hospital.strip(), payload__data__bill_number=bill_number.strip(),
    ).exists()


def paid_in_year(resident_id: str, year: int, *, exclude_case_id: int | None = None) -> Decimal:
    """Medical assistance already settled for the person in the calendar year."""
    rows = Settlement.objects.filter(resident_id=resident_id, year=year)
    if exclude_case_id is not None:
        rows = rows.exclude(case_id=exclude_case_id)
    return rows.aggregate(total=Sum("amount"))["total"] or Decimal(0)
