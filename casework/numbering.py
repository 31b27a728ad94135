"""Case numbers such as NPD-U-2026-0007: agency prefix, visa type, year, sequence.

The counter row is incremented with one ``UPDATE ... RETURNING`` in the caller's
transaction: on PostgreSQL the row stays locked until that transaction ends, on SQLite the
unit of work holds the write lock from its start (``BEGIN IMMEDIATE``), so two submissions
never get the same number, and a rolled-back submission gives its number back.
"""

from __future__ import annotations

from sqlalchemy import Table, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from casework.models import CaseNumberCounter

_counters: Table = CaseNumberCounter.__table__  # type: ignore[assignment]


def next_case_number(session: Session, prefix: str, visa_type: str, year: int) -> str:
    key = {"prefix": prefix, "visa_type": visa_type, "year": year}
    bump = (
        update(_counters)
        .where(*(_counters.c[k] == v for k, v in key.items()))
        .values(last=_counters.c.last + 1)
        .returning(_counters.c.last)
    )
    last = session.execute(bump).scalar()
    if last is None:  # the first case of the year: create the row (once, whoever wins)
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(insert(_counters).values(**key, last=0).on_conflict_do_nothing())
        last = session.execute(bump).scalar_one()
    return format_case_number(prefix, visa_type, year, last)


def format_case_number(prefix: str, visa_type: str, year: int, sequence: int) -> str:
    return f"{prefix}-{visa_type}-{year}-{sequence:04d}"
