"""Forms generated per second: reportlab render and official fill vs a bare canvas.

Run: python bench/bench_forms.py [seconds-per-case]

The baseline draws the same item text (every printed value, at the same
positions, same embedded TTF font, same page count) on a bare reportlab canvas,
in the same run, so the ratio is comparable across machines.
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from forms.api import read_back, render_supplement_b  # noqa: E402
from forms.fonts import REGULAR, register_fonts  # noqa: E402
from forms.plan import make_plan  # noqa: E402
from forms.spec import load_spec  # noqa: E402
from tests.forms_fixtures import approved_signature, u_case  # noqa: E402
from tests.official_standin import build_fillable_pdf  # noqa: E402


def bare_canvas(texts: list[tuple[int, float, float, str]], pages: int) -> bytes:
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(612, 792), invariant=1, pageCompression=0)
    for page in range(1, pages + 1):
        c.setFont(REGULAR, 9)
        for p, x, y, s in texts:
            if p == page:
                c.drawString(x, y, s)
        c.showPage()
    c.save()
    return buf.getvalue()


def rate(fn, seconds: float) -> float:  # type: ignore[no-untyped-def]
    fn()  # warm up (font parse, template parse)
    n = 0
    start = time.perf_counter()
    while True:
        fn()
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n / elapsed


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    register_fonts()
    data = u_case(signature=approved_signature())
    spec = load_spec("U", data.edition)
    plan = make_plan(data, spec, draft=False)
    texts = []
    for it in spec.items:
        box = it.box or it.label_box
        if box is not None:
            texts.append((it.page, box[0] + 3, box[1] + 4, it.printed_label))
            texts.append((it.page, box[0] + 3, box[1] + 14, plan.values.get(it.id, "")))
    blank = build_fillable_pdf(spec)
    facsimile = render_supplement_b(data)
    results = {
        "bare reportlab canvas (same text)": rate(lambda: bare_canvas(texts, spec.pages), seconds),
        "facsimile (reportlab) render_supplement_b": rate(
            lambda: render_supplement_b(data), seconds
        ),
        "facsimile read back from its printed text": rate(lambda: read_back(facsimile), seconds),
        "official fill (pypdf incremental, read-back verified)": rate(
            lambda: render_supplement_b(data, official_pdf=blank),
            seconds,  # type: ignore[arg-type]
        ),
    }
    base = results["bare reportlab canvas (same text)"]
    print(f"Form I-918 Supplement B {spec.edition}, {spec.pages} pages, one core")
    for name, r in results.items():
        print(f"  {name:55s} {r:8.1f} forms/s   {base / r:5.2f}x baseline time")


if __name__ == "__main__":
    main()
