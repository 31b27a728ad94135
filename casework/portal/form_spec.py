"""The submission form as data: its sections and fields (labels are English message ids,
translated where the page shows them)."""

from __future__ import annotations

from dataclasses import dataclass

from casework.i18n import N_, html_lang, language_name, supported
from casework.portal.labels import ACTIVITIES
from forms.activities import OTHER_RELATED, T_TYPES, U_ACTIVITIES

FAMILY_SLOTS = 3
NAME_PARTS = ("family_name", "given_name", "middle_name")  # the form's boxes: never one string
NAME_LABELS = {
    "family_name": N_("Family name (last name)"),
    "given_name": N_("Given name (first name)"),
    "middle_name": N_("Middle name"),
}
FAMILY_PARTS = (*NAME_PARTS, "relationship", "involvement")
FAMILY_LABELS = {
    **NAME_LABELS,
    "relationship": N_("Relationship to the victim"),
    "involvement": N_("Involvement"),
}
#: The value of the preferred-language select that opens the free-text box.
OTHER_LANGUAGE = "other"


@dataclass(frozen=True)
class Field:
    name: str  # dotted path in the request shape; also the form control's name
    kind: (
        str  # text | email | tel | date | textarea | select | radio | checkbox | slots | checkboxes
    )
    label: str  # English; translated where shown
    required: bool = False
    hint: str | None = None
    options: tuple[tuple[str, str], ...] = ()  # (value, English label)
    slots: int = 0
    slot_type: str = "text"
    autocomplete: str | None = None
    maxlength: int | None = None
    translate_options: bool = True  # False: labels are language names, shown as they are


@dataclass(frozen=True)
class Section:
    title: str
    anchor: str
    fields: tuple[Field, ...] = ()
    hint: str | None = None
    kind: str = "fields"  # fields | family | attachments


FAMILY_MEMBER = N_("Family member %(n)s")
FAMILY_SECTION = N_("Family members implicated in the criminal activity")
ATTACHMENTS = N_("PDF files")
ENTRY_OF = N_("%(label)s (entry %(n)s)")
ENTRY_PART = N_("%(label)s (entry %(n)s): %(part)s")
ENTRY_LEGEND = N_("%(label)s, entry %(n)s")
HINT_DATE = N_("For example 2024-06-14")
HINT_SLOTS = N_("One per box; leave the boxes you do not need empty.")


def victim_language_options() -> tuple[tuple[str, str], ...]:
    """Every supported language by its own name, then "other" (a free-text box)."""
    langs = tuple((html_lang(code), language_name(code)) for code in supported())
    return (("", ""), *langs, (OTHER_LANGUAGE, N_("Another language (write it below)")))


SECTIONS: tuple[Section, ...] = (
    Section(
        N_("Type of certification"),
        "sec_visa",
        (
            Field(
                "visa_type",
                "radio",
                N_("Which certification do you ask for?"),
                True,
                options=(
                    ("U", N_("U visa: Form I-918 Supplement B (certification)")),
                    (
                        "T",
                        N_(
                            "T visa: Form I-914 Supplement B (declaration for a trafficking victim)"
                        ),
                    ),
                ),
            ),
        ),
    ),
    Section(
        N_("About you (the requester)"),
        "sec_requester",
        (
            Field(
                "requester.name",
                "text",
                N_("Your full name"),
                True,
                autocomplete="name",
                maxlength=200,
            ),
            Field(
                "requester.organization",
                "text",
                N_("Organization"),
                autocomplete="organization",
                maxlength=200,
            ),
            Field(
                "requester.role",
                "select",
                N_("Your role"),
                True,
                options=(
                    ("victim_advocate", N_("Victim advocate")),
                    ("attorney", N_("Attorney")),
                    ("accredited_representative", N_("Accredited representative")),
                    ("self", N_("I am the victim")),
                ),
            ),
            Field(
                "requester.email",
                "email",
                N_("Email (the reply goes here)"),
                True,
                N_("The acknowledgment with your private status link is sent here."),
                autocomplete="email",
            ),
            Field("requester.phone", "tel", N_("Phone"), autocomplete="tel", maxlength=40),
            Field("requester.mailing_address", "textarea", N_("Mailing address"), maxlength=500),
        ),
    ),
    Section(
        N_("The victim"),
        "sec_victim",
        (
            Field("victim.family_name", "text", N_("Family name (last name)"), True, maxlength=200),
            Field("victim.given_name", "text", N_("Given name (first name)"), True, maxlength=200),
            Field("victim.middle_name", "text", N_("Middle name"), maxlength=200),
            Field(
                "victim.other_names",
                "names",
                N_("Other names used"),
                hint=N_(
                    "Each name in its boxes, as on the form; leave the rows you do not need empty."
                ),
                slots=3,
                maxlength=200,
            ),
            Field("victim.date_of_birth", "date", N_("Date of birth"), True, HINT_DATE),
            Field(
                "victim.gender",
                "select",
                N_("Gender (as on Supplement B)"),
                options=(("", N_("Not given")), ("female", N_("Female")), ("male", N_("Male"))),
            ),
            Field(
                "victim.a_number",
                "text",
                N_("A-Number, if the victim has one"),
                hint=N_("7 to 9 digits, for example A012345678"),
                maxlength=20,
            ),
            Field(
                "victim.preferred_language",
                "select",
                N_("Victim's preferred language"),
                hint=N_(
                    "Letters and emails are in English, with a full copy in this language when "
                    "we have one."
                ),
                options=victim_language_options(),
                translate_options=False,
            ),
            Field(
                "victim.preferred_language_other",
                "text",
                N_("Other language"),
                hint=N_("Only if you chose another language above."),
                maxlength=100,
            ),
            Field(
                "victim.interpreter_needed",
                "radio",
                N_("Does the victim need an interpreter?"),
                options=(("yes", N_("Yes")), ("no", N_("No"))),
            ),
        ),
    ),
    Section(
        N_("The criminal activity"),
        "sec_incident",
        (
            Field(
                "incident.police_report_numbers",
                "slots",
                N_("Police report numbers"),
                True,
                HINT_SLOTS,
                slots=4,
                maxlength=40,
            ),
            Field(
                "incident.dates",
                "slots",
                N_("Dates of the criminal activity"),
                True,
                HINT_SLOTS,
                slots=6,
                slot_type="date",
            ),
            Field("incident.location", "text", N_("Where it happened"), maxlength=200),
            Field(
                "incident.qualifying_activities",
                "checkboxes",
                N_("Qualifying criminal activity"),
                True,
                options=tuple((k, ACTIVITIES[k]) for k in (*U_ACTIVITIES, OTHER_RELATED, *T_TYPES)),
            ),
            Field(
                "incident.other_activity_description",
                "textarea",
                N_("Describe the other related activity"),
                hint=N_("Required when you tick the other related activity."),
            ),
            Field(
                "incident.statutory_citations",
                "slots",
                N_("Statutes investigated or prosecuted"),
                hint=N_("For example M.G.L. c. 265 s. 13M"),
                slots=4,
                maxlength=200,
            ),
            Field("incident.description", "textarea", N_("What happened"), True),
            Field("incident.known_injuries", "textarea", N_("Known injuries to the victim")),
        ),
    ),
    Section(
        N_("The victim's helpfulness"),
        "sec_helpfulness",
        (
            Field(
                "helpfulness.summary",
                "textarea",
                N_("How has the victim helped, or how will they help?"),
                True,
            ),
            Field(
                "helpfulness.possesses_information",
                "checkbox",
                N_("The victim possesses information about the criminal activity"),
            ),
            Field("helpfulness.has_been_helpful", "checkbox", N_("The victim has been helpful")),
            Field("helpfulness.is_being_helpful", "checkbox", N_("The victim is being helpful")),
            Field(
                "helpfulness.likely_to_be_helpful",
                "checkbox",
                N_("The victim is likely to be helpful"),
            ),
        ),
    ),
    Section(
        FAMILY_SECTION,
        "sec_family",
        hint=N_("Only if a family member took part in the criminal activity."),
        kind="family",
    ),
    Section(
        N_("Urgency"),
        "sec_urgency",
        (
            Field(
                "urgency.in_removal_proceedings",
                "checkbox",
                N_("The victim is in removal proceedings"),
            ),
            Field("urgency.in_detention", "checkbox", N_("The victim is in detention")),
            Field(
                "urgency.family_member_turning_21_on",
                "date",
                N_("A family member turns 21 on"),
                hint=HINT_DATE,
            ),
        ),
        hint=N_("Any of these makes the request expedited."),
    ),
    Section(N_("Supporting documents"), "sec_attachments", kind="attachments"),
)

FIELDS: dict[str, Field] = {f.name: f for s in SECTIONS for f in s.fields}
