from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.fields.json import KeyTransform
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One link of an append-only hash chain.

    There is one chain per process instance (``instance:<id>``) plus ``system`` for events that
    belong to no instance (deploys, logins), so writers on different cases never wait on each other.
    ``hash`` = SHA-256 over the canonical JSON of every other field including ``prev_hash``.
    """

    chain = models.CharField(max_length=64)
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(_("事件"), max_length=64)
    occurred_at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("操作人"), max_length=200)
    instance = models.ForeignKey(
        "engine.ProcessInstance", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    task_id = models.CharField(max_length=64, blank=True)
    payload = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="engine_audit_chain_seq")]
        indexes = [
            models.Index(fields=["instance", "seq"], name="engine_audit_instance"),
            # Events about a case without a process instance (imported, migrated from paper files) are on the
            # system chain and name it in their payload: found by that name.
            models.Index(KeyTransform("business_key", "payload"), "seq", condition=Q(instance__isnull=True),
                         name="engine_audit_business_key"),
        ]
        ordering = ["chain", "seq"]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.kind}"


class AuditChainHead(models.Model):
    """The last link of a chain that belongs to no instance (``system``); instance chains keep their
    head on the ProcessInstance row. Locking this row serialises appends to that chain only."""

    chain = models.CharField(max_length=64, primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.chain}@{self.seq}"


class AuditCheckpoint(models.Model):
    """A periodic seal over every chain head, itself chained to the previous checkpoint."""

    sealed_at = models.DateTimeField()
    heads = models.JSONField()
    prev_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64, unique=True)
    signature = models.CharField(max_length=128)

    class Meta:
        ordering = ["-sealed_at"]

    def __str__(self) -> str:
        return f"checkpoint {self.sealed_at:%Y-%m-%d %H:%M} {self.digest[:12]}"
