"""Catalog maintenance with Babel: extract the messages from the source, update the ``.po``
catalogs, compile them to ``.mo``, and check them (complete, not fuzzy, same placeholders,
within the length their layout allows, marked as awaiting review)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from casework.i18n.catalogs import DOMAIN, LOCALE_DIR

SOURCE_ROOT = LOCALE_DIR.parents[1]
MAPPING = SOURCE_ROOT / "babel.cfg"
COMMENT_TAG = "i18n:"
REVIEW_NOTE = "awaits review by a qualified translator"
#: Staff-facing text: English only (in the template catalog, not translated).
STAFF_ONLY = ("templates/letters/da_memo.txt", "templates/email/da_memo.txt")
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
_MAX = re.compile(r"\bmax=(\d+)")


def catalogs(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    return sorted(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def extract(root: Path = SOURCE_ROOT) -> Catalog:
    """Every message of the source (Python and Jinja2 templates), as a template catalog."""
    mapping = root / "babel.cfg"
    if not mapping.is_file():
        raise FileNotFoundError(f"{mapping} is missing: extraction needs a source checkout")
    with mapping.open() as fh:
        method_map, options_map = parse_mapping_cfg(fh, str(mapping))
    catalog = Catalog(project="casework", domain=DOMAIN, charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        root, method_map, options_map, comment_tags=(COMMENT_TAG,), strip_comment_tags=False
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def translatable(template: Catalog) -> Catalog:
    """The template without the staff-only (English) messages."""
    out = Catalog(project="casework", domain=DOMAIN, charset="utf-8")
    for m in template:
        if m.id and not all(loc[0] in STAFF_ONLY for loc in m.locations):
            out[m.id] = m
    return out


def read(path: Path) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, domain=DOMAIN)


def compile_all(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Write ``casework.mo`` beside every ``casework.po``; returns the files written."""
    written = []
    for po in catalogs(locale_dir):
        catalog = read(po)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        written.append(mo)
    return written


def update_all(template: Catalog, locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Merge the extracted messages into every catalog (new ones empty, removed ones out)."""
    done = []
    template = translatable(template)
    for po in catalogs(locale_dir):
        catalog = read(po)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        with po.open("wb") as fh:
            write_po(fh, catalog, width=100, sort_output=False, include_previous=False)
        done.append(po)
    return done


@dataclass(frozen=True)
class Finding:
    catalog: str
    message: str
    problem: str

    def __str__(self) -> str:
        return f"{self.catalog}: {self.message[:60]!r}: {self.problem}"


def _strings(value: object) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)] if value else []


def _limit(message: Message) -> int | None:
    for comment in message.auto_comments:
        found = _MAX.search(comment)
        if found:
            return int(found.group(1))
    return None


def check_catalog(path: Path, template: Catalog, known: set[str] | None = None) -> list[Finding]:
    """Problems of one catalog against the translatable messages; ``known``: every message id
    of the source (a staff-only message in a catalog is harmless, not stale)."""
    catalog = read(path)
    name = f"{path.parents[1].name}/{path.name}"
    out: list[Finding] = []
    if REVIEW_NOTE not in (catalog.header_comment or ""):
        out.append(Finding(name, "(header)", f"the header must say the translation {REVIEW_NOTE}"))
    for wanted in template:
        if not wanted.id:
            continue
        msgid = wanted.id if isinstance(wanted.id, str) else wanted.id[0]
        found = catalog.get(wanted.id, wanted.context)
        texts = _strings(found.string) if found is not None else []
        if found is None or not texts or not all(t.strip() for t in texts):
            out.append(Finding(name, msgid, "missing translation"))
            continue
        if found.fuzzy:
            out.append(Finding(name, msgid, "fuzzy (needs a translator's check)"))
        expected = set(_PLACEHOLDER.findall(" ".join(_strings(wanted.id))))
        for text in texts:
            if set(_PLACEHOLDER.findall(text)) != expected or text.count("%") != msgid.count("%"):
                out.append(Finding(name, msgid, f"placeholders differ: {text[:60]!r}"))
                break
        limit = _limit(wanted)
        if limit is not None and any(len(t) > limit for t in texts):
            out.append(Finding(name, msgid, f"longer than its layout allows ({limit} characters)"))
    ids = known if known is not None else {str(m.id) for m in template if m.id}
    for message in catalog:
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        if message.id and msgid not in ids:
            out.append(Finding(name, msgid, "not used by the source (run `casework i18n update`)"))
    return out


def check_template(template: Catalog, locale_dir: Path = LOCALE_DIR) -> list[Finding]:
    """The committed ``casework.pot`` (the English catalog) must list what the source has."""
    path = locale_dir / f"{DOMAIN}.pot"
    if not path.is_file():
        return [Finding(path.name, "(all)", "missing (run `casework i18n extract`)")]
    with path.open("rb") as fh:
        committed = {m.id for m in read_po(fh) if m.id}
    wanted = {m.id for m in template if m.id}
    return [
        Finding(path.name, str(m), "out of date (run `casework i18n extract`)")
        for m in sorted(map(str, committed ^ wanted))
    ]


def check_all(template: Catalog, locale_dir: Path = LOCALE_DIR) -> list[Finding]:
    out = check_template(template, locale_dir)
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    template = translatable(template)
    found = catalogs(locale_dir)
    if not found:
        return [*out, Finding(str(locale_dir), "(all)", "no catalogs found")]
    return out + [f for path in found for f in check_catalog(path, template, known)]
