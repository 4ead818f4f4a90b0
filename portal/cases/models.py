from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Jurisdiction(models.Model):
    """An administrative division by its GB/T 2260-based code: province 2 digits, city 4, county 6,
    township 9, village 12. The code is the key: prefixes are ancestors."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市（州）")
        COUNTY = "county", _("县（市、区）")
        TOWNSHIP = "township", _("乡镇（街道）")
        VILLAGE = "village", _("村（居）")

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        digits = settings.ENGINE_LEVEL_DIGITS[self.level]
        if len(self.code) != digits or not self.code.isdigit():
            raise ValidationError({"code": _("该层级的区划代码应为 %(n)d 位数字") % {"n": digits}})
        if self.parent_id and not self.code.startswith(self.parent_id):
            raise ValidationError({"parent": _("上级区划代码应是本级代码的前缀")})

    def ancestor_codes(self) -> list[str]:
        return [self.code[:n] for n in sorted(settings.ENGINE_LEVEL_DIGITS.values()) if n < len(self.code)]
