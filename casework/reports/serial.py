"""A report as plain JSON data and back (the release log keeps each release this way)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from casework.reports.model import Basis, Contact, Period, Person, Relation, Report, Section


def report_to_record(report: Report) -> dict[str, Any]:
    return {
        "kind": report.kind,
        "title": report.title,
        "agency": report.agency,
        "period": {
            "start": report.period.start.isoformat(),
            "end": report.period.end.isoformat(),
            "tz": report.period.tz.key,
        },
        "produced_on": report.produced_on.isoformat(),
        "as_of": report.as_of.isoformat() if report.as_of else None,
        "suppressed": report.suppressed,
        "draft": report.draft,
        "definitions": report.definitions,
        "relations": [[list(r.whole), [list(p) for p in r.parts]] for r in report.relations],
        "contact": dataclasses.asdict(report.contact) if report.contact else None,
        "internal_lists": report.internal_lists,
        "checkpoint": report.checkpoint,
        "sections": [dataclasses.asdict(s) for s in report.sections],
    }


def _section(data: dict[str, Any]) -> Section:
    data = dict(data)
    data["columns"] = tuple(data["columns"])
    data["stat_rows"] = tuple(data["stat_rows"])
    data["exact_columns"] = tuple(data["exact_columns"])
    data["share_rows"] = {k: tuple(v) for k, v in data["share_rows"].items()}
    data["bases"] = {k: Basis(**v) for k, v in data["bases"].items()}
    return Section(**data)


def _person(data: dict[str, Any] | None) -> Person | None:
    return Person(**data) if data else None


def report_from_record(data: dict[str, Any]) -> Report:
    period = data["period"]
    contact = data.get("contact")
    return Report(
        kind=data["kind"],
        title=data["title"],
        agency=data["agency"],
        period=Period(
            dt.date.fromisoformat(period["start"]),
            dt.date.fromisoformat(period["end"]),
            ZoneInfo(period["tz"]),
        ),
        produced_on=dt.date.fromisoformat(data["produced_on"]),
        sections=[_section(s) for s in data["sections"]],
        as_of=dt.date.fromisoformat(data["as_of"]) if data.get("as_of") else None,
        suppressed=data["suppressed"],
        definitions=data["definitions"],
        relations=[
            Relation((w[0], w[1], w[2]), tuple((p[0], p[1], p[2]) for p in parts))
            for w, parts in data["relations"]
        ],
        draft=data.get("draft", False),
        contact=(
            Contact(
                **{k: v for k, v in contact.items() if k not in ("records", "signer")},
                records=_person(contact.get("records")),
                signer=_person(contact.get("signer")),
            )
            if contact
            else None
        ),
        internal_lists=data.get("internal_lists", {}),
        checkpoint=data.get("checkpoint"),
    )
