"""A case goes on after its run was interrupted, where the crash test does not stop it:

* just after an answer was applied and the step's run inputs deleted from Prefect, before
  the task's result was saved: the replay, driven by the case's state, goes on to the next
  step without asking for the answer again or recording a refusal;
* when the runner is stopped gracefully (SIGTERM: a restart, a deploy) mid-step: Prefect's
  runner cancels the runs it is running; the watchdog takes a case still under way up in a new
  run (the runner does it as it starts again), never a withdrawn case, nor a run the system
  cancelled itself; a run cancelled while it waited is not replayed (its step's pause key is
  spent, so the replay would not wait and would take the missing answer for a refused one),
  and an answer typed into a run cancelled before it read it is applied, not lost; starters
  racing after the same ended run get one new run;
* while the run is CANCELLING and its canceller died: taken up once silent, as below;
* while the run is PENDING (a worker claimed it and died before the flow started): the
  watchdog leaves a young PENDING run alone, as one about to start, and reschedules it once it
  has been silent past the window and stays so through the confirmation.

The watchdog runs here in the test process against the stack's real Prefect server, with
windows of a second instead of the production 90 s + 40 s, so the test does not wait them out.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from pathlib import Path
from uuid import UUID

import pytest
from prefect.client.orchestration import get_client
from prefect.states import Pending

from flows.recovery import Watchdog
from tests.workflow_stack import (
    CRASHPOINTS,
    Stack,
    actions,
    assignee,
    case_info,
    code_for,
    da_answer,
    new_case,
    resume,
    run_inputs,
    run_state,
    wait_for,
    wait_waiting,
)

pytestmark = pytest.mark.prefect


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (the runner's flow-run processes)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(stat.parent.name))
    return out


def _stop_runner_when_idle(stack: Stack) -> None:
    """Stop the runner once its flow-run processes have exited: a run that just suspended is
    still the runner's until its process ends, and a stopping runner cancels its runs."""
    wait_for(lambda: not _children(stack.runner.proc.pid), 60, "the flow-run process to exit")
    stack.runner.stop()


def _left_alone_while_young_then_rescheduled(stack: Stack, number: str, run_id: UUID) -> None:
    """The watchdog's age rule on a case's run that nothing runs: heard from recently, it is
    alive and untouched; silent past the window it is first a suspect, and on the next look,
    still in the same state, rescheduled (the confirmation is 0 s here)."""
    before = run_state(number, stack).state
    young = Watchdog(stack.store, silence=3600.0, confirm=0.0).tick()
    assert number not in young.rescheduled
    assert any(entry.startswith(f"{number} (heard ") for entry in young.alive), young.alive
    assert run_state(number, stack).state.id == before.id  # untouched
    aged = Watchdog(stack.store, silence=0.5, confirm=0.0)
    time.sleep(1.0)
    assert number not in aged.tick().rescheduled  # a suspect first
    assert run_id in aged.suspects
    assert number in aged.tick().rescheduled


def _mails(stack: Stack, number: str) -> Counter[str]:
    """The subjects of every email about the case, counted."""
    return Counter(str(m["Subject"]) for m in stack.sink.messages if number in str(m["Subject"]))


def test_killed_after_the_answer_was_applied_and_its_inputs_deleted(
    stack: Stack, tmp_path: Path
) -> None:
    stack.restart_runner(
        PYTHONPATH=str(CRASHPOINTS),
        CASEWORK_TEST_HOLDS="deleted=after:flows.launch:delete_run_inputs",
        CASEWORK_TEST_HOLD_DIR=str(tmp_path),
    )
    held = True
    try:
        number = new_case(stack, "REPLAY-0001")
        wait_waiting(stack, number, "da_consultation", timeout=180)
        who = assignee(stack, number)
        attempt = case_info(stack, number)["attempt"]
        (tmp_path / "deleted").touch()  # armed now: the step's own clean-up has run
        resume(stack, number, da_answer(who, code_for(stack, who, number)))
        reached = tmp_path / "deleted.reached"
        wait_for(reached.exists, 120, "the answer to be applied and its inputs deleted")
        assert case_info(stack, number)["state"] == "certifier_review"  # applied, then killed
        stack.runner.kill()
        (tmp_path / "deleted").unlink()
        stack.restart_runner()  # reschedules the run it was running; the run replays
        held = False
        wait_waiting(stack, number, "certifier_review", timeout=180)
    finally:
        if held:
            stack.restart_runner()  # without the crash point, for the tests after this one
    done = actions(stack, number)
    assert done.count("record_da_consultation") == 1
    info = case_info(stack, number)
    assert info["refusal"] is None  # the replay's missing input was not taken for an answer
    assert info["attempt"] == attempt
    assert all(not key.endswith("-response") for key in run_inputs(stack, number))
    assert max(_mails(stack, number).values()) == 1  # no email sent twice


def test_a_pending_run_is_left_alone_while_young_and_rescheduled_once_silent(
    stack: Stack,
) -> None:
    stack.runner.stop()  # no executor: the new case's run stays scheduled
    try:
        number = new_case(stack, "REPLAY-0002")
        run_id = UUID(case_info(stack, number)["run"])
        with get_client(sync_client=True) as client:  # the claim of a worker that then died
            client.set_flow_run_state(run_id, Pending(), force=True)
        assert run_state(number, stack).state.type.value == "PENDING"
        _left_alone_while_young_then_rescheduled(stack, number, run_id)
        assert run_state(number, stack).state.type.value == "SCHEDULED"
    finally:
        stack.restart_runner()
    wait_waiting(stack, number, "da_consultation", timeout=180)  # the runner took it
    assert case_info(stack, number)["run"] == str(run_id)
    assert max(Counter(actions(stack, number)).values()) == 1
    assert max(_mails(stack, number).values()) == 1


def test_a_runner_stopped_gracefully_mid_step_takes_the_case_up_again(
    stack: Stack, tmp_path: Path
) -> None:
    stack.restart_runner(
        PYTHONPATH=str(CRASHPOINTS),
        CASEWORK_TEST_HOLDS="intake=casework.documents:da_memo",  # the acknowledgment is out
        CASEWORK_TEST_HOLD_DIR=str(tmp_path),
    )
    (tmp_path / "intake").touch()
    try:
        number = new_case(stack, "REPLAY-0003")
        wait_for((tmp_path / "intake.reached").exists, 120, "the flow to hold in intake")
        run_id = case_info(stack, number)["run"]
        # SIGTERM to the runner alone (systemd's KillMode=mixed, a deploy): it cancels the run
        # it is running. (To the whole group, the flow-run process could mark itself crashed
        # first, and be rescheduled instead: both are recovered, this test pins one path.)
        os.kill(stack.runner.proc.pid, signal.SIGTERM)
        stack.runner.proc.wait(60)
        (tmp_path / "intake").unlink()
        assert run_state(number, stack).state.type.value == "CANCELLED"  # Prefect's doing
    finally:
        stack.restart_runner()  # its recovery at start restarts the cancelled run
    wait_waiting(stack, number, "da_consultation", timeout=180)
    assert case_info(stack, number)["run"] != run_id  # taken up by a new run
    with get_client(sync_client=True) as client:
        ended = client.read_flow_run(UUID(run_id)).state
    assert ended is not None and ended.type.value == "CANCELLED"
    assert max(Counter(actions(stack, number)).values()) == 1
    assert max(_mails(stack, number).values()) == 1  # the acknowledgment went once


def test_the_cancelled_run_of_a_withdrawn_case_stays_cancelled(stack: Stack) -> None:
    from casework.bootstrap import main

    number = new_case(stack, "REPLAY-0004")
    wait_waiting(stack, number, "da_consultation", timeout=180)
    assert main(["withdraw", number]) == 0  # the waiting run is cancelled (flows.launch.nudge)
    wait_for(
        lambda: run_state(number, stack).state.type.value == "CANCELLED", 30, "the cancellation"
    )
    cancelled = run_state(number, stack).state
    assert cancelled.name == "Superseded"  # the system's own cancellation, so named
    done = Watchdog(stack.store, silence=-1.0, confirm=0.0)
    assert number not in done.tick().rescheduled + done.tick().rescheduled
    assert run_state(number, stack).state.id == cancelled.id
    assert case_info(stack, number)["state"] == "withdrawn"


def test_a_superseded_run_is_left_alone_and_one_cancelled_by_hand_restarted(
    stack: Stack,
) -> None:
    """Between :func:`flows.launch.nudge`'s cancellation and its new run's start the case still
    points to the old run: the watchdog must not restart it (two runs would drive the case)."""
    from prefect.states import Cancelled

    from flows.launch import SUPERSEDED

    number = new_case(stack, "REPLAY-0005")
    wait_waiting(stack, number, "da_consultation", timeout=180)
    run_id = UUID(case_info(stack, number)["run"])
    dog = Watchdog(stack.store, silence=-1.0, confirm=0.0)
    with get_client(sync_client=True) as client:
        client.set_flow_run_state(run_id, Cancelled(name=SUPERSEDED), force=True)
        assert number not in dog.tick().rescheduled + dog.tick().rescheduled
        assert run_state(number, stack).state.name == SUPERSEDED
        client.set_flow_run_state(run_id, Cancelled(), force=True)  # by hand, in the UI
    assert number in dog.tick().rescheduled
    wait_waiting(stack, number, "da_consultation", timeout=180)
    info = case_info(stack, number)
    assert info["run"] != str(run_id)  # a new run: the cancelled one had spent the step's key
    assert (info["refusal"], info["attempt"]) == (None, 0)  # no answer made up for the replay
    assert max(Counter(actions(stack, number)).values()) == 1
    assert max(_mails(stack, number).values()) == 1


def test_an_answer_typed_into_a_run_cancelled_before_it_took_it_is_applied(stack: Stack) -> None:
    """The person resumed the step's form, and the run was cancelled before it read the
    answer (its runner stopped): the answer is applied, not lost, and the old run keeps none of
    what was typed."""
    from prefect.states import Cancelled

    number = new_case(stack, "REPLAY-0006")
    wait_waiting(stack, number, "da_consultation", timeout=180)
    who = assignee(stack, number)
    old = case_info(stack, number)["run"]
    _stop_runner_when_idle(stack)  # nothing takes the resumed run before it is cancelled
    assert run_state(number, stack).state.is_paused()
    try:
        resume(stack, number, da_answer(who, code_for(stack, who, number)))
        with get_client(sync_client=True) as client:
            client.set_flow_run_state(UUID(old), Cancelled(), force=True)
    finally:
        stack.restart_runner()  # its recovery at start takes the case up
    wait_waiting(stack, number, "certifier_review", timeout=180)
    info = case_info(stack, number)
    assert info["run"] != old and info["refusal"] is None
    assert actions(stack, number).count("record_da_consultation") == 1
    with get_client(sync_client=True) as client:
        left = client.filter_flow_run_input(UUID(old), key_prefix="", limit=100, exclude_keys=set())
    assert left == []  # the typed answer (and its action code) and the form are gone


def test_starters_racing_after_the_same_ended_run_get_one_new_run(stack: Stack) -> None:
    """Two starters (a watchdog, a nudge) that both read the same ended run before either
    recorded its new one: Prefect hands both the same run (one idempotency key)."""
    from prefect.states import Cancelled

    from flows.launch import SUPERSEDED, record_flow_run, start_certification

    number = new_case(stack, "REPLAY-0007")
    wait_waiting(stack, number, "da_consultation", timeout=180)
    old = case_info(stack, number)["run"]
    with get_client(sync_client=True) as client:
        client.set_flow_run_state(UUID(old), Cancelled(name=SUPERSEDED), force=True)
    first = start_certification(stack.store, number)
    record_flow_run(stack.store, number, old)  # what the second starter read
    second = start_certification(stack.store, number)
    assert first == second != old
    assert case_info(stack, number)["run"] == first
    wait_waiting(stack, number, "da_consultation", timeout=180)
    assert max(_mails(stack, number).values()) == 1


def test_a_run_left_cancelling_by_a_dead_runner_is_taken_up_once_silent(stack: Stack) -> None:
    """A runner died in the middle of cancelling a run: the run stays CANCELLING, which no
    runner will finish. Young, it is left alone; silent past the window, the watchdog ends the
    cancellation and a new run carries the case on."""
    from prefect.states import Cancelling, Running

    number = new_case(stack, "REPLAY-0008")
    wait_waiting(stack, number, "da_consultation", timeout=180)
    old = case_info(stack, number)["run"]
    _stop_runner_when_idle(stack)
    try:
        with get_client(sync_client=True) as client:  # running, then told to cancel; a paused
            client.set_flow_run_state(UUID(old), Running(), force=True)  # run has no process
            client.set_flow_run_state(UUID(old), Cancelling(), force=True)  # so ends at once
        assert run_state(number, stack).state.type.value == "CANCELLING"
        _left_alone_while_young_then_rescheduled(stack, number, UUID(old))
        assert run_state(number, stack).state.type.value == "SCHEDULED"  # the new run
    finally:
        stack.restart_runner()
    wait_waiting(stack, number, "da_consultation", timeout=180)
    info = case_info(stack, number)
    assert info["run"] != old and (info["refusal"], info["attempt"]) == (None, 0)
    with get_client(sync_client=True) as client:
        ended = client.read_flow_run(UUID(old)).state
    assert ended is not None and ended.type.value == "CANCELLED"
    assert max(_mails(stack, number).values()) == 1
