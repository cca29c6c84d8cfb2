"""Who may do what: the one table behind every door.

Every "may X do Y to Z" in the service is one question, `Actor.can(permission, obj)`, asked
in the same words by the web pages, the API, the admin, the commands and the tasks. The
answers come from this table:

- **Staff** hold Django permissions through their groups (granted by migration, listed in
  `STAFF_GROUPS`); a staff permission holds for every member's objects. Staff never hold the
  permissions in `MEMBER_ONLY`, superusers included: staff review, they do not write a
  member's plan or act as a member.
- **Delegates** hold the permissions of their role (`ROLE_PERMISSIONS`), on their own
  member's objects only.
- **API keys** hold the permissions of their scopes (`SCOPE_PERMISSIONS`), on their own
  member's objects only.
- **The service itself** (migrations, commands run by an operator, periodic tasks) may do
  anything.

Permission names are Django's "app_label.codename"; the codenames are declared on the
models' `Meta.permissions` (or are Django's model permissions), so `user.has_perm()` and the
admin know them too.
"""

from collections.abc import Callable

# A member's plans, as their own delegation and national systems hold them (object-level).
VIEW_PLAN = "plans.view_plan"
CHANGE_PLAN = "plans.change_plan"
SUBMIT_PLAN = "plans.submit_plan"
ADD_COMMENT = "plans.add_comment"

# The secretariat's work (held by staff through groups, for every member).
VIEW_ALL_PLANS = "plans.view_all_plans"
REVIEW_PLAN = "plans.review_plan"
APPROVE_PLAN = "plans.approve_plan"
INTERNAL_COMMENTS = "plans.add_internal_comment"
MANAGE_CYCLES = "plans.manage_cycles"
SEND_REMINDERS = "plans.send_reminders"
VIEW_COMPLIANCE = "reports.view_compliance"
MANAGE_DELEGATES = "members.manage_delegates"
ISSUE_API_KEYS = "members.issue_api_keys"
VIEW_SECURITY_LOG = "core.view_securityevent"
EXPORT_SECURITY_LOG = "core.export_securityevent"
# Webhook endpoints: a member's own (its head of delegation, a key with `write`), or any and
# staff-wide ones (cycle managers, in the admin).
MANAGE_WEBHOOKS = "webhooks.manage_webhooks"

# Never held by staff, superusers included: writing and submitting a member's plan is the
# member's act alone.
MEMBER_ONLY = frozenset({CHANGE_PLAN, SUBMIT_PLAN})

# Delegate roles (members.enums.Role) -> what they may do with their own member's objects.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "viewer": frozenset({VIEW_PLAN}),
    "editor": frozenset({VIEW_PLAN, CHANGE_PLAN, ADD_COMMENT}),
    # The head of delegation also decides which national systems act for the member.
    "submitter": frozenset({VIEW_PLAN, CHANGE_PLAN, ADD_COMMENT, SUBMIT_PLAN, ISSUE_API_KEYS, MANAGE_WEBHOOKS}),
}

# API key scopes (members.enums.Scope) -> what a key may do with its own member's objects.
SCOPE_PERMISSIONS: dict[str, frozenset[str]] = {
    "read": frozenset({VIEW_PLAN}),
    "write": frozenset({CHANGE_PLAN, ADD_COMMENT, MANAGE_WEBHOOKS}),
    "submit": frozenset({SUBMIT_PLAN}),
}

# Django's own model permissions the staff groups need to see records in the admin.
_REVIEW_RECORDS = frozenset(
    {
        "plans.view_planversion",
        "plans.view_review",
        "plans.view_comment",
        "plans.view_planevent",
        "plans.view_cycle",
        "plans.view_deadlineextension",
        "plans.view_notification",
        "members.view_member",
    }
)
_BEAT_SCHEDULE = frozenset(
    f"django_celery_beat.{action}_{model}"
    for model in ("periodictask", "crontabschedule", "intervalschedule", "solarschedule", "clockedschedule")
    for action in ("add", "change", "delete", "view")
)

# The staff groups and what each holds. A data migration grants exactly this; a test checks
# that the database and this table agree.
STAFF_GROUPS: dict[str, frozenset[str]] = {
    "Reviewers": frozenset(
        {
            VIEW_ALL_PLANS,
            REVIEW_PLAN,
            ADD_COMMENT,
            INTERNAL_COMMENTS,
            SEND_REMINDERS,
            VIEW_COMPLIANCE,
            *_REVIEW_RECORDS,
            "plans.view_recommendation",
            "reports.view_compliancereport",
        }
    ),
    # The second level of a two-level cycle: confirms or sends back a reviewer's recommendation.
    "Approvers": frozenset(
        {
            VIEW_ALL_PLANS,
            APPROVE_PLAN,
            ADD_COMMENT,
            INTERNAL_COMMENTS,
            VIEW_COMPLIANCE,
            *_REVIEW_RECORDS,
            "plans.view_recommendation",
            "reports.view_compliancereport",
        }
    ),
    # Read and export the append-only security log (sign-ins, keys, rights, downloads).
    "Security officers": frozenset({VIEW_SECURITY_LOG, EXPORT_SECURITY_LOG}),
    "Cycle managers": frozenset(
        {
            VIEW_ALL_PLANS,
            MANAGE_CYCLES,
            SEND_REMINDERS,
            VIEW_COMPLIANCE,
            MANAGE_DELEGATES,
            ISSUE_API_KEYS,
            "plans.view_cycle",
            "plans.add_cycle",
            "plans.change_cycle",
            "plans.view_deadlineextension",
            "plans.add_deadlineextension",
            "plans.change_deadlineextension",
            "plans.delete_deadlineextension",
            "plans.view_notification",
            "members.view_member",
            "members.view_delegate",
            "members.add_delegate",
            "members.change_delegate",
            "members.delete_delegate",
            "members.view_apikey",
            "members.add_apikey",
            "members.change_apikey",
            "reports.view_compliancereport",
            *_BEAT_SCHEDULE,
            MANAGE_WEBHOOKS,
            "webhooks.view_event",
            "webhooks.view_webhookendpoint",
            "webhooks.add_webhookendpoint",
            "webhooks.change_webhookendpoint",
            "webhooks.delete_webhookendpoint",
            "webhooks.view_webhookdelivery",
        }
    ),
}


# A staff permission that carries another: reading every member's plans is reading each one.
STAFF_IMPLIED: dict[str, frozenset[str]] = {VIEW_ALL_PLANS: frozenset({VIEW_PLAN})}


def staff_permissions(granted: set[str] | frozenset[str]) -> frozenset[str]:
    """What a staff member holds for every object, given the permissions of their groups."""
    held = set(granted)
    for permission, implied in STAFF_IMPLIED.items():
        if permission in held:
            held |= implied
    return frozenset(held - MEMBER_ONLY)


def role_permissions(role: str) -> frozenset[str]:
    return ROLE_PERMISSIONS.get(role, frozenset())


def scope_permissions(scopes: list[str] | tuple[str, ...]) -> frozenset[str]:
    return frozenset().union(*(SCOPE_PERMISSIONS.get(scope, frozenset()) for scope in scopes))


def grantable_scopes(can: Callable[[str], bool]) -> list[str]:
    """The scopes an issuer may put on a key: those whose every permission the issuer holds itself.

    `can` answers one permission for the key's member (`lambda perm: actor.can(perm, member)`).
    """
    return [scope for scope, perms in SCOPE_PERMISSIONS.items() if all(can(perm) for perm in perms)]
