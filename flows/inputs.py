"""The Prefect form of a waiting human step, made from the step's answer model.

The answer model is plain pydantic in the domain (:mod:`casework.steps`); here it becomes a
``RunInput`` with the step's starting values as defaults. What the v1 UI needs:

- The case file goes in the description of the form's first field. The dialog's own
  description box shrinks to nothing when the form is taller than the window (measured:
  height 0 for the review form, and for the DA form in a 900-pixel window); a field's
  description flows with the form and is always seen. The dialog's description gets the
  summary (the last refusal's reason first).
- Defaults are set on copies of the model's own fields (``with_initial_data`` would drop
  their constraints), and fields the model requires stay required in the JSON schema even
  with a default (else the UI labels them "(Optional)").
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import pydantic
from prefect.input import RunInput
from pydantic import BaseModel, ConfigDict


@cache
def _base(model: type[BaseModel]) -> type[RunInput]:
    """The model as a ``RunInput`` whose schema keeps the model's required fields (built once
    per model: a pydantic model build of the review form takes milliseconds)."""
    required = [name for name, info in model.model_fields.items() if info.is_required()]

    def keep_required(schema: dict[str, Any]) -> None:
        schema["required"] = required

    class Form(RunInput.subclass_from_base_model_type(model)):  # type: ignore[misc]
        model_config = ConfigDict(json_schema_extra=keep_required)

    return Form


def prefect_form(
    model: type[BaseModel], summary: str, case_file: str, values: dict[str, Any]
) -> type[RunInput]:
    """``model`` as a Prefect form starting from ``values``: ``summary`` as the dialog's
    description, ``case_file`` above the first field."""
    first = next(iter(model.model_fields))
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name not in values and name != first:
            continue
        merged = copy.copy(info)
        if name in values:
            merged.default, merged.default_factory = values[name], None
        if name == first:
            merged.description = f"{case_file}\n\n**{merged.description or name}**"
        fields[name] = (info.annotation, merged)
    form: type[RunInput] = pydantic.create_model(model.__name__, __base__=_base(model), **fields)
    form._description = summary
    return form
