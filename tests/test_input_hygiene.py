"""Input hygiene: hostile characters in names and single-line fields are refused with a field
error, invisible ones are removed before duplicate detection, multi-line fields keep only
newlines and tabs; over-deep or oversized JSON is a clear refusal (422 / exit 1), never a
500 or a traceback; `casework show` never writes a control character to the terminal."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from casework.cli import main
from casework.crypto import keyring
from casework.db import Store
from casework.intake.service import submit
from casework.intake.validate import IntakeRejected, validate_request
from casework.models import Case
from casework.transitions import Actor, apply_transition
from casework.views import get_case
from tests.conftest import EXAMPLES, TODAY, example_request
from tests.test_portal_support import (  # noqa: F401 - fixtures
    api_submit,
    client_fixture,
    example_pdfs,
    mail_fixture,
)

HOSTILE = {
    "NUL": ("\x00", "contains a NUL character"),
    "ESC": ("\x1b[2J", "contains a control character (U+001B)"),
    "C1 CSI": ("\x9b31m", "contains a control character (U+009B)"),
    "DEL": ("\x7f", "contains a control character (U+007F)"),
    "right-to-left override": ("\u202e", "contains a bidirectional control character (U+202E)"),
    "left-to-right isolate": ("\u2066", "contains a bidirectional control character (U+2066)"),
    "line separator": ("\u2028", "contains a line separator (U+2028)"),
    "newline inside": ("\nX", "contains a control character (U+000A)"),
}
SINGLE_LINE_FIELDS = [
    ("victim", "family_name"),
    ("victim", "given_name"),
    ("victim", "middle_name"),
    ("requester", "name"),
    ("requester", "organization"),
    ("incident", "location"),
]


def problems(raw: dict) -> list[str]:  # type: ignore[type-arg]
    with pytest.raises(IntakeRejected) as info:
        validate_request(raw, today=TODAY, base_dir=EXAMPLES)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize("kind", list(HOSTILE))
@pytest.mark.parametrize(("section", "field"), SINGLE_LINE_FIELDS)
def test_single_line_fields_refuse_hostile_characters(section: str, field: str, kind: str) -> None:
    char, message = HOSTILE[kind]
    found = problems(example_request(**{section: {field: f"Mor{char}ales"}}))
    assert any(p.startswith(f"{section}.{field}: {message} at character 4") for p in found), found


def test_list_fields_and_file_names_refuse_them_too() -> None:
    raw = example_request(
        victim={"other_names": ["Lu\x1bcy"]},
        incident={"police_report_numbers": ["24\u202e-01"], "statutory_citations": ["c.\x00265"]},
        attachments=["evil\x1b.pdf"],
    )
    paths = {p.split(":")[0] for p in problems(raw)}
    assert {
        "victim.other_names[0]",
        "incident.police_report_numbers[0]",
        "incident.statutory_citations[0]",
        "attachments[0]",
    } <= paths


def test_multi_line_fields_keep_newlines_and_tabs_only() -> None:
    raw = example_request(incident={"description": "First line\r\nsecond\tline\rthird"})
    valid = validate_request(raw, today=TODAY, base_dir=EXAMPLES)
    assert valid.request.incident.description == "First line\nsecond\tline\nthird"
    for char, message in (HOSTILE["ESC"], HOSTILE["right-to-left override"], HOSTILE["NUL"]):
        found = problems(example_request(helpfulness={"summary": f"ok{char}"}))
        assert any(p.startswith(f"helpfulness.summary: {message}") for p in found), found


def test_invisible_characters_are_removed_and_text_is_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Lucía")
    raw = example_request(victim={"family_name": "Mo\u200brales\u00ad", "given_name": decomposed})
    victim = validate_request(raw, today=TODAY, base_dir=EXAMPLES).request.victim
    assert victim.family_name == "Morales"
    assert victim.given_name == "Lucía" and unicodedata.is_normalized("NFC", victim.given_name)
    assert problems(example_request(victim={"family_name": "\u200b\ufeff"})) == [
        "victim.family_name: must not be empty"
    ]


def test_a_zero_width_space_does_not_bypass_duplicate_detection(store: Store) -> None:
    first = submit(store, example_request(), base_dir=EXAMPLES, received=TODAY)
    sneaky = example_request(victim={"family_name": "Mor\u200bales", "given_name": "Lu\u00adcia"})
    second = submit(store, sneaky, base_dir=EXAMPLES, received=TODAY)
    assert (second.case_number, second.created) == (first.case_number, False)


# -- JSON bounds ----------------------------------------------------------------------------
DEEP = "[" * 100_000 + "]" * 100_000
HUGE_NUMBER = json.dumps(example_request())[:-1] + ', "n": ' + "7" * 5000 + "}"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (DEEP, "is nested too deeply"),
        (HUGE_NUMBER, "a number is 5000 characters long"),
        ('{"visa_type": NaN}', "NaN is not a JSON number"),
        ("{" * 30 + "}" * 30, "not valid JSON"),
    ],
)
def test_the_cli_refuses_hostile_json_clearly(
    sqlite_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, message: str
) -> None:
    path = tmp_path / "request.json"
    path.write_text(body)
    assert main(["submit", "--no-flow", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("(request): ") and message in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (DEEP, "is nested too deeply"),
        ('{"a":' * 25 + "1" + "}" * 25, "is nested too deeply"),
        (HUGE_NUMBER, "a number is 5000 characters long"),
        ('{"visa_type": Infinity}', "Infinity is not a JSON number"),
    ],
)
def test_the_api_answers_hostile_json_with_422(client: TestClient, body: str, message: str) -> None:
    resp = api_submit(client, None, example_pdfs(), request_text=body)
    assert resp.status_code == 422, resp.text
    assert any(message in p["message"] for p in resp.json()["problems"]), resp.json()


# -- what reaches a terminal ----------------------------------------------------------------
UNSAFE = ("\x1b", "\x9b", "\u202e", "\x00", "\u2028", "\x07")


def test_show_and_history_never_write_control_characters(
    sqlite_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    number = submit(sqlite_store, example_request(), base_dir=EXAMPLES, received=TODAY).case_number
    hostile = "Mor\x1b]0;pwned\x07ales\x9b2J\u202eevil\x00"
    with sqlite_store.unit_of_work() as s:  # data stored before intake refused such names
        case = get_case(s, number)
        victim = keyring().decrypt_json(case.victim_enc)
        victim["family_name"] = hostile
        s.get(Case, case.id).victim_enc = keyring().encrypt_json(victim)  # type: ignore[union-attr]
        apply_transition(
            s, case, "withdraw", Actor.requester("x@example.org"), case.version,
            reason="gone\x1b[31m red\u2028",
        )  # fmt: skip
    capsys.readouterr()
    for argv in (["show", number], ["show", number, "--json"], ["history", number]):
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert not any(c in out for c in UNSAFE), (argv, out)
    assert main(["show", number, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["victim"]["family_name"] == hostile  # escaped for the terminal, not altered
