"""What a report is, independent of how it is rendered, and the calendar it counts by.

A report is a list of *sections*; each section is a small table: rows (items)
by columns (measures), every cell an exact ``int``, a ``float``, ``None`` (no
value, e.g. a median over no cases) or, after small-number suppression
(:mod:`casework.reports.suppress`), the text ``"fewer than 5"``. The PDF, CSV
and JSON renderings (:mod:`casework.reports.render`) are all made from this one
structure, so they carry the same figures.

Counting calendar. History events are stored in UTC; a report period is a
range of *local* calendar days in the department's time zone
(``America/New_York`` for a Massachusetts department), so a denial written at
11 pm on 31 December counts in that year, not the next. Dates that are plain
dates in the case store (``received_on``, ``response_due``) are used as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("America/New_York")

#: Actions that answer a request under G.L. c. 258F §3(i)/(ii): signed, or denied in writing.
ANSWER_ACTIONS = ("approve_signature", "deny", "deny_at_signature")
DENY_ACTIONS = ("deny", "deny_at_signature")
SIGN_ACTION = "approve_signature"
#: §3(iii): a written explanation of the delay.
DELAY_ACTION = "mark_delayed"

VISA_TYPES = ("U", "T")
UT_COLUMNS = ("U", "T", "total")
COLUMN_LABELS = {"U": "U visa", "T": "T visa", "total": "Together"}

Value = int | float | str | None


@dataclass(frozen=True)
class Period:
    """Local calendar days ``start`` to ``end``, both included."""

    start: dt.date
    end: dt.date
    tz: ZoneInfo = LOCAL_TZ

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"the period ends ({self.end}) before it starts ({self.start})")

    @classmethod
    def year(cls, year: int, tz: ZoneInfo = LOCAL_TZ) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), tz)

    @property
    def start_utc(self) -> dt.datetime:
        return day_start_utc(self.start, self.tz)

    @property
    def end_utc(self) -> dt.datetime:
        """The first instant after the period (exclusive bound)."""
        return day_start_utc(self.end + dt.timedelta(days=1), self.tz)

    def months(self) -> list[str]:
        out: list[str] = []
        y, m = self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out


def day_start_utc(day: dt.date, tz: ZoneInfo = LOCAL_TZ) -> dt.datetime:
    """Local midnight at the start of ``day``, as a UTC datetime (for comparing history times)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(dt.UTC)


def local_date(when: dt.datetime, tz: ZoneInfo = LOCAL_TZ) -> dt.date:
    """The local calendar day of a stored event time (SQLite returns naive UTC values)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(tz).date()


@dataclass
class Section:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: dict[str, dict[str, Value]]
    #: Counts in this section describe victims' cases: 1-4 are suppressed when publishing.
    suppress: bool = True
    #: Rows holding statistics (median, percentile, share) rather than counts, and the
    #: row whose count in the same column is the number of cases they are computed over.
    stat_rows: tuple[str, ...] = ()
    stat_base_row: str | None = None
    #: Columns that must stay exact even when the section is suppressed (the §4 totals).
    exact_columns: tuple[str, ...] = ()
    row_labels: dict[str, str] = field(default_factory=dict)
    column_labels: dict[str, str] = field(default_factory=dict)
    note: str = ""

    def label(self, row: str) -> str:
        return self.row_labels.get(row, row)

    def column_label(self, column: str) -> str:
        return self.column_labels.get(column, COLUMN_LABELS.get(column, column))


@dataclass
class Report:
    kind: str  # "annual" | "records"
    title: str
    agency: str
    period: Period
    produced_on: dt.date
    sections: list[Section]
    as_of: dt.date | None = None  # "today" for figures that describe the present (overdue)
    suppressed: bool = False  # True once small numbers were replaced for publication
    definitions: dict[str, str] = field(default_factory=dict)

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)

    def figures(self) -> dict[str, dict[str, dict[str, Value]]]:
        return {s.key: {r: dict(v) for r, v in s.rows.items()} for s in self.sections}

    def with_sections(self, sections: list[Section], *, suppressed: bool) -> Report:
        return replace(self, sections=sections, suppressed=suppressed)

    def metadata(self) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "report": self.title,
            "kind": self.kind,
            "agency": self.agency,
            "period_from": self.period.start.isoformat(),
            "period_to": self.period.end.isoformat(),
            "produced_on": self.produced_on.isoformat(),
            "small_numbers_suppressed": self.suppressed,
        }
        if self.as_of is not None:
            meta["as_of"] = self.as_of.isoformat()
        return meta


def ut_row(u: int, t: int, total: int | None = None) -> dict[str, Value]:
    """A U / T / together row; ``total`` defaults to U + T (distinct-person totals differ)."""
    return {"U": u, "T": t, "total": u + t if total is None else total}
