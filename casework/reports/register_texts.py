"""The words of the registers' parts of the Mayor's record: column labels and the counting
basis of each part, as printed in every rendering."""

from __future__ import annotations

from casework.reports.model import DETAINERS, LANGUAGE_ACCESS, UNLICENSED_OPERATORS

COLUMN_LABELS = {
    "declined": "Declined",
    "honored": "Honored",
    "total": "Together",
    "licensed_driver_arranged": "Licensed driver arranged",
    "towed_statutory": "Towed: required by statute or regulation",
    "towed_no_licensed_driver": "Towed: no licensed driver available",
    "in_person": "In person",
    "phone": "Telephone",
    "video": "Video",
    "translated_document": "Translation",
    "entries": "Entries",
}
LETTER_LABELS = {
    "en": "English only",
    "en+note": "English, with a note offering an interpreter or translation",
}
DEFINITIONS = {
    DETAINERS: {
        "detainer_requests": (
            "ICE detainer requests (Forms I-247A, I-247D, I-247N or other) by the date the "
            "department received them, from the detainer register, with the supervisor's "
            "decision. The basis is what the request carried: a criminal charge, a judicial "
            "warrant (court and number), both or neither. Policy: a request that is non-criminal "
            "and not backed by a judicial warrant is not honored; the register refuses to record "
            "any request as honored without both a charge and a warrant, so the Honored column "
            "reads 0 on every other basis."
        ),
    },
    UNLICENSED_OPERATORS: {
        "stops": (
            "Stops of unlicensed operators for a violation, by the date of the stop, from the "
            "stop register, by what became of the vehicle. Policy: the driver gets a reasonable "
            "opportunity to arrange for a licensed driver unless a statute or regulation "
            "requires impoundment; the register refuses a stop without that opportunity unless "
            "the tow was required by law (and names the statute or regulation), so 'not offered' "
            "can be other than 0 only for statutory tows."
        ),
    },
    LANGUAGE_ACCESS: {
        "language_services": (
            "Interpreters and translations given, by the date of the service, from the language "
            "register: by language (ISO 639 code), by the occasion (a call, a stop, a report, a "
            "certification request) and by mode. Waiting time: minutes from the request for "
            "the service to its start, where recorded; median and 90th percentile (nearest rank)."
        ),
        "certification_letters": (
            "Letters and emails to requesters about certification requests, sent in the period, "
            "by their languages: English (the governing text) alone, with a full copy in the "
            "victim's preferred language, or with a note offering an interpreter or translation "
            "where the system has no translation."
        ),
        "interpreters": (
            "Certification requests received in the period by whether the request said the "
            "victim needs an interpreter."
        ),
    },
}
