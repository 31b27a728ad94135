"""Reading register entries: a JSON file (one entry, or a list), or a CSV export from the
dispatch or records system with the register's columns (:data:`.schema.CSV_COLUMNS`).

Every problem is collected, never only the first: a JSON field by its path
(``judicial_warrant.court``), a CSV cell by its line and column (the header is line 1). The
caller stores nothing while any problem remains (:class:`EntriesRefused`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from casework.errors import CaseworkError
from casework.intake.jsonload import JsonRefused, load_json
from casework.registers.door import RowProblem
from casework.registers.schema import (
    CSV_COLUMNS,
    CSV_OPTIONAL,
    INPUTS,
    EntryIn,
    csv_column,
    csv_record,
)
from casework.terminal import printable

MAX_CSV_BYTES = 64 * 1024 * 1024
MAX_ROWS = 500_000
MAX_JSON_ENTRIES = 10_000


class EntriesRefused(CaseworkError):
    """Nothing was stored; ``problems`` lists every problem, each naming where it is."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} problem(s); nothing was stored")


@dataclass
class Parsed:
    """The entries that are well formed, where each came from, and the problems found."""

    csv: bool
    items: list[EntryIn] = field(default_factory=list)
    where: list[str] = field(default_factory=list)  # "line 5", "entry 2" or ""
    problems: list[str] = field(default_factory=list)

    def name(self, where: str, column: str) -> str:
        if self.csv:
            return f"{where}, column {column}"
        return f"{where}, {column}" if where else column

    def add_row_problems(self, found: Sequence[RowProblem]) -> None:
        """The door's problems (by entry index), named like the parsing problems."""
        for p in found:
            column = p.field.replace(".", "_") if self.csv else p.field
            self.problems.append(f"{self.name(self.where[p.index], column)}: {p.message}")


def _message(kind: str, err: ErrorDetails, csv_names: bool) -> str:
    kind_of = err["type"]
    if kind_of == "missing":
        return "is required (give a value, or null where the register allows it)"
    if kind_of == "extra_forbidden":
        fields = ", ".join(CSV_COLUMNS[kind]) if csv_names else ", ".join(INPUTS[kind].model_fields)
        return (
            f"is not a field of the {kind} register, which keeps no names of the people "
            f"concerned; its fields are: {fields}"
        )
    if kind_of == "literal_error":
        return f"must be one of: {(err.get('ctx') or {}).get('expected', '')}"
    return str(err["msg"])


def _validate(kind: str, raw: Any, where: str, parsed: Parsed) -> None:
    try:
        item = INPUTS[kind].model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            column = (
                csv_column(kind, loc) if parsed.csv else ".".join(str(p) for p in loc) or "(entry)"
            )
            parsed.problems.append(
                f"{parsed.name(where, printable(column))}: {_message(kind, err, parsed.csv)}"
            )
        return
    parsed.items.append(item)
    parsed.where.append(where)


def from_json(kind: str, data: bytes) -> Parsed:
    """One entry (an object) or several (a list of objects)."""
    parsed = Parsed(csv=False)
    try:
        raw = load_json(data)
    except JsonRefused as exc:
        raise EntriesRefused([f"(file): {exc}"]) from None
    if isinstance(raw, dict):
        _validate(kind, raw, "", parsed)
    elif isinstance(raw, list) and 0 < len(raw) <= MAX_JSON_ENTRIES:
        for i, entry in enumerate(raw, start=1):
            if isinstance(entry, dict):
                _validate(kind, entry, f"entry {i}", parsed)
            else:
                parsed.problems.append(f"entry {i}: must be an object of the entry's fields")
    else:
        parsed.problems.append(
            f"(file): must be one entry (an object) or a list of 1 to {MAX_JSON_ENTRIES:,} entries"
        )
    return parsed


def from_csv(kind: str, data: bytes) -> Parsed:
    """A CSV export with a header line naming the register's columns (in any order; columns
    that may be empty may also be left out)."""
    parsed = Parsed(csv=True)
    if len(data) > MAX_CSV_BYTES:
        raise EntriesRefused(
            [f"(file): is {len(data):,} bytes; the limit is {MAX_CSV_BYTES:,} (split the export)"]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise EntriesRefused(
            [f"line {line}: is not UTF-8 text (export the file as UTF-8 CSV)"]
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise EntriesRefused(["line 1: the header line naming the columns is missing"])
        names = [h.strip() for h in header]
        known, optional = CSV_COLUMNS[kind], CSV_OPTIONAL[kind]
        problems = [
            f"line 1, column {printable(n)}: is not a column of the {kind} register, which "
            f"keeps no names of the people concerned; its columns are: {', '.join(known)}"
            for n in names
            if n not in known
        ]
        problems += [f"line 1, column {n}: appears twice" for n in set(names) if names.count(n) > 1]
        problems += [
            f"line 1: the column {n} is missing"
            for n in known
            if n not in names and n not in optional
        ]
        if problems:
            raise EntriesRefused(problems)
        start = 2
        for cells in reader:
            where = f"line {start}"
            start = reader.line_num + 1
            if not cells or not any(c.strip() for c in cells):
                continue
            if len(parsed.items) + len(parsed.problems) >= MAX_ROWS:
                raise EntriesRefused([f"{where}: more than {MAX_ROWS:,} rows; split the export"])
            if len(cells) != len(names):
                parsed.problems.append(
                    f"{where}: has {len(cells)} cells, the header has {len(names)} columns"
                )
                continue
            row = dict.fromkeys(known, "")  # optional columns left out are empty
            row.update(zip(names, cells, strict=True))
            _validate(kind, csv_record(kind, row), where, parsed)
    except csv.Error as exc:
        raise EntriesRefused([f"line {reader.line_num}: is not valid CSV ({exc})"]) from None
    if not parsed.items and not parsed.problems:
        parsed.problems.append("(file): has a header but no rows")
    return parsed
