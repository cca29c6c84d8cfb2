"""What would stop a submission of the plan as it stands, and what only warns."""

from django.utils import timezone

from ..content import normalize
from ..models import Plan
from ..selectors import ally_codes
from ..validation import Finding, validate_content


def readiness(plan: Plan, content: dict) -> list[Finding]:
    """The findings of the submission check on the current content, without submitting."""
    return validate_content(
        normalize(content),
        member_code=plan.member.code,
        ally_codes=ally_codes(),
        current_year=timezone.now().year,
        for_submission=True,
    )
