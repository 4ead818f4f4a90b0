"""Rendering: every kind, CJK font embedded (checked in the PDF's font objects), personal data kept out."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from portal.records import render, samples

from .conftest import read_pdf

TOKEN = "t" * 32


def embedded_fonts(data: bytes) -> dict[str, bool]:
    """BaseFont → whether a font program is embedded, for every font on every page (incl. descendants)."""
    reader = read_pdf(data)
    fonts: dict[str, bool] = {}

    def visit(font):
        font = font.get_object()
        if "/DescendantFonts" in font:
            for descendant in font["/DescendantFonts"]:
                visit(descendant)
        if "/FontDescriptor" in font:
            descriptor = font["/FontDescriptor"]
            has_program = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[str(font["/BaseFont"])] = has_program

    for page_ref in reader.root["/Pages"]["/Kids"]:
        resources = page_ref.get_object()["/Resources"]
        if "/Font" in resources:
            for font in resources["/Font"].values():
                visit(font)
    return fonts


@pytest.mark.parametrize("kind", sorted(render.KINDS))
def test_every_kind_renders_with_an_embedded_cjk_font(kind):
    rendered = render.render(kind, samples.SAMPLES[kind](), token=TOKEN, business_key="DB-1")
    assert rendered.pdf.startswith(b"%PDF-")
    fonts = embedded_fonts(rendered.pdf)
    cjk = {name: embedded for name, embedded in fonts.items() if "WenQuanYi" in name or "CJK" in name}
    assert cjk and all(cjk.values()), fonts
    assert set(rendered.slots) == set(render.KINDS[kind].slots)
    for slot in rendered.slots.values():
        x1, y1, x2, y2 = slot.box
        assert 0 < x1 < x2 <= 595 and 0 < y1 < y2 <= 842


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils not installed")
def test_pdffonts_reports_the_cjk_font_embedded():
    rendered = render.render("approval_form", samples.approval_form(), token=TOKEN)
    out = subprocess.run(["pdffonts", "-"], input=rendered.pdf, capture_output=True, check=True).stdout.decode()
    rows = [line for line in out.splitlines() if "WenQuanYi" in line]
    assert rows and all(" yes yes " in row for row in rows), out


def test_margin_boxes_use_the_cjk_font():
    html = render.render_html("approval_form", samples.approval_form(), token=TOKEN)
    page_rule = html[html.index("@page"): html.index("html {")]
    assert page_rule.count("font-family") >= 5 and "WenQuanYi Micro Hei" in page_rule


def test_approval_form_masks_id_numbers_and_prints_the_verification_url():
    data = samples.approval_form()
    html = render.render_html("approval_form", data, token=TOKEN)
    assert data["household"]["id_number"] not in html
    assert "5226**********1234" in html
    assert "http://testserver/records/v/" + TOKEN + "/" in html
    assert "data:image/svg+xml;base64," in html  # the QR code
    for text in ("王秀英", "民主评议", "公示", "乡镇（街道）审核意见", "县级民政部门审批意见", "1,228.00"):
        assert text in html


def test_public_notice_shows_only_name_household_size_and_amount():
    data = samples.public_notice()
    data["entries"][0].update(id_number="522601198001011234", address="文峰社区 3 组 12 号", income="412.50")
    html = render.render_html("public_notice", data, token=TOKEN)
    assert "王秀英" in html and "1,228.00" in html
    for secret in ("522601198001011234", "5226", "文峰社区", "412.50"):
        assert secret not in html


def test_refusal_notice_states_reasons_and_the_right_to_appeal():
    html = render.render_html("refusal_notice", samples.refusal_notice(), token=TOKEN)
    assert "高于当地最低生活保障标准" in html
    assert "行政复议" in html and "行政诉讼" in html


def test_the_sealing_organisations_name_the_issuer_and_the_county_opinion():
    orgs = {"township": "凯里市舟溪镇人民政府", "county": "凯里市医疗保障局"}
    html = render.render_html("approval_form", samples.approval_form(), token=TOKEN, seal_orgs=orgs)
    assert "凯里市医疗保障局审批意见" in html and "县级民政部门审批意见" not in html
    html = render.render_html("decision_notice", samples.decision_notice(), token=TOKEN,
                              seal_orgs={"county": "凯里市医疗保障局"})
    assert "凯里市医疗保障局" in html and "凯里市民政局" not in html  # the sample's issuer gives way to the seal's


@pytest.mark.parametrize("kind", ["adjustment_notice", "termination_notice"])
def test_adjustment_and_termination_state_reasons_hearing_and_the_right_to_appeal(kind):
    data = samples.SAMPLES[kind]()
    html = render.render_html(kind, data, token=TOKEN)
    for text in (*data["reasons"], data["hearing"], "救济途径", "行政复议", "行政诉讼", data["review_body"]):
        assert text in html, text


def test_the_care_agreement_names_the_parties_duties_and_visits_and_masks_the_id():
    data = samples.care_agreement()
    html = render.render_html("care_agreement", data, token=TOKEN)
    assert data["supported"]["id_number"] not in html and "5226**********1217" in html
    for text in ("杨老汉", "杨明", "侄子", data["duties"], "每 30 天至少探访", "甲方", "乙方", "丙方"):
        assert text in html, text
