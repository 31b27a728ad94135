"""The Prefect form of a waiting human step, made from the step's answer model.

The answer model is plain pydantic in the domain (:mod:`casework.steps`); here it becomes a
``RunInput`` with the step's starting values as defaults and its description. Two things
the v1 UI needs: defaults are set on copies of the model's own fields (``with_initial_data``
would drop their constraints), and fields the model requires stay required in the JSON
schema even with a default (else the UI labels them "(Optional)").
"""

from __future__ import annotations

import copy
from typing import Any

import pydantic
from prefect.input import RunInput
from pydantic import BaseModel, ConfigDict


def prefect_form(
    model: type[BaseModel], description: str, values: dict[str, Any]
) -> type[RunInput]:
    """``model`` as a Prefect form starting from ``values``, showing ``description``."""
    required = [name for name, info in model.model_fields.items() if info.is_required()]

    def keep_required(schema: dict[str, Any]) -> None:
        schema["required"] = required

    class Form(RunInput.subclass_from_base_model_type(model)):  # type: ignore[misc]
        model_config = ConfigDict(json_schema_extra=keep_required)

    fields: dict[str, Any] = {}
    for name, value in values.items():
        info = model.model_fields.get(name)
        if info is None:
            continue
        merged = copy.copy(info)
        merged.default, merged.default_factory = value, None
        fields[name] = (info.annotation, merged)
    form: type[RunInput] = pydantic.create_model(model.__name__, __base__=Form, **fields)
    form._description = description
    return form
