"""Errors of the plan workflow, on core's family: the web shows them as messages, the API as 4xx."""

from django.utils.translation import gettext as _

from core.errors import DomainError, Exists, Invalid, NotAllowed, Stale

__all__ = ["DomainError", "IllegalTransition", "NotAllowed", "PlanExists", "PlanInvalid", "StalePlan"]


class IllegalTransition(DomainError):
    """The plan's status does not allow this move (or its content to change): 409."""

    code = "illegal_transition"

    def __init__(self, *, status: str, action: str):
        super().__init__(_("A plan that is %(status)s cannot be %(action)s.") % {"status": status, "action": action})
        self.status = status
        self.action = action


class PlanExists(Exists):
    """The member already has a plan for the cycle."""


class StalePlan(Stale):
    """The plan changed since the caller read it (412)."""


class PlanInvalid(Invalid):
    """The content breaks a rule of severity error (400). `findings` holds all of them."""
