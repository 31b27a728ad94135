"""The README pictures of both forms (page 1 of each facsimile), and how they are compared.

Regenerate after a layout change: ``.venv/bin/python tests/form_pictures.py``
(test_forms_supplement_b.py compares fresh renders with the committed files).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from forms.api import render_supplement_b  # noqa: E402
from tests.forms_fixtures import approved_signature, t_case, u_case  # noqa: E402

PICTURES = {
    "U": ROOT / "docs" / "form-i918-supb.png",
    "T": ROOT / "docs" / "form-i914-supb.png",
}
SCALE = 1.5


def picture(visa_type: str) -> Any:
    """Page 1 of the sample form as a PIL image (pypdfium2 renders the PDF)."""
    import pypdfium2 as pdfium

    data = (u_case if visa_type == "U" else t_case)(signature=approved_signature())
    doc = pdfium.PdfDocument(render_supplement_b(data))
    return doc[0].render(scale=SCALE).to_pil().convert("RGB")


def differing_share(a: Any, b: Any, threshold: int = 32) -> float:
    """Share of pixels whose colour differs by more than ``threshold`` (of 255) in some
    channel: the field boxes' shade made darker or another hue counts, the faint edge
    shading of another rasteriser build does not."""
    import numpy as np

    if a.size != b.size:
        return 1.0
    gap = np.abs(
        np.asarray(a.convert("RGB"), dtype=np.int16) - np.asarray(b.convert("RGB"), dtype=np.int16)
    ).max(axis=2)
    return int((gap > threshold).sum()) / (a.size[0] * a.size[1])


def main() -> None:
    for visa, path in PICTURES.items():
        picture(visa).save(path, optimize=True)
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
