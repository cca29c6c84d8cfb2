from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    """What a national system can be told of. New types may be added within v1; clients ignore unknown ones."""

    PLAN_SUBMITTED = "plan.submitted", _("Plan submitted")
    PLAN_REVIEW_STARTED = "plan.review_started", _("Review started")
    PLAN_RETURNED = "plan.returned", _("Plan returned")
    PLAN_ACCEPTED = "plan.accepted", _("Plan accepted")
    PLAN_COMMENT_ADDED = "plan.comment_added", _("Comment added")
    DEADLINE_REMINDER = "cycle.deadline_reminder", _("Deadline reminder")
    EXTENSION_GRANTED = "cycle.extension_granted", _("Deadline extension granted")
    CYCLE_OPENED = "cycle.opened", _("Cycle opened")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Given up")
