"""Which supported language to use: for a page (``?lang=``, then the cookie, then the
browser's Accept-Language) and for the copy of a requester's letter (the victim's preferred
language). Matching is Babel's ``negotiate_locale``; the header is parsed by Werkzeug."""

from __future__ import annotations

from babel.core import LOCALE_ALIASES, negotiate_locale

from casework.i18n.catalogs import DEFAULT, supported

#: A bare ``pt`` is served the Brazilian catalog (the one there is).
_ALIASES = {**LOCALE_ALIASES, "pt": "pt_BR"}


def negotiate_tag(*tags: str | None) -> str | None:
    """The supported language that best matches the tags, in order of preference."""
    preferred: list[str] = []
    for tag in tags:
        if not tag or len(tag) > 35:
            continue
        norm = tag.strip().replace("-", "_")
        preferred.append(norm)
        if "_" in norm:
            preferred.append(norm.split("_")[0])  # pt_PT -> pt -> pt_BR
    available = supported()
    found = negotiate_locale(preferred, available, sep="_", aliases=_ALIASES)
    if found is None:
        return None
    by_lower = {a.lower(): a for a in available}
    return by_lower.get(found.lower())


def negotiate(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The page language: ``?lang=``, then the ``lang`` cookie, then the browser's preference,
    then English."""
    for choice in (query, cookie):
        found = negotiate_tag(choice)
        if found:
            return found
    from werkzeug.datastructures import LanguageAccept  # the portal's, not the workflow's
    from werkzeug.http import parse_accept_header

    header = parse_accept_header((accept_language or "")[:500], LanguageAccept)
    return negotiate_tag(*[value for value, quality in header if quality > 0]) or DEFAULT


def copy_language(preferred: str | None) -> str | None:
    """The language of the translated copy for a victim who prefers ``preferred``: a
    supported language other than English, else None (English only)."""
    found = negotiate_tag(preferred)
    return found if found and found != DEFAULT else None
