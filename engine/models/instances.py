from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .definitions import ProcessDefinition


class ProcessInstance(models.Model):
    """A running (or finished) process. ``state`` is SpiffWorkflow's serialization without the spec."""

    class Status(models.TextChoices):
        RUNNING = "running", _("进行中")
        COMPLETED = "completed", _("已完成")
        CANCELLED = "cancelled", _("已撤销")
        ERROR = "error", _("出错")

    definition = models.ForeignKey(ProcessDefinition, on_delete=models.PROTECT, related_name="instances")
    process_key = models.CharField(_("流程"), max_length=200, db_index=True)
    subject_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT)
    subject_id = models.CharField(max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    business_key = models.CharField(_("业务编号"), max_length=100, blank=True, db_index=True)
    jurisdiction = models.CharField(_("辖区代码"), max_length=12, db_index=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.RUNNING)
    state = models.TextField(editable=False)
    lock_version = models.PositiveIntegerField(default=0)
    # Head of this instance's audit chain: kept here, under the row lock every action takes anyway.
    audit_seq = models.PositiveBigIntegerField(default=0, editable=False)
    audit_head = models.CharField(max_length=64, default="0" * 64, editable=False)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("流程实例")
        verbose_name_plural = _("流程实例")
        permissions = [("cancel_processinstance", _("可以撤销流程实例"))]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="engine_instance_subject")]

    def __str__(self) -> str:
        return f"{self.process_key} #{self.pk}"
