"""Register entries for the report scenario, recorded through the real door, and the figures
expected from them, computed here from the generator's own log (no SQL, no casework.reports).

Some months are kept quiet (1 to 4 entries) so that the public record has small register
counts to protect.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from casework.db import Store
from casework.registers import door
from casework.registers.schema import DetainerIn, LanguageIn, StopIn

FORMS = ["I-247A", "I-247D", "I-247N", "other"]
BASES = ["charge_and_warrant", "charge_only", "warrant_only", "neither"]
OUTCOMES = ["licensed_driver_arranged", "towed_statutory", "towed_no_licensed_driver"]
MODES = ["in_person", "phone", "video", "translated_document"]
LANGUAGES = ["es"] * 8 + ["pt"] * 4 + ["vi", "ht", "mam", "zh-Hant"]
CONTEXTS = ["call", "stop", "report", "certification"]
DECIDERS = ["rhaines@npd.example.org", "chief@npd.example.org"]
QUIET = {(2023, 5): 2, (2024, 9): 1, (2025, 2): 3}  # months with a few entries only


@dataclass
class RegisterLog:
    detainers: list[dict[str, Any]] = field(default_factory=list)
    stops: list[dict[str, Any]] = field(default_factory=list)
    services: list[dict[str, Any]] = field(default_factory=list)


def _days(rng: random.Random, n: int) -> list[dt.date]:
    days = [dt.date(y, m, rng.randint(1, 28)) for (y, m), k in QUIET.items() for _ in range(k)]
    start, span = dt.date(2023, 1, 1), (dt.date(2025, 12, 31) - dt.date(2023, 1, 1)).days
    while len(days) < n:
        d = start + dt.timedelta(days=rng.randrange(span + 1))
        if (d.year, d.month) not in QUIET:
            days.append(d)
    return sorted(days)


def make_log(rng: random.Random, n_cases: int) -> RegisterLog:
    log = RegisterLog()
    for i, day in enumerate(_days(rng, max(12, n_cases // 2))):
        basis = rng.choice(BASES)
        honored = basis == "charge_and_warrant" and rng.random() < 0.5
        log.detainers.append(
            {
                "received_on": day.isoformat(),
                "form": rng.choice(FORMS),
                "booking_number": f"B-{day.year}-{i:05d}",
                "criminal_charge": "A&B"
                if basis in ("charge_and_warrant", "charge_only")
                else None,
                "judicial_warrant": {"court": "Northampton District Court", "number": f"W{i}"}
                if basis in ("charge_and_warrant", "warrant_only")
                else None,
                "decision": "honored" if honored else "declined",
                "decided_by": rng.choice(DECIDERS),
                "notes": None,
            }
        )
    for i, day in enumerate(_days(rng, max(12, n_cases // 2))):
        outcome = rng.choice(OUTCOMES)
        statutory = outcome == "towed_statutory"
        log.stops.append(
            {
                "occurred_on": day.isoformat(),
                "incident_number": f"{day.year % 100}-{i:05d}-MV",
                "outcome": outcome,
                "authority": "G.L. c. 90, s. 22(c)" if statutory else None,
                "offered_opportunity": rng.random() < 0.4 if statutory else True,
            }
        )
    for day in _days(rng, max(12, n_cases)):
        log.services.append(
            {
                "occurred_on": day.isoformat(),
                "language": rng.choice(LANGUAGES),
                "mode": rng.choice(MODES),
                "context": rng.choice(CONTEXTS),
                "wait_minutes": rng.randint(0, 45) if rng.random() < 0.8 else None,
            }
        )
    return log


def record_log(store: Store, log: RegisterLog) -> None:
    """Everything through the door, as the CLI would (policy and roster checked)."""
    for name, model, items in (
        ("detainer", DetainerIn, log.detainers),
        ("stop", StopIn, log.stops),
        ("language", LanguageIn, log.services),
    ):
        with store.unit_of_work() as s:
            parsed = [model.model_validate(x) for x in items]  # type: ignore[attr-defined]
            door.record(s, name, parsed, who="report scenario", source="json")


# --- independent expectations ------------------------------------------------------------


def _months(start: dt.date, end: dt.date) -> list[str]:
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _cols(counter: Counter[str], columns: list[str]) -> dict[str, Any]:
    row: dict[str, Any] = {c: counter[c] for c in columns}
    row["total"] = sum(counter[c] for c in columns)
    return row


def _basis(entry: dict[str, Any]) -> str:
    charge, warrant = entry["criminal_charge"] is not None, entry["judicial_warrant"] is not None
    return {(True, True): "charge_and_warrant", (True, False): "charge_only",
            (False, True): "warrant_only", (False, False): "neither"}[(charge, warrant)]  # fmt: skip


def _within(entries: list[dict[str, Any]], key: str, start: dt.date, end: dt.date) -> list[Any]:
    return [e for e in entries if start <= dt.date.fromisoformat(e[key]) <= end]


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def _p90(values: list[int]) -> int | None:
    v = sorted(values)
    return v[math.ceil(0.9 * len(v)) - 1] if v else None


def expected_registers(log: RegisterLog, start: dt.date, end: dt.date) -> dict[str, Any]:
    months = _months(start, end)
    decisions = ["declined", "honored"]
    det = _within(log.detainers, "received_on", start, end)
    by_month = {m: Counter(e["decision"] for e in det if e["received_on"][:7] == m) for m in months}
    out: dict[str, Any] = {
        "detainer_requests": {"received": _cols(Counter(e["decision"] for e in det), decisions)},
        "detainer_requests_by_month": {m: _cols(c, decisions) for m, c in by_month.items()},
        "detainer_requests_by_form": {
            f: _cols(Counter(e["decision"] for e in det if e["form"] == f), decisions)
            for f in FORMS
        },
        "detainer_requests_by_basis": {
            b: _cols(Counter(e["decision"] for e in det if _basis(e) == b), decisions)
            for b in BASES
        },
    }
    stops = _within(log.stops, "occurred_on", start, end)
    out["stops"] = {
        "stops": _cols(Counter(e["outcome"] for e in stops), OUTCOMES),
        "offered": _cols(
            Counter(e["outcome"] for e in stops if e["offered_opportunity"]), OUTCOMES
        ),
        "not_offered": _cols(
            Counter(e["outcome"] for e in stops if not e["offered_opportunity"]), OUTCOMES
        ),
    }
    out["stops_by_month"] = {
        m: _cols(Counter(e["outcome"] for e in stops if e["occurred_on"][:7] == m), OUTCOMES)
        for m in months
    }
    svc = _within(log.services, "occurred_on", start, end)
    waits = {
        c: [e["wait_minutes"] for e in svc if e["wait_minutes"] is not None and c in (e["mode"], "total")]
        for c in [*MODES, "total"]
    }  # fmt: skip
    out["language_services"] = {
        "services": _cols(Counter(e["mode"] for e in svc), MODES),
        "wait_recorded": _cols(
            Counter(e["mode"] for e in svc if e["wait_minutes"] is not None), MODES
        ),
        "wait_not_recorded": _cols(
            Counter(e["mode"] for e in svc if e["wait_minutes"] is None), MODES
        ),
        "median_wait_minutes": {c: _median(waits[c]) for c in [*MODES, "total"]},
        "p90_wait_minutes": {c: _p90(waits[c]) for c in [*MODES, "total"]},
    }
    out["language_services_by_month"] = {
        m: _cols(Counter(e["mode"] for e in svc if e["occurred_on"][:7] == m), MODES)
        for m in months
    }
    for key, field_name in (("language", "language"), ("context", "context")):
        values = {e[field_name] for e in svc}
        out[f"language_services_by_{key}"] = {
            v: _cols(Counter(e["mode"] for e in svc if e[field_name] == v), MODES) for v in values
        }
    return out
