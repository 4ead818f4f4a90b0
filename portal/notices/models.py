from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicNotice(models.Model):
    """A proposed award posted in the village (公示). It holds only what a public notice may show:
    the applicant's name, the household size and the amount — no ID number, address or reasons."""

    class Status(models.TextChoices):
        OPEN = "open", _("公示中")
        COMPLETED = "completed", _("期满无异议")
        OBJECTED = "objected", _("有异议")
        WITHDRAWN = "withdrawn", _("已撤下")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="notices")
    village = models.ForeignKey("cases.Jurisdiction", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("村（居）"))
    program = models.ForeignKey("cases.Program", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("救助项目"))
    round = models.PositiveSmallIntegerField(_("公示轮次"))
    applicant_name = models.CharField(_("申请人"), max_length=50)
    household_size = models.PositiveSmallIntegerField(_("家庭人口"))
    # Per month or once, as the program pays (``Program.payment``).
    amount = models.DecimalField(_("拟救助金额（元）"), max_digits=12, decimal_places=2)
    starts_on = models.DateField(_("公示开始"))
    ends_on = models.DateField(_("公示结束"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["village", "status"], name="notices_village_status")]
        constraints = [models.UniqueConstraint(fields=["case", "round"], name="notices_case_round_once")]

    def __str__(self) -> str:
        return f"{self.applicant_name} ({self.starts_on}–{self.ends_on})"
