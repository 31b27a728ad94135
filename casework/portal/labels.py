"""Labels the portal shows for stored keys (stages, documents, activities), marked for the
catalogs. Activity labels repeat forms.activities word for word (a test keeps them equal),
because Babel extracts only literal strings."""

from __future__ import annotations

from casework.i18n import N_

STAGES: dict[str, tuple[str, str]] = {
    "received": (
        # i18n: max=40 (a stage's name, shown large on the status page)
        N_("Received"),
        N_("The request passed intake and is waiting to be reviewed."),
    ),
    "review": (N_("Being reviewed"), N_("A designated certifier is reviewing the request.")),
    "info": (
        N_("Information requested"),
        N_("The department needs more information from you before it can decide. Answer below."),
    ),
    "decided": (
        N_("Decision made"),
        N_("The department has decided; the documents are being prepared for you."),
    ),
    "delivered": (
        N_("Decision made: documents sent"),
        N_("The department's answer was sent to you; you can also download it below."),
    ),
    "withdrawn": (N_("Withdrawn"), N_("The request was withdrawn.")),
    "revoked": (
        N_("Certification withdrawn"),
        N_("The department withdrew the certification it had signed; see the notice below."),
    ),
}

DOCUMENTS: dict[str, str] = {
    "packet": N_("Certification packet"),
    "certification_cover": N_("Cover letter"),
    "denial_letter": N_("Denial letter"),
    "request_information": N_("Request for information"),
    "delay_letter": N_("Delay letter"),
    "acknowledgment": N_("Acknowledgment"),
    "revocation_notice": N_("Revocation notice"),
}

ACTIVITIES: dict[str, str] = {
    "abduction": N_("Abduction"),
    "abusive_sexual_contact": N_("Abusive sexual contact"),
    "attempt": N_("Attempt to commit any of the named crimes"),
    "hostage": N_("Being held hostage"),
    "blackmail": N_("Blackmail"),
    "conspiracy": N_("Conspiracy to commit any of the named crimes"),
    "domestic_violence": N_("Domestic violence"),
    "extortion": N_("Extortion"),
    "false_imprisonment": N_("False imprisonment"),
    "felonious_assault": N_("Felonious assault"),
    "female_genital_mutilation": N_("Female genital mutilation"),
    "fraud_in_foreign_labor_contracting": N_("Fraud in foreign labor contracting"),
    "incest": N_("Incest"),
    "involuntary_servitude": N_("Involuntary servitude"),
    "kidnapping": N_("Kidnapping"),
    "manslaughter": N_("Manslaughter"),
    "murder": N_("Murder"),
    "obstruction_of_justice": N_("Obstruction of justice"),
    "peonage": N_("Peonage"),
    "perjury": N_("Perjury"),
    "prostitution": N_("Prostitution"),
    "rape": N_("Rape"),
    "sexual_assault": N_("Sexual assault"),
    "sexual_exploitation": N_("Sexual exploitation"),
    "slave_trade": N_("Slave trade"),
    "solicitation": N_("Solicitation to commit any of the named crimes"),
    "stalking": N_("Stalking"),
    "torture": N_("Torture"),
    "trafficking": N_("Trafficking"),
    "unlawful_criminal_restraint": N_("Unlawful criminal restraint"),
    "witness_tampering": N_("Witness tampering"),
    "other_related": N_(
        "Other related criminal activity (similar activity in violation of criminal law)"
    ),
    "sex_trafficking_force_fraud_coercion": N_(
        "Sex trafficking induced by force, fraud, or coercion"
    ),
    "sex_trafficking_of_minor": N_("Sex trafficking of a person under 18 years of age"),
    "labor_trafficking": N_(
        "Labor trafficking (involuntary servitude, peonage, debt bondage, or slavery)"
    ),
}
