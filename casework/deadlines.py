"""Clocks the department answers to. Deadlines are policy data, not code paths.

G.L. c. 258F §3 gives 90 days from receipt to sign, deny in writing or explain
a delay in writing (with a projected date the department then keeps). USCIS
accepts a U certification (I-918 Supplement B) signed within the six months
before the petition is filed (8 CFR 214.14(c)(2)(i)); the T declaration has no
such window. The cautious last filing day is the day before the six-month
anniversary of the signature, or the last day of the month where that
anniversary does not exist (signed 1 April -> 30 September; signed 31 August ->
end of February).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    response_days: int = 90  # G.L. c. 258F §3
    # Reminders to the assigned certifier, in days before the due date (or projected date).
    reminder_days: tuple[int, ...] = (30, 14, 3)
    expedited_reminder_days: tuple[int, ...] = (14, 7, 2)
    delay_reminder_days: tuple[int, ...] = (14, 3)
    # From this many days before a due date the Chief receives the reminders too.
    chief_copy_days: int = 14
    # This many days before a due date with no answer, the Chief is alerted (before day 90).
    escalation_days: int = 7
    # The DA's Office is asked to answer within this many days of receipt (internal date).
    da_answer_days: int = 30
    filing_window_warning_days: tuple[int, ...] = (30, 7)  # U only
    turning_21_horizon_days: int = 365  # a family member turning 21 within this makes a case urgent


DEFAULT_POLICY = Policy()


def response_due(received: dt.date, policy: Policy = DEFAULT_POLICY) -> dt.date:
    return received + dt.timedelta(days=policy.response_days)


def last_filing_day(signed: dt.date) -> dt.date:
    month = signed.month + 6
    year = signed.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    last_dom = calendar.monthrange(year, month)[1]
    if signed.day > last_dom:  # the anniversary does not exist: the month's last day
        return dt.date(year, month, last_dom)
    return dt.date(year, month, signed.day) - dt.timedelta(days=1)


def is_expedited(
    urgency: dict[str, object], received: dt.date, policy: Policy = DEFAULT_POLICY
) -> bool:
    if urgency.get("in_removal_proceedings") or urgency.get("in_detention"):
        return True
    turning = urgency.get("family_member_turning_21_on")
    if isinstance(turning, str):
        turning = dt.date.fromisoformat(turning)
    if isinstance(turning, dt.date):
        return (turning - received).days <= policy.turning_21_horizon_days
    return False
