"""Input validation for plan writes, and the response shapes the schema documents.

Write serializers check types, ranges and choices only; the plan rules (parts within the
total, partner allies, ...) are plans.validation's, applied by the services.
"""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from rest_framework import serializers

from core.api.base import (
    FindingSerializer,
    PlainCharField,
    PlainChoiceField,
    PlainDecimalField,
    StrictSerializer,
)
from plans.content import COMMENT_BODY, HEADLINE, LINE, PARTNERSHIP, REVIEW_COMMENT, ContentSchema, FieldSpec
from plans.enums import Category, Decision, PlanStatus, RecommendationStatus, ReturnReason, ReviewAction, Unit
from plans.models import CYCLE_YEARS


def content_field(spec: FieldSpec, *, write: bool) -> serializers.Field:
    """The serializer field of one field of the content, with the limits of its spec (plans.content).

    Input fields refuse what the field cannot hold (type, digits, length, choice, number of
    items). Ranges are stated for the schema (`minimum`, `maximum`) but left to the plan rules,
    so a value out of range gets the same finding, at the same path, as on the web pages.
    Response fields describe what reads return: every key present, null where the field may be.
    """
    nullable = spec.default is None and not spec.required
    if write:
        common: dict = {"required": spec.required}
        if nullable:
            common["allow_null"] = True
    else:
        common = {"allow_null": nullable} if nullable else {}
    if spec.kind == "decimal":
        field = PlainDecimalField(
            max_digits=spec.max_digits,
            decimal_places=spec.decimal_places,
            min_value=spec.min_value,
            max_value=spec.max_value,
            **common,
        )
    elif spec.kind == "integer":
        field = serializers.IntegerField(min_value=spec.min_value, max_value=spec.max_value, **common)
    elif spec.kind == "boolean":
        field = serializers.BooleanField(**common)
    elif spec.kind == "choice":
        field = PlainChoiceField(choices=spec.choices, **common)
    elif spec.kind == "key":
        field = serializers.UUIDField(
            help_text="The row's stable key, kept across saves and versions: send it back as read; "
            "leave it out for a new row.",
            **common,
        )
    elif spec.kind == "codes":
        child = serializers.CharField(max_length=spec.max_length)
        field = serializers.ListField(
            child=child, max_length=spec.max_items, help_text="Allies' alpha-2 codes.", **common
        )
    else:
        blank = {"allow_blank": True} if not spec.required else {}
        extra = {"help_text": ITEM_CODE_HELP} if spec.name == "item_code" else {}
        field = PlainCharField(
            max_length=spec.max_length if write else None,
            quiet_validators=(StatedPattern,),
            **blank,
            **common,
            **extra,
        )
    field.validators = [v for v in field.validators if not isinstance(v, (MinValueValidator, MaxValueValidator))]
    if write and spec.pattern is not None:
        field.validators.append(StatedPattern(spec.pattern.regex))
    return field


ITEM_CODE_HELP = (
    "The catalogue item's code (GET /api/v1/catalogue/); its category and unit come with it. "
    'Null (or "other") for an item the catalogue does not list: then category, item and unit are required.'
)


class StatedPattern(RegexValidator):
    """A format the OpenAPI schema states (drf-spectacular reads RegexValidators) and the plan rules check.

    Checking it here too would answer a malformed value alone, before the plan's other findings.
    """

    def __call__(self, value):
        return None


def content_fields(schema: ContentSchema, *, write: bool) -> dict[str, serializers.Field]:
    return {spec.name: content_field(spec, write=write) for spec in schema.fields}


OPTIONAL = {"required": False, "allow_null": True}
# Keys of the plan's JSON that a client may send back unchanged (GET, edit, PUT) and we ignore.
READ_ONLY_PLAN_KEYS = frozenset(
    {
        "id",
        "cycle",
        "member",
        "member_name",
        "status",
        "revision",
        "etag",
        "spending_pct_gdp",
        "equipment_share_pct",
        "spending_target_pct",
        "equipment_target_pct",
        "meets_spending_target",
        "meets_equipment_target",
        "deadline",
        "submitted_late",
        "overdue",
        "is_late",
        "is_editable",
        "versions",
        "latest_version",
        "created_at",
        "updated_at",
        "warnings",
    }
)


# Writes -----------------------------------------------------------------------------------------


class SchemaSerializer(serializers.Serializer):
    """A serializer whose fields are those of a content schema (plans.content), plus any declared."""

    schema: ContentSchema
    write = False

    def get_fields(self):
        return {**content_fields(self.schema, write=self.write), **super().get_fields()}


class LineInputSerializer(SchemaSerializer, StrictSerializer):
    schema, write = LINE, True


class PartnershipInputSerializer(SchemaSerializer, StrictSerializer):
    schema, write = PARTNERSHIP, True


class PlanContentSerializer(SchemaSerializer, StrictSerializer):
    """A plan's content. Absent keys: defaults (PUT) or unchanged (PATCH); lists replace whole."""

    schema, write = HEADLINE, True
    ignored_keys = READ_ONLY_PLAN_KEYS

    # ListField rather than many=True: its max_length is what the OpenAPI schema shows as maxItems.
    lines = serializers.ListField(child=LineInputSerializer(), required=False, max_length=LINE.max_rows)
    partnerships = serializers.ListField(
        child=PartnershipInputSerializer(), required=False, max_length=PARTNERSHIP.max_rows
    )


class PlanCreateSerializer(PlanContentSerializer):
    ignored_keys = READ_ONLY_PLAN_KEYS - {"cycle"}

    cycle = serializers.IntegerField(min_value=CYCLE_YEARS[0], max_value=CYCLE_YEARS[1], help_text="The cycle's year.")
    copy_previous = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Start from the member's last submitted plan (when no content is given).",
    )


class ReviewInputSerializer(StrictSerializer):
    decision = serializers.ChoiceField(
        choices=ReviewAction.choices,
        help_text="`accept` takes a submitted plan into review first. In a cycle with two approval levels, a "
        "reviewer's `accept` or `return` is a recommendation that another person with the approver role "
        "`confirm`s (it becomes the decision) or `send_back`s (with a comment).",
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=REVIEW_COMMENT.max_length)
    reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=ReturnReason.choices), required=False, max_length=10
    )


class CommentInputSerializer(StrictSerializer):
    body = serializers.CharField(max_length=COMMENT_BODY.max_length)
    internal = serializers.BooleanField(required=False, default=False, help_text="Staff only.")
    version = serializers.IntegerField(min_value=1, max_value=2_147_483_647, required=False, allow_null=True)


# Responses (the shapes reads.py builds) ----------------------------------------------------------


class LineSerializer(SchemaSerializer):
    schema = LINE


class PartnershipSerializer(SchemaSerializer):
    schema = PARTNERSHIP


class VersionRefSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    sha256 = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    is_late = serializers.BooleanField()


def percent(**kwargs):
    return serializers.DecimalField(max_digits=None, decimal_places=2, **kwargs)


class PlanSummarySerializer(SchemaSerializer):
    schema = HEADLINE

    id = serializers.IntegerField()
    cycle = serializers.IntegerField(help_text="The cycle's year.")
    member = serializers.CharField(help_text="The member's code.")
    member_name = serializers.CharField()
    status = serializers.ChoiceField(choices=PlanStatus.choices)
    revision = serializers.IntegerField()
    etag = serializers.CharField(help_text="The value for If-Match.")
    spending_pct_gdp = percent(
        allow_null=True, help_text="Defence expenditure / GDP x 100, to two decimals (halves up)."
    )
    equipment_share_pct = percent(
        allow_null=True, help_text="Equipment / defence expenditure x 100, to two decimals (halves up)."
    )
    spending_target_pct = percent()
    equipment_target_pct = percent()
    meets_spending_target = serializers.BooleanField(
        allow_null=True,
        help_text="Defence expenditure x 100 >= spending_target_pct x GDP, compared exactly (no rounding).",
    )
    meets_equipment_target = serializers.BooleanField(
        allow_null=True,
        help_text="Equipment x 100 >= equipment_target_pct x defence expenditure, compared exactly.",
    )
    deadline = serializers.DateTimeField(help_text="The member's effective deadline (with its extension, if any).")
    submitted_late = serializers.BooleanField(
        allow_null=True,
        help_text="The first submission came after the deadline in force when it was made; "
        "null before any submission. A resubmission after a return does not change it.",
    )
    overdue = serializers.BooleanField(help_text="Nothing submitted yet and the effective deadline has passed.")
    is_late = serializers.BooleanField(
        help_text="Kept for compatibility: `submitted_late` is true, or the plan is `overdue`."
    )
    is_editable = serializers.BooleanField()
    versions = serializers.IntegerField(help_text="Number of submitted versions.")
    latest_version = VersionRefSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class PlanListItemSerializer(PlanSummarySerializer):
    lines = LineSerializer(many=True, required=False, help_text="With `expand=content` only.")
    partnerships = PartnershipSerializer(many=True, required=False, help_text="With `expand=content` only.")


class ReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    decision = serializers.ChoiceField(choices=Decision.choices)
    comment = serializers.CharField(allow_blank=True, help_text="Why the plan was returned (required for a return).")
    reasons = serializers.ListField(child=serializers.ChoiceField(choices=ReturnReason.choices))
    version = serializers.IntegerField(help_text="The number of the version decided on.")
    reviewer = serializers.CharField(allow_blank=True, help_text="Who decided (or recommended, in two-level cycles).")
    approved_by = serializers.CharField(allow_null=True, help_text="Two-level cycles: the approver who confirmed.")
    created_at = serializers.DateTimeField()


class PlanSerializer(PlanSummarySerializer):
    lines = LineSerializer(many=True)
    partnerships = PartnershipSerializer(many=True)
    warnings = FindingSerializer(many=True)
    latest_review = ReviewSerializer(allow_null=True, help_text="The latest final decision, as in `reviews/`.")


class ReceiptSerializer(serializers.Serializer):
    plan = serializers.IntegerField()
    status = serializers.ChoiceField(choices=PlanStatus.choices)
    version = serializers.IntegerField()
    sha256 = serializers.CharField()
    previous_sha256 = serializers.CharField(allow_blank=True)
    submitted_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField()
    is_late = serializers.BooleanField()
    warnings = FindingSerializer(many=True)


class VersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    sha256 = serializers.CharField()
    previous_sha256 = serializers.CharField(allow_blank=True)
    submitted_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField()
    is_late = serializers.BooleanField()
    submitted_by = serializers.CharField(allow_blank=True)


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="The name given at upload, sanitised; the download's file name.")
    content_type = serializers.CharField(help_text="Read from the file's bytes at upload, not from its name.")
    size = serializers.IntegerField(help_text="In bytes.")
    sha256 = serializers.CharField()
    uploaded_by = serializers.CharField(allow_blank=True)
    uploaded_at = serializers.DateTimeField()
    download = serializers.CharField(help_text="The path that answers the file itself (GET).")


class AttachmentUploadSerializer(StrictSerializer):
    file = serializers.FileField(
        help_text="PDF, DOCX, XLSX, ODT, ODS, PNG or JPEG, up to the service's ATTACHMENT_MAX_BYTES."
    )


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class ComparedFieldSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField(help_text="The field's name in the request's language.")
    old = serializers.CharField(help_text="As words: numbers grouped, with their unit or currency; labels of choices.")
    new = serializers.CharField()


class ComparisonSerializer(serializers.Serializer):
    part = serializers.ChoiceField(choices=["plan", "line", "partnership"])
    change = serializers.ChoiceField(choices=["added", "removed", "changed"])
    key = serializers.UUIDField(allow_null=True, help_text="The line's or partnership's stable key; null for the plan.")
    label = serializers.CharField(allow_blank=True, help_text="The line's item or the partner's name.")
    fields = ComparedFieldSerializer(many=True)
    text = serializers.CharField(
        help_text='The change as a sentence, e.g. "Line changed: 155 mm artillery rounds: '
        'target capacity (a year) 50,000 -> 60,000 rounds".'
    )


class VersionDetailSerializer(VersionSerializer):
    content = serializers.DictField(help_text="The content as submitted (canonical JSON).")
    changes = ChangeSerializer(
        many=True,
        help_text="What changed since the previous version, field by field; rows matched by their key.",
    )
    comparison = ComparisonSerializer(
        many=True, help_text="The same changes for people: one entry per added, removed or changed row."
    )
    attachments = AttachmentSerializer(
        many=True, help_text="The supporting documents this version lists; their SHA-256 are in its hashed document."
    )


class RecommendationSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    comment = serializers.CharField(allow_blank=True)
    reasons = serializers.ListField(child=serializers.ChoiceField(choices=ReturnReason.choices))
    version = serializers.IntegerField()
    status = serializers.ChoiceField(choices=RecommendationStatus.choices)
    reviewer = serializers.CharField(allow_blank=True)
    approver = serializers.CharField(allow_blank=True)
    approver_comment = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


class ReviewResultSerializer(serializers.Serializer):
    plan = serializers.IntegerField()
    status = serializers.ChoiceField(choices=PlanStatus.choices)
    review = ReviewSerializer(allow_null=True, help_text="The decision, when the request made one.")
    recommendation = RecommendationSerializer(
        allow_null=True, help_text="Two-level cycles: the recommendation the request made, confirmed or sent back."
    )


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    body = serializers.CharField()
    internal = serializers.BooleanField()
    version = serializers.IntegerField(allow_null=True)
    author = serializers.CharField(allow_blank=True)
    decision = serializers.ChoiceField(
        choices=Decision.choices,
        allow_null=True,
        help_text="Set when the comment is the comment of a review decision (`reviews/`).",
    )
    created_at = serializers.DateTimeField()


class CatalogueItemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="What a line's `item_code` names.")
    name = serializers.CharField(help_text="In the request's language (English or French).")
    name_en = serializers.CharField()
    name_fr = serializers.CharField()
    category = serializers.ChoiceField(choices=Category.choices)
    unit = serializers.ChoiceField(choices=Unit.choices, help_text="What the lines of this item count in.")
    unit_label = serializers.CharField(help_text="The unit in the request's language.")
    parent = serializers.CharField(allow_null=True, help_text="The code of the broader item it belongs to.")
    active = serializers.BooleanField(help_text="Retired items (false) stay on lines; new lines cannot pick them.")


class CycleSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    opens_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField()
    effective_deadline = serializers.DateTimeField(help_text="The caller's deadline, with its extension if any.")
    has_extension = serializers.BooleanField()
    review_deadline = serializers.DateTimeField(allow_null=True)
    spending_target_pct = percent()
    equipment_target_pct = percent()
    approval_levels = serializers.ChoiceField(
        choices=[1, 2], help_text="2: a reviewer's decision takes effect once an approver (another person) confirms it."
    )
    is_open = serializers.BooleanField()


class PlanImportSerializer(StrictSerializer):
    file = serializers.FileField(
        help_text="The plan's filled spreadsheet template (.xlsx), or a CSV of lines (.csv, replaces the lines only)."
    )


class ImportPreviewSerializer(serializers.Serializer):
    changes = ChangeSerializer(many=True, help_text="What the file would change, field by field; rows matched by key.")
    comparison = ComparisonSerializer(
        many=True, help_text="The same changes for people: one entry per added, removed or changed row."
    )
