"""Language access: gettext catalogs (Babel) for the portal, validation messages, emails and
letters; locale negotiation; dates and numbers formatted for the locale.

English is the source language: message ids are the English text, so English needs no
catalog. Every other language is one catalog, ``casework/locale/<code>/LC_MESSAGES/
casework.po``; adding a language is adding a catalog (see the README). The ``.mo`` files are
compiled from the ``.po`` files by ``casework i18n compile`` (``scripts/setup.sh`` runs it)
and never committed.
"""

from __future__ import annotations

from casework.i18n.catalogs import (
    DEFAULT,
    DOMAIN,
    LOCALE_DIR,
    CatalogMissing,
    Translations,
    gettext_for,
    html_lang,
    language_name,
    supported,
    translations,
)
from casework.i18n.formatting import format_date, format_number
from casework.i18n.negotiate import copy_language, negotiate, negotiate_tag

__all__ = [
    "DEFAULT",
    "DOMAIN",
    "LOCALE_DIR",
    "CatalogMissing",
    "Translations",
    "copy_language",
    "format_date",
    "format_number",
    "gettext_for",
    "html_lang",
    "language_name",
    "negotiate",
    "negotiate_tag",
    "supported",
    "translations",
]


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated later, where it is shown."""
    return message
