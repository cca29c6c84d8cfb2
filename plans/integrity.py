"""Is every submitted version what was submitted? Recompute each hash and follow each chain.

A version's `sha256` is the hash of its canonical JSON text, and that text names the previous
version's hash, so changing, removing or re-ordering any version breaks a link that this
check finds. Read-only; the `verify_versions` command, its admin view and the nightly check
call it.
"""

import json
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from core.enums import SecurityEventKind
from core.services import security_event_record

from .content import sha256_hex
from .models import PlanVersion


@dataclass(frozen=True)
class ChainBreak:
    plan_id: int
    number: int
    problem: str

    def __str__(self) -> str:
        return f"plan {self.plan_id} v{self.number}: {self.problem}"


def version_chain_breaks(*, plan_ids: list[int] | None = None, chunk_size: int = 500) -> tuple[int, list[ChainBreak]]:
    """(versions checked, breaks found) over every version, or those of `plan_ids`; streams the rows."""
    versions = PlanVersion.objects.order_by("plan_id", "number").values_list(
        "plan_id", "number", "content", "sha256", "previous_sha256", "plan__member__code", "plan__cycle__year"
    )
    if plan_ids is not None:
        versions = versions.filter(plan_id__in=plan_ids)
    breaks: list[ChainBreak] = []
    checked = 0
    previous: tuple[int, int, str] | None = None  # plan id, number, sha256 of the version before
    for plan_id, number, content, sha256, previous_sha256, member_code, year in versions.iterator(chunk_size):
        checked += 1

        def broken(problem: str, plan_id=plan_id, number=number) -> None:
            breaks.append(ChainBreak(plan_id, number, problem))

        if sha256_hex(content) != sha256:
            broken("the content does not hash to the stored sha256")
        expected_number, expected_previous = 1, ""
        if previous is not None and previous[0] == plan_id:
            expected_number, expected_previous = previous[1] + 1, previous[2]
        if number != expected_number:
            broken(f"follows v{expected_number - 1}: a version is missing or out of order")
        if previous_sha256 != expected_previous:
            broken("previous_sha256 is not the hash of the version before")
        try:
            document = json.loads(content)
        except ValueError:
            broken("the content is not JSON")
        else:
            stated = (document.get("member"), document.get("cycle"), document.get("number"))
            if stated != (member_code, year, number) or document.get("previous_sha256") != previous_sha256:
                broken("the content names another member, cycle, number or previous version")
        previous = (plan_id, number, sha256)
    return checked, breaks


def alert_recipients() -> list:
    """Active staff who can act on a broken chain: superusers, and whoever may view versions or the security log."""
    wanted = Permission.objects.filter(
        Q(content_type__app_label="plans", codename="view_planversion")
        | Q(content_type__app_label="core", codename="view_securityevent")
    )
    return list(
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(groups__permissions__in=wanted) | Q(user_permissions__in=wanted))
        .distinct()
        .order_by("email")
    )


def versions_verify_and_alert() -> int:
    """Check every version; on a break, log it and e-mail the staff who can act. Returns the breaks found."""
    checked, breaks = version_chain_breaks()
    if not breaks:
        return 0
    security_event_record(
        kind=SecurityEventKind.VERSION_CHAIN_BROKEN,
        detail={"checked": checked, "breaks": [str(item) for item in breaks[:100]]},
    )
    context = {
        "checked": checked,
        "breaks": breaks,
        "url": f"{settings.SITE_URL}{reverse('admin:plans_planversion_verify')}",
    }
    for user in alert_recipients():
        with translation.override(user.language):
            subject = " ".join(render_to_string("plans/email/chain_broken_subject.txt", context).split())
            body = render_to_string("plans/email/chain_broken.txt", context)
        send_mail(subject, body, None, [user.email])
    return len(breaks)
