"""Vendored DejaVu fonts (Latin, Vietnamese, Spanish glyphs) registered with reportlab."""

from __future__ import annotations

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
    """Greedy word wrap by font metrics; honours explicit newlines."""
    register_fonts()
    sw = pdfmetrics.stringWidth
    lines: list[str] = []
    for para in text.split("\n"):
        words = para.split(" ")
        cur = ""
        for w in words:
            cand = w if not cur else f"{cur} {w}"
            if sw(cand, font, size) <= width:
                cur = cand
                continue
            if cur:
                lines.append(cur)
            # hard-break words longer than the line
            while sw(w, font, size) > width and len(w) > 1:
                cut = len(w)
                while cut > 1 and sw(w[:cut], font, size) > width:
                    cut -= 1
                lines.append(w[:cut])
                w = w[cut:]
            cur = w
        lines.append(cur)
    return lines
