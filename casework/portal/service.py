"""The portal's work outside HTTP: intake, status access, acknowledgment, supplements.

Everything here is synchronous (the case store is); the web layer runs it in a
thread. Logs carry case numbers and error types only, never victim details.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from casework.access import case_for_code, case_for_token, issue_status_access
from casework.blobs import BlobStore
from casework.config import load_settings
from casework.db import Store
from casework.i18n import N_, format_date, gettext_for
from casework.i18n.copies import Languages, compose, languages_for
from casework.intake.pdfcheck import check_pdf
from casework.intake.service import store_request
from casework.intake.validate import (
    AttachmentFile,
    IntakeRejected,
    Problem,
    pdf_problems,
    validate_request,
)
from casework.models import Case
from casework.notify import send_email
from casework.states import State
from casework.steps import supplement
from casework.transitions import Actor
from casework.workflow_port import NO_WORKFLOWS, WorkflowError, WorkflowRuns

log = logging.getLogger("casework.portal")
# i18n: max=100 (email subject line)
ACK_SUBJECT = N_("Certification request %(case_number)s received")
ACK_BODY = N_(
    "Thank you. The police department received your certification request.\n\n"
    "Case number: %(case_number)s\n"
    "Response due by: %(due)s (G.L. c. 258F: within 90 days)\n\n"
    "Follow the request, answer requests for information and download the department's "
    "answer at your private status link:\n%(link)s\n\n"
    "Or enter the case number, this email address and this access code at %(lookup)s:\n"
    "Access code: %(code)s\n\n"
    "Keep this link and code private: anyone who has them can see the status of the "
    "request. The department does not ask about immigration status.\n"
)
MB = 1024 * 1024


def megabytes(n: int) -> str:
    """``10``, ``2.5`` or ``0.1``: a size in MB as people write it."""
    return f"{round(n / MB, 1):g}"


def _load_secret(store: Store) -> bytes:
    value = load_settings().portal_secret
    if value:
        return value.get_secret_value().encode()
    path = store.settings.home / "portal.secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip().encode()


@dataclass
class PortalConfig:
    secret: bytes
    #: Base of the links in emails (e.g. https://certify.npd.example.org). When unset the
    #: request's own address is used; set it whenever the portal is reachable by a name.
    public_url: str | None = None
    submit_per_minute: int = 10
    lookup_per_minute: int = 60
    max_files: int = 10
    max_file_bytes: int = 10 * MB
    send_email: bool = True
    start_workflow: bool = True
    #: What starts and wakes the case's workflow run (``casework portal`` wires Prefect's).
    workflows: WorkflowRuns = NO_WORKFLOWS
    today: Callable[[], dt.date] = dt.date.today
    session_minutes: int = 30
    #: ``limits`` storage URI for the rate limits; a shared one (``redis://...``) makes
    #: several portal processes count together.
    rate_limit_storage: str = "memory://"
    #: Addresses or networks of reverse proxies whose X-Forwarded-For is believed.
    trusted_proxies: tuple[str, ...] = ()

    @property
    def max_body_bytes(self) -> int:
        return self.max_files * self.max_file_bytes + MB

    @classmethod
    def from_env(cls, store: Store, **overrides: object) -> PortalConfig:
        s = load_settings()
        values: dict[str, object] = {
            "secret": _load_secret(store),
            "public_url": s.portal_url,
            "submit_per_minute": s.portal_submits_per_minute,
            "lookup_per_minute": s.portal_lookups_per_minute,
            "start_workflow": s.portal_start_workflow,
            "rate_limit_storage": s.portal_rate_limit_storage,
            "trusted_proxies": s.portal_trusted_proxies,
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Upload:
    name: str  # as sent by the client; matched against request.attachments
    data: bytes | None  # None: over the size limit (not kept)
    size: int


@dataclass
class Submitted:
    created: bool
    case_number: str | None = None
    response_due: dt.date | None = None
    token: str | None = None
    code: str | None = None
    email: str | None = None
    email_sent: bool = False
    workflow_started: bool = False


def upload_problems(
    uploads: list[Upload], listed: object, config: PortalConfig, *, listed_required: bool
) -> tuple[dict[str, bytes], list[Problem], set[str]]:
    """Files for intake, problems intake cannot see (size, duplicates, unlisted), and the
    paths whose "was not uploaded" problem an oversize file explains."""
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    explained: set[str] = set()
    names = listed if isinstance(listed, list) else []
    index = {n: i for i, n in reversed(list(enumerate(names))) if isinstance(n, str)}
    limit_mb = megabytes(config.max_file_bytes)
    if len(uploads) > config.max_files:
        problems.append(Problem.of("attachments", "too_many_files", count=config.max_files))
    seen: set[str] = set()
    for upload in uploads:
        where = f"attachments[{index[upload.name]}]" if upload.name in index else "attachments"
        if upload.name in seen:
            problems.append(Problem.of(where, "uploaded_twice", name=upload.name))
            continue
        seen.add(upload.name)
        if upload.data is None:
            problems.append(
                Problem.of(
                    where,
                    "file_too_large",
                    name=upload.name,
                    size=megabytes(upload.size),
                    limit=limit_mb,
                )
            )
            explained.add(where)
            continue
        if listed_required and upload.name not in index:
            problems.append(Problem.of("attachments", "not_listed", name=upload.name))
            continue
        files[upload.name] = upload.data
    return files, problems, explained


class Portal:
    """The operations behind the pages and the API."""

    def __init__(self, store: Store, config: PortalConfig):
        self.store = store
        self.config = config
        self.blobs = BlobStore(store.settings.attachments_dir)

    # -- intake -----------------------------------------------------------------------------
    def submit(
        self,
        raw: object,
        uploads: list[Upload],
        *,
        lang: str,
        base_url: str,
        listed_required: bool = True,
    ) -> Submitted:
        """Validate exactly as ``casework submit`` does, store, mint status access, acknowledge.

        Raises IntakeRejected (nothing stored) listing every problem.
        """
        listed = raw.get("attachments") if isinstance(raw, dict) else None
        files, problems, explained = upload_problems(
            uploads, listed, self.config, listed_required=listed_required
        )
        today = self.config.today()
        try:
            valid = validate_request(raw, today=today, files=files)
        except IntakeRejected as exc:
            intake = [p for p in exc.problems if p.path not in explained]
            raise IntakeRejected(list(dict.fromkeys(intake + problems))) from None
        if problems:
            raise IntakeRejected(problems)
        result = store_request(self.store, valid, received=today)
        if not result.created:
            log.info("portal submission duplicates an existing case; nothing stored")
            return Submitted(created=False)
        with self.store.unit_of_work() as session:
            case = session.scalars(select(Case).where(Case.case_number == result.case_number)).one()
            token, code = issue_status_access(session, case)
            case_id = case.id
        email = valid.request.requester.email
        out = Submitted(True, result.case_number, result.response_due, token, code, email)
        log.info("portal stored case %s", result.case_number)
        if self.config.send_email:
            victim = valid.request.victim
            langs = languages_for(victim.preferred_language, victim.preferred_language_other)
            if langs.copy is None and langs.unsupported is None and lang != "en":
                langs = Languages(copy=lang)  # the language the requester used
            out.email_sent = self._acknowledge(out, case_id, langs, base_url)
        if self.config.start_workflow:
            out.workflow_started = self._start_workflow(result.case_number)
        return out

    def _acknowledge(self, sub: Submitted, case_id: int, langs: Languages, base_url: str) -> bool:
        assert sub.case_number and sub.token and sub.code and sub.email and sub.response_due
        base = (self.config.public_url or base_url).rstrip("/")
        due, number = sub.response_due, sub.case_number

        def body(lang: str) -> str:
            t = gettext_for(lang)
            return t(
                ACK_BODY,
                case_number=number,
                due=format_date(due, lang),
                link=f"{base}/status/{sub.token}",
                lookup=f"{base}/status",
                code=sub.code,
            )

        try:
            send_email(
                self.store,
                key=f"ack-portal:{number}",
                kind="acknowledgment",
                to=[sub.email],
                subject=gettext_for("en")(ACK_SUBJECT, case_number=number),
                body=compose(body, langs),
                case_id=case_id,
                language=langs,
            )
            return True
        except Exception as exc:  # noqa: BLE001 - the case is stored; the page says so
            log.warning(
                "acknowledgment email for %s could not be sent: %s", number, type(exc).__name__
            )
            return False

    def _start_workflow(self, case_number: str) -> bool:
        return self._launch("start", case_number)

    def _launch(self, what: str, case_number: str) -> bool:
        """Start (``start``) or wake (``nudge``) the case's run; False when it did not happen."""
        runs = self.config.workflows
        if not runs.enabled:
            log.info("workflow not told about %s: workflows are off", case_number)
            return False
        try:
            if what == "start":
                runs.start(self.store, case_number)
            else:
                runs.nudge(self.store, case_number)
            return True
        except WorkflowError as exc:  # the case is stored; staff can start it
            log.warning("workflow %s for %s failed: %s", what, case_number, exc)
            return False

    # -- status access ----------------------------------------------------------------------
    def case_id_for_token(self, token: str) -> int | None:
        if not token or len(token) > 100:
            return None
        with self.store.reading() as session:
            case = case_for_token(session, token)
            return case.id if case else None

    def case_id_for_code(self, case_number: str, email: str, code: str) -> int | None:
        if not (case_number and email and code) or max(map(len, (case_number, email, code))) > 254:
            return None
        with self.store.reading() as session:
            case = case_for_code(session, case_number, email, code)
            return case.id if case else None

    # -- supplement -------------------------------------------------------------------------
    def supplement(self, case_id: int, text: str, uploads: list[Upload]) -> None:
        """Answer a request for information; raises IntakeRejected (nothing stored) or
        NotWaiting."""
        problems: list[Problem] = []
        files: list[AttachmentFile] = []
        limit_mb = megabytes(self.config.max_file_bytes)
        if len(uploads) > self.config.max_files:
            problems.append(Problem.of("files", "too_many_files", count=self.config.max_files))
        for i, upload in enumerate(uploads):
            where = f"files[{i}]"
            if upload.data is None:
                problems.append(
                    Problem.of(
                        where,
                        "file_too_large",
                        name=upload.name,
                        size=megabytes(upload.size),
                        limit=limit_mb,
                    )
                )
                continue
            report = check_pdf(upload.data)
            problems.extend(pdf_problems(where, upload.name, report.problems))
            if not report.problems:
                files.append(
                    AttachmentFile(
                        Path(upload.name.replace("\\", "/")).name or "document.pdf",
                        upload.data,
                        hashlib.sha256(upload.data).hexdigest(),
                        report.page_count,
                    )
                )
        if len(text) > 20_000:
            problems.append(Problem.of("text", "string_too_long", max_length=20_000))
        if not text.strip() and not uploads:
            problems.append(Problem.of("text", "answer_empty"))
        if problems:
            raise IntakeRejected(problems)
        with self.store.unit_of_work() as session:
            case = session.get(Case, case_id)
            if case is None or case.state_ != State.NEEDS_INFORMATION.value:
                raise NotWaiting
            supplement(
                session,
                case,
                Actor.requester(case.requester.email),
                case.version,
                text=text.strip(),
                attachments=files,
                blobs=self.blobs,
            )
            number = case.case_number
        log.info("portal received a supplement for %s", number)
        if self.config.start_workflow:
            # the flow waits for the requester: let it resume now
            self._launch("nudge", number)


class NotWaiting(Exception):
    """The case is not waiting for information (any more)."""
