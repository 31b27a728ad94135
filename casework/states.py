"""The certification state machine, declared in one place as a table.

Read a row as: action ``name`` moves a case from any of ``sources`` to
``target`` and may be taken by an actor holding one of ``roles``.
``target=None`` means the state does not change (an event recorded in the
history without moving the case: an assignment, a document, a notice).
``assignee_only`` rows may be taken by a certifier only on cases assigned to
them (the Chief reassigns a case to let someone else act).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    SUBMITTED = "submitted"
    NEEDS_INFORMATION = "needs_information"
    DA_CONSULTATION = "da_consultation"
    CERTIFIER_REVIEW = "certifier_review"
    AWAITING_SIGNATURE = "awaiting_signature"
    CERTIFIED = "certified"
    DELIVERED = "delivered"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"
    REVOKED = "revoked"


class Role(StrEnum):
    SYSTEM = "system"  # the workflow itself (intake, document generation, delivery)
    REQUESTER = "requester"  # the advocate or attorney who filed the request
    CERTIFIER = "certifier"  # one of the (at most four) designated certifiers
    CHIEF = "chief"  # the agency head
    DA_CONTACT = "da_contact"
    RECORDS = "records"
    #: A supervising officer (shift commander): decides ICE detainer requests (registers).
    SUPERVISOR = "supervisor"


S = State
OPEN_STATES = frozenset(
    {S.SUBMITTED, S.NEEDS_INFORMATION, S.DA_CONSULTATION, S.CERTIFIER_REVIEW, S.AWAITING_SIGNATURE}
)
#: States in which the department has answered the request (G.L. c. 258F §3).
ANSWERED_STATES = frozenset({S.CERTIFIED, S.DELIVERED, S.DENIED, S.REVOKED})


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[State | None]
    target: State | None
    roles: frozenset[Role]
    assignee_only: bool = False
    needs_reason: bool = False
    description: str = ""


def _t(
    name: str,
    sources: set[State | None] | frozenset[State | None],
    target: State | None,
    roles: set[Role],
    *,
    assignee_only: bool = False,
    needs_reason: bool = False,
    description: str = "",
) -> Transition:
    return Transition(
        name, frozenset(sources), target, frozenset(roles), assignee_only, needs_reason, description
    )


R = Role
ANY_STATE: frozenset[State | None] = frozenset(State)
_open: set[State | None] = set(OPEN_STATES)

# fmt: off
TRANSITIONS: tuple[Transition, ...] = (
    #  action                   from                                        to                    who
    _t("submit",                {None},                                     S.SUBMITTED,          {R.REQUESTER, R.SYSTEM},
       description="a request passed intake validation and was stored"),
    _t("assign",                _open,                                      None,                 {R.SYSTEM, R.CHIEF},
       description="the case is assigned (or reassigned) to a designated certifier"),
    _t("start_da_consultation", {S.SUBMITTED},                              S.DA_CONSULTATION,    {R.SYSTEM},
       description="the consultation memo went to the District Attorney's Office"),
    _t("record_da_consultation", {S.DA_CONSULTATION},                       S.CERTIFIER_REVIEW,   {R.CERTIFIER, R.CHIEF},
       assignee_only=True, description="the DA's position is recorded; review can start"),
    _t("request_information",   {S.CERTIFIER_REVIEW},                       S.NEEDS_INFORMATION,  {R.CERTIFIER},
       assignee_only=True, needs_reason=True, description="the certifier asks the requester for more"),
    _t("supplement",            {S.NEEDS_INFORMATION},                      S.CERTIFIER_REVIEW,   {R.REQUESTER, R.SYSTEM},
       description="the requester sent the information asked for"),
    _t("recommend_certification", {S.CERTIFIER_REVIEW},                     S.AWAITING_SIGNATURE, {R.CERTIFIER},
       assignee_only=True, description="the certifier's findings support certifying"),
    _t("deny",                  {S.CERTIFIER_REVIEW},                       S.DENIED,             {R.CERTIFIER},
       assignee_only=True, needs_reason=True, description="written denial without prejudice (c. 258F §3(ii))"),
    _t("return_to_certifier",   {S.AWAITING_SIGNATURE},                     S.CERTIFIER_REVIEW,   {R.CHIEF},
       needs_reason=True, description="the Chief sends the case back with comments"),
    _t("deny_at_signature",     {S.AWAITING_SIGNATURE},                     S.DENIED,             {R.CHIEF},
       needs_reason=True, description="the Chief declines to sign"),
    _t("approve_signature",     {S.AWAITING_SIGNATURE},                     S.CERTIFIED,          {R.CHIEF},
       description="the Chief approves the signature; signing official and date recorded"),
    _t("record_document",       ANY_STATE,                                  None,                 {R.SYSTEM},
       description="a document was generated; its SHA-256 is in the event"),
    _t("deliver",               {S.CERTIFIED},                              S.DELIVERED,          {R.SYSTEM},
       description="the signed-ready form and cover letter went to the requester"),
    _t("mark_delayed",          _open,                                      None,                 {R.CHIEF},
       needs_reason=True, description="extenuating circumstances delay the response (c. 258F §3(iii))"),
    _t("withdraw",              _open,                                      S.WITHDRAWN,          {R.REQUESTER, R.SYSTEM},
       description="the requester withdrew the request"),
    _t("reopen",                {S.DENIED},                                 S.CERTIFIER_REVIEW,   {R.CHIEF},
       needs_reason=True, description="a denied request is reopened for reconsideration"),
    _t("revoke",                {S.CERTIFIED, S.DELIVERED},                 S.REVOKED,            {R.CHIEF},
       needs_reason=True, description="the agency withdraws a signed certification (notice to USCIS)"),
)
# fmt: on

BY_NAME: dict[str, Transition] = {t.name: t for t in TRANSITIONS}

#: The states in which a case waits for a person, and the module ``casework/steps/<module>.py``
#: that declares the step: who acts, the answer they give, what they see, what it does. In
#: every other open state (and ``certified``) the workflow works the case itself.
# fmt: off
HUMAN_STEPS: dict[State, str] = {
    S.DA_CONSULTATION:    "da",           # the certifier records the DA's position
    S.CERTIFIER_REVIEW:   "review",       # the certifier certifies, denies or asks for more
    S.AWAITING_SIGNATURE: "signature",    # the Chief approves, returns or denies
    S.NEEDS_INFORMATION:  "information",  # the requester answers (portal or CLI; no form)
}
# fmt: on


def actions_from(state: State | None) -> list[Transition]:
    return [t for t in TRANSITIONS if state in t.sources]


def table_markdown() -> str:
    """The transition table as markdown, for the README (a test compares them)."""
    rows = ["| action | from | to | who |", "|---|---|---|---|"]
    for t in TRANSITIONS:
        if t.sources == ANY_STATE:
            src = "any"
        elif t.sources == frozenset(OPEN_STATES):
            src = "any open state"
        else:
            src = ", ".join(sorted(s or "(new)" for s in t.sources))
        who = ", ".join(
            f"{r} (assignee)" if t.assignee_only and r is Role.CERTIFIER else r.value
            for r in sorted(t.roles)
        )
        rows.append(f"| `{t.name}` | {src} | {t.target or '(unchanged)'} | {who} |")
    return "\n".join(rows)


if __name__ == "__main__":  # python -m casework.states: the README's two tables
    from casework.steps.registry import steps_markdown

    print(table_markdown() + "\n\n" + steps_markdown())
