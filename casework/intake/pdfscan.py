"""The scan of one uploaded PDF, run inside the checking child (see pdfsandbox).

qpdf (through pikepdf) parses the file and lists every object in its cross-reference
table, reached from the catalog or not, with object streams unpacked. Each object is
examined once, with its direct sub-objects; values that decide an action (``/S``,
``/URI``, ``/Type``) are read through pikepdf, which resolves indirect references, so
``/S 7 0 R`` pointing at ``/Launch`` is seen as a launch action. The page tree is walked
by hand so that a cycle or a repeated page is refused rather than repaired. Every stream
is decoded through its compression filters with a running budget, so a decompression
bomb is refused after at most the budget's worth of work.

Stream decoding is in casework.intake.pdfstreams. The CPU time and memory this may take
are bounded by the child's resource limits, not here; see casework.intake.pdfsandbox.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pikepdf

from casework.intake.coded import N_, CodedText
from casework.intake.pdfstreams import MB, Budget, TooMuch, decode


@dataclass(frozen=True)
class Limits:
    max_pages: int = 300
    #: Pages are counted exactly up to this many, then the walk stops.
    page_walk_cap: int = 10_000
    max_objects: int = 200_000
    #: Everything the streams inflate to, together.
    max_inflated: int = 100 * MB
    #: ... and at most this many times the file's size (once past ``ratio_floor``).
    max_ratio: int = 1000
    ratio_floor: int = 1 * MB


ENCRYPTED = CodedText.of(N_("is encrypted or password-protected; send an unprotected copy"))
JAVASCRIPT = N_("JavaScript")
EMBEDDED = N_("embedded files")
RICH_MEDIA = N_("rich media")
_ACTIONS = {
    "/JavaScript": JAVASCRIPT,
    "/Launch": N_("a launch action (it can start a program)"),
    "/SubmitForm": N_("a form-submission action (it can send data away)"),
    "/ImportData": N_("an import-data action"),
    "/GoToR": N_("a link into another file (GoToR)"),
    "/GoToE": N_("a link into an embedded file (GoToE)"),
    "/RichMediaExecute": RICH_MEDIA,
}
_SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")
_FILE_SCHEMES = ("file:", "\\\\", "//", "smb:")
_XFA_SCRIPT = re.compile(rb"<\s*(?:[\w.-]+:)?script\b", re.IGNORECASE)
_XFA_SUBMIT = re.compile(rb"<\s*(?:[\w.-]+:)?submit\b", re.IGNORECASE)


@dataclass
class _Findings:
    pages: int = 0
    problems: list[str] = field(default_factory=list)
    active: set[str] = field(default_factory=set)
    auto_actions: list[pikepdf.Object] = field(default_factory=list)


def scan(data: bytes, limits: Limits) -> tuple[int, list[str]]:
    """(page count, problems) for one PDF; no problems means it is accepted."""
    try:
        pdf = pikepdf.open(io.BytesIO(data), inherit_page_attributes=False)
    except pikepdf.PasswordError:
        return 0, [ENCRYPTED]
    except (pikepdf.PdfError, ValueError, RuntimeError) as exc:
        return 0, [CodedText.of(N_("cannot be read as a PDF (%(why)s)"), why=type(exc).__name__)]
    with pdf:
        return _scan_open(pdf, len(data), limits)


def _scan_open(pdf: pikepdf.Pdf, size: int, limits: Limits) -> tuple[int, list[str]]:
    found = _Findings()
    if pdf.is_encrypted:
        return 0, [ENCRYPTED]
    declared = pdf.trailer.get("/Size")
    if isinstance(declared, int) and declared > limits.max_objects + 1:
        return 0, [_too_many_objects(limits)]
    objects = pdf.objects
    if len(objects) > limits.max_objects:
        return 0, [_too_many_objects(limits)]
    if not _walk_pages(pdf, limits, found):
        return found.pages, found.problems  # no point in reading a broken file further
    budget = Budget(size, limits.max_inflated, limits.max_ratio, limits.ratio_floor)
    try:
        for obj in objects:
            _examine(obj, found, budget)
        _check_auto_actions(pdf, found)
        _check_xfa(pdf, found)
    except TooMuch:
        found.problems.append(budget.message())
    for what in sorted(found.active):
        found.problems.append(
            CodedText.of(N_("contains %(what)s, which is not accepted"), ("what",), what=what)
        )
    return found.pages, found.problems


def _too_many_objects(limits: Limits) -> str:
    return CodedText.of(
        N_("has more than %(count)s objects; a supporting document needs far fewer"),
        count=f"{limits.max_objects:,}",
    )


# -- the page tree ---------------------------------------------------------------------------


def _walk_pages(pdf: pikepdf.Pdf, limits: Limits, found: _Findings) -> bool:
    """Count the pages; False when the tree is broken, loops, or is too large to walk."""
    root = pdf.trailer.get("/Root")
    pages = root.get("/Pages") if isinstance(root, pikepdf.Dictionary) else None
    if not isinstance(pages, pikepdf.Dictionary):
        found.problems.append(CodedText.of(N_("has no page tree (the file is broken)")))
        return False
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[pikepdf.Object, int]] = [(pages, 0)]
    count = 0
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, pikepdf.Dictionary) or depth > 64:
            found.problems.append(CodedText.of(N_("has a broken page tree")))
            return False
        if node.is_indirect:
            if node.objgen in seen:
                found.problems.append(
                    CodedText.of(N_("has a page tree that loops or lists a page twice"))
                )
                return False
            seen.add(node.objgen)
        kids = node.get("/Kids")
        kind = node.get("/Type")
        if isinstance(kids, pikepdf.Array) and kind != "/Page":
            stack.extend((kid, depth + 1) for kid in reversed(list(kids)))
        elif kind in ("/Page", None) and kids is None:
            count += 1
            if count > limits.page_walk_cap:
                found.problems.append(
                    CodedText.of(
                        N_("has more than %(count)s pages; the limit is %(limit)s"),
                        count=f"{limits.page_walk_cap:,}",
                        limit=limits.max_pages,
                    )
                )
                return False
        else:
            found.problems.append(CodedText.of(N_("has a broken page tree")))
            return False
    found.pages = count
    if count == 0:
        found.problems.append(CodedText.of(N_("has no pages")))
    elif count > limits.max_pages:
        found.problems.append(
            CodedText.of(
                N_("has %(count)s pages; the limit is %(limit)s"),
                count=count,
                limit=limits.max_pages,
            )
        )
    return True


# -- every object ----------------------------------------------------------------------------


def _examine(obj: pikepdf.Object, found: _Findings, budget: Budget) -> None:
    """One indirect object and its direct parts (indirect parts are examined on their own)."""
    if isinstance(obj, pikepdf.Stream):
        budget.spend(decode(obj, budget.left, keep=False)[1])
        if "/F" in obj.stream_dict:
            found.active.add(N_("a stream whose data is fetched from another file"))
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, pikepdf.Dictionary | pikepdf.Stream):
            _check_dictionary(item, found)
            values = item.values()
        elif isinstance(item, pikepdf.Array):
            values = list(item)
        else:
            continue
        stack.extend(
            v
            for v in values
            if isinstance(v, pikepdf.Dictionary | pikepdf.Array) and not v.is_indirect
        )


def _check_dictionary(d: pikepdf.Object, found: _Findings) -> None:
    keys = set(d.keys())
    if "/JS" in keys or "/JavaScript" in keys:
        found.active.add(JAVASCRIPT)
    if "/EmbeddedFiles" in keys or "/EF" in keys:
        found.active.add(EMBEDDED)
    if "/RichMedia" in keys or "/RichMediaContent" in keys:
        found.active.add(RICH_MEDIA)
    if "/Type" in keys and d.get("/Type") == "/EmbeddedFile":
        found.active.add(EMBEDDED)
    if "/Subtype" in keys:
        subtype = d.get("/Subtype")
        if subtype == "/FileAttachment":
            found.active.add(EMBEDDED)
        elif subtype == "/RichMedia":
            found.active.add(RICH_MEDIA)
    if "/S" in keys:
        action = d.get("/S")
        if isinstance(action, pikepdf.Name):
            what = _ACTIONS.get(str(action))
            if what:
                found.active.add(what)
            elif action == "/URI":
                _check_uri(d.get("/URI"), found)
    if "/AA" in keys:
        triggers = d.get("/AA")
        if isinstance(triggers, pikepdf.Dictionary):
            found.auto_actions.extend(triggers.values())


def _check_uri(value: object, found: _Findings) -> None:
    if not isinstance(value, pikepdf.String):
        return
    text = re.sub(r"[\x00-\x20]", "", bytes(value).decode("latin-1")).lower()
    if text.startswith(_SCRIPT_SCHEMES):
        found.active.add(JAVASCRIPT)
    elif text.startswith(_FILE_SCHEMES) or text.startswith("\\"):
        found.active.add(N_("a link to a local file or network share"))


def _check_auto_actions(pdf: pikepdf.Pdf, found: _Findings) -> None:
    """A web address opened by the file itself (on open, page view, close) phones home."""
    actions = list(found.auto_actions)
    opening = pdf.Root.get("/OpenAction")
    if isinstance(opening, pikepdf.Dictionary):
        actions.append(opening)
    seen: set[tuple[int, int]] = set()
    steps = 0
    while actions and steps < 10_000:
        steps += 1
        action = actions.pop()
        if isinstance(action, pikepdf.Array):
            actions.extend(action)
            continue
        if not isinstance(action, pikepdf.Dictionary):
            continue
        if action.is_indirect:
            if action.objgen in seen:
                continue
            seen.add(action.objgen)
        if action.get("/S") == "/URI":
            found.active.add(N_("a web address that opens by itself when the file is opened"))
        following = action.get("/Next")
        if following is not None:
            actions.append(following)


def _check_xfa(pdf: pikepdf.Pdf, found: _Findings) -> None:
    form = pdf.Root.get("/AcroForm")
    xfa = form.get("/XFA") if isinstance(form, pikepdf.Dictionary) else None
    parts = list(xfa) if isinstance(xfa, pikepdf.Array) else [xfa]
    for part in parts:
        if not isinstance(part, pikepdf.Stream):
            continue
        text, _ = decode(part, Limits().max_inflated, keep=True)
        if _XFA_SCRIPT.search(text):
            found.active.add(JAVASCRIPT)
        if _XFA_SUBMIT.search(text):
            found.active.add(_ACTIONS["/SubmitForm"])
