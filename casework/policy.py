"""The department's written policy for certification requests (G.L. c. 258F §2), as data.

Denials cite one of these reasons (§3(ii): a written denial giving the reason
the request does not meet the policy); reports group denials by them.
"""

from __future__ import annotations

DENIAL_REASONS: dict[str, str] = {
    "not_qualifying_activity": (
        "The criminal activity reported is not a qualifying criminal activity, nor substantially "
        "similar to one."
    ),
    "no_helpfulness": (
        "The department's records do not show that the victim has been, is being, or is likely "
        "to be helpful in the detection, investigation or prosecution of the criminal activity."
    ),
    "refused_assistance": (
        "The victim unreasonably refused or failed to provide assistance the department "
        "reasonably requested."
    ),
    "no_department_record": (
        "The department has no record of investigating the reported criminal activity; the "
        "request should go to the agency that detected or investigated it."
    ),
    "information_not_provided": (
        "Information the department requested to evaluate the request was not provided."
    ),
    "not_victim": "The person is not a victim of the criminal activity as defined by law.",
    "other": "Other reason under the department's policy, explained below.",
}

DA_POSITIONS: dict[str, str] = {
    "supports": "The District Attorney's Office supports certification",
    "no_objection": "The District Attorney's Office has no objection",
    "objects": "The District Attorney's Office objects",
}
