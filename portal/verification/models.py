"""What other departments' systems report about a person, and the import batches it came in.

A ``RegistryRecord`` is one fact from one registry: a monthly income (``kind=income``, with
``monthly_amount``), an asset (``kind=asset``, with ``value``) or a registered death
(``kind=death``, the date of death in ``valid_from``). A record counts on a day inside its
validity range (both ends inclusive, either end may be open). Records are only ever added by
``manage.py import_registry_records``, one ``ImportBatch`` per file, so every figure the
verification uses can be traced back to a file and its SHA-256.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from forms import resident_id
from forms.resident_id import mask as mask_resident_id
from forms.resident_id import validate_resident_id


class ImportBatch(models.Model):
    source_file = models.CharField(_("来源文件"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    rows = models.PositiveIntegerField(_("记录数"))
    imported_by = models.CharField(_("导入人"), max_length=150)
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("比对数据导入批次")
        verbose_name_plural = _("比对数据导入批次")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.source_file}"


class RegistryRecord(models.Model):
    class Source(models.TextChoices):
        SOCIAL_INSURANCE = "social_insurance", _("社保")
        HOUSING_FUND = "housing_fund", _("公积金")
        BUSINESS_REGISTRY = "business_registry", _("工商")
        TAX = "tax", _("税务")
        VEHICLE = "vehicle", _("车辆")
        REAL_ESTATE = "real_estate", _("不动产")
        BANK = "bank", _("银行")
        OTHER = "other", _("其他")

    class Kind(models.TextChoices):
        INCOME = "income", _("收入")
        ASSET = "asset", _("财产")
        DEATH = "death", _("死亡登记")

    resident_id = models.CharField(_("身份证号"), max_length=18, db_index=True, validators=[validate_resident_id])
    source = models.CharField(_("数据来源"), max_length=20, choices=Source.choices)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    category = models.CharField(_("项目"), max_length=50)
    monthly_amount = models.DecimalField(_("月收入（元）"), max_digits=12, decimal_places=2, null=True, blank=True,
                                         validators=[MinValueValidator(0)])
    value = models.DecimalField(_("价值（元）"), max_digits=14, decimal_places=2, null=True, blank=True,
                                validators=[MinValueValidator(0)])
    description = models.CharField(_("说明"), max_length=200, blank=True)
    valid_from = models.DateField(_("有效期起"), null=True, blank=True)
    valid_to = models.DateField(_("有效期止"), null=True, blank=True)
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="records",
                              verbose_name=_("导入批次"))
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("部门比对记录")
        verbose_name_plural = _("部门比对记录")
        constraints = [
            models.CheckConstraint(
                name="verification_record_amount_matches_kind",
                condition=(
                    Q(kind="income", monthly_amount__isnull=False, value__isnull=True)
                    | Q(kind="asset", value__isnull=False, monthly_amount__isnull=True)
                    | Q(kind="death", value__isnull=True, monthly_amount__isnull=True, valid_from__isnull=False)
                ),
            ),
            models.CheckConstraint(
                name="verification_record_valid_range",
                condition=(Q(valid_from__isnull=True) | Q(valid_to__isnull=True)
                           | Q(valid_from__lte=models.F("valid_to"))),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.masked_resident_id} {self.get_source_display()} {self.category}"

    def save(self, *args, **kwargs) -> None:
        self.resident_id = resident_id.parse(self.resident_id).number
        super().save(*args, **kwargs)

    @property
    def masked_resident_id(self) -> str:
        return mask_resident_id(self.resident_id)

    def clean(self) -> None:
        errors = kind_errors(self.kind, self.monthly_amount, self.value, self.valid_from)
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            errors["valid_to"] = _("有效期止不能早于有效期起")
        if errors:
            raise ValidationError(errors)

    def counts_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


def kind_errors(kind: str, monthly_amount: object, value: object, valid_from: object) -> dict[str, str]:
    """Which amount field each kind needs (shared by the model and the CSV import)."""
    errors: dict[str, str] = {}
    if kind == RegistryRecord.Kind.INCOME:
        if monthly_amount is None:
            errors["monthly_amount"] = _("收入记录须填写月收入")
        if value is not None:
            errors["value"] = _("收入记录不应填写价值")
    elif kind == RegistryRecord.Kind.ASSET:
        if value is None:
            errors["value"] = _("财产记录须填写价值")
        if monthly_amount is not None:
            errors["monthly_amount"] = _("财产记录不应填写月收入")
    elif kind == RegistryRecord.Kind.DEATH:
        if monthly_amount is not None or value is not None:
            errors["value"] = _("死亡登记不应填写金额")
        if valid_from is None:
            errors["valid_from"] = _("死亡登记须以有效期起填写死亡日期")
    return errors


def valid_on(day: date) -> Q:
    """The records that count on ``day``."""
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))
