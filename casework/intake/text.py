"""Text hygiene for what requesters type, as annotated types any request model can use.

* :data:`SingleLine` and :data:`Name`: no control character (C0, C1, NUL, DEL, line or
  paragraph separator), no bidirectional embedding, override or isolate, no other invisible
  formatting character: each is refused with a field error naming it and where it is.
* :data:`MultiLine`: the same, except that newlines and tabs are kept (CR LF and CR become LF).
* Zero-width characters (U+200B-U+200D, U+2060, U+FEFF), soft hyphens (U+00AD) and the
  invisible bidi marks (U+200E, U+200F, U+061C) are removed, and the text is NFC-normalised,
  before anything compares it (duplicate detection) or stores it.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

_REMOVED = dict.fromkeys(
    map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u061c\u180e"), None
)
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _refusal(char: str, position: int) -> PydanticCustomError:
    """The refusal as a coded error (a ValueError): pydantic reports it with this code."""
    code = f"U+{ord(char):04X}"
    if char == "\x00":
        kind, message = "char_nul", "contains a NUL character at character {position}; remove it"
    elif char in _BIDI:
        kind = "char_bidi"
        message = "contains a bidirectional control character ({char}) at character {position}"
    elif unicodedata.category(char) == "Cc":
        kind = "char_control"
        message = "contains a control character ({char}) at character {position}"
    elif unicodedata.category(char) in ("Zl", "Zp"):
        kind = "char_line_separator"
        message = "contains a line separator ({char}) at character {position}"
    elif unicodedata.category(char) == "Cs":
        kind = "char_surrogate"
        message = "contains an unpaired surrogate ({char}) at character {position}"
    else:
        kind = "char_invisible"
        message = "contains an invisible formatting character ({char}) at character {position}"
    if kind != "char_nul":
        message += "; remove it"
    return PydanticCustomError(kind, message, {"char": code, "position": position})


def clean(value: str, *, multiline: bool) -> str:
    """The cleaned text, or ValueError naming the first character that is refused."""
    text = value.translate(_REMOVED)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    for position, char in enumerate(text, start=1):
        if char.isprintable() and char not in _BIDI:
            continue  # fast path: letters, digits, punctuation, ordinary spaces
        if multiline and char in "\n\t":
            continue
        if char not in _BIDI and unicodedata.category(char) in ("Zs", "Co", "Cn"):
            continue  # other spaces, private use, not yet assigned: harmless
        raise _refusal(char, position)
    return unicodedata.normalize("NFC", text)


def _single_line(value: object) -> object:
    # a line break or tab at either end (a paste) is only whitespace: stripped, not refused
    return clean(value.strip(" \t\r\n"), multiline=False) if isinstance(value, str) else value


def _multi_line(value: object) -> object:
    return clean(value, multiline=True) if isinstance(value, str) else value


#: The cleaning steps, to put *after* length constraints in an ``Annotated`` (pydantic then
#: cleans first and checks the lengths of the cleaned text, with its usual string messages):
#: ``Annotated[str, Field(min_length=1, max_length=200), SINGLE_LINE]``.
SINGLE_LINE = BeforeValidator(_single_line)
MULTI_LINE = BeforeValidator(_multi_line)

#: One line of text (a title, a report number, a file name, an organisation).
SingleLine = Annotated[str, SINGLE_LINE]
#: A person's name (one line; what duplicate detection compares).
Name = Annotated[str, SINGLE_LINE]
#: Free text over several lines (a narrative, an address): newlines and tabs kept.
MultiLine = Annotated[str, MULTI_LINE]
