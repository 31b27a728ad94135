"""Where the catalogs are and how a language's translations are loaded."""

from __future__ import annotations

import functools
from collections.abc import Callable
from gettext import NullTranslations
from pathlib import Path

from babel import Locale
from babel.support import Translations as BabelTranslations

from casework.errors import CaseworkError

DOMAIN = "casework"
DEFAULT = "en"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"

Translations = NullTranslations


class CatalogMissing(CaseworkError):
    """A supported language's compiled catalog is missing (run ``casework i18n compile``)."""


@functools.cache
def supported() -> tuple[str, ...]:
    """English, then every language that has a catalog (``pt_BR``-style codes)."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return (DEFAULT, *found)


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> Path:
    return po_path(lang).with_suffix(".mo")


@functools.cache
def translations(lang: str) -> NullTranslations:
    """The compiled catalog of ``lang`` (English: the message ids themselves)."""
    if lang == DEFAULT:
        return NullTranslations()
    if lang not in supported():
        raise ValueError(f"unsupported language {lang!r}; supported: {', '.join(supported())}")
    path = mo_path(lang)
    if not path.is_file():
        raise CatalogMissing(
            f"the {lang} catalog is not compiled ({path} is missing): run `casework i18n compile`"
        )
    with path.open("rb") as fh:
        return BabelTranslations(fh, domain=DOMAIN)


def gettext_for(lang: str) -> Callable[..., str]:
    """``_(message, **values)``: the translation of ``message``, with ``%(name)s`` filled in."""
    tr = translations(lang)

    def _(message: str, **values: object) -> str:
        text = tr.gettext(message)
        return text % values if values else text

    return _


def html_lang(lang: str) -> str:
    """BCP 47 for HTML and Content-Language: ``pt_BR`` -> ``pt-BR``."""
    return lang.replace("_", "-")


@functools.cache
def language_name(lang: str) -> str:
    """The language's own name for itself: ``Português (Brasil)``."""
    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]
