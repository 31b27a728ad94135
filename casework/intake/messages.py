"""Intake problems as stable codes with parameters, and their English text (the message ids
of the catalogs, so each is translated by id where it is shown).

A :class:`Problem` carries ``path``, ``code`` and ``params``; ``problem.message`` is the
English text; ``problem.text(gettext)`` the text in a language. A code that is not in
:data:`MESSAGES` is shown as it is (English), so a new check should add its code here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from casework.i18n import N_

MESSAGES: dict[str, str] = {
    # structure (pydantic)
    "missing": N_("is required"),
    "extra_forbidden": N_("is not a field of a certification request"),
    "immigration_status_field": N_(
        "is not collected: the department does not ask about immigration status; remove this field"
    ),
    "empty": N_("must not be empty"),
    "string_too_short": N_("must have at least %(min_length)s characters"),
    "string_too_long": N_("must have at most %(max_length)s characters"),
    "too_short": N_("needs at least %(min_length)s entries"),
    "too_short_one": N_("needs at least one entry"),
    "too_long": N_("may have at most %(max_length)s entries"),
    "literal_error": N_("must be one of: %(expected)s"),
    "phone_format": N_("must be a phone number: digits, spaces and + ( ) . / -"),
    "language_code": N_("must be a language code such as es, pt-BR or vi"),
    "pattern": N_("is not in the expected format"),
    "bool_type": N_("must be true or false"),
    "string_type": N_("must be text"),
    "list_type": N_("must be a list"),
    "object_type": N_("must be an object with fields"),
    "invalid": N_("is not a valid value"),
    # values (schema validators)
    "date_format": N_("must be a date written YYYY-MM-DD"),
    "date_not_real": N_("%(value)s is not a real calendar date"),
    "email_invalid": N_("is not a valid email address"),
    "a_number_format": N_("an A-Number is 7 to 9 digits, optionally written with a leading A"),
    "name_not_split": N_("must be an object %(shape)s, not one string: names are never split"),
    "name_full_name": N_("give the name in its boxes, %(shape)s, instead of full_name"),
    "name_empty": N_("give at least a family name or a given name"),
    "char_nul": N_("contains a NUL character at character %(position)s; remove it"),
    "char_bidi": N_(
        "contains a bidirectional control character (%(char)s) at character %(position)s; remove it"
    ),
    "char_control": N_(
        "contains a control character (%(char)s) at character %(position)s; remove it"
    ),
    "char_line_separator": N_(
        "contains a line separator (%(char)s) at character %(position)s; remove it"
    ),
    "char_surrogate": N_(
        "contains an unpaired surrogate (%(char)s) at character %(position)s; remove it"
    ),
    "char_invisible": N_(
        "contains an invisible formatting character (%(char)s) at character %(position)s; remove it"
    ),
    # rules across fields
    "date_in_future": N_("is in the future"),
    "date_in_past": N_("is in the past"),
    "date_too_old": N_("is more than %(years)s years ago"),
    "date_before_birth": N_("is before the victim's date of birth"),
    "activity_not_u": N_("'%(key)s' is not a U qualifying crime; choose from: %(allowed)s"),
    "activity_not_t": N_("'%(key)s' is not a T trafficking type; choose from: %(allowed)s"),
    "activity_twice": N_("lists an activity twice"),
    "other_activity_required": N_(
        "is required when other_related is chosen: describe the similar activity"
    ),
    # the request as a whole and its files
    "not_json_object": N_("must be a JSON object"),
    "request_part_missing": N_("is required: a part with the request as JSON"),
    "not_uploaded": N_("%(name)s was not uploaded"),
    "outside_folder": N_("%(name)s is outside the request's folder"),
    "file_missing": N_("%(name)s does not exist"),
    "too_many_files": N_("at most %(count)s files can be sent"),
    "file_too_large": N_("%(name)s is %(size)s MB; the limit is %(limit)s MB"),
    "uploaded_twice": N_("%(name)s was uploaded twice"),
    "not_listed": N_("%(name)s was uploaded but is not listed in attachments"),
    "answer_empty": N_("write an answer or attach a document"),
    # PDF checks (casework.intake.pdfcheck) and the JSON reader (casework.intake.jsonload)
    "pdf_refused": N_("%(name)s %(detail)s"),
    "json_refused": N_("%(detail)s"),
}


def _detail(values: dict[str, str], gettext: Callable[[str], str]) -> str:
    """A nested finding (the PDF check's) in the page's language, by its own message id."""
    params = json.loads(values.get("detail_params") or "{}")
    translate = {n for n in values.get("detail_translate", "").split(",") if n}
    text = gettext(values["detail_msgid"])
    if not params:
        return text
    return text % {k: gettext(v) if k in translate else v for k, v in params.items()}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request: where (``path``), what (``code``) and the values the
    message names (``params``)."""

    path: str
    code: str
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, path: str, code: str, **params: object) -> Problem:
        return cls(path, code, tuple(sorted((k, str(v)) for k, v in params.items())))

    def text(self, gettext: Callable[[str], str] | None = None) -> str:
        template = MESSAGES.get(self.code)
        if template is None:
            return self.code  # not a known code: the text itself (English)
        values = dict(self.params)
        if gettext is not None:
            template = gettext(template)
            if "detail_msgid" in values:
                values["detail"] = _detail(values, gettext)
        return template % values if values else template

    @property
    def message(self) -> str:
        return self.text()

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"
