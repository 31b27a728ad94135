"""Validate a request completely and report every problem as ``field.path: message``.

Problems are stable codes with parameters (:mod:`casework.intake.messages`); their text is
English here and translated by message id where a page shows it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from casework.errors import CaseworkError
from casework.intake.coded import CodedText
from casework.intake.messages import MESSAGES, Problem
from casework.intake.pdfcheck import check_pdf
from casework.intake.schema import RequestIn
from forms.activities import OTHER_RELATED, allowed_activities

OLDEST_PLAUSIBLE_AGE = 120
_STATUS_WORDS = re.compile(r"immigra|citizen|legal_?status|visa_?status|undocumented|documented")


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


_SAME_CODE = {"missing", "extra_forbidden", "literal_error", "bool_type", "string_type"}
_TYPE_CODES = {
    "bool_parsing": "bool_type",
    "list_type": "list_type",
    "model_type": "object_type",
    "model_attributes_type": "object_type",
    "dict_type": "object_type",
}
_PATTERN_CODES = {"phone": "phone_format", "preferred_language": "language_code"}


def _annotation_at(loc: tuple[int | str, ...]) -> Any:
    """The type annotation of the request field at ``loc`` (list indices skipped)."""
    model: Any = RequestIn
    annotation: Any = None
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        info = model.model_fields.get(str(part))
        if info is None:
            return None
        annotation = info.annotation
        model = _unwrap(annotation)
    return annotation


def _unwrap(annotation: Any) -> Any:
    while get_origin(annotation) in (Union, UnionType, list):
        args = [a for a in get_args(annotation) if a is not type(None)]
        annotation = args[0] if args else None
    return annotation


def _allowed(loc: tuple[int | str, ...]) -> str:
    annotation = _unwrap(_annotation_at(loc))
    if get_origin(annotation) is Literal:
        return ", ".join(str(a) for a in get_args(annotation))
    return ""


def problem_from_pydantic(err: ErrorDetails) -> Problem:
    """A pydantic error as a coded problem (its English ``msg`` is not used)."""
    loc = tuple(err["loc"])
    path = dotted(loc)
    kind, ctx = err["type"], err.get("ctx") or {}
    last = str(loc[-1]).lower() if loc else ""
    if kind == "extra_forbidden" and _STATUS_WORDS.search(last):
        return Problem.of(path, "immigration_status_field")
    if kind == "literal_error":
        return Problem.of(path, kind, expected=_allowed(loc) or ctx.get("expected", ""))
    if kind in _SAME_CODE:
        return Problem.of(path, kind)
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return Problem.of(path, "empty")
        return Problem.of(path, kind, min_length=ctx.get("min_length"))
    if kind == "string_too_long":
        return Problem.of(path, kind, max_length=ctx.get("max_length"))
    if kind == "too_short":
        if ctx.get("min_length") == 1:
            return Problem.of(path, "too_short_one")
        return Problem.of(path, kind, min_length=ctx.get("min_length"))
    if kind == "too_long":
        return Problem.of(path, kind, max_length=ctx.get("max_length"))
    if kind == "string_pattern_mismatch":
        return Problem.of(path, _PATTERN_CODES.get(last, "pattern"))
    if kind in _TYPE_CODES:
        return Problem.of(path, _TYPE_CODES[kind])
    if kind in MESSAGES:  # our own validators raise PydanticCustomError with a known code
        return Problem.of(path, kind, **ctx)
    return Problem.of(path, "invalid")


def _pydantic_problems(exc: ValidationError) -> list[Problem]:
    return [problem_from_pydantic(err) for err in exc.errors()]


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
            problems.append(Problem.of("victim.date_of_birth", "date_in_future"))
        elif (today - dob).days > OLDEST_PLAUSIBLE_AGE * 366:
            problems.append(
                Problem.of("victim.date_of_birth", "date_too_old", years=OLDEST_PLAUSIBLE_AGE)
            )
    dates = _get(raw, "incident", "dates")
    for i, value in enumerate(dates if isinstance(dates, list) else []):
        when = _as_date(value)
        if when is None:
            continue
        if when > today:
            problems.append(Problem.of(f"incident.dates[{i}]", "date_in_future"))
        elif dob is not None and when < dob:
            problems.append(Problem.of(f"incident.dates[{i}]", "date_before_birth"))
    visa = raw.get("visa_type")
    activities = _get(raw, "incident", "qualifying_activities")
    if visa in ("U", "T") and isinstance(activities, list):
        allowed = allowed_activities(visa)
        for i, key in enumerate(activities):
            if key not in allowed:
                problems.append(
                    Problem.of(
                        f"incident.qualifying_activities[{i}]",
                        "activity_not_u" if visa == "U" else "activity_not_t",
                        key=key,
                        allowed=", ".join(allowed),
                    )
                )
        if len(set(map(str, activities))) != len(activities):
            problems.append(Problem.of("incident.qualifying_activities", "activity_twice"))
        description = _get(raw, "incident", "other_activity_description")
        if OTHER_RELATED in activities and not (
            isinstance(description, str) and description.strip()
        ):
            problems.append(
                Problem.of("incident.other_activity_description", "other_activity_required")
            )
    turning = _as_date(_get(raw, "urgency", "family_member_turning_21_on"))
    if turning is not None and turning < today:
        problems.append(Problem.of("urgency.family_member_turning_21_on", "date_in_past"))
    return problems


def coded_problem(path: str, code: str, found: str, **params: object) -> Problem:
    """A problem whose detail is a finding of a lower check (its message id kept)."""
    coded = found if isinstance(found, CodedText) else CodedText.from_json(found)
    return Problem.of(
        path,
        code,
        **params,
        detail=str(coded),
        detail_msgid=coded.msgid,
        detail_params=json.dumps(coded.params, sort_keys=True),
        detail_translate=",".join(coded.nested),
    )


def pdf_problems(path: str, name: str, found: list[str]) -> list[Problem]:
    """The PDF check's findings about file ``name`` (each translated by its message id)."""
    return [coded_problem(path, "pdf_refused", detail, name=name) for detail in found]


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
                problems.append(Problem.of(path, "not_uploaded", name=name))
                continue
            candidate = (base_dir / name).resolve()
            if not candidate.is_relative_to(base_dir.resolve()):
                problems.append(Problem.of(path, "outside_folder", name=name))
                continue
            if not candidate.is_file():
                problems.append(Problem.of(path, "file_missing", name=name))
                continue
            data = candidate.read_bytes()
        report = check_pdf(data)
        problems.extend(pdf_problems(path, name, report.problems))
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
        raise IntakeRejected([Problem.of("(request)", "not_json_object")])
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
