"""A generated scenario for the report tests, and the figures expected from it.

The scenario (several hundred requests over three years) goes through the real
intake (validate_request + store_request) and the real workflow steps
(casework.steps -> apply_transition) with explicit historical timestamps. While
it runs, the generator keeps its own plain log of what happened to each case;
the expected figures are computed from that log here, without SQL and without
casework.reports.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from cryptography.fernet import Fernet

from casework.blobs import BlobStore
from casework.db import Store
from casework.findings import Findings
from casework.intake.service import store_request
from casework.intake.validate import validate_request
from casework.migrate import upgrade
from casework.models import Person
from casework.policy import DA_POSITIONS, DENIAL_REASONS
from casework.roster import chief, people_with_role
from casework.setup_data import load_demo
from casework.states import Role
from casework.steps import (
    approve_signature,
    assign,
    deny,
    recommend_certification,
    record_da_consultation,
    request_information,
    return_to_certifier,
    simple,
    start_da_consultation,
    supplement,
)
from casework.transitions import Actor, apply_transition
from casework.views import get_case
from tests.conftest import example_request, t_request
from tests.register_scenario import RegisterLog, expected_registers, make_log, record_log

NY = ZoneInfo("America/New_York")
YEARS = (2023, 2024, 2025)
#: "Today" for overdue and open-today figures; every scenario event is before it.
TODAY = dt.date(2026, 3, 2)
LAST_EVENT = dt.date(2026, 2, 27)

# Target state of each action, written out here (not read from casework.states) so the
# expected figures do not depend on the code under test. None: the state does not change.
TARGET = {
    "assign": None,
    "start_da_consultation": "da_consultation",
    "record_da_consultation": "certifier_review",
    "request_information": "needs_information",
    "supplement": "certifier_review",
    "recommend_certification": "awaiting_signature",
    "deny": "denied",
    "deny_at_signature": "denied",
    "return_to_certifier": "certifier_review",
    "approve_signature": "certified",
    "deliver": "delivered",
    "withdraw": "withdrawn",
    "reopen": "certifier_review",
    "revoke": "revoked",
    "mark_delayed": None,
}
OPEN = {
    "submitted",
    "needs_information",
    "da_consultation",
    "certifier_review",
    "awaiting_signature",
}

SYLLABLES = ["zor", "qua", "vel", "mir", "tan", "dox", "kep", "lun", "bri", "sav", "gho", "wyx"]
LANGUAGES = ["es"] * 30 + ["pt"] * 10 + ["vi"] * 6 + ["ht"] * 5 + ["zh"] * 3 + [None] * 4


@dataclass
class Victim:
    family_name: str
    given_name: str
    middle_name: str
    date_of_birth: dt.date


@dataclass
class Ev:
    action: str
    at: dt.datetime  # local (America/New_York) time
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass
class Sim:
    """What the generator did to one case, in its own terms."""

    number: str
    visa: str
    person: int
    received: dt.date
    language: str | None
    expedited: bool
    events: list[Ev] = field(default_factory=list)
    interpreter: bool | None = None

    @property
    def due(self) -> dt.date:
        return self.received + dt.timedelta(days=90)


@dataclass
class Scenario:
    store: Store
    victims: list[Victim]
    cases: list[Sim]
    report_numbers: list[str]
    certifier_names: dict[int, str]
    registers: RegisterLog = field(default_factory=RegisterLog)


def _name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def make_victims(rng: random.Random, n: int) -> list[Victim]:
    victims: list[Victim] = []
    seen: set[tuple[str, str]] = set()
    while len(victims) < n:
        fam, giv = _name(rng, 3), _name(rng, 2)
        if (fam, giv) in seen:
            continue
        seen.add((fam, giv))
        dob = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 40 * 365))
        victims.append(Victim(fam, giv, _name(rng, 2), dob))
    return victims


def local(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randrange(8, 20), rng.randrange(60)), tzinfo=NY)


class Driver:
    """Drives one case through the real steps, logging each event in the scenario's terms."""

    def __init__(self, store: Store, sim: Sim, rng: random.Random, blobs: BlobStore):
        self.store, self.sim, self.rng, self.blobs = store, sim, rng, blobs
        self.clock = local(sim.received, rng)
        self.assignee: Person | None = None

    def advance(self, lo: int, hi: int) -> dt.datetime:
        self.clock = self.clock + dt.timedelta(days=self.rng.randint(lo, hi), minutes=7)
        return self.clock

    def do(self, session: Any, action: str, **payload: Any) -> None:
        case = get_case(session, self.sim.number)
        at = self.clock.astimezone(dt.UTC)  # stored history times are UTC
        boss = Actor.person(chief(session), Role.CHIEF)
        mine = Actor.person(self.assignee, Role.CERTIFIER) if self.assignee else None
        v = case.version
        if action == "assign":
            person = payload.pop("person")
            assign(session, case, Actor.system(), v, person, at=at)
            self.assignee = person
            payload["certifier"] = person.full_name
        elif action == "start_da_consultation":
            start_da_consultation(session, case, v, at=at)
        elif action == "record_da_consultation":
            assert mine
            record_da_consultation(
                session,
                case,
                mine,
                v,
                consulted_name="ADA Thomas Greene",
                consulted_on=self.clock.date(),
                position=payload["position"],
                at=at,
            )
        elif action == "request_information":
            assert mine
            request_information(session, case, mine, v, missing="the 911 call record", at=at)
        elif action == "supplement":
            supplement(
                session,
                case,
                Actor.requester("rdelgado@pvvac.example.org"),
                v,
                text="Call record attached.",
                attachments=[],
                blobs=self.blobs,
                at=at,
            )
        elif action == "recommend_certification":
            assert mine
            recommend_certification(session, case, mine, v, findings=FINDINGS[self.sim.visa], at=at)
        elif action == "deny":
            assert mine
            deny(
                session,
                case,
                mine,
                v,
                reason_code=payload["reason_code"],
                explanation="See file." if payload["reason_code"] == "other" else None,
                at=at,
            )
        elif action == "deny_at_signature":
            deny(
                session,
                case,
                boss,
                v,
                reason_code=payload["reason_code"],
                explanation="See file." if payload["reason_code"] == "other" else None,
                at=at,
            )
        elif action == "return_to_certifier":
            return_to_certifier(session, case, boss, v, comments="Part 3 needs the dates", at=at)
        elif action == "approve_signature":
            approve_signature(
                session,
                case,
                boss,
                v,
                # The form's date: the day of the approval unless the caller gives one.
                signature_date=payload.get("signature_date", self.clock.date()),
                signer=chief(session),
                signer_title="Chief of Police",
                at=at,
            )
        elif action in ("withdraw",):
            simple(
                session, case, "withdraw", Actor.requester("rdelgado@pvvac.example.org"), v, at=at
            )
        elif action == "deliver":
            simple(session, case, "deliver", Actor.system(), v, at=at)
        elif action == "mark_delayed" and "projected_date" in payload:
            # A letter as recorded from now on: its payload carries the promised date.
            apply_transition(
                session,
                case,
                "mark_delayed",
                boss,
                v,
                reason="extenuating circumstances",
                payload={
                    "process": "review after the DA responds",
                    "time_frame": "by the date given",
                    "projected_date": payload["projected_date"],
                },
                at=at,
            )
        elif action == "mark_delayed":  # an older letter: a time frame in words only
            apply_transition(
                session,
                case,
                "mark_delayed",
                boss,
                v,
                reason="extenuating circumstances",
                payload={"process": "review after the DA responds", "time_frame": "within 30 days"},
                at=at,
            )
        else:  # reopen, revoke
            simple(session, case, action, boss, v, reason=f"{action} per policy", at=at)
        self.sim.events.append(Ev(action, self.clock, payload))


FINDINGS = {
    "U": Findings(
        visa_type="U",
        qualifying_activities=["domestic_violence"],
        activity_dates=[dt.date(2022, 6, 14)],
        description="Assault reported to the department.",
        possesses_information=True,
        has_been_helpful=True,
        is_being_helpful=True,
        likely_to_be_helpful=True,
    ),
    "T": Findings(
        visa_type="T",
        qualifying_activities=["labor_trafficking"],
        activity_dates=[dt.date(2022, 6, 14)],
        description="Forced labor reported.",
        possesses_information=True,
        has_been_helpful=True,
        is_being_helpful=True,
        likely_to_be_helpful=True,
    ),
}


def _received_dates(rng: random.Random, n: int) -> list[dt.date]:
    """Spread over three years, with two quiet months holding 1 and 3 requests."""
    quiet = {(2023, 8): 1, (2024, 2): 3}
    days: list[dt.date] = []
    for (y, m), k in quiet.items():
        days += [dt.date(y, m, rng.randint(1, 28)) for _ in range(k)]
    start, span = dt.date(2023, 1, 1), (dt.date(2025, 12, 31) - dt.date(2023, 1, 1)).days
    while len(days) < n:
        d = start + dt.timedelta(days=rng.randrange(span + 1))
        if (d.year, d.month) not in quiet:
            days.append(d)
    return sorted(days)


def build_scenario(store: Store, n_cases: int, seed: int = 258) -> Scenario:
    rng = random.Random(seed)
    extra = random.Random(seed + 1)  # interpreter needs and registers: rng's draws unchanged
    victims = make_victims(rng, int(n_cases * 0.8))
    blobs = BlobStore(store.settings.attachments_dir)
    with store.reading() as s:
        certs = people_with_role(s, Role.CERTIFIER)
        names = {p.id: p.full_name for p in certs}
    sims: list[Sim] = []
    report_numbers: list[str] = []
    rare = iter([("so", 0)] * 2 + [("ar", 0)] * 3)  # languages with 2 and 3 requests in all
    for i, received in enumerate(_received_dates(rng, n_cases)):
        first = min(40, len(victims))
        person = rng.randrange(len(victims)) if i >= first else i  # repeats after the first 40
        v = victims[person]
        visa = "T" if rng.random() < 0.18 else "U"
        raw = example_request() if visa == "U" else t_request()
        language = rng.choice(LANGUAGES)
        if i % 60 == 7:
            language = next(rare, ("es", 0))[0]
        removal = rng.random() < 0.12
        number = f"{received.year % 100:02d}-{i:05d}-OF"
        report_numbers.append(number)
        raw["victim"].update(
            family_name=v.family_name,
            given_name=v.given_name,
            middle_name=v.middle_name,
            other_names=[
                {"family_name": f"{v.family_name}-{_name(rng, 2)}", "given_name": v.given_name}
            ],
            date_of_birth=v.date_of_birth.isoformat(),
            preferred_language=language,
        )
        interpreter = extra.choice([True, False, None])
        if interpreter is not None:
            raw["victim"]["interpreter_needed"] = interpreter
        raw["incident"]["police_report_numbers"] = [number]
        raw["incident"]["dates"] = [(received - dt.timedelta(days=30)).isoformat()]
        raw["urgency"] = {
            "in_removal_proceedings": removal,
            "in_detention": False,
            "family_member_turning_21_on": None,
        }
        raw["attachments"] = []
        valid = validate_request(raw, today=received)
        result = store_request(store, valid, received=received)
        assert result.created
        sim = Sim(result.case_number, visa, person, received, language, removal)
        sim.interpreter = interpreter
        sims.append(sim)
        _drive(store, sim, rng, blobs, certs)
    # Decisions late on New Year's Eve, local time: already the next year in UTC.
    for received, decided, action in (
        (dt.date(2024, 11, 4), dt.datetime(2024, 12, 31, 21, 30, tzinfo=NY), "deny"),
        (dt.date(2025, 10, 20), dt.datetime(2025, 12, 31, 22, 15, tzinfo=NY), "approve_signature"),
    ):
        v = victims[-1]
        raw = example_request()
        raw["victim"].update(
            family_name=v.family_name,
            given_name=v.given_name,
            middle_name=v.middle_name,
            date_of_birth=v.date_of_birth.isoformat(),
        )
        number = f"{received.year % 100:02d}-9{len(sims):04d}-OF"
        report_numbers.append(number)
        raw["incident"]["police_report_numbers"] = [number]
        raw["attachments"] = []
        result = store_request(store, validate_request(raw, today=received), received=received)
        sim = Sim(result.case_number, "U", len(victims) - 1, received, "es", False)
        sims.append(sim)
        d = Driver(store, sim, rng, blobs)
        steps: list[tuple[str, dict[str, Any]]] = [
            ("assign", {"person": certs[0]}),
            ("start_da_consultation", {}),
            ("record_da_consultation", {"position": "supports"}),
        ]
        if action == "deny":
            steps.append(("deny", {"reason_code": "no_helpfulness"}))
        else:
            steps += [("recommend_certification", {}), ("approve_signature", {})]
        with store.unit_of_work() as s:
            for i, (step, payload) in enumerate(steps):
                if "person" in payload:
                    payload["person"] = s.get(Person, payload["person"].id)
                d.clock = decided - dt.timedelta(days=len(steps) - 1 - i)
                d.do(s, step, **payload)
    log = make_log(extra, n_cases)
    record_log(store, log)
    return Scenario(store, victims, sims, report_numbers, names, log)


def _drive(
    store: Store, sim: Sim, rng: random.Random, blobs: BlobStore, certs: list[Person]
) -> None:
    d = Driver(store, sim, rng, blobs)
    fate = rng.random()
    with store.unit_of_work() as s:
        certs_here = [s.get(Person, p.id) for p in certs]

        def do(action: str, lo: int = 1, hi: int = 12, **payload: Any) -> bool:
            """Take the step unless its time would fall after the scenario's last day."""
            before = d.clock
            d.advance(lo, hi)
            if d.clock.date() > LAST_EVENT:
                d.clock = before
                return False
            if action == "mark_delayed" and rng.random() < 0.6:
                promised = d.clock.date() + dt.timedelta(days=rng.randint(5, 60))
                payload["projected_date"] = promised.isoformat()
            d.do(s, action, **payload)
            return True

        if fate < 0.05:  # withdrawn straight away
            do("withdraw", 0, 5)
            return
        if not do("assign", 0, 3, person=rng.choice(certs_here)):
            return
        if rng.random() < 0.08 and not do("assign", 0, 3, person=rng.choice(certs_here)):
            return
        if not do("start_da_consultation", 0, 4):
            return
        if rng.random() < 0.10 and not do("mark_delayed", 20, 60):  # delay letter
            return
        if fate < 0.09:
            do("withdraw", 1, 20)
            return
        position = rng.choice(list(DA_POSITIONS))
        if not do("record_da_consultation", 5, 40, position=position):
            return
        if rng.random() < 0.15 and not (
            do("request_information", 1, 10) and do("supplement", 2, 30)
        ):
            return
        if fate < 0.30:  # denied at review, sometimes reopened
            if not do("deny", 3, 40, reason_code=rng.choice(list(DENIAL_REASONS))):
                return
            if rng.random() < 0.35:
                if not do("reopen", 10, 200):
                    return
                if rng.random() < 0.6:
                    if do("recommend_certification", 2, 30):
                        do("approve_signature", 1, 15)
                else:
                    do("deny", 3, 30, reason_code=rng.choice(list(DENIAL_REASONS)))
            return
        if fate < 0.40:  # still under review (open)
            if rng.random() < 0.5:
                do("mark_delayed", 30, 80)
            return
        if not do("recommend_certification", 2, 50):
            return
        if rng.random() < 0.12 and not (
            do("return_to_certifier", 1, 10) and do("recommend_certification", 2, 15)
        ):
            return
        if fate < 0.45:  # waiting for the Chief
            return
        if fate < 0.50:
            do("deny_at_signature", 1, 20, reason_code=rng.choice(list(DENIAL_REASONS)))
            return
        if not do("approve_signature", 1, 20):
            return
        if rng.random() < 0.7 and not do("deliver", 0, 2):
            return
        if rng.random() < 0.08:
            do("revoke", 30, 400)


# --- independent expectations ------------------------------------------------------------
# Written from the definitions in the reports' docstrings, in the scenario's own terms
# (local times, the generator's log), without SQL and without casework.reports.

ANSWERS = ("approve_signature", "deny", "deny_at_signature")
DENIALS = ("deny", "deny_at_signature")


def in_period(at: dt.datetime, start: dt.date, end: dt.date) -> bool:
    return start <= at.date() <= end  # at is local time


def ut(counter: Counter[str]) -> dict[str, int]:
    return {"U": counter["U"], "T": counter["T"], "total": counter["U"] + counter["T"]}


def state_at(sim: Sim, before: dt.date) -> str | None:
    """The case's state at the start of local day ``before`` (None: not yet received)."""
    if sim.received >= before:
        return None
    state = "submitted"
    for ev in sim.events:
        if ev.at.date() < before and TARGET[ev.action]:
            state = TARGET[ev.action] or state
    return state


def signed_on(c: Sim) -> dt.date | None:
    """The form's signature date: the scenario signs on the day the Chief approves."""
    return next((e.at.date() for e in c.events if e.action == "approve_signature"), None)


def first_answer(c: Sim) -> dt.date | None:
    days = [e.at.date() for e in c.events if e.action in ANSWERS]
    return min(days) if days else None


def letters(c: Sim) -> list[tuple[dt.date, dt.date | None]]:
    """(sent on, projected date or None) of each delay letter, in order."""
    return [
        (
            e.at.date(),
            dt.date.fromisoformat(e.payload["projected_date"])
            if "projected_date" in e.payload
            else None,
        )
        for e in c.events
        if e.action == "mark_delayed"
    ]


def timeliness(c: Sim, answered: dt.date) -> str:
    if answered <= c.due:
        return "within_90_days"
    if any(sent <= c.due for sent, _ in letters(c)):
        return "late_with_delay_letter"
    return "late_without_delay_letter"


def promise_broken(c: Sim, start: dt.date, end: dt.date, before: dt.date) -> bool:
    """A letter's projected date in start..end and before ``before`` passed with no answer,
    withdrawal or newer letter on or before it."""
    sent = letters(c)
    answered = first_answer(c)
    withdrawn = next((e.at.date() for e in c.events if e.action == "withdraw"), None)
    for i, (_, promised) in enumerate(sent):
        if promised is None or not (start <= promised <= end) or promised >= before:
            continue
        if answered is not None and answered <= promised:
            continue
        if withdrawn is not None and withdrawn <= promised:
            continue
        if any(newer <= promised for newer, _ in sent[i + 1 :]):
            continue
        return True
    return False


def delay_counts(cases: list[Sim], start: dt.date, end: dt.date, before: dt.date) -> dict[str, Any]:
    issued: Counter[str] = Counter()
    undated: Counter[str] = Counter()
    broken: Counter[str] = Counter()
    for c in cases:
        for sent, promised in letters(c):
            if start <= sent <= end:
                issued[c.visa] += 1
                undated[c.visa] += promised is None
        broken[c.visa] += promise_broken(c, start, end, before)
    return {"issued": ut(issued), "undated": ut(undated), "broken": ut(broken)}


def past_due(cases: list[Sim], due_before: dt.date, state_before: dt.date) -> dict[str, Any]:
    """Open at the start of ``state_before``, due before ``due_before``, never answered by then;
    split by a delay letter sent by the due date."""
    with_letter: Counter[str] = Counter()
    without: Counter[str] = Counter()
    for c in cases:
        if state_at(c, state_before) not in OPEN or not c.due < due_before:
            continue
        if any(e.action in ANSWERS and e.at.date() < state_before for e in c.events):
            continue
        timely = any(sent <= c.due and sent < state_before for sent, _ in letters(c))
        (with_letter if timely else without)[c.visa] += 1
    return {"with": ut(with_letter), "without": ut(without)}


def expected_annual(sc: Scenario, year: int) -> dict[str, dict[str, dict[str, int]]]:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    next_day = dt.date(year + 1, 1, 1)
    people: dict[str, set[int]] = {"U": set(), "T": set()}
    signed: Counter[str] = Counter()
    denied: Counter[str] = Counter()
    standing: dict[str, Counter[str]] = {
        k: Counter() for k in ("signed", "denied", "withdrawn", "pending")
    }
    earlier: dict[str, Counter[str]] = {"signed": Counter(), "denied": Counter()}
    answered: dict[str, Counter[str]] = defaultdict(Counter)
    for c in sc.cases:
        received_now = start <= c.received <= end
        if received_now:
            people[c.visa].add(c.person)
        signature = signed_on(c)
        signed_in_year = signature is not None and start <= signature <= end
        year_end_state = state_at(c, next_day)
        denied_in_year = (
            not signed_in_year
            and year_end_state == "denied"
            and any(e.action in DENIALS and in_period(e.at, start, end) for e in c.events)
        )
        signed[c.visa] += signed_in_year
        denied[c.visa] += denied_in_year
        if received_now:
            if signature is not None and signature <= end:
                where = "signed"
            elif year_end_state in ("denied", "withdrawn"):
                where = str(year_end_state)
            else:
                where = "pending"
            standing[where][c.visa] += 1
        elif c.received < start:
            earlier["signed"][c.visa] += signed_in_year
            earlier["denied"][c.visa] += denied_in_year
        first = first_answer(c)
        if first is not None and start <= first <= end:
            answered["answered"][c.visa] += 1
            answered[timeliness(c, first)][c.visa] += 1
    received = Counter(c.visa for c in sc.cases if start <= c.received <= end)
    due = past_due(sc.cases, next_day, next_day)
    delays = delay_counts(sc.cases, start, end, next_day)
    return {
        "statutory": {
            "individuals_requested": {
                "U": len(people["U"]),
                "T": len(people["T"]),
                "total": len(people["U"] | people["T"]),
            },
            "forms_signed": ut(signed),
            "denied": ut(denied),
        },
        "received_requests": {"received": ut(received), **{k: ut(v) for k, v in standing.items()}},
        "earlier_requests": {k: ut(v) for k, v in earlier.items()},
        "compliance": {
            **{
                k: ut(answered[k])
                for k in (
                    "answered",
                    "within_90_days",
                    "late_with_delay_letter",
                    "late_without_delay_letter",
                )
            },
            "past_due_with_letter": due["with"],
            "past_due_without_letter": due["without"],
            "delay_letters": delays["issued"],
            "promised_date_passed": delays["broken"],
            "no_projected_date": delays["undated"],
        },
    }


def _stats(days: list[int]) -> dict[str, Any]:
    v = sorted(days)
    n = len(v)
    within = sum(1 for x in v if x <= 90)
    return {
        "share_within_90_days": round(100 * within / n, 1) if n else None,
        "median_days": float(statistics.median(v)) if n else None,
        "p90_days": v[math.ceil(0.9 * n) - 1] if n else None,
    }


def expected_records(
    sc: Scenario, start: dt.date, end: dt.date, today: dt.date
) -> dict[str, dict[str, dict[str, Any]]]:
    cases = sc.cases
    months: dict[str, Counter[str]] = {}
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        months[f"{y:04d}-{m:02d}"] = Counter()
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    received: Counter[str] = Counter()
    expedited: Counter[str] = Counter()
    langs: dict[str, Counter[str]] = defaultdict(Counter)
    for c in cases:
        if start <= c.received <= end:
            months[c.received.strftime("%Y-%m")][c.visa] += 1
            received[c.visa] += 1
            expedited[c.visa] += c.expedited
            langs[c.language or "not stated"][c.visa] += 1

    def distinct(actions: set[str]) -> dict[str, int]:
        n: Counter[str] = Counter()
        for c in cases:
            if any(e.action in actions and in_period(e.at, start, end) for e in c.events):
                n[c.visa] += 1
        return ut(n)

    after_end = end + dt.timedelta(days=1)
    open_end: Counter[str] = Counter(c.visa for c in cases if state_at(c, after_end) in OPEN)
    reasons: dict[str, Counter[str]] = {r: Counter() for r in DENIAL_REASONS}
    for c in cases:
        denials = [e for e in c.events if e.action in DENIALS and in_period(e.at, start, end)]
        if denials:
            reasons[denials[-1].payload["reason_code"]][c.visa] += 1
    days: dict[str, list[int]] = {"U": [], "T": []}
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    for c in cases:
        first = first_answer(c)
        if first is not None and start <= first <= end:
            days[c.visa].append((first - c.received).days)
            kinds[timeliness(c, first)][c.visa] += 1
    tstats = {
        "U": _stats(days["U"]),
        "T": _stats(days["T"]),
        "total": _stats(days["U"] + days["T"]),
    }
    after_today = today + dt.timedelta(days=1)
    due = past_due(cases, today, after_today)
    delays = delay_counts(cases, start, end, today)
    positions: dict[str, Counter[str]] = {p: Counter() for p in DA_POSITIONS}
    for c in cases:
        for e in c.events:
            if e.action == "record_da_consultation" and in_period(e.at, start, end):
                positions[e.payload["position"]][c.visa] += 1
    assigned: dict[str, set[str]] = defaultdict(set)
    open_now: Counter[str] = Counter()
    for c in cases:
        for e in c.events:
            if e.action == "assign" and in_period(e.at, start, end):
                assigned[e.payload["certifier"]].add(c.number)
        if state_at(c, after_today) in OPEN:
            who = [
                e.payload["certifier"]
                for e in c.events
                if e.action == "assign" and e.at.date() < after_today
            ]
            open_now[who[-1] if who else "(not assigned)"] += 1
    workload = {
        name: {"assigned_in_period": len(assigned.get(name, ())), "open_today": open_now[name]}
        for name in set(assigned) | set(open_now)
    }
    answered = Counter({v: len(days[v]) for v in ("U", "T")})
    need: dict[str, Counter[str]] = {k: Counter() for k in ("needed", "not_needed", "not_stated")}
    for c in cases:
        if start <= c.received <= end:
            key = {True: "needed", False: "not_needed", None: "not_stated"}[c.interpreter]
            need[key][c.visa] += 1
    return {
        **expected_registers(sc.registers, start, end),
        "certification_letters": {},  # the scenario sends no letters
        "interpreters": {k: ut(v) for k, v in need.items()},
        "data_access_by_kind": {},  # nor decrypts anything
        "data_access_by_source": {},
        "requests_by_month": {k: ut(v) for k, v in months.items()},
        "requests": {"received": ut(received), "expedited": ut(expedited)},
        "outcomes": {
            "certified": distinct({"approve_signature"}),
            "denied": distinct(set(DENIALS)),
            "withdrawn": distinct({"withdraw"}),
            "revoked": distinct({"revoke"}),
            "open_at_end": ut(open_end),
        },
        "denial_reasons": {k: ut(v) for k, v in reasons.items()},
        "time_to_response": {
            "answered": ut(answered),
            **{
                k: ut(kinds[k])
                for k in ("within_90_days", "late_with_delay_letter", "late_without_delay_letter")
            },
            **{
                m: {c: tstats[c][m] for c in ("U", "T", "total")}
                for m in ("share_within_90_days", "median_days", "p90_days")
            },
        },
        "deadlines": {
            "overdue_today": due["without"],
            "past_due_with_letter_today": due["with"],
            "delay_explanations": delays["issued"],
            "promised_date_passed": delays["broken"],
            "no_projected_date": delays["undated"],
        },
        "da_positions": {k: ut(v) for k, v in positions.items()},
        "certifier_workload": workload,
        "languages": {k: ut(v) for k, v in langs.items()},
    }


# --- a scenario store ------------------------------------------------------------------------


def scenario_store(home: Path, url: str | None, n: int) -> Iterator[Scenario]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CASEWORK_HOME", str(home))
        mp.setenv("CASEWORK_KEY", Fernet.generate_key().decode())
        mp.delenv("CASEWORK_DATABASE_URL", raising=False)
        store = Store(url)
        upgrade(store)
        with store.unit_of_work() as s:
            load_demo(s)
        try:
            yield build_scenario(store, n)
        finally:
            store.dispose()
