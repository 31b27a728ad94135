"""The runner is killed (SIGKILL, its whole process group) at every point where work happens,
and after a restart the case completes with no lost step and no duplicated history event or
email: during intake, just after each human answer is submitted, during document generation
and during the delivery email.

A point is held from the test's side: tests/crashpoints/sitecustomize.py, on the runner's
PYTHONPATH, wraps a domain function so that it waits while the point is armed (a file exists);
the test waits until the flow-run process reached it, then kills the runner.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from casework.audit import verify_store
from tests.workflow_stack import (
    CHIEF,
    CRASHPOINTS,
    DELIVERED_U_ACTIONS,
    Stack,
    actions,
    approval,
    assignee,
    certify_answer,
    code_for,
    da_answer,
    mails_to,
    new_case,
    resume,
    run_inputs,
    run_state,
    wait_for,
    wait_state,
    wait_waiting,
)

pytestmark = pytest.mark.prefect

POINTS = {
    "intake": "casework.documents:da_memo",  # the acknowledgment is out, the memo not made
    "answer": "casework.steps.waiting:answer",  # the answer was read from Prefect, not applied
    "documents": "casework.documents:assemble_packet",  # form and cover made, not the packet
    "delivery": "casework.notify:deliver:packet.pdf",  # the email with the packet, before SMTP
}


class Crash:
    def __init__(self, stack: Stack, folder: Path) -> None:
        self.stack, self.folder = stack, folder
        self.env = {
            "PYTHONPATH": str(CRASHPOINTS),
            "CASEWORK_TEST_HOLDS": ",".join(f"{k}={v}" for k, v in POINTS.items()),
            "CASEWORK_TEST_HOLD_DIR": str(folder),
        }
        self.kills = 0

    def start(self) -> None:
        self.stack.restart_runner(**self.env)

    def arm(self, point: str) -> None:
        (self.folder / point).touch()

    def kill_when_reached(self, point: str) -> None:
        """Wait until a flow-run process holds at ``point``, SIGKILL the runner's process group,
        disarm the point and start the runner again (it reschedules the interrupted run)."""
        reached = self.folder / f"{point}.reached"
        wait_for(reached.exists, 120, f"the flow to reach {point}")
        self.stack.runner.kill()
        self.kills += 1
        (self.folder / point).unlink()
        reached.unlink()
        self.start()


def test_runner_killed_at_every_stage(stack: Stack, tmp_path: Path) -> None:
    crash = Crash(stack, tmp_path)
    crash.start()
    try:
        crash.arm("intake")
        number = new_case(stack, "CRASH-0001")
        crash.kill_when_reached("intake")
        wait_waiting(stack, number, "da_consultation", timeout=120)
        who = assignee(stack, number)

        crash.arm("answer")
        resume(stack, number, da_answer(who, code_for(stack, who, number)))
        crash.kill_when_reached("answer")
        wait_waiting(stack, number, "certifier_review", timeout=120)

        crash.arm("answer")
        resume(stack, number, certify_answer(who, code_for(stack, who, number)))
        crash.kill_when_reached("answer")
        wait_waiting(stack, number, "awaiting_signature", timeout=120)

        crash.arm("answer")
        resume(stack, number, approval(stack, number))
        crash.kill_when_reached("answer")
        crash.arm("documents")
        crash.kill_when_reached("documents")
        crash.arm("delivery")
        crash.kill_when_reached("delivery")
        wait_state(stack, number, "delivered", timeout=120)
        wait_for(lambda: run_state(number, stack).state.is_completed(), 60, "the run to finish")
    finally:
        stack.restart_runner()  # without the crash points, for the tests after this one
    assert crash.kills == 6
    assert actions(stack, number) == DELIVERED_U_ACTIONS
    with stack.store.reading() as s:
        assert verify_store(s, number) == (1, [])
    # every email once: acknowledgment and delivery, DA memo, one code per step
    to_requester = mails_to(stack, "rdelgado", number)
    kinds = Counter(
        "packet"
        if any("packet" in (p.get_filename() or "") for p in m.iter_attachments())
        else "ack"
        for m in to_requester
    )
    assert kinds == Counter({"ack": 1, "packet": 1})
    assert len(mails_to(stack, "tgreene@da.example.org", number)) == 1
    assert len(mails_to(stack, who, number)) == 2 and len(mails_to(stack, CHIEF, number)) == 1
    assert run_inputs(stack, number) == {}
