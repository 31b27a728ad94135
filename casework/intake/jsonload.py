"""Read a request's JSON with bounds: size, nesting depth and number length.

Python's parser turns JSON nested 100,000 deep into a RecursionError and a 5,000-digit
integer into a ValueError: here both, and anything beyond the bounds a certification request
could need, are a :class:`JsonRefused` with a message for the person who sent it.
"""

from __future__ import annotations

import json
from typing import Any

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 20
MAX_NUMBER_CHARS = 40


class JsonRefused(ValueError):
    pass


def _number(text: str) -> int | float:
    if len(text) > MAX_NUMBER_CHARS:
        raise JsonRefused(
            f"a number is {len(text)} characters long; the limit is {MAX_NUMBER_CHARS}"
        )
    return float(text) if any(c in text for c in ".eE") else int(text)


def _constant(name: str) -> Any:
    raise JsonRefused(f"{name} is not a JSON number")


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                break
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def load_json(text: str | bytes) -> Any:
    """The parsed value, or JsonRefused saying what is wrong (never another exception)."""
    if len(text) > MAX_BYTES:
        raise JsonRefused(f"is {len(text)} bytes; the limit is {MAX_BYTES} bytes")
    try:
        value = json.loads(text, parse_int=_number, parse_float=_number, parse_constant=_constant)
    except RecursionError:
        raise JsonRefused(f"is nested too deeply (the limit is {MAX_DEPTH} levels)") from None
    except JsonRefused:
        raise
    except json.JSONDecodeError as exc:
        raise JsonRefused(f"not valid JSON: {exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise JsonRefused(f"not valid JSON: {exc}") from None
    if _depth(value) > MAX_DEPTH:
        raise JsonRefused(f"is nested too deeply (the limit is {MAX_DEPTH} levels)")
    return value
