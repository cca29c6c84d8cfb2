"""The one family of errors that services raise when they refuse a request.

Every door shows them the same way: a web page as a message, the admin beside the field or
as a message, a command on stderr, the API as JSON with `http_status` and `code`.
"""

from .findings import Finding, errors

NON_FIELD = "non_field_errors"


class DomainError(Exception):
    """A request the service refuses. The API answers `http_status` (409 unless a subclass says otherwise)."""

    http_status = 409
    code = "conflict"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(DomainError):
    """The actor lacks the permission for this action (403)."""

    http_status = 403
    code = "permission_denied"


class Exists(DomainError):
    """The thing to create exists already (409)."""

    code = "exists"


class Stale(DomainError):
    """The object changed since the caller read it (412)."""

    http_status = 412
    code = "stale"


class Invalid(DomainError):
    """The input breaks rules of severity error (400). `findings` holds all of them, warnings included."""

    http_status = 400
    code = "invalid"

    def __init__(self, findings: list[Finding], message: str | None = None):
        self.findings = list(findings)
        found = errors(self.findings)
        super().__init__(
            message
            if message is not None
            else "; ".join(
                finding.message if finding.field == NON_FIELD else f"{finding.field}: {finding.message}"
                for finding in found
            )
        )

    @classmethod
    def single(cls, field: str | None, message: str, code: str = "invalid") -> "Invalid":
        """One error, for one field (or for the input as a whole when `field` is None)."""
        return cls([Finding(field or NON_FIELD, code, message)], message=message)
