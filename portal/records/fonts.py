"""Where the CJK font lives: ``settings.RECORDS_FONT_FILE`` or the first CJK font fontconfig knows."""

from __future__ import annotations

import functools
import shutil
import subprocess  # noqa: S404 - fc-match with fixed arguments
from pathlib import Path

from django.conf import settings

CJK_FAMILIES = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC")
_KNOWN_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)


@functools.cache
def cjk_font_file() -> str:
    configured = getattr(settings, "RECORDS_FONT_FILE", "")
    if configured:
        return str(configured)
    fc_match = shutil.which("fc-match")
    if fc_match:
        for family in CJK_FAMILIES:
            out = subprocess.run(  # noqa: S603
                [fc_match, "-f", "%{family}\n%{file}", family], capture_output=True, text=True, check=False
            ).stdout.splitlines()
            if len(out) == 2 and family.lower() in out[0].lower():
                return out[1]
    for path in _KNOWN_FILES:
        if Path(path).exists():
            return path
    raise FileNotFoundError("no CJK font found: install fonts-wqy-microhei or set DOUDI_RECORDS_FONT_FILE")
