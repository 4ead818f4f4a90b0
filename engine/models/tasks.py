from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .instances import ProcessInstance


class HumanTask(models.Model):
    """A READY user or manual task, copied out of the workflow state so worklists never deserialize it.

    ``candidate_group`` is ``"<role>:<jurisdiction code>"``; a user may act on the task when it is in
    one of their groups (see ``engine.actors``) or assigned to them.
    """

    class Status(models.TextChoices):
        READY = "ready", _("待办")
        COMPLETED = "completed", _("已办")
        WITHDRAWN = "withdrawn", _("已撤回")

    instance = models.ForeignKey(ProcessInstance, on_delete=models.PROTECT, related_name="human_tasks")
    task_id = models.UUIDField(_("任务编号"))
    spec_id = models.CharField(max_length=200)
    process_key = models.CharField(max_length=200)
    name = models.CharField(_("任务"), max_length=300)
    lane = models.CharField(_("泳道"), max_length=200, blank=True)
    role = models.CharField(_("角色"), max_length=64)
    jurisdiction = models.CharField(_("辖区代码"), max_length=12)
    candidate_group = models.CharField(_("候选组"), max_length=80)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    form_key = models.CharField(_("表单"), max_length=100, blank=True)
    properties = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.READY)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    due_at = models.DateTimeField(_("办理时限"), null=True, blank=True)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("人工任务")
        verbose_name_plural = _("人工任务")
        permissions = [("reassign_humantask", _("可以改派任务"))]
        constraints = [models.UniqueConstraint(fields=["instance", "task_id"], name="engine_humantask_once")]
        indexes = [
            models.Index(fields=["assignee", "status", "due_at"], name="engine_task_mine"),
            models.Index(fields=["candidate_group", "status", "due_at"], name="engine_task_group"),
            models.Index(fields=["instance", "status"], name="engine_task_instance"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.instance_id})"
