"""Render a record's Django template to PDF with WeasyPrint and find where its seals go."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .fonts import CJK_FAMILIES

PX_TO_PT = 0.75  # WeasyPrint lays out in CSS px (96/in); PDF user space is pt (72/in)


@dataclass(frozen=True)
class Kind:
    template: str
    title: Any
    slots: tuple[str, ...]  # signature fields, in signing order; the first one certifies the document
    # Other signing orders the template supports, e.g. the township alone where the county delegated.
    alternatives: tuple[tuple[str, ...], ...] = ()

    def allows(self, slots: tuple[str, ...]) -> bool:
        return slots == self.slots or slots in self.alternatives


KINDS: dict[str, Kind] = {
    "approval_form": Kind("records/approval_form.html", _("社会救助审批表"), ("township", "county"),
                          alternatives=(("township",),)),
    "decision_notice": Kind("records/decision_notice.html", _("救助决定通知书"), ("county",),
                            alternatives=(("township",),)),
    "refusal_notice": Kind("records/refusal_notice.html", _("不予批准告知书"), ("county",),
                           alternatives=(("township",),)),
    "public_notice": Kind("records/public_notice.html", _("公示名单"), ("township",)),
    "emergency_aid": Kind("records/emergency_aid.html", _("先行救助登记表"), ("township", "county")),
    "periodic_report": Kind("records/periodic_report.html", _("社会救助统计报表"), ("county",)),
    "adjustment_notice": Kind("records/adjustment_notice.html", _("救助金额调整决定书"), ("county",),
                              alternatives=(("township",),)),
    "termination_notice": Kind("records/termination_notice.html", _("终止救助决定书"), ("county",),
                               alternatives=(("township",),)),
    "care_agreement": Kind("records/care_agreement.html", _("特困人员照料服务协议"), ("township",)),
}

SLOT_ROLES = {"township": _("乡镇（街道）审核"), "county": _("县级审批")}


@dataclass(frozen=True)
class SlotBox:
    page: int
    box: tuple[int, int, int, int]  # x1, y1, x2, y2 in PDF points, origin bottom-left


@dataclass
class Rendered:
    pdf: bytes
    slots: dict[str, SlotBox] = field(default_factory=dict)


def verify_url(token: str) -> str:
    return settings.RECORDS_PUBLIC_URL.rstrip("/") + reverse("records:verify_token", args=[token])


def qr_data_uri(url: str) -> str:
    import qrcode
    from qrcode.image.svg import SvgPathImage

    image = qrcode.make(url, image_factory=SvgPathImage, box_size=10, border=1)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _font_family() -> str:
    return ", ".join(f'"{f}"' for f in CJK_FAMILIES) + ", sans-serif"


def render_html(kind: str, data: dict[str, Any], *, token: str, business_key: str = "",
                slots: tuple[str, ...] | None = None, seal_orgs: dict[str, str] | None = None) -> str:
    """``seal_orgs`` names the organisation that seals each slot; the one sealing the last slot (the deciding
    level) is the issuer the document names, whatever ``data`` says."""
    spec = KINDS[kind]
    slots = tuple(slots or spec.slots)
    url = verify_url(token)
    seal_orgs = dict(seal_orgs or {})
    issuer = {"issuer": seal_orgs[slots[-1]]} if seal_orgs.get(slots[-1]) else {}
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            **data,
            **issuer,
            "title": data.get("title") or spec.title,
            "kind_label": spec.title,
            "business_key": business_key,
            "generated_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            "verify_url": url,
            "short_token": token[:8],
            "qr_data_uri": qr_data_uri(url),
            "font_family": _font_family(),
            "seal_slots": list(slots),
            "seal_orgs": seal_orgs,
        }
        return render_to_string(spec.template, context)


def _find_slots(document, names: tuple[str, ...]) -> dict[str, SlotBox]:
    wanted = {f"seal-{n}": n for n in names}
    found: dict[str, SlotBox] = {}
    for index, page in enumerate(document.pages):
        height_pt = page.height * PX_TO_PT
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            ident = element.get("id") if element is not None else None
            if ident not in wanted or wanted[ident] in found or not hasattr(box, "border_box_x"):
                continue
            x, y = box.border_box_x() * PX_TO_PT, box.border_box_y() * PX_TO_PT
            w, h = box.border_width() * PX_TO_PT, box.border_height() * PX_TO_PT
            box_pt = (round(x), round(height_pt - y - h), round(x + w), round(height_pt - y))
            found[wanted[ident]] = SlotBox(index, box_pt)
    missing = set(names) - set(found)
    if missing:
        raise ValueError(f"template has no seal slot for {sorted(missing)}")
    return found


def render(kind: str, data: dict[str, Any], *, token: str, business_key: str = "",
           slots: tuple[str, ...] | None = None, seal_orgs: dict[str, str] | None = None) -> Rendered:
    from weasyprint import HTML

    slots = slots or KINDS[kind].slots
    html = render_html(kind, data, token=token, business_key=business_key, slots=slots, seal_orgs=seal_orgs)
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    found = _find_slots(document, slots)
    pdf = document.write_pdf()
    return Rendered(pdf=pdf, slots=found)
