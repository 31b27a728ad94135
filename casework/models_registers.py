"""The executive order's registers: detainer requests, unlicensed-operator stops, language
services (tables; recorded only through :func:`casework.registers.door.record`).

Each register is an append-only, hash-chained history of its own, like a case's: every entry
carries ``seq``, ``prev_hash`` and ``hash`` (:mod:`casework.history`), the register's row in
``register_heads`` keeps the chain's head and length, database triggers refuse UPDATE and
DELETE on the entries, and every entry goes into the database-wide ledger with a MAC
(:mod:`casework.ledger`). No entry names the person concerned: a detainer request is linked
to the department's own records by its booking number, a stop by its incident number.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casework.models import Base

DETAINER, STOP, LANGUAGE = "detainer", "stop", "language"


class RegisterHead(Base):
    """The head of one register's chain and its length (one row per register)."""

    __tablename__ = "register_heads"
    register: Mapped[str] = mapped_column(String(20), primary_key=True)
    head: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer)


class _Entry:
    """The chain and provenance columns every register entry has."""

    #: The register's name (its chain, its ledger kind).
    register: str
    #: The register-specific columns, in the order they enter the entry's hash.
    FIELDS: tuple[str, ...]

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    #: Who recorded it (the CLI user, or the import) and how ("json", "csv import").
    recorded_by: Mapped[str] = mapped_column(String(254))
    source: Mapped[str] = mapped_column(String(40))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class DetainerEntry(_Entry, Base):
    """An ICE detainer request (I-247A/D/N) and the department's decision on it."""

    __tablename__ = "detainer_register"
    register = DETAINER
    FIELDS = (
        "received_on", "form", "booking_number", "criminal_charge", "warrant_court",
        "warrant_number", "decision", "decided_by_id", "decided_by_name", "notes",
    )  # fmt: skip
    received_on: Mapped[dt.date] = mapped_column(Date, index=True)
    form: Mapped[str] = mapped_column(String(8))  # I-247A | I-247D | I-247N | other
    booking_number: Mapped[str] = mapped_column(String(40))
    criminal_charge: Mapped[str | None] = mapped_column(Text)
    warrant_court: Mapped[str | None] = mapped_column(String(200))
    warrant_number: Mapped[str | None] = mapped_column(String(80))
    decision: Mapped[str] = mapped_column(String(10))  # declined | honored
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    decided_by_name: Mapped[str] = mapped_column(String(200))  # as on the roster that day
    notes: Mapped[str | None] = mapped_column(Text)


class StopEntry(_Entry, Base):
    """A stop of an unlicensed operator and what became of the vehicle."""

    __tablename__ = "stop_register"
    register = STOP
    FIELDS = (
        "occurred_on", "incident_number", "outcome", "authority", "offered_opportunity", "notes",
    )  # fmt: skip
    occurred_on: Mapped[dt.date] = mapped_column(Date, index=True)
    incident_number: Mapped[str] = mapped_column(String(40))
    # licensed_driver_arranged | towed_statutory | towed_no_licensed_driver
    outcome: Mapped[str] = mapped_column(String(30))
    authority: Mapped[str | None] = mapped_column(String(300))
    offered_opportunity: Mapped[bool] = mapped_column(Boolean)
    notes: Mapped[str | None] = mapped_column(Text)


class LanguageEntry(_Entry, Base):
    """A language service given: an interpreter in person, by phone or video, a translation."""

    __tablename__ = "language_register"
    register = LANGUAGE
    FIELDS = ("occurred_on", "language", "mode", "context", "wait_minutes")
    occurred_on: Mapped[dt.date] = mapped_column(Date, index=True)
    language: Mapped[str] = mapped_column(String(16))  # ISO 639 (with a region: pt-BR)
    mode: Mapped[str] = mapped_column(String(24))  # in_person | phone | video | translated_document
    context: Mapped[str] = mapped_column(String(40))  # call | stop | report | certification | ...
    wait_minutes: Mapped[int | None] = mapped_column(Integer)


REGISTER_MODELS: dict[str, type[DetainerEntry] | type[StopEntry] | type[LanguageEntry]] = {
    DETAINER: DetainerEntry,
    STOP: StopEntry,
    LANGUAGE: LanguageEntry,
}
