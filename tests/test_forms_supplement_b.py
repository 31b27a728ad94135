"""Supplement B forms: both paths, read back with pypdf (no mocks)."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from forms.activities import T_TYPES, U_ACTIVITIES, U_ACTIVITY_LABELS
from forms.api import ReadBackMismatch, describe, read_back, render_supplement_b
from forms.spec import load_spec
from forms.testing import build_fillable_pdf
from tests.forms_fixtures import approved_signature, big_u_case, t_case, u_case

FIELDS_JSON = Path("/work/shared/forms/i-918-supplement-b-01-20-25.fields.json")
REPO = Path(__file__).resolve().parents[1]


def page_texts(pdf: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def fillable_u(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("official") / "i-918supb.pdf"
    path.write_bytes(build_fillable_pdf(load_spec("U", "01/20/25")))
    return path


@pytest.fixture(scope="module")
def fillable_t(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("official") / "i-914supb.pdf"
    path.write_bytes(build_fillable_pdf(load_spec("T", "01/20/25")))
    return path


def test_activity_enumerations() -> None:
    assert len(U_ACTIVITIES) == 31 and U_ACTIVITIES[0] == "abduction"
    assert U_ACTIVITIES[30] == "witness_tampering" and U_ACTIVITIES[6] == "domestic_violence"
    assert set(U_ACTIVITY_LABELS) == set(U_ACTIVITIES)
    assert len(T_TYPES) == 3


def test_field_map_covers_all_official_names() -> None:
    official = {f["name"] for f in json.loads(FIELDS_JSON.read_text())["fields"]}
    spec = load_spec("U", "01/20/25")
    assert len(official) == 133
    assert set(spec.field_names()) == official
    item3 = spec.by_id["3.1"]
    assert [o.value for o in item3.options] == list(U_ACTIVITIES)
    assert [o.field for o in item3.options] == [
        f"form1[0].#subform[1].Part3_Line1_checkboxes[{i}]" for i in range(31)
    ]


def test_unknown_activity_rejected() -> None:
    with pytest.raises(ValueError):
        u_case(qualifying_activities=["armed_robbery"])
    with pytest.raises(ValueError):
        t_case(qualifying_activities=["domestic_violence"])


@pytest.mark.parametrize("make", [u_case, t_case])
def test_reportlab_draft(make) -> None:  # type: ignore[no-untyped-def]
    data = make()
    pdf = render_supplement_b(data)
    texts = page_texts(pdf)
    assert len(texts) == 5
    for i, t in enumerate(texts, start=1):
        assert "DRAFT - not signed" in t
        assert f"Page {i} of 5" in t
        assert f"Edition {data.edition}" in t
    assert data.case_number in texts[0]
    for part in range(1, 8):
        assert any(f"Part {part}." in t for t in texts)
    rb = read_back(pdf)
    assert rb["1.2a"] == data.victim.family_name
    assert rb["1.4"] == data.date_of_birth.strftime("%m/%d/%Y")
    assert rb["6.1"] == "DRAFT - not signed"
    assert rb["6.2"] == ""  # no signature date before approval
    assert rb["3.1"] == ",".join(data.qualifying_activities)


def test_draft_forced_without_approval() -> None:
    pdf = render_supplement_b(u_case(), draft=False)
    assert all("DRAFT - not signed" in t for t in page_texts(pdf))
    assert read_back(pdf)["6.2"] == ""


def test_approved_signature_date_only_after_approval() -> None:
    data = u_case(signature=approved_signature())
    pdf = render_supplement_b(data)
    texts = page_texts(pdf)
    assert not any("DRAFT" in t for t in texts)
    rb = read_back(pdf)
    assert rb["6.2"] == "04/01/2026"
    assert "04/01/2026" in texts[3]
    assert "Jody Kasper, Chief of Police" in texts[3]


def test_u_sample_every_item(fillable_u: Path) -> None:
    data = u_case(signature=approved_signature())
    expected = {
        "1.1": "N/A",
        "1.2a": "Morales",
        "1.2b": "Lucia",
        "1.2c": "Isabel",
        "1.3a": "Morales-Vega",
        "1.3b": "Lucia",
        "1.3c": "N/A",
        "1.4": "03/08/1991",
        "1.5": "female",
        "2.1": "Northampton Police Department",
        "2.2a": "Kasper",
        "2.2b": "Jody",
        "2.2c": "N/A",
        "2.3": "Chief of Police, Office of the Chief",
        "2.4a": "N/A",
        "2.5a": "29 Center Street",
        "2.5b": "ste",
        "2.5c": "2",
        "2.5d": "Northampton",
        "2.5e": "MA",
        "2.5f": "01060",
        "2.5g": "N/A",
        "2.6": "local",
        "2.7": "ongoing",
        "2.8": "law_enforcement",
        "2.9": "24-01187-OF",
        "2.10": "N/A",
        "3.1": "domestic_violence,felonious_assault,stalking",
        "3.2a": "06/14/2024",
        "3.2b": "07/02/2024",
        "3.2c": "",
        "3.2d": "",
        "3.3": "M.G.L. c. 265 s. 13M; M.G.L. c. 265 s. 15A; M.G.L. c. 265 s. 43",
        "3.4a": "yes",
        "3.4b": "Northampton, Massachusetts",
        "3.5a": "no",
        "3.5b": "N/A",
        "3.6": data.description,
        "3.7": data.known_injuries,
        "4.1": "yes",
        "4.2": "yes",
        "4.3": "no",
        "4.4": "N/A",
        "5.1": "no",
        "5.2a": "",
        "6.1": "",
        "6.2": "04/01/2026",
        "6.3": "413-587-1100",
        "6.4": "N/A",
        "7.1a": "Morales",
        "7.2": "N/A",
        "7.3": "Northampton Police Department",
    }
    for path in (None, fillable_u):
        rb = read_back(render_supplement_b(data, official_pdf=path))
        got = {k: rb.get(k) for k in expected}
        assert got == expected, path
        assert rb["4.5"].startswith("Has been helpful: Yes.")
    # the official form has no email field in this edition: it goes to Part 7
    rb = read_back(render_supplement_b(data, official_pdf=fillable_u))
    assert rb["7.4c"] == "5" and "uvisa@northamptonpd.example.org" in rb["7.4d"]


def test_t_form_both_paths(fillable_t: Path) -> None:
    data = t_case(signature=approved_signature())
    for path in (None, fillable_t):
        pdf = render_supplement_b(data, official_pdf=path)
        rb = read_back(pdf)
        assert rb["1.2a"] == "Nguyễn" and rb["1.2b"] == "Thị"
        assert rb["1.1"] == "A123456789"
        assert rb["3.1"] == "labor_trafficking"
        assert rb["2.7"] == "completed"
        assert rb["6.6a"] == "Kasper"
        assert rb["4.2"] == "yes"
    texts = page_texts(render_supplement_b(data))
    assert "Declaration for Trafficking Victim" in texts[0]
    assert "Form I-914 Supplement B" in texts[0]


def test_overflow_goes_to_part7_reportlab() -> None:
    data = big_u_case()
    pdf = render_supplement_b(data)
    rb = read_back(pdf)
    texts = page_texts(pdf)
    assert len(texts) == 6  # Part 7 continues on a sixth page
    assert "Page 6 of 6" in texts[5]
    assert rb["1.2a"] == "Núñez" and rb["1.2b"] == "María" and rb["1.2c"] == "José"
    assert "Núñez" in texts[0]
    assert rb["3.2a"] == "01/03/2024" and rb["3.2d"] == "01/20/2024"
    assert rb["3.1"] == "abduction,domestic_violence,felonious_assault,stalking,witness_tampering"
    assert rb["3.6"] == "See Part 7, Additional Information."
    assert rb["5.1"] == "yes" and rb["5.4b"] == "Pedro2" and rb["5.4a"] == "Núñez"
    part7 = "\n".join(texts[4:])
    conts = {rb[f"7.{n}c"]: rb[f"7.{n}d"] for n in range(4, 9)}
    assert "Nguyễn Thị Mai" in conts["3"] and "Nguyễn Thị Mai" in part7
    assert "Armed robbery" in conts["1"] and "Armed robbery" in part7
    assert "01/25/2024, 01/30/2024" in conts["2"] and "01/25/2024, 01/30/2024" in part7
    assert "Sentence 39" in conts["6"] and "Sentence 39" in part7.replace("\n", " ")
    assert "Pedro4 Núñez" in conts["2-4"] and "Pedro4 Núñez" in part7
    assert rb["7.6a"] == "2" and rb["7.6b"] == "3"
    rows = {r[0]: r for r in describe(pdf)}
    assert rows["7.4a"][2] == "1" and "Page Number" in rows["7.4a"][1]
    assert rows["7.8d"][1] == "Part 7, Item 8d Additional information"


def test_overflow_official_path(fillable_u: Path) -> None:
    pdf = render_supplement_b(big_u_case(), official_pdf=fillable_u)
    reader = PdfReader(io.BytesIO(pdf))
    assert "/XFA" not in reader.trailer["/Root"]["/AcroForm"]
    assert reader.trailer["/Root"]["/AcroForm"]["/NeedAppearances"]
    rb = read_back(pdf)
    assert rb["1.2a"] == "Núñez"
    assert rb["3.6"] == "See Part 7, Additional Information."
    assert rb["7.4d"].startswith("Other names used (continued): Nguyễn Thị Mai")
    # three Part 7 rows on the official form: later entries are merged with references
    assert "[Page 2, Part 3, Item 6]" in rb["7.6d"] and "Sentence 39" in rb["7.6d"]
    assert "[Page 4, Part 5, Item 2-4]" in rb["7.6d"]
    assert all("DRAFT - not signed" in t for t in page_texts(pdf))
    assert rb["6.2"] == ""


def test_official_checkbox_export_values(fillable_u: Path) -> None:
    pdf = render_supplement_b(u_case(), official_pdf=fillable_u)
    fields = PdfReader(io.BytesIO(pdf)).get_fields() or {}
    gender_f = fields["form1[0].#subform[0].Part1_5_checkboxes[1]"]
    assert gender_f.get("/V") == "/F"
    dv = fields["form1[0].#subform[1].Part3_Line1_checkboxes[6]"]
    assert dv.get("/V") not in (None, "/Off", "/Yes")
    assert fields["form1[0].#subform[1].Part3_Line1_checkboxes[0]"].get("/V") == "/Off"


def test_read_back_refuses_truncated_field(tmp_path: Path) -> None:
    spec = load_spec("U", "01/20/25")
    name = "form1[0].#subform[0].Pt2Line1_CertifyingAgency[0]"
    path = tmp_path / "maxlen.pdf"
    path.write_bytes(build_fillable_pdf(spec, max_len={name: 10}))
    with pytest.raises(ReadBackMismatch) as exc:
        render_supplement_b(u_case(), official_pdf=path)
    assert name in str(exc.value)
    assert exc.value.mismatches[name] == ("Northampton Police Department", "Northampto")


def test_read_back_refuses_missing_field(tmp_path: Path) -> None:
    spec = load_spec("U", "01/20/25")
    name = "form1[0].#subform[1].Part3_Line1_checkboxes[26]"  # stalking
    path = tmp_path / "missing.pdf"
    path.write_bytes(build_fillable_pdf(spec, omit=[name]))
    with pytest.raises(ReadBackMismatch, match=r"Part3_Line1_checkboxes\[26\]"):
        render_supplement_b(u_case(), official_pdf=path)


def test_required_items_never_blank() -> None:
    spec = load_spec("U", "01/20/25")
    data = u_case(known_injuries=None, fbi_or_sid_number=None, a_number=None)
    rb = read_back(render_supplement_b(data))
    for it in spec.items:
        if it.required and it.kind != "checkbox":
            assert rb[it.id].strip(), it.id
    assert rb["3.7"] == "None known"


def test_deterministic_output() -> None:
    assert render_supplement_b(u_case()) == render_supplement_b(u_case())


def test_render_png(tmp_path: Path) -> None:
    pdfium = pytest.importorskip("pypdfium2")
    for name, data in (("i918", u_case()), ("i914", t_case())):
        doc = pdfium.PdfDocument(render_supplement_b(data))
        img = doc[0].render(scale=1.5).to_pil()
        out = tmp_path / f"form-{name}-supb.png"
        img.save(out)
        assert out.stat().st_size > 10_000
        assert img.size == (918, 1188)
        assert (REPO / "docs" / f"form-{name}-supb.png").exists()


def test_other_names_split_and_dates() -> None:
    data = u_case(other_names=["Vega, Lucía Isabel"], activity_dates=[date(2024, 2, 29)])
    rb = read_back(render_supplement_b(data))
    assert (rb["1.3a"], rb["1.3b"], rb["1.3c"]) == ("Vega", "Lucía", "Isabel")
    assert rb["3.2a"] == "02/29/2024" and rb["3.2b"] == ""


def test_official_rewrite_path_with_appearances(fillable_u: Path) -> None:
    """The pypdf rewrite path (appearance streams generated) gives the same read-back."""
    from forms import official
    from forms.plan import make_plan

    data = big_u_case()
    spec = load_spec("U", data.edition)
    plan = make_plan(data, spec, draft=True, official=True)
    slow = official.fill(plan, fillable_u, appearances=True)
    fast = official.fill(plan, fillable_u)
    assert read_back(slow) == read_back(fast)
    reader = PdfReader(io.BytesIO(slow))
    assert "/XFA" not in reader.trailer["/Root"]["/AcroForm"]
    assert all("DRAFT - not signed" in t for t in page_texts(slow))
