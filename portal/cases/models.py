from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from forms import resident_id
from forms.resident_id import validate_resident_id

from .payments import AmountWording, Payment, wording


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


class Program(models.Model):
    """An assistance program (低保, 特困, …) and the process that runs its cases."""

    code = models.SlugField(_("代码"), max_length=40, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    process_key = models.CharField(_("流程"), max_length=200)
    # Whether one person may be in two open cases of this program at once (低保: no).
    exclusive_membership = models.BooleanField(_("一人只能在一个在办案件中"), default=True)
    # Whether a household may have only one open case of this program at once (低保: enrolled once; medical
    # assistance: no, every hospital stay of every member is its own claim).
    one_open_case_per_household = models.BooleanField(_("每户只能有一个在办案件"), default=True)
    # The form key of the application registered at intake (a household_application extension); empty: no intake.
    application_form = models.CharField(_("申请表"), max_length=100, blank=True)
    payment = models.CharField(_("发放方式"), max_length=16, choices=Payment.choices, default=Payment.MONTHLY)

    class Meta:
        verbose_name = _("救助项目")
        verbose_name_plural = _("救助项目")

    def __str__(self) -> str:
        return self.name

    @property
    def one_off(self) -> bool:
        return self.payment == Payment.ONE_OFF

    @property
    def amount_wording(self) -> AmountWording:
        return wording(self.payment)


class Household(models.Model):
    village = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="households",
                                limit_choices_to={"level": Jurisdiction.Level.VILLAGE}, verbose_name=_("所在村（居）"))
    address = models.CharField(_("住址"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("家庭")
        verbose_name_plural = _("家庭")

    def __str__(self) -> str:
        head = self.members.filter(relation=Member.Relation.HEAD).first()
        return f"{head.name if head else '—'} ({self.village_id})"


class Member(models.Model):
    class Relation(models.TextChoices):
        HEAD = "head", _("户主")
        SPOUSE = "spouse", _("配偶")
        CHILD = "child", _("子女")
        PARENT = "parent", _("父母")
        GRANDCHILD = "grandchild", _("孙子女")
        SIBLING = "sibling", _("兄弟姐妹")
        OTHER = "other", _("其他")

    class Sex(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=50)
    resident_id = models.CharField(_("身份证号"), max_length=18, validators=[validate_resident_id])
    relation = models.CharField(_("与户主关系"), max_length=16, choices=Relation.choices)
    birth_date = models.DateField(_("出生日期"), editable=False)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, editable=False)
    disabled = models.BooleanField(_("残疾"), default=False)
    severely_disabled = models.BooleanField(_("重度残疾"), default=False)
    seriously_ill = models.BooleanField(_("重病"), default=False)
    student = models.BooleanField(_("在校学生"), default=False)
    single_parent = models.BooleanField(_("单亲家庭"), default=False)
    deceased_on = models.DateField(_("死亡日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        constraints = [
            models.UniqueConstraint(fields=["household", "resident_id"], name="cases_member_once_per_household"),
            models.UniqueConstraint(fields=["household"], condition=models.Q(relation="head"),
                                    name="cases_one_head_per_household"),
        ]
        indexes = [models.Index(fields=["resident_id"], name="cases_member_resident_id")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # Birth date and sex are facts of the ID number, never typed separately.
        parsed = resident_id.parse(self.resident_id)
        self.resident_id, self.birth_date, self.sex = parsed.number, parsed.birth_date, parsed.sex
        super().save(*args, **kwargs)

    @property
    def deceased(self) -> bool:
        return self.deceased_on is not None

    def age_on(self, day: date) -> int:
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class IncomeItem(models.Model):
    class Kind(models.TextChoices):
        WAGES = "wages", _("工资性收入")
        BUSINESS = "business", _("经营净收入")
        PROPERTY = "property", _("财产净收入")
        TRANSFER = "transfer", _("转移净收入")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="income_items")
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.CASCADE, related_name="income_items")
    kind = models.CharField(_("收入类别"), max_length=16, choices=Kind.choices)
    monthly_amount = models.DecimalField(_("月收入（元）"), max_digits=12, decimal_places=2,
                                         validators=[MinValueValidator(0)])
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("收入")
        verbose_name_plural = _("收入")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.monthly_amount}"


class Asset(models.Model):
    class Kind(models.TextChoices):
        DEPOSIT = "deposit", _("存款")
        VEHICLE = "vehicle", _("车辆")
        HOUSE = "house", _("房产")
        SECURITIES = "securities", _("有价证券")
        OTHER = "other", _("其他")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="assets")
    kind = models.CharField(_("财产类别"), max_length=16, choices=Kind.choices)
    value = models.DecimalField(_("价值（元）"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    description = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("家庭财产")
        verbose_name_plural = _("家庭财产")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"


class Case(models.Model):
    """One household's application to one program; its process instance runs the chain."""

    class Status(models.TextChoices):
        OPEN = "open", _("办理中")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("不予批准")
        WITHDRAWN = "withdrawn", _("已撤回")
        CLOSED = "closed", _("已终止")

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="cases")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="cases")
    business_key = models.CharField(_("业务编号"), max_length=40, unique=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    instance = models.OneToOneField("engine.ProcessInstance", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="case")
    # 单独登记备案: the applicant's household includes a close relative of a staff member or village cadre.
    separately_registered = models.BooleanField(_("单独登记备案"), default=False)
    opened_at = models.DateTimeField(_("受理时间"), auto_now_add=True)
    # Set by the process when the case is decided: the approved amount (per month, or once: ``program.payment``)
    # and the (first) month paid.
    monthly_amount = models.DecimalField(_("救助金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True,
                                         help_text=_("按月发放的项目为每月金额，一次性发放的项目为一次发放的金额"))
    payment_starts = models.DateField(_("发放起始月份"), null=True, blank=True)
    # The program's rule when the case was created; a constraint cannot read the program's table.
    one_open_case_per_household = models.BooleanField(_("每户只能有一个在办案件"), default=True, editable=False)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("救助案件")
        verbose_name_plural = _("救助案件")
        constraints = [
            models.UniqueConstraint(fields=["household", "program"],
                                    condition=models.Q(status="open", one_open_case_per_household=True),
                                    name="cases_one_open_case_per_household_program"),
        ]

    def __str__(self) -> str:
        return self.business_key

    def save(self, *args, **kwargs) -> None:
        if self._state.adding:
            self.one_open_case_per_household = self.program.one_open_case_per_household
        super().save(*args, **kwargs)


class CaseUserObjectPermission(UserObjectPermissionBase):
    """django-guardian direct foreign key tables: one indexed row per grant, no generic lookups."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class StaffRelative(models.Model):
    """A close relative declared by a staff member or village cadre (近亲属备案), matched at case opening."""

    class Relation(models.TextChoices):
        SPOUSE = "spouse", _("配偶")
        PARENT = "parent", _("父母")
        CHILD = "child", _("子女")
        SIBLING = "sibling", _("兄弟姐妹")
        GRANDPARENT = "grandparent", _("祖父母、外祖父母")
        GRANDCHILD = "grandchild", _("孙子女、外孙子女")
        IN_LAW = "in_law", _("其他近姻亲")

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="declared_relatives",
                              verbose_name=_("工作人员"))
    name = models.CharField(_("姓名"), max_length=50)
    resident_id = models.CharField(_("身份证号"), max_length=18, validators=[validate_resident_id])
    relation = models.CharField(_("关系"), max_length=16, choices=Relation.choices)
    declared_on = models.DateField(_("备案日期"), default=date.today)

    class Meta:
        verbose_name = _("工作人员近亲属备案")
        verbose_name_plural = _("工作人员近亲属备案")
        constraints = [models.UniqueConstraint(fields=["staff", "resident_id"], name="cases_staff_relative_once")]
        indexes = [models.Index(fields=["resident_id"], name="cases_staff_relative_rid")]

    def __str__(self) -> str:
        return f"{self.staff} — {self.name}"

    def save(self, *args, **kwargs) -> None:
        self.resident_id = resident_id.parse(self.resident_id).number
        super().save(*args, **kwargs)


class CaseConflict(models.Model):
    """Why a case is registered separately: a staff member related to the household. That person may
    not act on the case (``portal.cases.policies``)."""

    class Source(models.TextChoices):
        DECLARED = "declared", _("申请人申报")
        MATCHED = "matched", _("备案比对")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="conflicts")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("工作人员"))
    staff_name = models.CharField(_("工作人员姓名"), max_length=50)
    member_name = models.CharField(_("家庭成员"), max_length=50)
    relation = models.CharField(_("关系"), max_length=50)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    registered_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("利害关系登记")
        verbose_name_plural = _("利害关系登记")

    def __str__(self) -> str:
        return f"{self.case} — {self.staff_name}"
