"""Vendored DejaVu fonts (Latin, Vietnamese, Spanish glyphs) registered with reportlab."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
_done = False


def register_fonts() -> None:
    global _done
    if _done:
        return
    pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    from reportlab.lib.fonts import addMapping

    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, REGULAR)
    addMapping(REGULAR, 1, 1, BOLD)
    _done = True


def wrap(text: str, width: float, font: str = REGULAR, size: float = 9.0) -> list[str]:
    """Greedy word wrap by font metrics; honours explicit newlines (cached)."""
    return list(_wrap(text, width, font, size))


@lru_cache(maxsize=8192)
def _wrap(text: str, width: float, font: str, size: float) -> tuple[str, ...]:
    register_fonts()
    sw = pdfmetrics.stringWidth
    space = sw(" ", font, size)
    lines: list[str] = []
    for para in text.split("\n"):
        cur = ""
        cur_w = 0.0
        for w in para.split(" "):
            ww = sw(w, font, size)
            if not cur:
                if ww <= width:
                    cur, cur_w = w, ww
                    continue
            elif cur_w + space + ww <= width:
                cur, cur_w = f"{cur} {w}", cur_w + space + ww
                continue
            else:
                lines.append(cur)
                cur, cur_w = "", 0.0
                if ww <= width:
                    cur, cur_w = w, ww
                    continue
            # hard-break a word longer than the line
            while ww > width and len(w) > 1:
                cut = len(w)
                while cut > 1 and sw(w[:cut], font, size) > width:
                    cut -= 1
                lines.append(w[:cut])
                w = w[cut:]
                ww = sw(w, font, size)
            cur, cur_w = w, ww
        lines.append(cur)
    return tuple(lines)
