"""A PDF check's finding: an English sentence (a plain ``str`` for the callers that read it)
that also keeps its message id and parameters, so a page can show it translated by id.
Findings cross the checking child's pipe as JSON (:meth:`CodedText.to_json`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def N_(message: str) -> str:
    """Mark ``message`` for the catalogs (it is translated where it is shown)."""
    return message


class CodedText(str):
    msgid: str
    params: dict[str, str]
    #: names of parameters whose values are message ids themselves (translated too)
    nested: tuple[str, ...]

    def __new__(
        cls, msgid: str, params: dict[str, Any] | None = None, nested: tuple[str, ...] = ()
    ) -> CodedText:
        values = {k: str(v) for k, v in (params or {}).items()}
        obj = super().__new__(cls, msgid % values if values else msgid)
        obj.msgid, obj.params, obj.nested = msgid, values, tuple(nested)
        return obj

    @classmethod
    def of(cls, msgid: str, nested: tuple[str, ...] = (), **params: Any) -> CodedText:
        return cls(msgid, params, nested)

    def localized(self, gettext: Callable[[str], str]) -> str:
        values = {k: gettext(v) if k in self.nested else v for k, v in self.params.items()}
        text = gettext(self.msgid)
        return text % values if values else text

    def to_json(self) -> dict[str, Any]:
        return {"msgid": self.msgid, "params": self.params, "nested": list(self.nested)}

    @classmethod
    def from_json(cls, value: Any) -> CodedText:
        if isinstance(value, dict) and isinstance(value.get("msgid"), str):
            return cls(value["msgid"], value.get("params") or {}, tuple(value.get("nested", ())))
        return cls._plain(str(value))

    @classmethod
    def _plain(cls, text: str) -> CodedText:
        """A finding with no message id (e.g. an exception's name): shown as it is."""
        obj = super().__new__(cls, text)
        obj.msgid, obj.params, obj.nested = text, {}, ()
        return obj


def as_json(problems: list[str]) -> list[Any]:
    return [p.to_json() if isinstance(p, CodedText) else p for p in problems]
