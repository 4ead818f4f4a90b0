"""Sign a record with pyHanko: PAdES (ETSI.CAdES.detached), a visible seal, optional B-T/B-LTA.

The first signature of a record is a certification (DocMDP, form filling allowed) signature and
creates every signature field of the record in its revision, so the countersignatures that follow
fill existing fields and keep the certification valid.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from . import pki
from .render import SlotBox
from .seal import STAMP_HEIGHT, STAMP_WIDTH, seal_image

# CMS size to reserve instead of pyHanko's dry-run estimate: an ECDSA signature with its chain is
# ~1.5 kB, a timestamp token with the TSA chain another ~2 kB; RSA-4096 chains stay well under this.
RESERVED_BYTES = 12 * 1024
RESERVED_BYTES_TSA = 24 * 1024


@dataclass(frozen=True)
class Signature:
    pdf: bytes
    field: str
    revision_sha256: str
    sha256: str
    signed_at: str


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _stamp_style(org_name: str, signer: str, role: str, when: str):
    from pyhanko.pdf_utils.images import PdfImage
    from pyhanko.pdf_utils.layout import AxisAlignment, Margins, SimpleBoxLayoutRule
    from pyhanko.stamp import StaticStampStyle

    image = seal_image(org_name, signer, role, when)
    return StaticStampStyle(
        background=PdfImage(image, box=None),
        background_opacity=1.0,
        border_width=0,
        background_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MID, y_align=AxisAlignment.ALIGN_MID, margins=Margins(0, 0, 0, 0)
        ),
    )


def add_fields(writer, slots: dict[str, SlotBox]) -> None:
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field

    for name, slot in slots.items():
        x1, y1, x2, y2 = slot.box
        # The stamp keeps its aspect ratio: centre a STAMP_WIDTH × STAMP_HEIGHT box in the slot.
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
        box = (int(cx - STAMP_WIDTH / 2), int(cy - STAMP_HEIGHT / 2), int(cx + STAMP_WIDTH / 2),
               int(cy + STAMP_HEIGHT / 2))
        append_signature_field(writer, SigFieldSpec(sig_field_name=name, on_page=slot.page, box=box))


def sign(
    pdf: bytes,
    *,
    field: str,
    org_code: str,
    signer_name: str,
    role: str,
    create_fields: dict[str, SlotBox] | None = None,
    certify: bool = False,
    lta: bool | None = None,
) -> Signature:
    """Sign ``field`` of ``pdf`` (creating ``create_fields`` first) as the organisation ``org_code``."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields
    from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner

    org = pki.org_signer(org_code)
    timestamper = pki.timestamper()
    lta = settings.RECORDS_LTA if lta is None else lta
    lta = bool(lta and timestamper is not None)
    now = timezone.localtime()
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    if create_fields:
        add_fields(writer, create_fields)
    meta = PdfSignatureMetadata(
        field_name=field,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=certify,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
        name=signer_name,
        reason=role,
        location=org.name,
        use_pades_lta=lta,
        embed_validation_info=lta,
        validation_context=pki.validation_context() if lta else None,
    )
    pdf_signer = PdfSigner(
        meta, org.signer, timestamper=timestamper,
        stamp_style=_stamp_style(org.name, signer_name, role, now.strftime("%Y-%m-%d %H:%M")),
    )
    reserved = None if lta else (RESERVED_BYTES_TSA if timestamper else RESERVED_BYTES)
    out = pdf_signer.sign_pdf(writer, existing_fields_only=True, bytes_reserved=reserved, output=io.BytesIO())
    data = out.getvalue()
    digest = sha256(data)
    # Without B-LTA the signature's revision is the whole file; with it a document timestamp follows.
    revision = _field_revision(data, field) if lta else digest
    return Signature(pdf=data, field=field, revision_sha256=revision, sha256=digest, signed_at=now.isoformat())


def _signatures(data: bytes) -> Iterable:
    from pyhanko.pdf_utils.reader import PdfFileReader

    return PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures


def revision_hashes(data: bytes) -> list[tuple[str, str]]:
    """(field name, SHA-256 of the file up to the end of that signature's revision) per signature."""
    result = []
    for sig in _signatures(data):
        end = sig.byte_range[2] + sig.byte_range[3]
        result.append((sig.field_name, sha256(data[:end])))
    return result


def _field_revision(data: bytes, field: str) -> str:
    return dict(revision_hashes(data))[field]
