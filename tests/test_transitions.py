"""The one door: legal moves, refusals that change nothing, roles, stale versions."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from casework.db import Store
from casework.errors import IllegalTransition, MissingReason, NotPermitted, RosterError, StaleCase
from casework.models import CaseEvent
from casework.roster import add_person, chief, grant_role
from casework.states import TRANSITIONS, Role, State
from casework.transitions import Actor, apply_transition
from tests.helpers import certifier_actor, certifiers, chief_actor, load, new_case


def _event_count(store: Store, number: str) -> int:
    with store.reading() as s:
        case = load(s, number)
        return s.scalar(
            select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case.id)
        )


def test_table_is_consistent() -> None:
    names = [t.name for t in TRANSITIONS]
    assert len(names) == len(set(names))
    reachable = {t.target for t in TRANSITIONS if t.target}
    assert reachable == set(State)  # every state can be reached


def _actor_for(session, role: Role, assignee: bool) -> Actor:  # type: ignore[no-untyped-def]
    case_certifiers = certifiers(session)
    if role is Role.CERTIFIER:
        return certifier_actor(case_certifiers[0] if assignee else case_certifiers[1])
    if role is Role.CHIEF:
        return chief_actor(session)
    if role is Role.REQUESTER:
        return Actor.requester("rdelgado@pvvac.example.org")
    return Actor.system()


# The moves the department's procedure allows, written out by hand from the procedure
# (README "How a case moves", DOMAIN.md), NOT derived from casework.states: the tests
# below check the table and apply_transition against it. One row per (from, action):
# (from state, action, to state or None for "unchanged", who may, conditions).
# Conditions: "assignee" = a certifier only on a case assigned to them;
# "reason" = refused without a reason.
ALL_STATES = [
    "submitted",
    "needs_information",
    "da_consultation",
    "certifier_review",
    "awaiting_signature",
    "certified",
    "delivered",
    "denied",
    "withdrawn",
    "revoked",
]
# fmt: off
OPEN = ["submitted", "needs_information", "da_consultation", "certifier_review", "awaiting_signature"]
EXPECTED_MOVES: list[tuple[str, str, str | None, set[str], set[str]]] = [
    # from                 action                     to                    who                        conditions
    ("submitted",          "start_da_consultation",   "da_consultation",    {"system"},                set()),
    ("da_consultation",    "record_da_consultation",  "certifier_review",   {"certifier", "chief"},    {"assignee"}),
    ("certifier_review",   "request_information",     "needs_information",  {"certifier"},             {"assignee", "reason"}),
    ("needs_information",  "supplement",              "certifier_review",   {"requester", "system"},   set()),
    ("certifier_review",   "recommend_certification", "awaiting_signature", {"certifier"},             {"assignee"}),
    ("certifier_review",   "deny",                    "denied",             {"certifier"},             {"assignee", "reason"}),
    ("awaiting_signature", "return_to_certifier",     "certifier_review",   {"chief"},                 {"reason"}),
    ("awaiting_signature", "deny_at_signature",       "denied",             {"chief"},                 {"reason"}),
    ("awaiting_signature", "approve_signature",       "certified",          {"chief"},                 set()),
    ("certified",          "deliver",                 "delivered",          {"system"},                set()),
    ("denied",             "reopen",                  "certifier_review",   {"chief"},                 {"reason"}),
    ("certified",          "revoke",                  "revoked",            {"chief"},                 {"reason"}),
    ("delivered",          "revoke",                  "revoked",            {"chief"},                 {"reason"}),
    *[(s, "withdraw",       "withdrawn",             {"requester", "system"},   set()) for s in OPEN],
    *[(s, "assign",         None,                    {"system", "chief"},       set()) for s in OPEN],
    *[(s, "mark_delayed",   None,                    {"chief"},                 {"reason"}) for s in OPEN],
    *[(s, "record_document", None,                   {"system"},                set()) for s in ALL_STATES],
]
# fmt: on
EXPECTED = {(s, a): (to, who, conditions) for s, a, to, who, conditions in EXPECTED_MOVES}


def test_table_matches_the_procedure() -> None:
    """Every (state, action) pair: the table allows exactly the moves listed above."""
    assert [s.value for s in State] == ALL_STATES
    assert {t.name for t in TRANSITIONS} - {"submit"} == {a for _, a in EXPECTED}
    declared = {}
    for t in TRANSITIONS:
        for source in t.sources:
            if source is None:
                continue
            conditions = {"assignee"} if t.assignee_only else set()
            conditions |= {"reason"} if t.needs_reason else set()
            target = t.target.value if t.target else None
            declared[(source.value, t.name)] = (target, {r.value for r in t.roles}, conditions)
    for key in sorted(set(declared) | set(EXPECTED)):
        assert declared.get(key) == EXPECTED.get(key), key


def expected_outcome(
    state: str, action: str, role: Role, as_assignee: bool, with_reason: bool
) -> tuple[bool, str]:
    """(allowed?, state afterwards) by the hand-written list."""
    move = EXPECTED.get((state, action))
    if move is None:
        return False, state
    target, who, conditions = move
    allowed = (
        role.value in who
        and not ("assignee" in conditions and role is Role.CERTIFIER and not as_assignee)
        and not ("reason" in conditions and not with_reason)
    )
    return allowed, (target or state) if allowed else state


ROLES = [Role.SYSTEM, Role.REQUESTER, Role.CERTIFIER, Role.CHIEF]
ACTIONS = sorted({a for _, a in EXPECTED} - {"assign"})  # assign needs a target: own tests


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(ACTIONS), st.sampled_from(ROLES), st.booleans(), st.booleans()),
        min_size=1,
        max_size=14,
    )
)
def test_random_action_sequences(
    sqlite_store: Store, steps: list[tuple[str, Role, bool, bool]]
) -> None:
    """Every allowed move lands where the hand-written list says; every other changes nothing."""
    store = sqlite_store
    number = _fresh_case(store)
    with store.unit_of_work() as s:
        case = load(s, number)
        apply_transition(
            s, case, "assign", Actor.system(), case.version, assign_to=certifiers(s)[0]
        )
    for action, role, as_assignee, with_reason in steps:
        with store.reading() as s:
            before = load(s, number)
            state, version, count = before.state, before.version, before.event_count
        allowed, expected_state = expected_outcome(state, action, role, as_assignee, with_reason)
        try:
            with store.unit_of_work() as s:
                case = load(s, number)
                apply_transition(
                    s,
                    case,
                    action,
                    _actor_for(s, role, as_assignee),
                    version,
                    reason="because the test says so" if with_reason else None,
                )
            accepted = True
        except (IllegalTransition, NotPermitted, MissingReason):
            accepted = False
        with store.reading() as s:
            after = load(s, number)
        assert accepted == allowed, (action, role, state)
        assert after.state == expected_state, (action, role, state)
        if accepted:
            assert (after.version, after.event_count) == (version + 1, count + 1)
        else:
            assert (after.version, after.event_count) == (version, count)
    assert _event_count(store, number) == after.event_count


#: How to bring a new case to each state (by the list above).
PATHS: dict[str, list[str]] = {
    "submitted": [],
    "withdrawn": ["withdraw"],
    "da_consultation": ["start_da_consultation"],
    "certifier_review": ["start_da_consultation", "record_da_consultation"],
    "needs_information": ["start_da_consultation", "record_da_consultation", "request_information"],
    "denied": ["start_da_consultation", "record_da_consultation", "deny"],
    "awaiting_signature": [
        "start_da_consultation",
        "record_da_consultation",
        "recommend_certification",
    ],
}
PATHS["certified"] = [*PATHS["awaiting_signature"], "approve_signature"]
PATHS["delivered"] = [*PATHS["certified"], "deliver"]
PATHS["revoked"] = [*PATHS["certified"], "revoke"]
ACTORS = [
    (Role.SYSTEM, False),
    (Role.REQUESTER, False),
    (Role.CERTIFIER, True),
    (Role.CERTIFIER, False),
    (Role.CHIEF, False),
]


class _Undo(Exception):
    """Raised to roll a trial move back."""


def _case_in(store: Store, state: str) -> str:
    number = _fresh_case(store)
    with store.unit_of_work() as s:
        case = load(s, number)
        apply_transition(
            s, case, "assign", Actor.system(), case.version, assign_to=certifiers(s)[0]
        )
        for action in PATHS[state]:
            _, who, _ = EXPECTED[(case.state, action)]
            role = Role(sorted(who)[0])
            actor = _actor_for(s, role, True)
            apply_transition(s, case, action, actor, case.version, reason="as the path needs")
        assert case.state == state
    return number


@pytest.mark.parametrize("state", ALL_STATES)
def test_every_move_from_each_state(sqlite_store: Store, state: str) -> None:
    """From ``state``, every action by every kind of actor, with and without a reason, is
    allowed or refused as the list says, and lands where it says (each trial rolled back)."""
    number = _case_in(sqlite_store, state)
    for action in ACTIONS:
        for role, as_assignee in ACTORS:
            for with_reason in (False, True):
                allowed, expected_state = expected_outcome(
                    state, action, role, as_assignee, with_reason
                )
                try:
                    with sqlite_store.unit_of_work() as s:
                        case = load(s, number)
                        try:
                            apply_transition(
                                s,
                                case,
                                action,
                                _actor_for(s, role, as_assignee),
                                case.version,
                                reason="a reason" if with_reason else None,
                            )
                            outcome = (True, case.state)
                        except (IllegalTransition, NotPermitted, MissingReason):
                            outcome = (False, case.state)
                        raise _Undo
                except _Undo:
                    pass
                trial = (action, role.value, as_assignee, with_reason)
                assert outcome == (allowed, expected_state), trial
    with sqlite_store.reading() as s:
        assert load(s, number).state == state  # every trial was rolled back


_counter = iter(range(1, 10_000))


def _fresh_case(store: Store) -> str:
    n = next(_counter)
    return new_case(store, incident={"police_report_numbers": [f"HYP-{n:05d}"]})


def test_refusal_says_why_and_changes_nothing(store: Store) -> None:
    number = new_case(store)
    with store.unit_of_work() as s:
        case = load(s, number)
        with pytest.raises(
            IllegalTransition, match="cannot approve_signature from state submitted"
        ):
            apply_transition(s, case, "approve_signature", chief_actor(s), case.version)
    with store.reading() as s:
        case = load(s, number)
        assert case.state == "submitted" and case.event_count == 1


def _to_review(store: Store, number: str, certifier_index: int = 0) -> None:
    with store.unit_of_work() as s:
        case = load(s, number)
        who = certifiers(s)[certifier_index]
        apply_transition(s, case, "assign", Actor.system(), case.version, assign_to=who)
        apply_transition(s, case, "start_da_consultation", Actor.system(), case.version)
        apply_transition(s, case, "record_da_consultation", certifier_actor(who), case.version)


def test_only_the_assignee_reviews_until_reassigned(store: Store) -> None:
    number = new_case(store)
    _to_review(store, number, certifier_index=0)
    with store.unit_of_work() as s:
        case = load(s, number)
        other = certifiers(s)[1]
        with pytest.raises(NotPermitted, match="only the assignee"):
            apply_transition(
                s, case, "recommend_certification", certifier_actor(other), case.version
            )
    with store.unit_of_work() as s:
        case = load(s, number)
        other = certifiers(s)[1]
        apply_transition(s, case, "assign", chief_actor(s), case.version, assign_to=other)
        apply_transition(s, case, "recommend_certification", certifier_actor(other), case.version)
    with store.reading() as s:
        assert load(s, number).state == "awaiting_signature"


def test_only_the_chief_approves_a_signature(store: Store) -> None:
    number = new_case(store)
    _to_review(store, number)
    with store.unit_of_work() as s:
        case = load(s, number)
        apply_transition(
            s, case, "recommend_certification", certifier_actor(certifiers(s)[0]), case.version
        )
    with store.unit_of_work() as s:
        case = load(s, number)
        with pytest.raises(NotPermitted, match="needs the role chief"):
            apply_transition(
                s, case, "approve_signature", certifier_actor(certifiers(s)[0]), case.version
            )
        # someone claiming the Chief role without holding it
        impostor = Actor(Role.CHIEF, "Impostor", certifiers(s)[2].id)
        with pytest.raises(NotPermitted, match="is not currently chief"):
            apply_transition(s, case, "approve_signature", impostor, case.version)
        apply_transition(s, case, "approve_signature", chief_actor(s), case.version)
    with store.reading() as s:
        assert load(s, number).state == "certified"


def test_reasons_are_required_where_the_law_asks(store: Store) -> None:
    number = new_case(store)
    _to_review(store, number)
    with store.unit_of_work() as s:
        case = load(s, number)
        with pytest.raises(MissingReason, match="deny needs a reason"):
            apply_transition(
                s, case, "deny", certifier_actor(certifiers(s)[0]), case.version, reason="  "
            )


def test_fifth_certifier_designation_is_refused(store: Store) -> None:
    with store.unit_of_work() as s:
        fifth = add_person(s, family_name="Fifth", given_name="Fay", email="fifth@npd.example.org")
        with pytest.raises(RosterError, match="already has 4 active designated certifiers"):
            grant_role(s, fifth, Role.CERTIFIER, designated_by=chief(s))


def test_designation_must_come_from_the_chief(store: Store) -> None:
    with store.unit_of_work() as s:
        from casework.roster import end_role

        end_role(s, certifiers(s)[3], Role.CERTIFIER)
        someone = add_person(s, family_name="New", given_name="Ned", email="ned@npd.example.org")
        with pytest.raises(RosterError, match="made by the Chief"):
            grant_role(s, someone, Role.CERTIFIER, designated_by=certifiers(s)[0])
        assignment = grant_role(s, someone, Role.CERTIFIER, designated_by=chief(s))
        assert assignment.designated_by_id == chief(s).id and assignment.since is not None


def test_ended_designation_can_no_longer_review(store: Store) -> None:
    number = new_case(store)
    _to_review(store, number)
    with store.unit_of_work() as s:
        from casework.roster import end_role

        end_role(s, certifiers(s)[0], Role.CERTIFIER)
    with store.unit_of_work() as s:
        case = load(s, number)
        former = case.assigned_certifier
        assert former is not None
        with pytest.raises(NotPermitted, match="is not currently a designated certifier"):
            apply_transition(
                s, case, "recommend_certification", certifier_actor(former), case.version
            )


def test_stale_version_is_refused(store: Store) -> None:
    number = new_case(store)
    with store.reading() as s:
        read_version = load(s, number).version
    with store.unit_of_work() as s:
        case = load(s, number)
        apply_transition(
            s, case, "assign", Actor.system(), read_version, assign_to=certifiers(s)[0]
        )
    with store.unit_of_work() as s:
        case = load(s, number)
        with pytest.raises(StaleCase, match="changed since it was read"):
            apply_transition(s, case, "start_da_consultation", Actor.system(), read_version)


@pytest.mark.postgres
def test_concurrent_sessions_on_postgres_one_wins(pg_store: Store) -> None:
    """Two sessions read the same version and race; exactly one change is written."""
    store = pg_store
    number = new_case(store)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(index: int) -> None:
        try:
            with store.unit_of_work() as s:
                case = load(s, number)
                version = case.version
                who = certifiers(s)[index]
                barrier.wait(timeout=10)
                apply_transition(s, case, "assign", Actor.system(), version, assign_to=who)
            outcomes.append("ok")
        except StaleCase:
            outcomes.append("stale")

    threads = [threading.Thread(target=act, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["ok", "stale"]
    with store.reading() as s:
        case = load(s, number)
        assert case.event_count == 2 and case.version == 2
    assert _event_count(store, number) == 2


def test_event_records_who_when_and_chain(store: Store) -> None:
    """Each event keeps the actor, the time the caller gave (not the clock's), and the chain."""
    number = new_case(store)
    times = [
        dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC) + dt.timedelta(hours=h) for h in range(3)
    ]
    with store.unit_of_work() as s:
        case = load(s, number)
        who = certifiers(s)[0]
        apply_transition(
            s, case, "assign", Actor.system(), case.version, assign_to=who, at=times[0]
        )
        apply_transition(
            s, case, "start_da_consultation", Actor.system(), case.version, at=times[1]
        )
        apply_transition(
            s, case, "record_da_consultation", certifier_actor(who), case.version, at=times[2]
        )
    with store.reading() as s:
        case = load(s, number)
        events = list(
            s.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq))
        )
    assert [e.action for e in events] == [
        "submit",
        "assign",
        "start_da_consultation",
        "record_da_consultation",
    ]
    assert [e.occurred_at.astimezone(dt.UTC) for e in events[1:]] == times
    assert events[-1].actor_role == "certifier" and events[-1].to_state == "certifier_review"
    assert events[-1].actor_name == who_name(store)
    assert all(e.prev_hash == p.hash for p, e in zip(events, events[1:], strict=False))


def who_name(store: Store) -> str:
    with store.reading() as s:
        return certifiers(s)[0].full_name
