"""Text for a staff terminal: what a requester typed never reaches it as control sequences.

Control characters (C0 such as ESC, C1 such as CSI), bidirectional overrides and other
invisible formatting characters, and line separators are shown as visible escapes
(``\\x1b``, ``\\u202e``), so a stored value can neither drive the terminal nor reorder what
is displayed. Stored data is not changed.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff"
    "\ufff9-\ufffb]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(value: object) -> str:
    """``str(value)`` with every unsafe character escaped."""
    text = "" if value is None else str(value)
    if text.isascii() and text.isprintable():
        return text
    text = _UNSAFE.sub(_escape, text)
    # anything else Unicode calls a format or control character
    return "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs") else c
        for c in text
    )


def safe_json(value: Any) -> str:
    """JSON for a terminal: the unsafe characters inside strings as \\u escapes (still valid
    JSON, and the same value once parsed)."""
    text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    return "".join(
        f"\\u{ord(c):04x}"
        if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs") and c not in "\n"
        else c
        for c in text
    )
