"""The visible stamp of a signature: a red round seal with the organisation's name, and beside it
the signer, role and time. Drawn once per signature with Pillow (no font embedding in the PDF: the
stamp is an image), so it costs a few milliseconds."""

from __future__ import annotations

import functools
import math

from PIL import Image, ImageDraw, ImageFont

from .fonts import cjk_font_file

RED = (200, 16, 30, 255)
# Stamp box on the page, in PDF points; the image is drawn at SCALE pixels per point.
STAMP_WIDTH, STAMP_HEIGHT = 230, 100
SCALE = 3


@functools.lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(cjk_font_file(), size)


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.382
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    draw.polygon(points, fill=RED)


def _arc_text(image: Image.Image, text: str, cx: float, cy: float, radius: float, size: int) -> None:
    """Characters upright along the top arc, left to right, as on an official seal."""
    font = _font(size)
    n = len(text)
    if not n:
        return
    span = min(math.radians(220), math.radians(28) * n)  # total angle covered
    for i, char in enumerate(text):
        angle = -math.pi / 2 - span / 2 + span * (i + 0.5) / n  # from the left, over the top
        glyph = Image.new("RGBA", (size * 2, size * 2), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((size, size), char, font=font, fill=RED, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle + math.pi / 2), resample=Image.Resampling.BICUBIC)
        x = cx + radius * math.cos(angle) - size
        y = cy + radius * math.sin(angle) - size
        image.alpha_composite(glyph, (int(x), int(y)))


def seal_image(org_name: str, signer: str, role: str, when: str) -> Image.Image:
    """An RGBA image of STAMP_WIDTH × STAMP_HEIGHT points at SCALE px/pt."""
    w, h = STAMP_WIDTH * SCALE, STAMP_HEIGHT * SCALE
    image = Image.new("RGBA", (w, h), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    d = h - 2 * SCALE
    cx = cy = d / 2 + SCALE
    ring = 3 * SCALE
    draw.ellipse((cx - d / 2, cy - d / 2, cx + d / 2, cy + d / 2), outline=RED, width=ring)
    _star(draw, cx, cy, d * 0.17)
    # Characters as large as the arc allows: each gets span/n of the circle at the text radius.
    step = min(math.radians(220), math.radians(28) * max(len(org_name), 1)) / max(len(org_name), 1)
    size = int(min(d * 0.14, 0.95 * (d / 2 - ring) * step))
    _arc_text(image, org_name, cx, cy, d / 2 - ring - size * 0.7, size)
    role_size = int(min(d * 0.085, d * 0.6 / max(len(role), 1)))
    draw.text((cx, cy + d * 0.28), role, font=_font(role_size), fill=RED, anchor="mm")
    x, line = d + 8 * SCALE, 11 * SCALE
    small = _font(int(8.5 * SCALE))
    lines = [org_name, f"签署人：{signer}", f"职责：{role}", f"时间：{when}", "电子签章 · 扫码核验"]
    y = (h - line * len(lines)) / 2
    for i, text in enumerate(lines):
        draw.text((x, y + i * line), text, font=small, fill=RED if i == 0 else (60, 60, 60, 255))
    return image
