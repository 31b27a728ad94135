"""The step modules named by :data:`casework.states.HUMAN_STEPS` (imported here by name, so a
renamed module fails at import and type-checking, never silently)."""

from __future__ import annotations

from functools import cache
from types import ModuleType
from typing import TypeAlias

from casework.states import HUMAN_STEPS, State
from casework.steps import da, information, review, signature
from casework.steps.base import HumanStep, RequesterWait

MODULES: dict[str, ModuleType] = {
    "da": da,
    "review": review,
    "signature": signature,
    "information": information,
}

Spec: TypeAlias = HumanStep | RequesterWait


@cache
def step_for(state: State) -> Spec | None:
    """The step a case in ``state`` waits at (None: the workflow works the case itself)."""
    module = HUMAN_STEPS.get(State(state))
    if module is None:
        return None
    spec = MODULES[module].STEP
    if not isinstance(spec, HumanStep | RequesterWait) or spec.state != state:
        raise RuntimeError(f"casework.steps.{module}.STEP does not declare the {state} step")
    return spec


def human_step(state: State) -> HumanStep | None:
    """The Prefect-form step of ``state``, if it is one."""
    spec = step_for(state)
    return spec if isinstance(spec, HumanStep) else None


def steps_markdown() -> str:
    """The human steps as a markdown table, for the README (a test compares them)."""
    rows = ["| waits in | who acts | answer | module |", "|---|---|---|---|"]
    for state, module in HUMAN_STEPS.items():
        spec = step_for(state)
        assert spec is not None
        if isinstance(spec, HumanStep):
            u, t = (list(spec.answer_model(v).model_fields) for v in ("U", "T"))
            fields = ", ".join(f"`{name}`" for name in u if name in t)
            for visa, own in (
                ("U", [n for n in u if n not in t]),
                ("T", [n for n in t if n not in u]),
            ):
                if own:
                    fields += f"; {visa} only: " + ", ".join(f"`{name}`" for name in own)
        else:
            fields = f"the requester's supplement (letter: {spec.letter})"
        rows.append(
            f"| {state.value} | {spec.role.value} | {fields} | `casework/steps/{module}.py` |"
        )
    return "\n".join(rows)
