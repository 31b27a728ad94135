"""The executive order's policies, as checks on one register entry.

Each check returns the problems of an entry as (field, message); a message names the policy
it enforces. The door (:mod:`.door`) runs them on every entry before anything is stored, and
stores nothing while any entry has a problem.

* **Detainers** (policy 1): an ICE detainer request that is non-criminal and not backed by a
  judicial warrant is not honored. The register is stricter than "not both missing": a
  request is *honored* only with both a criminal charge and a judicial warrant. The decision
  is made by a supervisor: ``decided_by`` must hold the roster's ``supervisor`` role (or be
  the Chief of Police, the department's senior supervisor) on the day it is recorded.
* **Unlicensed operators** (policy 2): a driver stopped without a licence gets a reasonable
  opportunity to arrange for a licensed driver, unless a statute or regulation requires the
  vehicle to be impounded. So ``offered_opportunity`` must be true unless the outcome is
  ``towed_statutory``, and a statutory tow names its statute or regulation (``authority``),
  which no other outcome carries.
* **Language access** (policy 3): the register records services in a language other than
  English; an entry for English is refused (it is not a language service).
"""

from __future__ import annotations

from casework.registers.schema import DetainerIn, EntryIn, LanguageIn, StopIn

DETAINER_POLICY = (
    "the executive order's detainer policy (an ICE detainer request that is non-criminal "
    "and not backed by a judicial warrant is not honored)"
)
STOP_POLICY = (
    "the executive order's unlicensed-operator policy (the driver gets a reasonable "
    "opportunity to arrange for a licensed driver, unless a statute or regulation requires "
    "impoundment)"
)
LANGUAGE_POLICY = "the executive order's language-access policy"
#: Roles whose holders may decide a detainer request.
SUPERVISOR_ROLES = ("supervisor", "chief")

Problem = tuple[str, str]  # field, message


def detainer_problems(item: DetainerIn) -> list[Problem]:
    if item.decision != "honored":
        return []
    missing = [
        what
        for what, value in (
            ("criminal charge", item.criminal_charge),
            ("judicial warrant", item.judicial_warrant),
        )
        if value is None
    ]
    if not missing:
        return []
    return [
        (
            "decision",
            f"refused under {DETAINER_POLICY}: a request is honored only with both a criminal "
            f"charge and a judicial warrant, and this one has no {' and no '.join(missing)}; "
            "record it as declined",
        )
    ]


def stop_problems(item: StopIn) -> list[Problem]:
    out: list[Problem] = []
    if item.outcome == "towed_statutory" and item.authority is None:
        out.append(
            (
                "authority",
                f"refused under {STOP_POLICY}: a tow required by law names the statute or "
                "regulation that requires it",
            )
        )
    if item.outcome != "towed_statutory" and item.authority is not None:
        out.append(
            (
                "authority",
                "only a tow required by a statute or regulation (outcome towed_statutory) "
                "names an authority; leave it empty or correct the outcome",
            )
        )
    if item.outcome != "towed_statutory" and not item.offered_opportunity:
        out.append(
            (
                "offered_opportunity",
                f"refused under {STOP_POLICY}: unless a statute or regulation requires the "
                f"tow, the driver must have been offered the opportunity to arrange for a "
                f"licensed driver (outcome {item.outcome})",
            )
        )
    return out


def language_problems(item: LanguageIn) -> list[Problem]:
    if item.language.split("-")[0] == "en":
        return [
            (
                "language",
                f"{LANGUAGE_POLICY} register records services in a language other than English",
            )
        ]
    return []


def problems(item: EntryIn) -> list[Problem]:
    """The policy problems of one entry (the roster check is the door's: it needs the store)."""
    if isinstance(item, DetainerIn):
        return detainer_problems(item)
    if isinstance(item, StopIn):
        return stop_problems(item)
    return language_problems(item)
