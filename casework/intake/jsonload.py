"""Read a request's JSON with bounds: size, nesting depth and number length.

Python's parser turns JSON nested 100,000 deep into a RecursionError and a 5,000-digit
integer into a ValueError: here both, and anything beyond the bounds a certification request
could need, are a :class:`JsonRefused` with a message for the person who sent it.
"""

from __future__ import annotations

import json
from typing import Any

from casework.intake.coded import N_, CodedText

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 20
MAX_NUMBER_CHARS = 40


class JsonRefused(ValueError):
    """``args[0]`` is a :class:`~casework.intake.coded.CodedText` (``str(exc)`` is English)."""

    @property
    def finding(self) -> CodedText:
        first = self.args[0] if self.args else ""
        return first if isinstance(first, CodedText) else CodedText.from_json(first)


_TOO_DEEP = CodedText.of(
    N_("is nested too deeply (the limit is %(limit)s levels)"), limit=MAX_DEPTH
)


def _number(text: str) -> int | float:
    if len(text) > MAX_NUMBER_CHARS:
        raise JsonRefused(
            CodedText.of(
                N_("a number is %(length)s characters long; the limit is %(limit)s"),
                length=len(text),
                limit=MAX_NUMBER_CHARS,
            )
        )
    return float(text) if any(c in text for c in ".eE") else int(text)


def _constant(name: str) -> Any:
    raise JsonRefused(CodedText.of(N_("%(name)s is not a JSON number"), name=name))


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
        raise JsonRefused(
            CodedText.of(
                N_("is %(size)s bytes; the limit is %(limit)s bytes"),
                size=len(text),
                limit=MAX_BYTES,
            )
        )
    try:
        value = json.loads(text, parse_int=_number, parse_float=_number, parse_constant=_constant)
    except RecursionError:
        raise JsonRefused(_TOO_DEEP) from None
    except JsonRefused:
        raise
    except json.JSONDecodeError as exc:
        raise JsonRefused(
            CodedText.of(
                N_("is not valid JSON (line %(line)s, column %(column)s)"),
                line=exc.lineno,
                column=exc.colno,
            )
        ) from None
    except (ValueError, UnicodeDecodeError):
        raise JsonRefused(CodedText.of(N_("is not valid JSON"))) from None
    if _depth(value) > MAX_DEPTH:
        raise JsonRefused(_TOO_DEEP)
    return value
