import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    """The unguessable part of a record's public verification URL (192 random bits)."""
    return secrets.token_urlsafe(24)


class Record(models.Model):
    """One signed PDF record. Its file grows by one incremental revision per signature."""

    class Kind(models.TextChoices):
        APPROVAL_FORM = "approval_form", _("审批表")
        DECISION_NOTICE = "decision_notice", _("决定通知书")
        REFUSAL_NOTICE = "refusal_notice", _("不予批准告知书")
        PUBLIC_NOTICE = "public_notice", _("公示名单")
        EMERGENCY_AID = "emergency_aid", _("先行救助登记")
        PERIODIC_REPORT = "periodic_report", _("统计报表")
        ADJUSTMENT_NOTICE = "adjustment_notice", _("救助金额调整决定书")
        TERMINATION_NOTICE = "termination_notice", _("终止救助决定书")
        CARE_AGREEMENT = "care_agreement", _("特困人员照料服务协议")

    kind = models.CharField(_("类别"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    instance = models.ForeignKey(
        "engine.ProcessInstance", null=True, blank=True, on_delete=models.PROTECT, related_name="records"
    )
    business_key = models.CharField(_("业务编号"), max_length=100, blank=True, db_index=True)
    jurisdiction = models.CharField(_("行政区划"), max_length=12, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    file = models.FileField(upload_to="records/%Y/%m/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    # One entry per signature: {"revision", "field", "org_code", "org_name", "signer", "role", "sha256", "signed_at"}.
    revisions = models.JSONField(default=list, blank=True)
    slots = models.JSONField(default=list, blank=True)  # signature field names, in signing order
    # The organisation code that seals each slot, fixed when the record is issued: the document names its issuer,
    # so a later countersignature must come from the organisation named then.
    seals = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("签章文书")
        verbose_name_plural = _("签章文书")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.business_key or self.pk}"

    @property
    def signed_slots(self) -> list[str]:
        return [r["field"] for r in self.revisions]

    @property
    def next_slot(self) -> str | None:
        remaining = [s for s in self.slots if s not in self.signed_slots]
        return remaining[0] if remaining else None
