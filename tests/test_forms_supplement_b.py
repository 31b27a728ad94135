"""Supplement B forms: the facsimile and the official fill, read back with pypdf (no mocks)."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from forms.activities import T_TYPES, U_ACTIVITIES, U_ACTIVITY_LABELS
from forms.api import (
    FACSIMILE_MARK,
    OfficialFormRefused,
    ReadBackMismatch,
    describe,
    read_back,
    render_supplement_b,
)
from forms.model import FamilyMember, Helpfulness, Name, Person
from forms.spec import DATA_DIR, edition_of, inventory, load_spec
from tests.conftest import SHARED
from tests.form_pictures import PICTURES, differing_share, picture
from tests.forms_fixtures import HELPFULNESS, approved_signature, big_u_case, t_case, u_case
from tests.official_standin import build_fillable_pdf

FIELDS_JSON = SHARED / "forms" / "i-918-supplement-b-01-20-25.fields.json"
U_FIELD = "form1[0].#subform[0]."


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
    """The U field map uses exactly the 133 names of the recorded inventory (a copy of the
    shared one lives in forms/data); the T map is marked unverified and has no inventory."""
    official = {f["name"] for f in json.loads(FIELDS_JSON.read_text())["fields"]}
    spec = load_spec("U", "01/20/25")
    kept = inventory(edition_of("U", "01/20/25"))
    assert kept is not None and set(kept) == official and len(official) == 133
    assert (DATA_DIR / "i-918-supb-01-20-25.fields.json").read_bytes() == FIELDS_JSON.read_bytes()
    assert set(spec.field_names()) == official
    item3 = spec.by_id["3.1"]
    assert [o.value for o in item3.options] == list(U_ACTIVITIES)
    assert [o.field for o in item3.options] == [
        f"form1[0].#subform[1].Part3_Line1_checkboxes[{i}]" for i in range(31)
    ]
    t = load_spec("T", "01/20/25")
    assert not t.field_names_verified and inventory(edition_of("T", "01/20/25")) is None
    assert "unverified" in t.layout_note.lower()


def test_unknown_activity_rejected() -> None:
    with pytest.raises(ValueError):
        u_case(qualifying_activities=["armed_robbery"])
    with pytest.raises(ValueError):
        t_case(qualifying_activities=["domestic_violence"])


@pytest.mark.parametrize("make", [u_case, t_case])
@pytest.mark.parametrize("approved", [False, True])
def test_facsimile_marked_on_every_page_and_carries_no_hidden_values(make, approved: bool) -> None:  # type: ignore[no-untyped-def]
    data = make(signature=approved_signature()) if approved else make()
    pdf = render_supplement_b(data)
    texts = page_texts(pdf)
    assert len(texts) == 5
    for i, t in enumerate(texts, start=1):
        assert FACSIMILE_MARK in t, i
        assert f"Page {i} of 5" in t
        assert (
            f"Form {data.visa_type == 'U' and 'I-918' or 'I-914'} Supplement B Edition 01/20/25"
            in t
        )
        assert ("DRAFT - not signed" in t) is not approved
        # the edition has no tracking box and no email item: neither is printed
        assert data.case_number not in t and "tracking" not in t.lower()
        assert "Email" not in t and data.agency.email not in t
    assert b"CaseworkItems" not in pdf
    reader = PdfReader(io.BytesIO(pdf))
    meta = {str(k): str(v) for k, v in (reader.metadata or {}).items()}
    assert set(meta) <= {
        "/Title", "/Subject", "/Keywords", "/Author", "/Creator", "/Producer",
        "/CreationDate", "/ModDate", "/Trapped",
    }  # fmt: skip
    assert not any(data.victim.family_name in v for v in meta.values())
    assert "/AcroForm" not in reader.trailer["/Root"]


def test_approved_signature_date_only_after_approval() -> None:
    assert read_back(render_supplement_b(u_case(), draft=False))["6.2"] == ""
    data = u_case(signature=approved_signature())
    pdf = render_supplement_b(data)
    texts = page_texts(pdf)
    assert not any("DRAFT" in t for t in texts)
    rb = read_back(pdf)
    assert rb["6.2"] == "04/01/2026" and rb["6.1"] == ""
    assert "04/01/2026" in texts[3]


U_EXPECTED = {
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
    "2.4b": "N/A",
    "2.4c": "N/A",
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
    "4.1": "yes",
    "4.2": "yes",
    "4.3": "no",
    "4.4": "N/A",
    "4.5": HELPFULNESS,
    "5.1": "no",
    "5.2a": "",
    "6.1": "",
    "6.2": "04/01/2026",
    "6.3": "413-587-1101",
    "6.4": "N/A",
    "7.1a": "Morales",
    "7.2": "N/A",
    "7.3": "Northampton Police Department",
    "7.4a": "",
    "7.4d": "",
}


def test_u_sample_every_item_both_paths(fillable_u: Path) -> None:
    data = u_case(signature=approved_signature())
    for path in (None, fillable_u):
        rb = read_back(render_supplement_b(data, official_pdf=path))
        got = {k: rb.get(k) for k in U_EXPECTED}
        assert got == U_EXPECTED, path
        assert rb["3.6"] == data.description and rb["3.7"] == data.known_injuries
        assert "6.5" not in rb  # no email item
    assert "6.5" not in load_spec("U").by_id


def _hard_names(visa: str) -> dict[str, object]:
    """Names a heuristic would break: a compound family name, a Vietnamese name whose family
    name comes first, empty middle names (printed N/A)."""
    return dict(
        victim=Person(family_name="Nguyễn", given_name="Thị Hoa", middle_name=""),
        other_names=[
            Name(family_name="Gonçalves da Silva", given_name="Maria José", middle_name=""),
            Name(family_name="Phạm", given_name="Lan", middle_name="Thị"),
        ],
        family_members=[
            FamilyMember(
                family_name="Gonçalves da Silva",
                given_name="João",
                middle_name="",
                relationship="brother-in-law",
                involvement="Held her passport.",
            ),
            FamilyMember(
                family_name="Nguyễn",
                given_name="Văn Hùng",
                middle_name=None,
                relationship="uncle",
                involvement="Collected the debt.",
            ),
        ],
        qualifying_activities=["labor_trafficking"] if visa == "T" else ["domestic_violence"],
    )


@pytest.mark.parametrize("visa", ["U", "T"])
def test_name_boxes_read_back_exactly(visa: str, fillable_u: Path, fillable_t: Path) -> None:
    make, blank = (u_case, fillable_u) if visa == "U" else (t_case, fillable_t)
    data = make(signature=approved_signature(), **_hard_names(visa))
    if visa == "U":
        part1 = {
            "1.2a": "Nguyễn", "1.2b": "Thị Hoa", "1.2c": "N/A",
            "1.3a": "Gonçalves da Silva", "1.3b": "Maria José", "1.3c": "N/A",
        }  # fmt: skip
    else:
        part1 = {
            "1.1a": "Nguyễn", "1.1b": "Thị Hoa", "1.1c": "N/A",
            "1.2a": "Gonçalves da Silva", "1.2b": "Maria José", "1.2c": "N/A",
            "1.2d": "Phạm", "1.2e": "Lan", "1.2f": "Thị",
        }  # fmt: skip
    part5 = {
        "5.1": "yes",
        "5.2a": "Gonçalves da Silva", "5.2b": "João", "5.2c": "N/A",
        "5.2d": "brother-in-law", "5.2e": "Held her passport.",
        "5.3a": "Nguyễn", "5.3b": "Văn Hùng", "5.3c": "N/A", "5.3d": "uncle",
        "5.4a": "", "5.4b": "", "5.4c": "",
    }  # fmt: skip
    for path in (None, blank):
        rb = read_back(render_supplement_b(data, official_pdf=path))
        assert {k: rb[k] for k in part1} == part1, path
        assert {k: rb[k] for k in part5} == part5, path
    if visa == "U":  # the second other name has no row of its own: Part 7, every box named
        rb = read_back(render_supplement_b(data))
        assert rb["7.4c"] == "3" and rb["7.4d"] == (
            "Other Names Used: Family Name: Phạm, Given Name: Lan, Middle Name: Thị"
        )


def test_names_recorded_before_they_were_structured_are_printed_whole() -> None:
    """Never split: an old plain-string name points to Part 7, which prints it as written."""
    data = u_case(
        other_names=[Name(as_written="Lucia Morales Vega")],
        family_members=[
            FamilyMember(as_written="Jorge Luis Vega", relationship="ex-partner", involvement="x")
        ],
    )
    rb = read_back(render_supplement_b(data))
    assert (rb["1.3a"], rb["1.3b"], rb["1.3c"]) == ("See Part 7, Additional Information.",) * 3
    assert rb["5.2a"] == "See Part 7"
    rows = [rb[f"7.{n}d"] for n in (4, 5)]
    assert (
        "Lucia Morales Vega (as written; not divided into family, given and middle name)"
        in (rows[0])
    )
    assert rows[1].startswith("Family member: Jorge Luis Vega (as written")
    assert "Relationship: ex-partner" in rows[1]


def test_narrative_in_part4_item5_and_its_continuation(tmp_path: Path) -> None:
    long = " ".join(f"Step {i}: she answered the detective's questions again." for i in range(80))
    data = u_case(
        helpfulness=Helpfulness(**{**u_case().helpfulness.model_dump(), "narrative": long})
    )
    pdf = render_supplement_b(data)
    rb = read_back(pdf)
    assert rb["4.5"] == "See Part 7, Additional Information."
    row = next(n for n in range(4, 9) if rb.get(f"7.{n}c") == "5")
    assert (rb[f"7.{row}a"], rb[f"7.{row}b"]) == ("3", "4")
    assert rb[f"7.{row}d"] == f"Description of the victim's helpfulness: {long}"
    # the official form: fit judged by the field's maximum length
    name = "form1[0].#subform[2].Part4_Line5_Other[0]"
    blank = tmp_path / "maxlen.pdf"
    blank.write_bytes(build_fillable_pdf(load_spec("U"), max_len={name: 2000}))
    rb = read_back(render_supplement_b(data, official_pdf=blank))
    assert rb["4.5"] == "See Part 7, Additional Information."
    assert rb["7.4c"] == "5" and long in rb["7.4d"]
    short = read_back(render_supplement_b(u_case(), official_pdf=blank))
    assert short["4.5"] == HELPFULNESS


def test_a_number_written_as_the_official_field_expects(fillable_u: Path) -> None:
    data = u_case(a_number="A012345678")
    fields = PdfReader(io.BytesIO(render_supplement_b(data, official_pdf=fillable_u))).get_fields()
    assert fields is not None
    assert fields[U_FIELD + "Part1_Line1_AlienNumber[0]"].get("/V") == "012345678"
    facsimile = render_supplement_b(data)
    assert read_back(facsimile)["1.1"] == "012345678"
    from forms.readback import page_fragments

    frags = page_fragments(PdfReader(io.BytesIO(facsimile)).pages[0])
    prefix = next(f for f in frags if f.text == "A-")
    digits = next(f for f in frags if f.text.strip() == "012345678")
    assert prefix.x < digits.x and abs(prefix.y - digits.y) < 3  # printed "A-" then 9 digits


def test_fit_by_max_length_on_the_official_form(tmp_path: Path) -> None:
    name = U_FIELD + "Pt2Line1_CertifyingAgency[0]"
    blank = tmp_path / "maxlen.pdf"
    blank.write_bytes(build_fillable_pdf(load_spec("U"), max_len={name: 10}))
    rb = read_back(render_supplement_b(u_case(), official_pdf=blank))
    assert rb["2.1"] == "See Part 7"
    assert (
        rb["7.4c"] == "1"
        and rb["7.4d"] == "Name of Certifying Agency: Northampton Police Department"
    )


def test_fill_refuses_a_value_the_field_did_not_keep(tmp_path: Path) -> None:
    """The read-back check: a plan that ignores a field's /MaxLen is cut by the writer, and
    the cut value read back from the filled bytes refuses the fill."""
    from forms import official
    from forms.plan import make_plan

    name = U_FIELD + "Pt2Line1_CertifyingAgency[0]"
    tpl = official.template(build_fillable_pdf(load_spec("U"), max_len={name: 10}))
    plan = make_plan(u_case(), load_spec("U"), draft=True)  # fit by the printed box only
    with pytest.raises(ReadBackMismatch) as exc:
        official.fill(plan, tpl)
    assert exc.value.mismatches[name] == ("Northampton Police Department", "Northampto")


def test_official_pdf_of_another_edition_is_refused(tmp_path: Path) -> None:
    blank = tmp_path / "old.pdf"
    blank.write_bytes(
        build_fillable_pdf(load_spec("U"), edition_line="Form I-918 Supplement B Edition 04/01/24")
    )
    with pytest.raises(OfficialFormRefused, match="Edition 04/01/24"):
        render_supplement_b(u_case(), official_pdf=blank)


def test_overflow_goes_to_part7_facsimile() -> None:
    data = big_u_case()
    pdf = render_supplement_b(data)
    rb = read_back(pdf)
    texts = page_texts(pdf)
    assert len(texts) == 6  # Part 7 continues on a sixth page
    assert "Page 6 of 6" in texts[5] and FACSIMILE_MARK in texts[5]
    assert rb["1.2a"] == "Núñez" and rb["1.2b"] == "María" and rb["1.2c"] == "José"
    assert rb["3.2a"] == "01/03/2024" and rb["3.2d"] == "01/20/2024"
    assert rb["3.1"] == "abduction,domestic_violence,felonious_assault,stalking,witness_tampering"
    assert rb["3.6"] == "See Part 7, Additional Information."
    assert rb["5.1"] == "yes" and rb["5.4b"] == "Pedro2" and rb["5.4a"] == "Núñez"
    conts = {rb[f"7.{n}c"]: rb[f"7.{n}d"] for n in range(4, 9)}
    assert "Family Name: Nguyễn, Given Name: Thị Mai, Middle Name: N/A" in conts["3"]
    assert "Armed robbery" in conts["1"]
    assert conts["2"] == "Additional dates: 01/25/2024, 01/30/2024"
    assert conts["6"].endswith(data.description)  # read across the page break, whole
    assert "Given Name: Pedro4" in conts["2-4"]
    assert rb["7.6a"] == "2" and rb["7.6b"] == "3"
    rows = {r[0]: r for r in describe(pdf)}
    assert rows["7.4a"][2] == "1" and "Page Number" in rows["7.4a"][1]
    assert rows["7.8d"][1] == "Part 7, Item 8.d. Additional Information"


def test_overflow_official_path(tmp_path: Path) -> None:
    spec = load_spec("U")
    description = spec.by_id["3.6"].field
    assert description is not None
    blank = tmp_path / "maxlen.pdf"
    blank.write_bytes(build_fillable_pdf(spec, max_len={description: 1000}))
    pdf = render_supplement_b(big_u_case(), official_pdf=blank)
    reader = PdfReader(io.BytesIO(pdf))
    assert "/XFA" not in reader.trailer["/Root"]["/AcroForm"]
    assert reader.trailer["/Root"]["/AcroForm"]["/NeedAppearances"]
    rb = read_back(pdf)
    assert rb["1.2a"] == "Núñez"
    assert rb["3.6"] == "See Part 7, Additional Information."
    assert rb["7.4d"].startswith("Other Names Used: Family Name: Nguyễn")
    # three Part 7 rows on the official form: later entries are merged with references
    assert rb["7.6c"] == "6" and "Sentence 39" in rb["7.6d"]
    assert "[Page 2, Part 3, Item 2] Additional dates: 01/25/2024, 01/30/2024" in rb["7.6d"]
    assert "[Page 4, Part 5, Item 2-4]" in rb["7.6d"] and "Pedro4" in rb["7.6d"]
    assert all("DRAFT - not signed" in t for t in page_texts(pdf))
    assert rb["6.2"] == ""


def test_official_fill_is_an_incremental_update(fillable_u: Path) -> None:
    """pypdf's incremental writer: the official bytes stay first and unchanged."""
    blank = fillable_u.read_bytes()
    pdf = render_supplement_b(u_case(signature=approved_signature()), official_pdf=fillable_u)
    assert pdf.startswith(blank) and len(pdf) > len(blank)
    assert pdf.count(b"%%EOF") == blank.count(b"%%EOF") + 1


def test_official_checkbox_export_values(fillable_u: Path) -> None:
    pdf = render_supplement_b(u_case(), official_pdf=fillable_u)
    fields = PdfReader(io.BytesIO(pdf)).get_fields() or {}
    gender_f = fields[U_FIELD + "Part1_5_checkboxes[1]"]
    assert gender_f.get("/V") == "/F"
    dv = fields["form1[0].#subform[1].Part3_Line1_checkboxes[6]"]
    assert dv.get("/V") not in (None, "/Off", "/Yes")
    assert fields["form1[0].#subform[1].Part3_Line1_checkboxes[0]"].get("/V") == "/Off"


def test_read_back_refuses_missing_field(tmp_path: Path) -> None:
    spec = load_spec("U", "01/20/25")
    name = "form1[0].#subform[1].Part3_Line1_checkboxes[26]"  # stalking
    path = tmp_path / "missing.pdf"
    path.write_bytes(build_fillable_pdf(spec, omit=[name]))
    with pytest.raises(ReadBackMismatch, match=r"Part3_Line1_checkboxes\[26\]"):
        render_supplement_b(u_case(), official_pdf=path)


def test_t_declaration_structure(fillable_t: Path) -> None:
    """Statement of Claim with the three trafficking types; no U-only question; the
    supervising official named in the supervisor block; the cooperation exceptions."""
    spec = load_spec("T")
    sources = {it.source for it in spec.items}
    assert not sources & {"extraterritorial", "in_us", "agency_head.family", "known_injuries"}
    texts = page_texts(render_supplement_b(t_case()))
    assert "Part 3. Statement of Claim" in texts[1]
    assert "extraterritorial" not in " ".join(texts).lower()
    assert "Part 9. Additional Information" in texts[4]
    for exception, words in (
        ("under_18", "the victim is under 18 years of age"),
        ("trauma", "unable to cooperate due to physical or psychological trauma"),
    ):
        h = t_case().helpfulness.model_copy(update={"cooperation": exception})
        data = t_case(helpfulness=h, signature=approved_signature())
        for path in (None, fillable_t):
            rb = read_back(render_supplement_b(data, official_pdf=path))
            assert rb["4.1"] == exception
            assert (rb["6.5a"], rb["6.5b"], rb["6.5c"]) == ("Reyes", "Daniel", "N/A")
            assert rb["6.6"] == "Lieutenant, Criminal Investigation Bureau"
            assert (rb["2.2a"], rb["2.2b"]) == ("Ortiz", "Ana")
            assert rb["1.5"] == "123456789"
        page4 = page_texts(render_supplement_b(data))[2]
        assert words in page4.replace("\n", " ")
    rb = read_back(render_supplement_b(t_case()))
    assert rb["4.2"] == t_case().helpfulness.narrative


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


@pytest.mark.parametrize("visa", ["U", "T"])
def test_readme_pictures_are_current(visa: str) -> None:
    """The README pictures are page 1 of today's facsimiles (regenerate with
    `.venv/bin/python tests/form_pictures.py`); a missing picture fails."""
    path = PICTURES[visa]
    assert path.exists(), f"{path} is missing: run .venv/bin/python tests/form_pictures.py"
    fresh = picture(visa)
    committed = Image.open(path)
    assert committed.size == fresh.size == (918, 1188)
    # same renderer: identical; the allowance (about 218 pixels) is for anti-aliasing
    # elsewhere. A changed word that moves the rest of its line (about 1,000 pixels), a
    # missing rule (1,600) or a darker shade in the boxes (about 200,000) is more.
    share = differing_share(fresh, committed)
    assert share < 0.0002, f"{share:.4%} of the pixels differ from {path.name}"
    # the marking is in the picture: the band of its line holds red pixels
    top = fresh.crop((0, 0, 918, 22)).getcolors(1 << 20) or []
    assert any(r > 150 and g < 80 and b < 80 for _, (r, g, b) in top)
    other = picture("T" if visa == "U" else "U")
    assert differing_share(fresh, other) > 0.01


def test_other_names_and_dates() -> None:
    data = u_case(
        other_names=[Name(family_name="Vega", given_name="Lucía", middle_name="Isabel")],
        activity_dates=[date(2024, 2, 29)],
    )
    rb = read_back(render_supplement_b(data))
    assert (rb["1.3a"], rb["1.3b"], rb["1.3c"]) == ("Vega", "Lucía", "Isabel")
    assert rb["3.2a"] == "02/29/2024" and rb["3.2b"] == ""


def test_official_rewrite_path_with_appearances(fillable_u: Path) -> None:
    """Generated appearance streams give the same read-back as the NeedAppearances path."""
    from forms import official
    from forms.plan import make_plan

    data = big_u_case()
    spec = load_spec("U", data.edition)
    tpl = official.template(fillable_u)
    plan = make_plan(data, spec, draft=True, limits=tpl.max_lens)
    slow = official.fill(plan, tpl, appearances=True)
    fast = official.fill(plan, tpl)
    assert read_back(slow) == read_back(fast)
    reader = PdfReader(io.BytesIO(slow))
    assert "/XFA" not in reader.trailer["/Root"]["/AcroForm"]
    assert all("DRAFT - not signed" in t for t in page_texts(slow))
