"""Qualifying criminal activities (U) and trafficking types (T) as plain data.

``U_ACTIVITIES`` is in the order of the checkboxes of Form I-918 Supplement B,
Part 3, Item 1 (01/20/25 edition: ``Part3_Line1_checkboxes[0]`` .. ``[30]``).
"""

from __future__ import annotations

U_ACTIVITY_LABELS: dict[str, str] = {
    "abduction": "Abduction",
    "abusive_sexual_contact": "Abusive sexual contact",
    "attempt": "Attempt to commit any of the named crimes",
    "hostage": "Being held hostage",
    "blackmail": "Blackmail",
    "conspiracy": "Conspiracy to commit any of the named crimes",
    "domestic_violence": "Domestic violence",
    "extortion": "Extortion",
    "false_imprisonment": "False imprisonment",
    "felonious_assault": "Felonious assault",
    "female_genital_mutilation": "Female genital mutilation",
    "fraud_in_foreign_labor_contracting": "Fraud in foreign labor contracting",
    "incest": "Incest",
    "involuntary_servitude": "Involuntary servitude",
    "kidnapping": "Kidnapping",
    "manslaughter": "Manslaughter",
    "murder": "Murder",
    "obstruction_of_justice": "Obstruction of justice",
    "peonage": "Peonage",
    "perjury": "Perjury",
    "prostitution": "Prostitution",
    "rape": "Rape",
    "sexual_assault": "Sexual assault",
    "sexual_exploitation": "Sexual exploitation",
    "slave_trade": "Slave trade",
    "solicitation": "Solicitation to commit any of the named crimes",
    "stalking": "Stalking",
    "torture": "Torture",
    "trafficking": "Trafficking",
    "unlawful_criminal_restraint": "Unlawful criminal restraint",
    "witness_tampering": "Witness tampering",
}

U_ACTIVITIES: tuple[str, ...] = tuple(U_ACTIVITY_LABELS)

OTHER_RELATED = "other_related"
OTHER_RELATED_LABEL = (
    "Other related criminal activity (similar activity in violation of criminal law)"
)

T_TYPE_LABELS: dict[str, str] = {
    "sex_trafficking_force_fraud_coercion": "Sex trafficking induced by force, fraud, or coercion",
    "sex_trafficking_of_minor": "Sex trafficking of a person under 18 years of age",
    "labor_trafficking": (
        "Labor trafficking (involuntary servitude, peonage, debt bondage, or slavery)"
    ),
}

T_TYPES: tuple[str, ...] = tuple(T_TYPE_LABELS)


def allowed_activities(visa_type: str) -> tuple[str, ...]:
    """Keys accepted in ``qualifying_activities`` for a visa type."""
    if visa_type == "U":
        return (*U_ACTIVITIES, OTHER_RELATED)
    if visa_type == "T":
        return T_TYPES
    raise ValueError(f"unknown visa type {visa_type!r}")


assert len(U_ACTIVITIES) == 31
