from django.db import models
from django.utils.translation import gettext_lazy as _

from .instances import ProcessInstance


class TimerEvent(models.Model):
    """A timer an instance waits on, copied from ``workflow.waiting_events()`` after every engine run."""

    class Status(models.TextChoices):
        PENDING = "pending", _("等待")
        FIRED = "fired", _("已触发")
        CANCELLED = "cancelled", _("已取消")

    instance = models.ForeignKey(ProcessInstance, on_delete=models.PROTECT, related_name="timers")
    task_id = models.UUIDField()
    spec_id = models.CharField(max_length=200)
    name = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=40)
    due_at = models.DateTimeField(_("到期时间"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    fired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("定时器")
        verbose_name_plural = _("定时器")
        constraints = [
            models.UniqueConstraint(fields=["instance", "task_id", "due_at"], name="engine_timer_once"),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="engine_timer_due")]

    def __str__(self) -> str:
        return f"{self.spec_id} @ {self.due_at:%Y-%m-%d %H:%M}"
