"""Domain errors raised by plans.services. The web shows them as messages, the API as 4xx."""

from django.utils.translation import gettext as _


class DomainError(Exception):
    """A request the workflow refuses. The API answers 409 unless a subclass says otherwise."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class IllegalTransition(DomainError):
    """The plan's status does not allow this move (or its content to change)."""

    def __init__(self, *, status: str, action: str):
        super().__init__(_("A plan that is %(status)s cannot be %(action)s.") % {"status": status, "action": action})
        self.status = status
        self.action = action


class NotAllowed(DomainError):
    """The actor lacks the role or scope for this action (403)."""


class PlanExists(DomainError):
    """The member already has a plan for the cycle."""


class StalePlan(DomainError):
    """The plan changed since the caller read it (412)."""


class PlanInvalid(DomainError):
    """The content breaks a rule of severity error (400). `findings` holds all of them."""

    def __init__(self, findings):
        from .validation import errors

        self.findings = findings
        found = errors(findings)
        super().__init__("; ".join(f"{finding.field}: {finding.message}" for finding in found))
