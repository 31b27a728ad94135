"""What a report is, independent of how it is rendered, and the calendar it counts by.

A report is a list of *sections*, grouped in *parts* (one per policy of the
Mayor's executive order: ``detainers``, ``unlicensed_operators`` and
``language_access`` from the registers, and ``certifications``). Each section is a small table: rows (items) by columns (measures),
every cell an exact ``int``, a ``float``, ``None`` (no value, e.g. a median
over no cases) or, once published (:mod:`casework.reports.suppress`), one of
the two labels :data:`FEWER` and :data:`SUPPRESSED`. The PDF, HTML, CSV and
JSON renderings are all made from this one structure, so they carry the same
figures.

A report also says how its figures relate (:class:`Relation`: a figure is the
sum of others) and, per row, what each figure counts over time (:class:`Basis`),
so the suppression can check that no hidden figure can be worked out from the
ones shown, in one report and across the releases in the release log.

Counting calendar. History events are stored in UTC; a report period is a
range of *local* calendar days in the department's time zone
(``America/New_York`` for a Massachusetts department), so a denial written at
11 pm on 31 December counts in that year, not the next. Dates that are plain
dates in the case store (``received_on``, ``response_due``, a form's signature
date) are used as they are.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any, Literal
from zoneinfo import ZoneInfo

from casework.errors import CaseworkError

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

#: The two ways a figure can be withheld. FEWER is only ever printed for a count of 1 to 4.
FEWER = "fewer than 5"
SUPPRESSED = "suppressed"
HIDDEN = (FEWER, SUPPRESSED)

#: The part every certification section belongs to (the Mayor's record and the §4 report).
CERTIFICATIONS = "certifications"
#: The parts of the executive order's registers (policies 1 to 3 of the order).
DETAINERS = "detainers"
UNLICENSED_OPERATORS = "unlicensed_operators"
LANGUAGE_ACCESS = "language_access"
PART_TITLES = {
    DETAINERS: "ICE detainer requests",
    UNLICENSED_OPERATORS: "Unlicensed operators stopped",
    LANGUAGE_ACCESS: "Access to police services in people's own languages",
    CERTIFICATIONS: "U and T visa certifications",
}

Value = int | float | str | None
Ref = tuple[str, str, str]  # section key, row (item), column


class ReportRefused(CaseworkError):
    """A report that cannot be produced as asked (the message says why and what to do)."""


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

    @classmethod
    def quarter(cls, year: int, quarter: int, tz: ZoneInfo = LOCAL_TZ) -> Period:
        first = dt.date(year, 3 * quarter - 2, 1)
        return cls(first, _month_end(year, 3 * quarter), tz)

    @classmethod
    def month(cls, year: int, month: int, tz: ZoneInfo = LOCAL_TZ) -> Period:
        return cls(dt.date(year, month, 1), _month_end(year, month), tz)

    @classmethod
    def parse(cls, text: str, tz: ZoneInfo = LOCAL_TZ) -> Period:
        """``2025`` (a year), ``2025-Q2`` (a quarter) or ``2025-03`` (a month)."""
        m = re.fullmatch(r"(\d{4})(?:-(?:[Qq]([1-4])|(0[1-9]|1[0-2])))?", text.strip())
        if not m:
            raise ValueError(
                f"{text!r} is not a calendar period: write a year (2025), a quarter (2025-Q2) "
                "or a month (2025-03)"
            )
        year = int(m.group(1))
        if m.group(2):
            return cls.quarter(year, int(m.group(2)), tz)
        if m.group(3):
            return cls.month(year, int(m.group(3)), tz)
        return cls.year(year, tz)

    @property
    def kind(self) -> Literal["year", "quarter", "month"] | None:
        """Which fixed calendar period this is, if any (public releases use only these)."""
        s, e = self.start, self.end
        if s.day != 1 or e != _month_end(e.year, e.month) or s.year != e.year:
            return None
        if (s.month, e.month) == (1, 12):
            return "year"
        if s.month == e.month:
            return "month"
        if s.month % 3 == 1 and e.month == s.month + 2:
            return "quarter"
        return None

    @property
    def label(self) -> str:
        """``2025``, ``2025-Q2``, ``2025-03``, or ``2025-03-15..2025-08-10``."""
        kind = self.kind
        if kind == "year":
            return f"{self.start.year}"
        if kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month + 2) // 3}"
        if kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def fixed_periods_covering(self) -> list[str]:
        """The smallest fixed periods containing this one (for a refusal's suggestion)."""
        if self.start.year != self.end.year:
            return [str(y) for y in range(self.start.year, self.end.year + 1)]
        sq, eq = (self.start.month + 2) // 3, (self.end.month + 2) // 3
        if self.start.month == self.end.month:
            return [f"{self.start.year}-{self.start.month:02d}"]
        if sq == eq:
            return [f"{self.start.year}-Q{sq}"]
        return [f"{self.start.year}"]

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

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return nxt - dt.timedelta(days=1)


def day_start_utc(day: dt.date, tz: ZoneInfo = LOCAL_TZ) -> dt.datetime:
    """Local midnight at the start of ``day``, as a UTC datetime (for comparing history times)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(dt.UTC)


#: (zone, UTC hour as ordinal * 24 + hour) -> the zone's UTC offset all through that hour,
#: or None when it changes within the hour (then the full conversion is done).
_HOUR_OFFSETS: dict[tuple[ZoneInfo, int], dt.timedelta | None] = {}
_HOUR_END = dt.timedelta(minutes=59, seconds=59, microseconds=999_999)


def local_date(when: dt.datetime | str, tz: ZoneInfo = LOCAL_TZ) -> dt.date:
    """The local calendar day of a stored event time (SQLite returns naive UTC values).

    The zone's offset is looked up once per UTC hour (kept only when it is the same at
    the hour's first and last microsecond), instead of a time-zone conversion per event.
    """
    if isinstance(when, str):  # SQLite may hand back text from an aggregate
        when = dt.datetime.fromisoformat(when)
    if when.tzinfo is not None:
        if when.utcoffset():
            return when.astimezone(tz).date()
        when = when.replace(tzinfo=None)
    key = (tz, when.toordinal() * 24 + when.hour)
    offset = _HOUR_OFFSETS.get(key, _HOUR_END)
    if offset is _HOUR_END:
        start = when.replace(minute=0, second=0, microsecond=0, tzinfo=dt.UTC)
        first, last = start.astimezone(tz).utcoffset(), (start + _HOUR_END).astimezone(tz)
        offset = first if first == last.utcoffset() else None
        if len(_HOUR_OFFSETS) > 200_000:
            _HOUR_OFFSETS.clear()
        _HOUR_OFFSETS[key] = offset
    if offset is None:
        return when.replace(tzinfo=dt.UTC).astimezone(tz).date()
    return (when + offset).date()


@dataclass(frozen=True)
class Basis:
    """What a row counts over time, so releases of different periods can be compared.

    ``flow``: events in the period; a year's figure is the sum of its months' (the
    row's ``at`` names one month when the row is that month of ``measure``).
    ``stock``: a state as of the date ``at`` (open cases on a day). ``period``: a
    figure of the period as a whole that does not add up over months (distinct
    people, where requests stood at year end). Rows with the same ``measure``
    count the same thing, in any report.
    """

    measure: str
    kind: Literal["flow", "stock", "period"] = "flow"
    at: str = ""


@dataclass(frozen=True)
class Relation:
    """``whole`` is the sum of ``parts`` (all counts, none negative)."""

    whole: Ref
    parts: tuple[Ref, ...]


@dataclass
class Section:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: dict[str, dict[str, Value]]
    part: str = CERTIFICATIONS
    #: Counts in this section describe victims' cases: withheld when small on publication.
    suppress: bool = True
    #: Rows holding statistics (median, percentile) over the cases counted in ``stat_base_row``.
    stat_rows: tuple[str, ...] = ()
    stat_base_row: str | None = None
    #: Share rows: row -> (numerator row, denominator row), both in this section.
    share_rows: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: Columns that are never withheld (the statutory figures of G.L. c. 258F §4).
    exact_columns: tuple[str, ...] = ()
    #: In every count row, U + T = total (a distinct-person total is treated the same way,
    #: which protects at least as much).
    sums_across: bool = True
    #: Per row, what it counts over time (default: a flow named ``section.row``).
    bases: dict[str, Basis] = field(default_factory=dict)
    row_labels: dict[str, str] = field(default_factory=dict)
    column_labels: dict[str, str] = field(default_factory=dict)
    #: Per row, how it is counted, printed under the row label.
    row_notes: dict[str, str] = field(default_factory=dict)
    note: str = ""

    def label(self, row: str) -> str:
        return self.row_labels.get(row, row)

    def column_label(self, column: str) -> str:
        return self.column_labels.get(column, COLUMN_LABELS.get(column, column))

    def is_count_row(self, row: str) -> bool:
        return row not in self.stat_rows and row not in self.share_rows

    def basis(self, row: str) -> Basis:
        return self.bases.get(row) or Basis(f"{self.key}.{row}")

    def with_rows(self, rows: dict[str, dict[str, Value]]) -> Section:
        return replace(self, rows=rows)


@dataclass(frozen=True)
class Person:
    """A roster member named in a report (staff: their names are not victims' data)."""

    name: str
    title: str
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Contact:
    """The §4 report's contact and signature block, from the agency profile and roster."""

    agency: str
    address: str
    phone: str
    email: str
    records: Person | None
    signer: Person | None


@dataclass
class Report:
    kind: str  # "annual" | "records"
    title: str
    agency: str
    period: Period
    produced_on: dt.date
    sections: list[Section]
    as_of: dt.date | None = None  # "today" for figures that describe the present (overdue)
    suppressed: bool = False  # True once small numbers were withheld for publication
    #: Per part, the counting basis of its figures (term -> explanation).
    definitions: dict[str, dict[str, str]] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    draft: bool = False
    contact: Contact | None = None
    #: Lists that name cases by number: internal version only, dropped on publication.
    internal_lists: dict[str, list[str]] = field(default_factory=dict)
    #: The newest signed checkpoint of the ledger when the report was made (the §4 report
    #: prints it, so the figures can be tied to the history they were counted from).
    checkpoint: str | None = None

    @property
    def internal(self) -> bool:
        return not self.suppressed

    def parts(self) -> list[str]:
        out: list[str] = []
        for s in self.sections:
            if s.part not in out:
                out.append(s.part)
        return out

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)

    def value(self, ref: Ref) -> Value:
        return self.section(ref[0]).rows[ref[1]][ref[2]]

    def figures(self) -> dict[str, dict[str, dict[str, Value]]]:
        return {s.key: {r: dict(v) for r, v in s.rows.items()} for s in self.sections}

    def part_figures(self, part: str) -> dict[str, dict[str, dict[str, Value]]]:
        return {
            s.key: {r: dict(v) for r, v in s.rows.items()} for s in self.sections if s.part == part
        }

    def with_sections(self, sections: list[Section], *, suppressed: bool) -> Report:
        return replace(self, sections=sections, suppressed=suppressed)

    def all_relations(self) -> list[Relation]:
        """The declared relations and, in every count row of a U/T section, U + T = total."""
        out = list(self.relations)
        for s in self.sections:
            if not (s.sums_across and {"U", "T", "total"} <= set(s.columns)):
                continue
            for row in s.rows:
                if s.is_count_row(row):
                    out.append(
                        Relation((s.key, row, "total"), ((s.key, row, "U"), (s.key, row, "T")))
                    )
        return out

    def metadata(self) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "report": self.title,
            "kind": self.kind,
            "agency": self.agency,
            "period": self.period.label,
            "period_from": self.period.start.isoformat(),
            "period_to": self.period.end.isoformat(),
            "produced_on": self.produced_on.isoformat(),
            "release": "public" if self.suppressed else "internal",
            "small_numbers_suppressed": self.suppressed,
            "draft": self.draft,
        }
        if self.as_of is not None:
            meta["as_of"] = self.as_of.isoformat()
        if self.checkpoint is not None:
            meta["ledger_checkpoint"] = self.checkpoint
        return meta


def ut_row(u: int, t: int, total: int | None = None) -> dict[str, Value]:
    """A U / T / together row; ``total`` defaults to U + T (distinct-person totals differ)."""
    return {"U": u, "T": t, "total": u + t if total is None else total}


def sum_relations(
    whole: tuple[str, str], parts: list[tuple[str, str]], columns: tuple[str, ...] = UT_COLUMNS
) -> list[Relation]:
    """``whole`` (section, row) is the sum of ``parts`` in each of ``columns``."""
    return [Relation((whole[0], whole[1], c), tuple((s, r, c) for s, r in parts)) for c in columns]
