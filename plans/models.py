import json
import uuid
from datetime import datetime
from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.annotated import annotated_property
from core.models import ImmutableModel
from members.models import ApiKey, Member

from .enums import (
    ApprovalLevels,
    Bottleneck,
    Category,
    Decision,
    EventAction,
    Funding,
    NotificationKind,
    NotificationStatus,
    PartnershipKind,
    PartnershipStatus,
    PlanStatus,
    Priority,
    RecommendationStatus,
    Unit,
)

# What the content may hold is declared here, on the fields (sizes, lengths, choices, ranges as
# validators); plans.content reads it into the schema that the forms, the API serializers and
# their OpenAPI schema, and the plan rules (plans.validation) all use. The check constraints
# below are built from the same constants, as the database's last line.
MONEY = {"max_digits": 20, "decimal_places": 2}
QUANTITY = {"max_digits": 16, "decimal_places": 2}
PERCENT = {"max_digits": 5, "decimal_places": 2}
ZERO = Decimal("0")
NON_NEGATIVE = [MinValueValidator(0)]
CYCLE_YEARS = (2024, 2100)
TARGET_YEARS = (2000, 2100)
PERSONNEL_MAX = 2_147_483_647  # PostgreSQL's integer
SUMMARY_LENGTH = 20_000
TEXT_LENGTH = 10_000  # notes, descriptions, the reason for a nil return
COMMENT_LENGTH = 20_000  # comments and review decisions, from the web, the admin and the API alike
CURRENCY_CODE = "[A-Z]{3}"  # ISO 4217
CURRENCY_FORMAT = RegexValidator(
    f"^{CURRENCY_CODE}$", _("Give a three-letter ISO 4217 code in capitals, such as EUR."), code="invalid"
)


def year_range(years: tuple[int, int]) -> list:
    return [MinValueValidator(years[0]), MaxValueValidator(years[1])]


# Business rules decided by a plan's own facts, in Python. Each has a query-expression twin in
# plans.selectors (to annotate, filter and order in SQL); the Plan properties below read that
# annotation when a queryset carries it. tests/plans/test_rules.py holds the twins equal at the
# boundaries (a cent either side of a guideline, a minute either side of a deadline).


def percent_of(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """`part / whole x 100` to two decimals, halves rounded up; None without a part or a whole.

    Computed exactly, as an integer number of hundredths, rather than by rounding an already
    rounded quotient: that is what lets the SQL twin (selectors.PercentOf) give the same digits
    on PostgreSQL and SQLite. Figures are never negative (constraints and validation).
    """
    if part is None or not whole:
        return None
    hundredths = (part * 20000 + whole) // (whole * 2)
    return Decimal(hundredths).scaleb(-2)


def share_meets(part: Decimal | None, whole: Decimal | None, target_pct: Decimal) -> bool | None:
    """Whether `part` is at least `target_pct` % of `whole`, compared exactly (no rounding).

    1,999.99 of 100,000 is shown as 2.00 % but does not meet a 2 % guideline.
    """
    if part is None or not whole:
        return None
    return part * 100 >= target_pct * whole


def submission_is_late(*, submitted_at: datetime, deadline: datetime) -> bool:
    """A submission is late when it comes after the deadline in force at that moment."""
    return submitted_at > deadline


def is_overdue(*, submitted: bool, deadline: datetime, now: datetime) -> bool:
    """Overdue: nothing submitted yet, and the (effective) deadline has passed."""
    return not submitted and now > deadline


class NotAnnotated(LookupError):
    """A figure that only a queryset annotation can supply was read from a plain instance.

    A LookupError, not an AttributeError, so that a template reading it fails loudly.
    """


def default_reminder_days_before() -> list[int]:
    return [30, 14, 7, 1]


def default_overdue_days_after() -> list[int]:
    return [1, 7, 14]


class Cycle(models.Model):
    """One yearly round of plans, with its deadlines and guideline thresholds."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True, validators=year_range(CYCLE_YEARS))
    opens_at = models.DateTimeField(_("opens at"))
    deadline = models.DateTimeField(_("submission deadline"))
    review_deadline = models.DateTimeField(_("review deadline"), null=True, blank=True)
    spending_target_pct = models.DecimalField(
        _("defence spending target (% of GDP)"), default=Decimal("2.00"), **PERCENT
    )
    equipment_target_pct = models.DecimalField(
        _("equipment target (% of defence expenditure)"), default=Decimal("20.00"), **PERCENT
    )
    reminder_days_before = models.JSONField(
        _("reminders (days before the deadline)"),
        default=default_reminder_days_before,
        help_text=_("Reminders go out this many days before each member's effective deadline, and on the day."),
    )
    approval_levels = models.PositiveSmallIntegerField(
        _("approval levels"),
        choices=ApprovalLevels.choices,
        default=ApprovalLevels.ONE,
        help_text=_(
            "With two levels, a reviewer's decision takes effect once another person, an approver, confirms it."
        ),
    )
    overdue_days_after = models.JSONField(
        _("overdue reminders (days after the deadline)"),
        default=default_overdue_days_after,
        help_text=_("Overdue reminders go out this many days after the deadline; staff are told at the first."),
    )
    classification = models.CharField(
        _("classification marking"),
        max_length=60,
        default="NATO UNCLASSIFIED",
        help_text=_("Printed on the cover and in the header and footer of every page of the cycle's summit brief."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")
        permissions = [
            ("manage_cycles", "Can open cycles, change deadlines and grant extensions"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=CYCLE_YEARS[0], year__lte=CYCLE_YEARS[1]), name="cycle_year_range"
            ),
            models.CheckConstraint(condition=Q(deadline__gt=F("opens_at")), name="cycle_deadline_after_opening"),
            models.CheckConstraint(
                condition=Q(review_deadline__isnull=True) | Q(review_deadline__gte=F("deadline")),
                name="cycle_review_after_deadline",
            ),
            models.CheckConstraint(
                condition=Q(spending_target_pct__gte=0, spending_target_pct__lte=100), name="cycle_spending_target_pct"
            ),
            models.CheckConstraint(
                condition=Q(equipment_target_pct__gte=0, equipment_target_pct__lte=100),
                name="cycle_equipment_target_pct",
            ),
        ]

    def __str__(self) -> str:
        return str(self.year)

    def is_open(self, at=None) -> bool:
        return self.opens_at <= (at or timezone.now())


class DeadlineExtension(models.Model):
    """Moves one member's deadline for one cycle."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="extensions")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="extensions")
    deadline = models.DateTimeField(_("extended deadline"))
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["cycle", "member__name"]
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "member"], name="extension_one_per_member_cycle"),
            models.CheckConstraint(condition=~Q(reason=""), name="extension_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.member.code} {self.cycle.year}: {self.deadline:%Y-%m-%d %H:%M}"


class Plan(models.Model):
    """One member's plan for one cycle: its working content and its place in the workflow."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="plans")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="plans")
    status = models.CharField(_("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    # Bumped on every content change; the API's ETag and the editor's stale-form check use it.
    revision = models.PositiveIntegerField(_("revision"), default=1)

    defence_expenditure = models.DecimalField(
        _("defence expenditure"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    equipment_expenditure = models.DecimalField(
        _("equipment expenditure"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    personnel_expenditure = models.DecimalField(
        _("personnel expenditure"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    infrastructure_expenditure = models.DecimalField(
        _("infrastructure expenditure"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    other_expenditure = models.DecimalField(
        _("other expenditure"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    # Greater than zero, which a validator cannot say: plans.validation's rule and a constraint.
    gdp = models.DecimalField(_("GDP"), null=True, blank=True, **MONEY)
    currency = models.CharField(
        _("currency"), max_length=3, blank=True, help_text=_("ISO 4217, e.g. EUR"), validators=[CURRENCY_FORMAT]
    )
    military_personnel = models.PositiveIntegerField(
        _("military personnel"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(PERSONNEL_MAX)],
    )
    summary = models.TextField(_("summary"), blank=True, max_length=SUMMARY_LENGTH)
    nil_return = models.BooleanField(_("nil return"), default=False)
    nil_return_reason = models.TextField(_("reason for the nil return"), blank=True, max_length=TEXT_LENGTH)

    latest_version = models.ForeignKey(
        "PlanVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    assigned_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plans_to_review",
        limit_choices_to={"is_staff": True},
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cycle", "member__name"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        permissions = [
            ("view_all_plans", "Can view the plans of all members"),
            ("review_plan", "Can review plans (start review, return, accept, assign reviewers)"),
            ("approve_plan", "Can confirm or send back reviewers' recommendations (second level)"),
            ("submit_plan", "Can submit a plan"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "member"], name="plan_one_per_member_cycle"),
            models.CheckConstraint(condition=Q(status__in=PlanStatus.values), name="plan_status_valid"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{field}__gte": 0}) | Q(**{f"{field}__isnull": True}),
                    name=f"plan_{field}_non_negative",
                )
                for field in (
                    "defence_expenditure",
                    "equipment_expenditure",
                    "personnel_expenditure",
                    "infrastructure_expenditure",
                    "other_expenditure",
                )
            ],
            models.CheckConstraint(condition=Q(gdp__gt=0) | Q(gdp__isnull=True), name="plan_gdp_positive"),
            models.CheckConstraint(
                condition=Q(defence_expenditure__isnull=True)
                | Q(
                    defence_expenditure__gte=Coalesce(F("equipment_expenditure"), ZERO)
                    + Coalesce(F("personnel_expenditure"), ZERO)
                    + Coalesce(F("infrastructure_expenditure"), ZERO)
                    + Coalesce(F("other_expenditure"), ZERO)
                ),
                name="plan_parts_within_total",
            ),
            models.CheckConstraint(condition=Q(currency__regex=f"^({CURRENCY_CODE})?$"), name="plan_currency_iso4217"),
        ]
        indexes = [models.Index(fields=["status", "cycle"])]

    def __str__(self) -> str:
        return f"{self.member.code} {self.cycle.year}"

    # Derived figures, never stored. Their SQL twins are in plans.selectors; a queryset from
    # selectors.plans_with_rules() carries them all as annotations.
    @annotated_property
    def spending_pct_gdp(self) -> Decimal | None:
        return percent_of(self.defence_expenditure, self.gdp)

    @annotated_property
    def equipment_share_pct(self) -> Decimal | None:
        return percent_of(self.equipment_expenditure, self.defence_expenditure)

    @annotated_property
    def meets_spending_target(self) -> bool | None:
        return share_meets(self.defence_expenditure, self.gdp, self.cycle.spending_target_pct)

    @annotated_property
    def meets_equipment_target(self) -> bool | None:
        return share_meets(self.equipment_expenditure, self.defence_expenditure, self.cycle.equipment_target_pct)

    @annotated_property
    def effective_deadline(self) -> datetime:
        """The member's deadline for the cycle: only from selectors.effective_deadline_expression."""
        raise NotAnnotated(
            "Plan.effective_deadline comes from plans.selectors: load the plan with plans_with_rules(), "
            "or call selectors.effective_deadline()."
        )

    # Lateness: two ideas, two names.
    @annotated_property
    def submitted_late(self) -> bool | None:
        """Whether the plan's first submission came after the deadline in force then; None before any.

        A plan submitted on time, returned and resubmitted after the deadline stays on time (the
        member met the deadline); each version keeps its own flag.
        """
        if self.latest_version_id is None:
            return None
        return self.versions.order_by("number").values_list("is_late", flat=True).first()

    @annotated_property
    def overdue(self) -> bool:
        """Nothing submitted yet and the member's effective deadline has passed."""
        return is_overdue(
            submitted=self.latest_version_id is not None, deadline=self.effective_deadline, now=timezone.now()
        )

    @property
    def is_late(self) -> bool:
        """The API's `is_late`, kept for compatibility: submitted late, or overdue."""
        return bool(self.submitted_late) or self.overdue

    @property
    def is_editable(self) -> bool:
        from .enums import EDITABLE

        return self.status in EDITABLE

    @property
    def etag(self) -> str:
        return f'"{self.pk}-{self.revision}"'


CATALOGUE_CODE = "[a-z0-9][a-z0-9_-]*"
CATALOGUE_CODE_FORMAT = RegexValidator(
    f"^{CATALOGUE_CODE}$",
    _("Use lower-case letters, digits, hyphens and underscores, such as art-155."),
    code="invalid",
)


class CatalogueItem(models.Model):
    """An item of essential equipment that lines name, so that alliance figures add like with like.

    Maintained by cycle managers. An item that lines use is retired (`active` off), never
    deleted: the lines keep pointing at it (PROTECT), and new lines cannot pick it.
    """

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[CATALOGUE_CODE_FORMAT])
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    category = models.CharField(_("category"), max_length=25, choices=Category.choices)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("group"),
        help_text=_("An optional broader item this one belongs to, for grouping."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Retired items stay on the lines that use them; new lines cannot pick them."),
    )

    class Meta:
        ordering = ["category", "position", "code"]
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue")
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=f"^{CATALOGUE_CODE}$"), name="catalogue_code_format"),
            models.CheckConstraint(condition=Q(category__in=Category.values), name="catalogue_category_valid"),
            models.CheckConstraint(condition=Q(unit__in=Unit.values), name="catalogue_unit_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_unit_display()})"

    @property
    def name(self) -> str:
        """The name in the active language (French or English)."""
        return localized_name(self.name_en, self.name_fr)


def localized_name(name_en: str, name_fr: str) -> str:
    from django.utils.translation import get_language

    return name_fr if (get_language() or "").startswith("fr") and name_fr else name_en


NON_NEGATIVE_LINE_FIELDS = (
    "baseline_capacity",
    "target_capacity",
    "stockpile_current",
    "stockpile_target",
    "planned_investment",
)


class CapabilityLine(models.Model):
    """One item of essential equipment whose production the member plans to raise."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    # Kept from creation through every version and every copy: version comparisons match by it.
    key = models.UUIDField(_("key"), default=uuid.uuid4, editable=False)
    category = models.CharField(_("category"), max_length=25, choices=Category.choices)
    # Named for what the content and the API carry: the catalogue item's code (to_field), null
    # for "other" (a free-text item with a unit from the list).
    item_code = models.ForeignKey(
        CatalogueItem,
        to_field="code",
        db_column="item_code",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lines",
        verbose_name=_("catalogue item"),
    )
    item = models.CharField(_("item"), max_length=200)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    baseline_capacity = models.DecimalField(_("baseline capacity (a year)"), validators=NON_NEGATIVE, **QUANTITY)
    target_capacity = models.DecimalField(_("target capacity (a year)"), validators=NON_NEGATIVE, **QUANTITY)
    target_year = models.PositiveSmallIntegerField(_("target year"), validators=year_range(TARGET_YEARS))
    stockpile_current = models.DecimalField(
        _("current stockpile"), null=True, blank=True, validators=NON_NEGATIVE, **QUANTITY
    )
    stockpile_target = models.DecimalField(
        _("stockpile target"), null=True, blank=True, validators=NON_NEGATIVE, **QUANTITY
    )
    planned_investment = models.DecimalField(
        _("planned investment"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    funding = models.CharField(_("funding"), max_length=15, choices=Funding.choices, default=Funding.NATIONAL)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    bottleneck = models.CharField(_("bottleneck"), max_length=15, choices=Bottleneck.choices, default=Bottleneck.NONE)
    notes = models.TextField(_("notes"), blank=True, max_length=TEXT_LENGTH)

    class Meta:
        ordering = ["plan", "position", "id"]
        verbose_name = _("capability line")
        verbose_name_plural = _("capability lines")
        constraints = [
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{field}__gte": 0}) | Q(**{f"{field}__isnull": True}),
                    name=f"line_{field}_non_negative",
                )
                for field in NON_NEGATIVE_LINE_FIELDS
            ],
            models.CheckConstraint(
                condition=Q(target_year__gte=TARGET_YEARS[0], target_year__lte=TARGET_YEARS[1]), name="line_target_year"
            ),
            models.CheckConstraint(condition=Q(category__in=Category.values), name="line_category_valid"),
            models.CheckConstraint(condition=Q(funding__in=Funding.values), name="line_funding_valid"),
            models.CheckConstraint(condition=Q(priority__in=Priority.values), name="line_priority_valid"),
            models.CheckConstraint(condition=Q(bottleneck__in=Bottleneck.values), name="line_bottleneck_valid"),
            models.CheckConstraint(condition=Q(unit__in=Unit.values), name="line_unit_valid"),
            models.UniqueConstraint(fields=["plan", "key"], name="line_key_unique_per_plan"),
        ]

    def __str__(self) -> str:
        return self.item

    @property
    def capacity_growth(self) -> Decimal:
        return self.target_capacity - self.baseline_capacity

    @property
    def capacity_growth_pct(self) -> Decimal | None:
        if not self.baseline_capacity:
            return None
        return (self.capacity_growth / self.baseline_capacity * 100).quantize(Decimal("0.01"))


class Partnership(models.Model):
    """Industry, allies or programmes the member works with."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="partnerships")
    position = models.PositiveIntegerField(default=0)
    key = models.UUIDField(_("key"), default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=15, choices=PartnershipKind.choices)
    partner_name = models.CharField(_("partner name"), max_length=200)
    partner_members = models.ManyToManyField(
        Member, blank=True, related_name="named_in_partnerships", verbose_name=_("partner allies")
    )
    description = models.TextField(_("description"), blank=True, max_length=TEXT_LENGTH)
    value = models.DecimalField(_("value"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY)
    status = models.CharField(
        _("status"), max_length=12, choices=PartnershipStatus.choices, default=PartnershipStatus.PLANNED
    )

    class Meta:
        ordering = ["plan", "position", "id"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=0) | Q(value__isnull=True), name="partnership_value_non_negative"
            ),
            models.CheckConstraint(condition=Q(kind__in=PartnershipKind.values), name="partnership_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=PartnershipStatus.values), name="partnership_status_valid"),
            models.UniqueConstraint(fields=["plan", "key"], name="partnership_key_unique_per_plan"),
        ]

    def __str__(self) -> str:
        return self.partner_name


class PlanVersion(ImmutableModel):
    """An immutable snapshot of a plan made at a submission, chained by hash to the previous one.

    Written once: the application refuses to save or delete a version again (ImmutableModel) and
    on PostgreSQL a trigger refuses any UPDATE or DELETE of the table, whoever sends it.
    """

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("number"))
    # The exact canonical JSON text that was hashed; stored as text so its bytes never change.
    content = models.TextField(_("content (canonical JSON)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    previous_sha256 = models.CharField(_("previous SHA-256"), max_length=64, blank=True)
    # Authors are kept: a user or key that submitted is deactivated or revoked, never deleted.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_by_key = models.ForeignKey(ApiKey, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"))
    deadline = models.DateTimeField(_("effective deadline at submission"))
    is_late = models.BooleanField(_("late"))

    class Meta:
        ordering = ["plan", "number"]
        get_latest_by = "number"
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="version_number_unique_per_plan"),
            models.CheckConstraint(condition=Q(number__gte=1), name="version_number_positive"),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="version_sha256_hex"),
            models.CheckConstraint(
                condition=Q(number=1, previous_sha256="") | Q(number__gt=1, previous_sha256__regex=r"^[0-9a-f]{64}$"),
                name="version_chain_link",
            ),
        ]
        triggers = [pgtrigger.Protect(name="plan_version_immutable", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"

    @property
    def data(self) -> dict:
        return json.loads(self.content)

    @property
    def submitter_label(self) -> str:
        if self.submitted_by_key_id:
            return f"API key {self.submitted_by_key.name}"
        return str(self.submitted_by) if self.submitted_by_id else ""


ATTACHMENT_NAME_LENGTH = 150
SHA256_HEX = Q(sha256__regex=r"^[0-9a-f]{64}$")


def attachment_upload_to(instance: "Attachment", filename: str) -> str:
    """A random name under the plan's folder: the name the delegation gave is kept in the row only."""
    return f"attachments/{instance.plan_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A supporting document of a plan (the national plan as a PDF, annexes), stored through the storage API.

    The file lives in `STORAGES["default"]` (MEDIA_STORAGE), never under a URL: it is served only
    by the authorised download views. Its type was read from its bytes (plans.attachments).
    Once a submitted version lists it (`versions`), it is kept: removing it from the plan then
    only hides it from the plan, so every receipt can still be checked against its file.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=200)
    name = models.CharField(_("name"), max_length=ATTACHMENT_NAME_LENGTH)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by_key = models.ForeignKey(ApiKey, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    versions = models.ManyToManyField(PlanVersion, blank=True, related_name="attachments")

    class Meta:
        ordering = ["plan", "uploaded_at", "id"]
        verbose_name = _("supporting document")
        verbose_name_plural = _("supporting documents")
        constraints = [models.CheckConstraint(condition=SHA256_HEX, name="attachment_sha256_hex")]
        indexes = [models.Index(fields=["plan", "removed_at"], name="attachment_plan_current")]

    def __str__(self) -> str:
        return self.name

    @property
    def uploader_label(self) -> str:
        if self.uploaded_by_key_id:
            return f"API key {self.uploaded_by_key.name}"
        return str(self.uploaded_by) if self.uploaded_by_id else ""

    def receipt_entry(self) -> dict:
        """What a version's document records of the file: enough to check a copy against it."""
        return {"name": self.name, "content_type": self.content_type, "size": self.size, "sha256": self.sha256}


class Review(models.Model):
    """A staff decision on a submitted version."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reviews")
    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="reviews")
    decision = models.CharField(_("decision"), max_length=6, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True, max_length=COMMENT_LENGTH)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    # In a two-level cycle, the approver who confirmed the reviewer's recommendation.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    created_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        ordering = ["plan", "created_at"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.CheckConstraint(condition=Q(decision__in=Decision.values), name="review_decision_valid"),
            models.CheckConstraint(
                condition=Q(decision=Decision.ACCEPT) | ~Q(comment=""), name="review_return_needs_comment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version}: {self.get_decision_display()}"


class Recommendation(models.Model):
    """A reviewer's proposed decision in a two-level cycle, waiting for an approver (staff only).

    The delegation never sees it: only the decision it becomes once confirmed (a Review).
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="recommendations")
    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="recommendations")
    decision = models.CharField(_("recommended decision"), max_length=6, choices=Decision.choices)
    comment = models.TextField(_("comment to the delegation"), blank=True)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    # Authors are kept: a reviewer or approver who decided is deactivated, never deleted.
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewer")
    )
    created_at = models.DateTimeField(_("recommended at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=RecommendationStatus.choices, default=RecommendationStatus.PENDING
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approver"),
    )
    approver_comment = models.TextField(_("approver's comment"), blank=True)
    decided_at = models.DateTimeField(_("approved or sent back at"), null=True, blank=True)
    review = models.OneToOneField(
        Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="recommendation"
    )

    class Meta:
        ordering = ["plan", "created_at", "id"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.CheckConstraint(condition=Q(decision__in=Decision.values), name="recommendation_decision_valid"),
            models.CheckConstraint(
                condition=Q(status__in=RecommendationStatus.values), name="recommendation_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(decision=Decision.ACCEPT) | ~Q(comment=""), name="recommendation_return_needs_comment"
            ),
            # At most one recommendation waits for an approver per plan.
            models.UniqueConstraint(
                fields=["plan"], condition=Q(status=RecommendationStatus.PENDING), name="one_pending_recommendation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan}: {self.get_decision_display()} ({self.get_status_display()})"


class Comment(models.Model):
    """A message on a plan between the delegation and staff; internal ones are for staff only."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="comments")
    version = models.ForeignKey(PlanVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author_key = models.ForeignKey(ApiKey, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"), max_length=COMMENT_LENGTH)
    internal = models.BooleanField(_("internal (staff only)"), default=False)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    # The comment of a final review decision, put in the thread so that the delegation reads why
    # its plan came back where it reads every other message, on the web and over the API.
    review = models.OneToOneField(
        Review,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="thread_comment",
        verbose_name=_("decision"),
    )

    class Meta:
        ordering = ["plan", "created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        permissions = [
            ("add_internal_comment", "Can read and write internal (staff-only) comments"),
        ]
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="comment_body_required")]

    def __str__(self) -> str:
        return f"{self.plan}: {self.body[:40]}"

    @property
    def author_label(self) -> str:
        if self.author_key_id:
            return f"API key {self.author_key.name}"
        return str(self.author) if self.author_id else ""


class PlanEvent(models.Model):
    """The history of a plan: who did what, when, and which fields changed.

    One table of our own rather than per-model history tables: a plan's content spans the plan
    row, its lines and partnerships (with their partner allies), and staff want one entry per
    save saying what changed, field by field. Replacing 200 lines would otherwise write 400
    history rows that have to be joined back together to answer that question.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"), default=timezone.now)
    action = models.CharField(_("action"), max_length=20, choices=EventAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_key = models.ForeignKey(ApiKey, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("by"), max_length=200)
    from_status = models.CharField(_("from"), max_length=12, choices=PlanStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=PlanStatus.choices, blank=True)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["plan", "at", "id"]
        verbose_name = _("plan event")
        verbose_name_plural = _("plan history")

    def __str__(self) -> str:
        return f"{self.plan} {self.get_action_display()} by {self.actor_label}"


class Notification(models.Model):
    """One e-mail the service sends: a reminder rung, a receipt, a decision notice.

    `dedupe_key` is unique, so "at most once" is a database fact: a pass that runs twice,
    or two workers that race, cannot both create the row that a send needs.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    rung = models.CharField(_("reminder rung"), max_length=20, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="notifications")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="notifications")
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications")
    version = models.ForeignKey(PlanVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # A new comment's notice says what was written.
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recipients = models.JSONField(_("recipients"), default=list)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # The outbox: a pending row is due from `next_attempt_at` (later after a transient failure),
    # and a worker that claims it holds it until `lease_until`; a worker killed mid-send lets its
    # lease run out and the dispatcher claims the row again.
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        permissions = [
            ("send_reminders", "Can send reminders now and retry failed e-mails"),
        ]
        indexes = [
            models.Index(fields=["cycle", "member", "kind"]),
            models.Index(fields=["status", "next_attempt_at"], name="notification_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.rung} {self.member.code} {self.cycle.year}"
