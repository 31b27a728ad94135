"""Errors the case store raises; each message says what was refused and why."""

from __future__ import annotations


class CaseworkError(Exception):
    """Base class: a refused operation. ``str(err)`` is meant for the person acting."""


class CaseNotFound(CaseworkError):
    pass


class TransitionRefused(CaseworkError):
    """A state change was refused; nothing was written."""


class IllegalTransition(TransitionRefused):
    pass


class NotPermitted(TransitionRefused):
    pass


class MissingReason(TransitionRefused):
    pass


class StaleCase(TransitionRefused):
    """The case changed since the caller read it (optimistic locking)."""


class RosterError(CaseworkError):
    pass
