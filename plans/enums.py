from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    RETURNED = "returned", _("Returned for revision")
    ACCEPTED = "accepted", _("Accepted")


# Content can change only here.
EDITABLE = {PlanStatus.DRAFT, PlanStatus.RETURNED}
# A version exists and staff have something to look at.
SUBMITTED_STATES = {PlanStatus.SUBMITTED, PlanStatus.IN_REVIEW, PlanStatus.ACCEPTED}
WAITING_FOR_STAFF = {PlanStatus.SUBMITTED, PlanStatus.IN_REVIEW}


class Transition(models.TextChoices):
    SUBMIT = "submit", _("Submit")
    START_REVIEW = "start_review", _("Start review")
    RETURN = "return", _("Return for revision")
    ACCEPT = "accept", _("Accept")


class EventAction(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Content changed")
    SUBMITTED = "submitted", _("Submitted")
    REVIEW_STARTED = "review_started", _("Review started")
    RETURNED = "returned", _("Returned for revision")
    ACCEPTED = "accepted", _("Accepted")
    REVIEWER_ASSIGNED = "reviewer_assigned", _("Reviewer assigned")
    RECOMMENDED = "recommended", _("Decision recommended")
    SENT_BACK = "sent_back", _("Recommendation sent back")
    ATTACHMENT_ADDED = "attachment_added", _("Document attached")
    ATTACHMENT_REMOVED = "attachment_removed", _("Document removed")


class Category(models.TextChoices):
    AMMUNITION = "ammunition", _("Ammunition")
    AIR_MISSILE_DEFENCE = "air_missile_defence", _("Air and missile defence")
    MISSILES = "missiles", _("Missiles")
    LAND_SYSTEMS = "land_systems", _("Land systems")
    NAVAL_SYSTEMS = "naval_systems", _("Naval systems")
    AIR_SYSTEMS = "air_systems", _("Air systems")
    UNCREWED_SYSTEMS = "uncrewed_systems", _("Uncrewed systems")
    SPACE = "space", _("Space")
    CYBER = "cyber", _("Cyber")
    C4ISR = "c4isr", _("C4ISR")
    EXPLOSIVES_PROPELLANTS = "explosives_propellants", _("Explosives and propellants")
    CRITICAL_MATERIALS = "critical_materials", _("Critical materials")
    MAINTENANCE_SPARES = "maintenance_spares", _("Maintenance and spares")
    OTHER = "other", _("Other")


class Funding(models.TextChoices):
    NATIONAL = "national", _("National")
    EU = "eu", _("EU")
    NATO_COMMON = "nato_common", _("NATO common funding")
    MULTINATIONAL = "multinational", _("Multinational")
    PRIVATE = "private", _("Private")


class Priority(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")


class Bottleneck(models.TextChoices):
    NONE = "none", _("None")
    WORKFORCE = "workforce", _("Workforce")
    RAW_MATERIALS = "raw_materials", _("Raw materials")
    COMPONENTS = "components", _("Components")
    FINANCING = "financing", _("Financing")
    REGULATORY = "regulatory", _("Regulatory")


class PartnershipKind(models.TextChoices):
    INDUSTRY = "industry", _("Industry")
    ALLY = "ally", _("Ally")
    MULTINATIONAL = "multinational", _("Multinational programme")
    EU = "eu", _("EU")
    OTHER = "other", _("Other")


# Kinds whose partners are allies, named by member code.
KINDS_WITH_PARTNER_MEMBERS = {PartnershipKind.ALLY, PartnershipKind.MULTINATIONAL}


class PartnershipStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    NEGOTIATING = "negotiating", _("Negotiating")
    SIGNED = "signed", _("Signed")
    ACTIVE = "active", _("Active")


class Decision(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    RETURN = "return", _("Return for revision")


class ReviewAction(models.TextChoices):
    """What staff may ask of the review endpoint."""

    START_REVIEW = "start_review", _("Start review")
    ACCEPT = "accept", _("Accept")
    RETURN = "return", _("Return for revision")
    CONFIRM = "confirm", _("Confirm the recommendation")
    SEND_BACK = "send_back", _("Send the recommendation back")


class ApprovalLevels(models.IntegerChoices):
    ONE = 1, _("One level: a reviewer decides")
    TWO = 2, _("Two levels: a reviewer recommends, another person approves")


class RecommendationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    CONFIRMED = "confirmed", _("Confirmed")
    SENT_BACK = "sent_back", _("Sent back to the reviewer")


class ReturnReason(models.TextChoices):
    INCOMPLETE = "incomplete", _("Incomplete")
    INCONSISTENT_FIGURES = "inconsistent_figures", _("Inconsistent figures")
    UNCLEAR_TARGETS = "unclear_targets", _("Unclear targets")
    MISSING_PARTNERSHIPS = "missing_partnerships", _("Missing partnerships")
    OTHER = "other", _("Other")


class NotificationKind(models.TextChoices):
    """What a notification is about. Reminder rungs are named `reminder_<rung>`."""

    REMINDER = "reminder", _("Deadline reminder")
    RESUBMIT = "resubmit", _("Resubmission reminder")
    ESCALATION = "escalation", _("Escalation to staff")
    RECEIPT = "receipt", _("Submission receipt")
    STAFF_SUBMISSION = "staff_submission", _("Submission notice to staff")
    RETURNED = "returned", _("Plan returned")
    ACCEPTED = "accepted", _("Plan accepted")
    EXTENSION = "extension", _("Deadline extension")
    COMMENT = "comment", _("New comment from the secretariat")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    # A reminder whose plan was submitted between the claim and the send.
    CANCELLED = "cancelled", _("Not needed")
    # A delegation e-mail for a member without any active delegate with an address: it goes
    # out when one is added (the dispatcher checks again), and staff see it in the log.
    WAITING = "waiting", _("Waiting for a delegate")


class Unit(models.TextChoices):
    """Units of measure of capability lines: a controlled list, so figures add only like with like."""

    ROUNDS = "rounds", _("rounds")
    MISSILES = "missiles", _("missiles")
    ROCKETS = "rockets", _("rockets")
    SYSTEMS = "systems", _("systems")
    AIRCRAFT = "aircraft", _("aircraft")
    VESSELS = "vessels", _("vessels")
    UNITS = "units", _("units (pieces)")
    TONNES = "tonnes", _("tonnes")
    EUR = "eur", _("euros")
    HOURS = "hours", _("hours")


# The content's word for a line that names no catalogue item: free text with a unit from the list.
OTHER_ITEM = "other"
