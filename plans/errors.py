"""Errors of the plan workflow, on core's family: the web shows them as messages, the API as 4xx."""

from django.utils.translation import gettext as _

from core.errors import DomainError, Exists, Invalid, NotAllowed, Stale

__all__ = [
    "DomainError",
    "IllegalTransition",
    "NeedsApproval",
    "NoRecommendation",
    "NotAllowed",
    "PlanExists",
    "PlanInvalid",
    "RecommendationPending",
    "StalePlan",
]


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


class NeedsApproval(DomainError):
    """The decision does not fit the cycle's approval levels (409)."""

    code = "approval_levels"

    def __init__(self, message: str, *, year: int):
        super().__init__(message % {"year": year})


class RecommendationPending(DomainError):
    """A recommendation already waits for an approver (409)."""

    code = "recommendation_pending"


class NoRecommendation(DomainError):
    """Nothing waits for an approver (409)."""

    code = "no_recommendation"
