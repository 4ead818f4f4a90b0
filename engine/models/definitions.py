from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ProcessDefinition(models.Model):
    """One deployed version of one BPMN or DMN file.

    ``dependencies`` pins the versions of the called processes and decision tables this version
    was deployed against, so a running instance keeps executing exactly what it started with.
    """

    class Kind(models.TextChoices):
        BPMN = "bpmn", "BPMN"
        DMN = "dmn", "DMN"

    class Status(models.TextChoices):
        ACTIVE = "active", _("在用")
        RETIRED = "retired", _("停用")

    key = models.CharField(_("标识"), max_length=200)
    version = models.PositiveIntegerField(_("版本"))
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=300, blank=True)
    source_path = models.CharField(_("来源文件"), max_length=500, blank=True)
    source = models.TextField(_("文件内容"))
    sha256 = models.CharField(max_length=64)
    provides = models.JSONField(_("提供的流程/决策"), default=list)
    dependencies = models.JSONField(_("依赖版本"), default=dict)
    lane_roles = models.JSONField(_("泳道角色"), default=dict)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    effective_from = models.DateTimeField(_("生效时间"), null=True, blank=True)
    deployed_at = models.DateTimeField(_("部署时间"), auto_now_add=True)
    deployed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("流程定义")
        verbose_name_plural = _("流程定义")
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="engine_definition_key_version")]
        indexes = [models.Index(fields=["key", "-version"], name="engine_def_latest")]
        ordering = ["key", "-version"]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"
