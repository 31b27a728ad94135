"""Validate a request completely and report every problem as ``field.path: message``."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from casework.errors import CaseworkError
from casework.intake.pdfcheck import check_pdf
from casework.intake.schema import RequestIn
from forms.activities import OTHER_RELATED, allowed_activities

OLDEST_PLAUSIBLE_AGE = 120
_STATUS_WORDS = re.compile(r"immigra|citizen|legal_?status|visa_?status|undocumented|documented")


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class IntakeRejected(CaseworkError):
    """The request was not stored; ``problems`` lists everything that is wrong."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class AttachmentFile:
    filename: str
    data: bytes
    sha256: str
    page_count: int


@dataclass(frozen=True)
class ValidRequest:
    request: RequestIn
    attachments: list[AttachmentFile]


def dotted(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(request)"


_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a field of a certification request",
}


def _pydantic_problems(exc: ValidationError) -> list[Problem]:
    problems = []
    for err in exc.errors():
        path = dotted(tuple(err["loc"]))
        message = _MESSAGES.get(err["type"], err["msg"].removeprefix("Value error, "))
        if err["type"] == "extra_forbidden" and _STATUS_WORDS.search(str(err["loc"][-1]).lower()):
            message = (
                "is not collected: the department does not ask about immigration status; "
                "remove this field"
            )
        problems.append(Problem(path, message))
    return problems


def _get(raw: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(raw, dict):
            return None
        raw = raw.get(key)
    return raw


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _rule_problems(raw: dict[str, Any], today: dt.date) -> list[Problem]:
    """Rules across fields and against today's date, run even when the structure is wrong."""
    problems: list[Problem] = []
    dob = _as_date(_get(raw, "victim", "date_of_birth"))
    if dob is not None:
        if dob > today:
            problems.append(Problem("victim.date_of_birth", "is in the future"))
        elif (today - dob).days > OLDEST_PLAUSIBLE_AGE * 366:
            problems.append(
                Problem("victim.date_of_birth", f"is more than {OLDEST_PLAUSIBLE_AGE} years ago")
            )
    dates = _get(raw, "incident", "dates")
    for i, value in enumerate(dates if isinstance(dates, list) else []):
        when = _as_date(value)
        if when is None:
            continue
        if when > today:
            problems.append(Problem(f"incident.dates[{i}]", "is in the future"))
        elif dob is not None and when < dob:
            problems.append(Problem(f"incident.dates[{i}]", "is before the victim's date of birth"))
    visa = raw.get("visa_type")
    activities = _get(raw, "incident", "qualifying_activities")
    if visa in ("U", "T") and isinstance(activities, list):
        allowed = allowed_activities(visa)
        for i, key in enumerate(activities):
            if key not in allowed:
                hint = "a U qualifying crime key" if visa == "U" else "a T trafficking type key"
                problems.append(
                    Problem(
                        f"incident.qualifying_activities[{i}]",
                        f"{key!r} is not {hint} (see DOMAIN.md); allowed: {', '.join(allowed)}",
                    )
                )
        if len(set(map(str, activities))) != len(activities):
            problems.append(Problem("incident.qualifying_activities", "lists an activity twice"))
        description = _get(raw, "incident", "other_activity_description")
        if OTHER_RELATED in activities and not (
            isinstance(description, str) and description.strip()
        ):
            problems.append(
                Problem(
                    "incident.other_activity_description",
                    "is required when other_related is chosen: describe the similar activity",
                )
            )
    turning = _as_date(_get(raw, "urgency", "family_member_turning_21_on"))
    if turning is not None and turning < today:
        problems.append(Problem("urgency.family_member_turning_21_on", "is in the past"))
    return problems


def _attachment_problems(
    raw: dict[str, Any], base_dir: Path | None, files: dict[str, bytes] | None
) -> tuple[list[Problem], list[AttachmentFile]]:
    problems: list[Problem] = []
    found: list[AttachmentFile] = []
    names = raw.get("attachments")
    if not isinstance(names, list):
        return problems, found
    for i, name in enumerate(names):
        path = f"attachments[{i}]"
        if not isinstance(name, str) or not name:
            continue
        if files is not None and name in files:
            data = files[name]
        else:
            if base_dir is None:
                problems.append(Problem(path, f"{name} was not uploaded"))
                continue
            candidate = (base_dir / name).resolve()
            if not candidate.is_relative_to(base_dir.resolve()):
                problems.append(Problem(path, f"{name} is outside the request's folder"))
                continue
            if not candidate.is_file():
                problems.append(Problem(path, f"{name} does not exist"))
                continue
            data = candidate.read_bytes()
        report = check_pdf(data)
        problems.extend(Problem(path, f"{name} {message}") for message in report.problems)
        if not report.problems:
            found.append(
                AttachmentFile(
                    Path(name).name, data, hashlib.sha256(data).hexdigest(), report.page_count
                )
            )
    return problems, found


def validate_request(
    raw: Any,
    *,
    today: dt.date,
    base_dir: Path | None = None,
    files: dict[str, bytes] | None = None,
) -> ValidRequest:
    """Return the validated request, or raise :class:`IntakeRejected` listing every problem.

    Attachments are looked up in ``files`` (uploads) or else relative to ``base_dir``.
    """
    if not isinstance(raw, dict):
        raise IntakeRejected([Problem("(request)", "must be a JSON object")])
    problems: list[Problem] = []
    request: RequestIn | None = None
    try:
        request = RequestIn.model_validate(raw)
    except ValidationError as exc:
        problems.extend(_pydantic_problems(exc))
    problems.extend(_rule_problems(raw, today))
    attachment_problems, attachments = _attachment_problems(raw, base_dir, files)
    problems.extend(attachment_problems)
    if problems or request is None:
        unique = list(dict.fromkeys(problems))
        raise IntakeRejected(unique)
    return ValidRequest(request, attachments)
