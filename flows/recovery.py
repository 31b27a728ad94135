"""Reschedule case runs whose process died, and never a run that is alive.

Every flow-run process sends Prefect a heartbeat event (``prefect.flow-run.heartbeat``) every
``PREFECT_FLOWS_HEARTBEAT_FREQUENCY`` seconds (30 here: the workers, the local runner and the
deployments set it). A case's current run that is RUNNING, PENDING or CANCELLING and has not
been heard from (no heartbeat, no state change) for ``CASEWORK_RECOVERY_SILENCE_SECONDS`` (90)
is a *suspect*; it is rescheduled (a CANCELLING one, whose canceller died, is marked cancelled
and its case taken up by a new run, as below) only if it stays silent while this watchdog keeps
talking to the server for another ``confirm`` seconds (heartbeat + 10 s). The confirmation is what keeps a
server outage from looking like dead runs: while the server is down no heartbeat is recorded,
so right after it comes back every live run looks silent, but each is heard again within one
heartbeat, before its confirmation ends. A failed call to the server forgets every suspect.
A CRASHED current run (its worker saw the process die) is rescheduled at once, at most
``MAX_RESTARTS`` times per watchdog, so a run that crashes on start does not loop. A case still
under way whose current run is CANCELLED is taken up by a new run (:func:`flows.launch.take_up`:
an answer typed into the cancelled run's form is applied first, and its inputs deleted), at most
``MAX_RESTARTS`` times per watchdog: Prefect's runner, stopped gracefully (SIGTERM: a restart, a
deploy), cancels the runs it is running, and nothing else would take those cases up again. The
system's own cancellations (:func:`flows.launch.nudge`: a run it replaces, or the run of a
withdrawn case) name the state "Superseded" and are left alone for ``SUPERSEDED_GRACE`` (after
that the new run never came), as is the run of a withdrawn or delivered case. To stop a case,
withdraw it: a run of a live case cancelled by hand is started again.

The flow is driven by the case's state and its side effects are persisted tasks, idempotent
in the case store too, so a rescheduled run replays to where it stopped: nothing is lost or
done twice. Who watches: ``casework recover --watch``, the local runner (``python -m
flows.serve``) and each worker started with ``python -m flows.worker``; ``casework recover``
does one pass (waiting out the confirmation when a run is silent).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass
from uuid import UUID

import httpx
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterDeploymentId,
    FlowRunFilterEndTime,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.client.schemas.objects import State as State_
from prefect.events.filters import (
    EventFilter,
    EventNameFilter,
    EventOccurredFilter,
    EventResourceFilter,
)
from prefect.exceptions import ObjectNotFound, PrefectHTTPStatusError
from prefect.states import Cancelled, Scheduled
from sqlalchemy import select

from casework.config import load_settings
from casework.db import Store
from casework.models import Case
from casework.states import State
from casework.workflow_port import Recovery
from flows.launch import SUPERSEDED, deployment_name, take_up

log = logging.getLogger("casework.recovery")
HEARTBEAT_EVENT = "prefect.flow-run.heartbeat"
HEARTBEAT_SECONDS = 30
TICK_SECONDS = 5.0
MAX_RESTARTS = 3
#: How far back a cancelled case run is looked for (the runs the system cancels itself stay
#: in Prefect's database for ever; an interrupted case is taken up within seconds).
CANCELLED_LOOKBACK = dt.timedelta(days=7)
#: How long a run the system cancelled to replace it may stay the case's current run.
SUPERSEDED_GRACE = dt.timedelta(minutes=2)
#: Cases whose current run the system cancels itself (see :func:`flows.launch.nudge`).
CASE_ENDED = frozenset({State.WITHDRAWN.value, State.DELIVERED.value})


def silence_seconds() -> float:
    """How long a run may go unheard before it is suspected (at least two heartbeats)."""
    return max(load_settings().recovery_silence_seconds, HEARTBEAT_SECONDS + 15)


def heartbeat_env() -> dict[str, str]:
    """What every flow-run process needs for the watchdog to hear it."""
    return {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(HEARTBEAT_SECONDS)}


def pass_heartbeat_to_flow_runs() -> None:
    """Put :func:`heartbeat_env` into this process's environment (unless given), for the
    flow-run processes it starts to inherit."""
    for key, value in heartbeat_env().items():
        os.environ.setdefault(key, value)


@dataclass
class _Suspect:
    since: float  # monotonic time it was first found silent
    state_id: UUID


class Watchdog:
    def __init__(
        self, store: Store, silence: float | None = None, confirm: float | None = None
    ) -> None:
        self.store = store
        self.silence = silence if silence is not None else silence_seconds()
        self.confirm = confirm if confirm is not None else HEARTBEAT_SECONDS + 10.0
        self.suspects: dict[UUID, _Suspect] = {}
        self.restarts: Counter[UUID] = Counter()
        self.taken_up: Counter[str] = Counter()  # cases restarted after a cancellation

    def tick(self) -> Recovery:
        """One look at every current case run; raises (and forgets the suspects) when the
        server cannot be asked."""
        try:
            with get_client(sync_client=True) as client:
                return self._tick(client)
        except (httpx.HTTPError, OSError, PrefectHTTPStatusError):
            self.suspects.clear()
            raise

    def _tick(self, client: SyncPrefectClient) -> Recovery:
        out = Recovery()
        now = dt.datetime.now(dt.UTC)
        seen: set[UUID] = set()
        for run, number in self._current_runs(client):
            state = run.state
            assert state is not None
            seen.add(run.id)
            if state.type is StateType.CANCELLED:
                self._take_up(number, run.id, out)
                continue
            if state.type is StateType.CRASHED:
                if self.restarts[run.id] < MAX_RESTARTS:
                    self.restarts[run.id] += 1
                    client.set_flow_run_state(run.id, Scheduled(), force=True)
                    out.rescheduled.append(number)
                continue
            heard = max(state.timestamp, self._last_heartbeat(client, run) or state.timestamp)
            silent = (now - heard).total_seconds()
            if silent <= self.silence:
                self.suspects.pop(run.id, None)
                out.alive.append(f"{number} (heard {max(silent, 0):.0f} s ago)")
                continue
            suspect = self.suspects.get(run.id)
            if suspect is None or suspect.state_id != state.id:
                self.suspects[run.id] = _Suspect(time.monotonic(), state.id)
                continue
            if time.monotonic() - suspect.since < self.confirm:
                continue
            del self.suspects[run.id]
            fresh = client.read_flow_run(run.id).state
            if fresh is None or fresh.id != state.id:
                continue  # it moved on meanwhile
            if state.type is StateType.CANCELLING:
                # whoever was cancelling it died: end the cancellation, carry the case on
                message = "its cancellation never finished (the runner died)"
                client.set_flow_run_state(run.id, Cancelled(message=message), force=True)
                self._take_up(number, run.id, out)
            else:
                client.set_flow_run_state(run.id, Scheduled(), force=True)
                log.warning("rescheduled %s: its run was silent for %.0f s", number, silent)
                out.rescheduled.append(number)
        for gone in set(self.suspects) - seen:
            del self.suspects[gone]
        return out

    def _take_up(self, number: str, run_id: UUID, out: Recovery) -> None:
        """A new run for a case whose run was cancelled (:func:`flows.launch.take_up`), rather
        than that run rescheduled: one cancelled while it waited at a step has spent the step's
        pause key, and its replay would not wait again. At most ``MAX_RESTARTS`` per case."""
        if self.taken_up[number] >= MAX_RESTARTS:
            return
        self.taken_up[number] += 1
        try:
            take_up(self.store, number, str(run_id))
        except (httpx.HTTPError, OSError, PrefectHTTPStatusError):
            raise  # the server: the whole tick fails, as for any other call
        except Exception as exc:  # noqa: BLE001 - one case must not stop the watch
            log.warning("could not take %s up again: %s: %s", number, type(exc).__name__, exc)
            return
        log.warning("restarted %s in a new run: its run was cancelled", number)
        out.rescheduled.append(number)

    def _current_runs(self, client: SyncPrefectClient) -> list[tuple[FlowRun, str]]:
        """Case runs RUNNING, PENDING, CRASHED or CANCELLING that are their case's current
        run, and CANCELLED ones (ended within ``CANCELLED_LOOKBACK``) of cases still under way."""
        try:
            deployment = client.read_deployment_by_name(deployment_name())
        except ObjectNotFound:
            return []  # never deployed: nothing ran
        of_cases = FlowRunFilterDeploymentId(any_=[deployment.id])
        interrupted = FlowRunFilter(
            deployment_id=of_cases,
            state=FlowRunFilterState(
                type=FlowRunFilterStateType(
                    any_=[
                        StateType.RUNNING,
                        StateType.PENDING,
                        StateType.CRASHED,
                        StateType.CANCELLING,
                    ]
                )
            ),
        )
        cancelled = FlowRunFilter(
            deployment_id=of_cases,
            state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.CANCELLED])),
            end_time=FlowRunFilterEndTime.model_validate(
                {"after_": dt.datetime.now(dt.UTC) - CANCELLED_LOOKBACK}
            ),
        )
        runs: list[FlowRun] = []
        for wanted in (interrupted, cancelled):
            found: list[FlowRun] = []
            while batch := client.read_flow_runs(
                flow_run_filter=wanted, limit=200, offset=len(found)
            ):
                found += batch
            runs += found
        numbers = {str(r.parameters.get("case_number", "")) for r in runs}
        with self.store.reading() as s:
            rows = s.execute(
                select(Case.case_number, Case.flow_run_id, Case.state_).where(
                    Case.case_number.in_(sorted(numbers))
                )
            ).all()
        current = {number: run_id for number, run_id, _ in rows}
        ended = {number for number, _, state in rows if state in CASE_ENDED}
        return [
            (r, n)
            for r in runs
            if (n := str(r.parameters.get("case_number", "")))
            and current.get(n) == str(r.id)
            and not (
                r.state
                and (r.state.is_cancelled() or r.state.is_cancelling())
                and _ours(r.state, n in ended)
            )
        ]

    @staticmethod
    def _last_heartbeat(client: SyncPrefectClient, run: FlowRun) -> dt.datetime | None:
        page = client.read_events(
            EventFilter(
                occurred=EventOccurredFilter.model_validate(
                    {
                        "since": run.created or dt.datetime.now(dt.UTC) - dt.timedelta(days=1),
                        "until": dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),  # clocks
                    }
                ),
                event=EventNameFilter(name=[HEARTBEAT_EVENT]),
                resource=EventResourceFilter(id=[f"prefect.flow-run.{run.id}"]),
            ),
            limit=1,
        )
        return max((e.occurred for e in page.events), default=None)


def _ours(state: State_, case_ended: bool) -> bool:
    """A cancellation the system made itself: a run it is replacing (between the cancellation
    and the new run's start the case still points to the old one; past ``SUPERSEDED_GRACE``
    the new run never came, and the case is taken up) or the run of an ended case."""
    if case_ended:
        return True
    if state.name != SUPERSEDED:
        return False
    return dt.datetime.now(dt.UTC) - state.timestamp < SUPERSEDED_GRACE


def recover(store: Store, *, confirm: bool = True) -> Recovery:
    """One recovery pass (``casework recover``). A silent run is watched until its
    confirmation ends (``confirm``), so that a live run is never rescheduled."""
    dog = Watchdog(store)
    out = dog.tick()
    while confirm and dog.suspects:
        time.sleep(TICK_SECONDS)
        more = dog.tick()
        out.rescheduled += more.rescheduled
        out.alive = more.alive
    return out


def watch(store: Store, stop: threading.Event | None = None) -> None:
    """Watch for ever (or until ``stop``), a tick every few seconds; errors are logged."""
    stop = stop or threading.Event()
    dog = Watchdog(store)
    while not stop.is_set():
        try:
            dog.tick()
        except Exception as exc:  # noqa: BLE001 - the server may be down: look again later
            log.warning("recovery watch: %s: %s", type(exc).__name__, exc)
        stop.wait(TICK_SECONDS)


def watch_in_background(store: Store) -> threading.Thread:
    thread = threading.Thread(target=watch, args=(store,), name="casework-recovery", daemon=True)
    thread.start()
    return thread


def recover_at_start(store: Store) -> list[str]:
    """The local runner is the stack's only executor: when it starts, every current case run
    left RUNNING or PENDING was its own, killed with it, and is rescheduled at once."""
    dog = Watchdog(store, silence=-1.0, confirm=0.0)
    first = dog.tick()  # every RUNNING or PENDING run becomes a suspect
    return first.rescheduled + dog.tick().rescheduled
