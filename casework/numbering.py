"""Case numbers such as NPD-U-2026-0007: agency prefix, visa type, year, sequence."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.models import CaseNumberCounter


def next_case_number(session: Session, prefix: str, visa_type: str, year: int) -> str:
    counter = session.scalars(
        select(CaseNumberCounter)
        .where(
            CaseNumberCounter.prefix == prefix,
            CaseNumberCounter.visa_type == visa_type,
            CaseNumberCounter.year == year,
        )
        .with_for_update()
    ).first()
    if counter is None:
        counter = CaseNumberCounter(prefix=prefix, visa_type=visa_type, year=year, last=0)
        session.add(counter)
    counter.last += 1
    return f"{prefix}-{visa_type}-{year}-{counter.last:04d}"
