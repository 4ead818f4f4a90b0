"""Verify a record: every signature (intact, trusted, changed after signing) and the audit chain."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from . import pki
from .signing import sha256


@dataclass
class SignatureReport:
    field: str
    kind: str  # "signature" or "timestamp"
    signer: str
    organisation: str
    signed_at: datetime | None
    timestamped: bool
    intact: bool
    valid: bool
    trusted: bool
    certifying: bool
    coverage: str
    modification: str
    unchanged: bool  # nothing but permitted signing/time-stamping was added after this signature
    revision_sha256: str
    in_audit: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and self.unchanged


@dataclass
class AuditMatch:
    chain: str
    seq: int
    record_id: int | None
    occurred_at: datetime
    chain_intact: bool


@dataclass
class Report:
    sha256: str
    size: int
    signatures: list[SignatureReport]
    audit: AuditMatch | None = None
    error: str = ""

    @property
    def signatures_ok(self) -> bool:
        return bool(self.signatures) and all(s.ok for s in self.signatures)

    @property
    def matches_audit(self) -> bool:
        return self.audit is not None and self.audit.chain_intact

    @property
    def ok(self) -> bool:
        return not self.error and self.signatures_ok and self.matches_audit

    def lines(self) -> list[str]:
        """The report as text, one fact a line (``manage.py verify_record``)."""
        # Labels are translated outside the f-strings: xgettext does not look inside them.
        yes, no = _("是"), _("否")
        size, error, signer, org, time_ = _("大小"), _("错误"), _("签署人"), _("单位"), _("时间")
        tsa, intact, trusted = _("可信时间戳"), _("完整"), _("可信")
        unchanged, in_audit, chain = _("签署后未被改动"), _("审计链登记"), _("审计链")
        verdict = _("结论")
        out = [f"SHA-256: {self.sha256}", f"{size}: {self.size} bytes"]
        if self.error:
            out.append(f"{error}: {self.error}")
        if not self.signatures:
            out.append(_("没有签名"))
        for i, s in enumerate(self.signatures, 1):
            label = _("时间戳") if s.kind == "timestamp" else _("签名")
            out.append(f"[{i}] {label} {s.field}: {'OK' if s.ok else 'FAILED'}")
            out.append(f"    {signer}: {s.signer}")
            out.append(f"    {org}: {s.organisation}")
            when = timezone.localtime(s.signed_at).strftime("%Y-%m-%d %H:%M:%S %Z") if s.signed_at else "—"
            out.append(f"    {time_}: {when}" + (f" ({tsa})" if s.timestamped else ""))
            out.append(f"    {intact}: {yes if s.intact and s.valid else no}")
            out.append(f"    {trusted}: {yes if s.trusted else no}")
            out.append(f"    {unchanged}: {yes if s.unchanged else no} ({s.modification})")
            out.append(f"    {in_audit}: {yes if s.in_audit else no}")
            out.extend(f"    ! {p}" for p in s.problems)
        if self.audit is None:
            not_found = _("未找到与本文件一致的登记")
            out.append(f"{chain}: {not_found}")
        else:
            state = _("完整") if self.audit.chain_intact else _("已损坏")
            out.append(f"{chain}: {self.audit.chain} #{self.audit.seq} ({state})")
        valid = _("有效") if self.ok else _("无效")
        out.append(f"{verdict}: {valid}")
        return out


def _name_of(cert) -> tuple[str, str]:
    subject = cert.subject.native
    return subject.get("common_name", ""), subject.get("organization_name", "") or subject.get("common_name", "")


def _modification(status) -> tuple[str, bool]:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    level = status.modification_level
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return _("签署后无任何追加"), True
    allowed = (ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING)
    permitted = level in allowed and status.docmdp_ok is not False
    if permitted:
        return _("签署后仅追加了会签/时间戳"), True
    return _("签署后被修改（%(level)s）") % {"level": getattr(level, "name", "UNKNOWN")}, False


def verify_bytes(data: bytes) -> Report:
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp

    report = Report(sha256=sha256(data), size=len(data), signatures=[])
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfReadError, ValueError, KeyError, TypeError) as err:
        report.error = _("无法读取 PDF：%(err)s") % {"err": err}
        return report
    for sig in embedded:
        is_ts = sig.sig_object_type == "/DocTimeStamp"
        end = sig.byte_range[2] + sig.byte_range[3]
        problems: list[str] = []
        try:
            context = pki.validation_context()
            if is_ts:
                status = validate_pdf_timestamp(sig, validation_context=context)
            else:
                status = validate_pdf_signature(sig, signer_validation_context=context)
        except Exception as err:  # noqa: BLE001 - a damaged signature is reported, never raised
            report.signatures.append(SignatureReport(
                field=sig.field_name or "", kind="timestamp" if is_ts else "signature", signer="", organisation="",
                signed_at=None, timestamped=False, intact=False, valid=False, trusted=False, certifying=False,
                coverage="", modification=_("无法验证"), unchanged=False, revision_sha256=sha256(data[:end]),
                problems=[f"{type(err).__name__}: {err}"],
            ))
            continue
        holder, organisation = _name_of(status.signing_cert)
        # The person named in the (signed) signature dictionary, with the certificate holder beside it.
        claimed = "" if is_ts else str(sig.sig_object.get("/Name", "") or "")
        signer = f"{claimed}（{holder}）" if claimed and claimed != holder else holder
        timestamped = bool(getattr(status, "timestamp_validity", None))
        if is_ts:
            signed_at = status.timestamp
        elif timestamped:
            signed_at = status.timestamp_validity.timestamp
            if not status.timestamp_validity.intact or not status.timestamp_validity.valid:
                problems.append(_("时间戳无效"))
        else:
            signed_at = status.signer_reported_dt
        if status.trust_problem_indic is not None:
            problems.append(str(status.trust_problem_indic))
        modification, unchanged = _modification(status)
        certifying = (not is_ts) and sig.sig_object.get("/Reference") is not None
        report.signatures.append(SignatureReport(
            field=sig.field_name or "", kind="timestamp" if is_ts else "signature", signer=signer,
            organisation=organisation, signed_at=signed_at, timestamped=timestamped or is_ts,
            intact=bool(status.intact), valid=bool(status.valid), trusted=bool(status.trusted),
            certifying=certifying, coverage=getattr(status.coverage, "name", ""), modification=modification,
            unchanged=unchanged, revision_sha256=sha256(data[:end]), problems=problems,
        ))
    _match_audit(report)
    return report


def _match_audit(report: Report) -> None:
    from django.db.models import Q

    from engine import audit
    from engine.models import AuditEvent

    hashes = {report.sha256} | {s.revision_sha256 for s in report.signatures}
    found: dict[str, AuditEvent] = {}
    events = AuditEvent.objects.filter(kind="record.signed").filter(
        Q(payload__sha256__in=list(hashes)) | Q(payload__revision_sha256__in=list(hashes))
    )
    for event in events.order_by("occurred_at", "pk"):
        for key in ("sha256", "revision_sha256"):
            digest = event.payload.get(key)
            if digest in hashes:
                found.setdefault(digest, event)
    for s in report.signatures:
        # A document timestamp's revision is recorded through the hash of the whole file that ends with it.
        s.in_audit = s.revision_sha256 in found or (s.kind == "timestamp" and report.sha256 in found)
    event = found.get(report.sha256)
    if event is not None and event.payload.get("sha256") == report.sha256:
        report.audit = AuditMatch(
            chain=event.chain, seq=event.seq, record_id=event.payload.get("record_id"),
            occurred_at=event.occurred_at, chain_intact=audit.verify_chain(event.chain) is None,
        )
