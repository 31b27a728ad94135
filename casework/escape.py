"""Escaping what a requester or a person typed for the place it is shown.

Markdown (Prefect form descriptions, artifacts): CommonMark lets any ASCII punctuation
character be escaped with a backslash and then shows it literally (spec §2.4, "Backslash
escapes"), so escaping every one of them leaves no link, emphasis, heading, list, table pipe,
HTML tag or entity that the text could open, while the words read the same. Line starts
lose their indentation (four spaces would make a code block). Email headers: one line, no
control characters. Plain-text email bodies: a typed value stays on its own line, so it
cannot pose as another line of the message (say, an action code).
"""

from __future__ import annotations

import re
import string

_MD_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u0085]+")


def md(text: object) -> str:
    """``text`` as literal markdown inline text: every line kept, nothing interpreted."""
    lines = str(text if text is not None else "").replace("\r\n", "\n").replace("\r", "\n")
    escaped = [
        _MD_SPECIAL.sub(r"\\\1", _CONTROL.sub(" ", line).strip()) for line in lines.split("\n")
    ]
    return "  \n".join(line for line in escaped if line)  # a hard line break between lines


def md_cell(text: object) -> str:
    """``text`` as literal markdown inside a table cell (one line)."""
    return md(one_line(text)) or "-"


def one_line(text: object) -> str:
    """``text`` on one line without control characters (email headers, one-line values)."""
    return " ".join(_CONTROL.sub(" ", str(text if text is not None else "")).split())
