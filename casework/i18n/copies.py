"""Who gets which language: requester emails and letters are in English, the governing
text, followed by a full copy in the victim's preferred language when there is a catalog for
it; a victim whose language has none gets English with a note that says so."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from babel import Locale, UnknownLocaleError

from casework.i18n import N_
from casework.i18n.catalogs import DEFAULT, gettext_for, html_lang, language_name, translations
from casework.i18n.negotiate import copy_language

if TYPE_CHECKING:
    from forms.letters import LetterContext, Translation

FOLLOWS = N_("A copy in %(language)s follows. The English version governs.")
# i18n: heading of the translated copy of an email
TRANSLATION_HEADING = N_("Translation. The English version governs.")
UNSUPPORTED_NOTE = N_(
    "The victim's preferred language (%(language)s) is not yet one of the languages of our "
    "letters. If a translation or an interpreter would help, reply to this message and the "
    "department will arrange one."
)
UNSUPPORTED_NOTE_UNNAMED = N_(
    "The victim's preferred language is not yet one of the languages of our letters. If a "
    "translation or an interpreter would help, reply to this message and the department will "
    "arrange one."
)
#: ISO 639-2 "undetermined": the portal's "another language" choice.
UNDETERMINED = "und"


@dataclass(frozen=True)
class Languages:
    """The languages of one letter or email: English, plus a copy or a note."""

    copy: str | None = None  # a supported language other than English
    unsupported: str | None = None  # the victim's language we have no catalog for (its name)
    unsupported_unnamed: bool = False  # a language we have no catalog for, name not known

    @property
    def content_language(self) -> str:
        """The Content-Language header: ``en`` or ``en, pt-BR``."""
        return ", ".join(html_lang(x) for x in (DEFAULT, self.copy) if x)

    @property
    def record(self) -> str:
        """What the notification row keeps: ``en``, ``en+pt_BR`` or ``en+note``."""
        if self.copy:
            return f"{DEFAULT}+{self.copy}"
        return f"{DEFAULT}+note" if self.note_needed else DEFAULT

    @property
    def note_needed(self) -> bool:
        return bool(self.unsupported or self.unsupported_unnamed)

    def note(self) -> str | None:
        """The English note for a victim whose language has no catalog."""
        _ = gettext_for(DEFAULT)
        if self.unsupported:
            return _(UNSUPPORTED_NOTE, language=self.unsupported)
        return _(UNSUPPORTED_NOTE_UNNAMED) if self.unsupported_unnamed else None

    def translation(self) -> Translation | None:
        return translation_for(self.copy) if self.copy else None


def translation_for(lang: str) -> Translation:
    """The language as forms.letters renders it (code, own name, catalog)."""
    from forms.letters import Translation

    return Translation(lang, language_name(lang), translations(lang))


def languages_for(preferred: str | None, other: str | None = None) -> Languages:
    """The victim's preferred language (a code) or, failing that, a language they wrote."""
    copy = copy_language(preferred)
    if copy is not None:
        return Languages(copy=copy)
    if other and other.strip():
        return Languages(unsupported=" ".join(other.split())[:100])
    if preferred == UNDETERMINED:
        return Languages(unsupported_unnamed=True)
    if preferred and preferred.split("-")[0] != DEFAULT:
        return Languages(unsupported=_english_name(preferred))
    return Languages()


def _english_name(code: str) -> str:
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name(DEFAULT) or code
    except (ValueError, UnknownLocaleError):
        return code


def compose(render: Callable[[str], str], langs: Languages) -> str:
    """English ``render("en")``, then the copy ``render(lang)`` or the note, as one text."""
    _ = gettext_for(DEFAULT)
    english = render(DEFAULT).rstrip("\n")
    if langs.copy:
        copy = langs.copy
        name = language_name(copy)
        t = gettext_for(copy)
        heading = f"---- {name} ----"
        return (
            f"{_(FOLLOWS, language=name)}\n\n{english}\n\n{heading}\n"
            f"{t(TRANSLATION_HEADING)}\n\n{render(copy).rstrip()}\n"
        )
    note = langs.note()
    if note:
        return f"{english}\n\n{note}\n"
    return english + "\n"


def requester_email(kind: str, ctx: LetterContext, langs: Languages) -> tuple[str, str]:
    """(subject, body) of a requester email: English (the governing text) for the advocate
    or attorney, followed by a full copy in the victim's preferred language when it has a
    catalog, or by a note when it has none. The subject is English."""
    from forms.letters import render_email_text

    subject, _ = render_email_text(kind, ctx)
    return subject, compose(
        lambda lang: render_email_text(kind, ctx, translation_for(lang))[1], langs
    )
