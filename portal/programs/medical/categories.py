"""The medical assistance categories (救助类别) and channels: codes and their names.

Which category gets what (rate, annual cap, full coverage, how it is checked, notice) is in
``workflows/medical/medical_category.dmn``; these are only the codes the forms, the DMN table and the
operators share.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    REGISTERED_POOR = "registered_poor", _("建档立卡贫困人口重病患者")
    TEKUN = "tekun", _("特困供养人员")
    DIBAO = "dibao", _("低保对象")
    ELDERLY_MAJOR_ILLNESS = "elderly_major_illness", _("年满80周岁的重大疾病患者")
    OTHER = "other", _("其他困难群众")


class Channel(models.TextChoices):
    APPLICATION = "application", _("乡镇受理")
    ONE_STOP = "one_stop", _("一站式即时结算")


# A category whose status is another program's approved case (check "register" in the DMN): the program code.
REGISTER_PROGRAMS = {Category.TEKUN: "tekun", Category.DIBAO: "dibao"}
# Pre-qualification for one-stop settlement, in this order: an approved case of one of these programs …
PREQUALIFYING_PROGRAMS = (("tekun", Category.TEKUN), ("dibao", Category.DIBAO))
# … or, failing that, a category established in an approved application this calendar year.
PREQUALIFYING_SETTLED = (Category.REGISTERED_POOR, Category.ELDERLY_MAJOR_ILLNESS)
# How the DMN says a category is checked.
CHECKS = ("register", "age", "documents", "economy")


def category_label(code: str) -> str:
    return str(Category(code).label) if code in Category.values else code
