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
from casework.states import BY_NAME, TRANSITIONS, Role, State
from casework.transitions import Actor, apply_transition
from tests.conftest import requires_pg
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


ROLES = [Role.SYSTEM, Role.REQUESTER, Role.CERTIFIER, Role.CHIEF]
ACTIONS = [t.name for t in TRANSITIONS if t.name != "submit"]


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
    """Every legal move lands where the table says; every illegal one changes nothing."""
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
        rule = BY_NAME[action]
        legal = (
            State(state) in rule.sources
            and role in rule.roles
            and not (rule.assignee_only and role is Role.CERTIFIER and not as_assignee)
            and not (rule.needs_reason and not with_reason)
            and action != "assign"  # needs a target certifier; covered by its own test
        )
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
        if action == "assign":
            continue
        assert accepted == legal, (action, role, state)
        if accepted:
            expected = rule.target.value if rule.target else state
            assert after.state == expected
            assert after.version == version + 1
            assert after.event_count == count + 1
        else:
            assert (after.state, after.version, after.event_count) == (state, version, count)
    assert _event_count(store, number) == after.event_count


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


@requires_pg
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
    number = new_case(store)
    _to_review(store, number)
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
    assert events[-1].actor_role == "certifier" and events[-1].to_state == "certifier_review"
    assert all(e.prev_hash == p.hash for p, e in zip(events, events[1:], strict=False))
    assert events[0].occurred_at.date() >= dt.date(2026, 1, 1)
