"""What a check says about input: a message for one field, as an error or a warning.

Field names are paths into the input (`gdp`, `lines[2].target_capacity`), so that the web
forms, the admin and the API put each message beside the field it is about.
"""

from dataclasses import asdict, dataclass
from typing import Literal

ERROR: Literal["error"] = "error"
WARNING: Literal["warning"] = "warning"
Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    field: str
    code: str
    message: str
    severity: Severity = ERROR

    def as_dict(self) -> dict:
        return asdict(self)


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == ERROR]


def warnings(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == WARNING]


def as_field_messages(findings: list[Finding]) -> dict[str, list[str]]:
    """`{"lines[2].target_capacity": ["..."]}`: the shape the API and the forms report."""
    result: dict[str, list[str]] = {}
    for finding in findings:
        result.setdefault(finding.field, []).append(finding.message)
    return result
