"""The annual report under G.L. c. 258F §4, computed from the case history.

Every year by 1 February the department reports to EOPSS, for the previous
calendar year and without personal identifying information: the number of
individuals who requested certification, the number of forms completed and
signed, and the number of requests denied. Those three "Together" figures are
the figures to report; they are exact (never suppressed). The report adds what
makes them unambiguous: the requests received and where each stood at the end
of the year (a reconciliation that adds up), the answers given in the year to
requests received earlier, and the §3 timeliness table.

Counting bases (the same words are printed in the report, see ``DEFINITIONS``):

* **Individuals who requested certification**: distinct victims among the
  requests *received* in the year (``Case.received_on``, the date the legal clock
  runs from). A victim is identified by the normalised family name, given name and
  date of birth (the normalisation of the intake duplicate keys), compared as
  the case's keyed person key, never in the clear. The same person asking for a
  U and a T certification counts once in each column and once in "together".
* **Forms completed and signed**: cases whose form's *signature date*
  (``SignatureApproval.signature_date``) is in the year, whenever the request was
  received and whenever the approval was keyed in. A form signed and later revoked
  was still signed.
* **Requests denied**: cases denied in writing in the year that still stood denied
  on 31 December. Each request counts once a year, under where it stood at year end:
  denied and then signed in the same year, it counts only as signed; denied in one
  year and signed in a later one, it counts as denied in the first and signed in the
  second; denied and then reopened, still under reconsideration on 31 December, it
  is pending, not denied.

Times of events are counted by the local calendar day (see :mod:`.model`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from casework.crypto import Keyring, keyring
from casework.models import Case, CaseEvent
from casework.reports.annual_layout import annual_sections
from casework.reports.compliance import Compliance, PastDue, compute_compliance, past_due_unanswered
from casework.reports.model import (
    DENY_ACTIONS,
    LOCAL_TZ,
    Contact,
    Period,
    Person,
    Report,
)
from casework.reports.queries import (
    Signature,
    approvals_signed_outside,
    in_period,
    signatures,
    state_at,
)
from casework.roster import chief, get_agency, people_with_role
from casework.states import Role, State

TITLE = "Annual report on U and T visa certification requests (G.L. c. 258F, section 4)"
STANDING = ("signed", "denied", "withdrawn", "pending")


def count_individuals(
    session: Session, ring: Keyring, in_year: tuple[ColumnElement[bool], ...]
) -> tuple[int, int, int]:
    """Distinct individuals among the requests selected by ``in_year``: U, T, together.

    A person is told apart by the case's person key (:meth:`Keyring.person_key`: names and
    date of birth, normalised as the intake duplicate keys are, so "Nguyễn" and "NGUYEN" are
    one person). A case whose key is missing (older data) or was made under an older key of
    the ring has its victim record decrypted, in memory only, and its key computed afresh.
    """
    prefix = ring.person_key_prefix
    stmt = select(Case.id, Case.visa_type, Case.person_key).where(*in_year)
    rows = session.connection().execute(stmt).all()
    keys: dict[int, str] = {}
    stale: list[int] = []
    for cid, _, key in rows:
        if key is not None and key.startswith(prefix):
            keys[cid] = key
        else:
            stale.append(cid)
    for start in range(0, len(stale), 5000):
        chunk = stale[start : start + 5000]
        tokens = (
            session.connection()
            .execute(select(Case.id, Case.victim_enc).where(Case.id.in_(chunk)))
            .all()
        )
        for cid, token in tokens:
            keys[cid] = ring.person_key(ring.decrypt_json(bytes(token)))
    by_type: dict[str, set[str]] = {"U": set(), "T": set()}
    for cid, visa, _ in rows:
        by_type.setdefault(str(visa), set()).add(keys[cid])
    together: set[str] = set().union(*by_type.values())
    return len(by_type["U"]), len(by_type["T"]), len(together)


@dataclass
class AnnualData:
    """The plain counts the §4 report is laid out from (no SQL, no victim data)."""

    year: int
    individuals: tuple[int, int, int] = (0, 0, 0)  # U, T, together
    #: requests received in the year, by where they stood at year end, per visa type
    received: dict[str, Counter[str]] = field(default_factory=dict)
    #: answers in the year to requests received in earlier years ("signed"/"denied")
    earlier: dict[str, Counter[str]] = field(default_factory=dict)
    compliance: Compliance = field(default_factory=Compliance)
    past_due: PastDue = field(default_factory=lambda: PastDue(Counter(), Counter()))
    #: case numbers whose signature and approval dates fall in different years
    date_mismatches: list[str] = field(default_factory=list)


def gather_annual(
    session: Session, year: int, *, tz: ZoneInfo = LOCAL_TZ, ring: Keyring | None = None
) -> AnnualData:
    ring = ring or keyring()
    period = Period.year(year, tz)
    data = AnnualData(year)
    in_year = (Case.received_on >= period.start, Case.received_on <= period.end)
    data.individuals = count_individuals(session, ring, in_year)
    signed = signatures(session, period.start, period.end, period)
    signed_ids = {s.case_id for s in signed}
    data.received = {"U": Counter(), "T": Counter()}
    data.earlier = {"U": Counter(), "T": Counter()}
    # Where each request stood on 31 December, from its events (cheaper than replaying the
    # state of every request): signed by its form's date; withdrawn (a final state) by then;
    # denied if its state at year end, replayed for the requests denied in the year, is
    # "denied"; every other request is pending.
    for s in signed:
        bucket = data.received if s.received_on >= period.start else data.earlier
        bucket[s.visa_type]["signed"] += 1
    denied_ids = select(CaseEvent.case_id).where(
        CaseEvent.action.in_(DENY_ACTIONS), in_period(period)
    )
    denied = session.execute(
        select(Case.id, Case.visa_type, Case.received_on).where(
            Case.id.in_(denied_ids), state_at(period.end_utc) == State.DENIED.value
        )
    ).all()
    for cid, visa, received_on in denied:
        if cid not in signed_ids:
            bucket = data.received if received_on >= period.start else data.earlier
            bucket[str(visa)]["denied"] += 1
    withdrawn = session.execute(
        select(Case.visa_type, func.count(func.distinct(Case.id)))
        .join(CaseEvent, CaseEvent.case_id == Case.id)
        .where(*in_year, CaseEvent.action == "withdraw", CaseEvent.occurred_at < period.end_utc)
        .group_by(Case.visa_type)
    ).all()
    for visa, n in withdrawn:
        data.received[str(visa)]["withdrawn"] += int(n)
    received_by_type = Counter(
        {
            str(v): int(n)
            for v, n in session.execute(
                select(Case.visa_type, func.count()).where(*in_year).group_by(Case.visa_type)
            ).all()
        }
    )
    for visa in ("U", "T"):
        total = received_by_type[visa]
        known = sum(data.received[visa].values())
        data.received[visa]["pending"] = total - known
    next_day = period.end + dt.timedelta(days=1)
    data.compliance = compute_compliance(session, period, next_day)
    data.past_due = past_due_unanswered(session, next_day, period.end_utc, period, recent=False)
    data.date_mismatches = _date_mismatches(session, period, signed)
    return data


def _date_mismatches(session: Session, period: Period, signed: list[Signature]) -> list[str]:
    """Case numbers whose form was signed in the year but approved in another, or the reverse."""
    year = period.start.year
    out = [
        f"{s.case_number}: form signed {s.signature_date.isoformat()}, approval recorded "
        f"{s.recorded_on.isoformat()} (counted in {year})"
        for s in signed
        if s.recorded_on.year != year
    ]
    for s in approvals_signed_outside(session, period):
        out.append(
            f"{s.case_number}: approval recorded {s.recorded_on.isoformat()}, form signed "
            f"{s.signature_date.isoformat()} (counted in {s.signature_date.year})"
        )
    return sorted(out)


def contact_block(session: Session) -> Contact:
    agency = get_agency(session)
    street = ", ".join(p for p in (agency.street, agency.suite) if p)
    records = people_with_role(session, Role.RECORDS)
    try:
        head = chief(session)
        signer = Person(
            head.full_name, head.title or "Chief of Police", head.email, head.phone or ""
        )
    except Exception:  # noqa: BLE001 - a roster without a Chief still gets a report
        signer = None
    return Contact(
        agency=agency.name,
        address=f"{street}, {agency.city}, {agency.state} {agency.zip_code}",
        phone=agency.phone,
        email=agency.email,
        records=(
            Person(records[0].full_name, records[0].title, records[0].email, records[0].phone or "")
            if records
            else None
        ),
        signer=signer,
    )


def build_annual(
    data: AnnualData,
    *,
    agency: str,
    produced_on: dt.date,
    contact: Contact | None = None,
    tz: ZoneInfo = LOCAL_TZ,
) -> Report:
    """Lay the counts out as the §4 report (exact; publish through :func:`suppress.publish`)."""
    sections, relations, definitions = annual_sections(data)
    return Report(
        kind="annual",
        title=TITLE,
        agency=agency,
        period=Period.year(data.year, tz),
        produced_on=produced_on,
        sections=sections,
        definitions=definitions,
        relations=relations,
        contact=contact,
        internal_lists=(
            {"signature_and_approval_in_different_years": data.date_mismatches}
            if data.date_mismatches
            else {}
        ),
    )


def compute_annual(
    session: Session,
    year: int,
    *,
    produced_on: dt.date | None = None,
    tz: ZoneInfo = LOCAL_TZ,
    ring: Keyring | None = None,
) -> Report:
    """The exact §4 figures for calendar ``year`` (publish through :func:`suppress.publish`)."""
    data = gather_annual(session, year, tz=tz, ring=ring)
    return build_annual(
        data,
        agency=get_agency(session).name,
        produced_on=produced_on or dt.date.today(),
        contact=contact_block(session),
        tz=tz,
    )
