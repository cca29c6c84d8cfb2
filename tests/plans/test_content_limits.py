"""Content limits are declared once (the model fields, read by plans.content's schema) and every door reads them.

For each field of the content the web form, the API serializer, the OpenAPI schema and the plan
rules must state the same length, size, choices, range and requiredness; the row limits and the
comment lengths likewise. A limit changed on the model changes all of them.
"""

import pytest
from django.db.models import CheckConstraint
from drf_spectacular.generators import SchemaGenerator

from members.actors import Actor
from plans import services
from plans.admin.forms import AcceptForm, ReturnForm
from plans.admin.forms import CommentForm as AdminCommentForm
from plans.api.serializers import (
    CommentInputSerializer,
    LineInputSerializer,
    PartnershipInputSerializer,
    PlanContentSerializer,
    ReviewInputSerializer,
)
from plans.content import COMMENT_BODY, HEADLINE, LINE, PARTNERSHIP, REVIEW_COMMENT, normalize
from plans.errors import PlanInvalid
from plans.forms import CommentForm, HeadlineForm, LineForm, LineFormSet, PartnershipForm, PartnershipFormSet
from plans.models import CapabilityLine, Partnership, Plan
from plans.validation import validate_content
from tests.factories import valid_content

SCHEMAS = {"headline": (HEADLINE, HeadlineForm, PlanContentSerializer, "PlanContentRequest")}
SCHEMAS["line"] = (LINE, LineForm, LineInputSerializer, "LineInputRequest")
SCHEMAS["partnership"] = (PARTNERSHIP, PartnershipForm, PartnershipInputSerializer, "PartnershipInputRequest")
SPECS = [(part, spec) for part, (schema, *_rest) in SCHEMAS.items() for spec in schema.fields]


@pytest.fixture(scope="module")
def openapi():
    return SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]


def stated_by_the_form(form_class, name) -> dict:
    field = form_class.base_fields[name]
    choices = [value for value, _label in getattr(field, "choices", []) if value != ""]
    return {
        "max_length": getattr(field, "max_length", None),
        "max_digits": getattr(field, "max_digits", None),
        "choices": choices or None,
        "required": field.required,
    }


def stated_by_the_serializer(serializer_class, name) -> dict:
    field = serializer_class().fields[name]
    required = field.required
    if name == "partner_members":  # a list of codes: the length is its items'
        field = field.child
    return {
        "max_length": getattr(field, "max_length", None),
        "max_digits": getattr(field, "max_digits", None),
        "choices": list(field.choices) if hasattr(field, "choices") else None,
        "required": required,
        "range": (getattr(field, "min_value", None), getattr(field, "max_value", None)),
    }


def declared(spec) -> dict:
    choices = [value for value, _label in spec.choices] or None
    return {
        "max_length": spec.max_length,
        "max_digits": spec.max_digits,
        "choices": choices,
        "required": spec.required,
    }


@pytest.mark.parametrize(("part", "spec"), SPECS, ids=[f"{part}.{spec.name}" for part, spec in SPECS])
def test_the_form_and_the_serializer_state_the_declared_limits(part, spec):
    _schema, form_class, serializer_class, _component = SCHEMAS[part]
    form = stated_by_the_form(form_class, spec.name)
    serializer = stated_by_the_serializer(serializer_class, spec.name)

    if spec.kind == "codes":  # the allies are the choices, set when the form is built; codes are two letters
        form.update(choices=None, max_length=spec.max_length)
    if spec.name == "item_code":  # a select of the catalogue, whose items are set when the form is built
        form.update(choices=None, max_length=spec.max_length)
    assert form == declared(spec)
    assert serializer == {**declared(spec), "range": (spec.min_value, spec.max_value)}


@pytest.mark.parametrize(("part", "spec"), SPECS, ids=[f"{part}.{spec.name}" for part, spec in SPECS])
def test_the_openapi_schema_states_the_declared_limits(openapi, part, spec):
    schema, _form, _serializer, component = SCHEMAS[part]
    stated = openapi[component]["properties"][spec.name]
    if "oneOf" in stated:  # a pattern that may also be left blank: the value's alternative comes first
        stated = stated["oneOf"][0]
    if spec.kind == "codes":
        assert (stated["maxItems"], stated["items"]["maxLength"]) == (spec.max_items, spec.max_length)
    elif spec.kind == "text":
        assert stated["maxLength"] == spec.max_length
        assert stated.get("pattern") == (spec.pattern.regex.pattern if spec.pattern else None)
    elif spec.kind == "integer":
        assert (stated["minimum"], stated["maximum"]) == (spec.min_value, spec.max_value)
    elif spec.kind == "decimal":
        whole, places = spec.max_digits - spec.decimal_places, spec.decimal_places
        # At least one digit (core.api.schema tightens drf-spectacular's pattern, which took "" and ".").
        assert stated["pattern"] == rf"^-?(?:\d{{1,{whole}}}(?:\.\d{{0,{places}}})?|\.\d{{1,{places}}})$"
    assert (spec.name in openapi[component].get("required", [])) == spec.required


def test_the_openapi_schema_states_the_row_limits(openapi):
    lines = openapi["PlanContentRequest"]["properties"]["lines"]
    partnerships = openapi["PlanContentRequest"]["properties"]["partnerships"]
    assert (lines["maxItems"], partnerships["maxItems"]) == (LINE.max_rows, PARTNERSHIP.max_rows)
    assert (LineFormSet.max_num, PartnershipFormSet.max_num) == (LINE.max_rows, PARTNERSHIP.max_rows)


def found(content: dict) -> set[tuple[str, str]]:
    findings = validate_content(
        normalize(content), member_code="EE", ally_codes={"LV"}, current_year=2025, for_submission=False
    )
    return {(f.field, f.code) for f in findings}


TEXT_SPECS = [(part, spec) for part, spec in SPECS if spec.kind == "text"]


@pytest.mark.parametrize(("part", "spec"), TEXT_SPECS, ids=[f"{p}.{s.name}" for p, s in TEXT_SPECS])
def test_the_plan_rules_refuse_one_character_over_the_declared_length(part, spec):
    def content_with(text: str) -> dict:
        if part == "headline":
            return valid_content(**{spec.name: text})
        group = "lines" if part == "line" else "partnerships"
        return valid_content(**{group: [{**valid_content()[group][0], spec.name: text}]})

    path = spec.name if part == "headline" else f"{'lines' if part == 'line' else 'partnerships'}[0].{spec.name}"
    filler = "EUR"[: spec.max_length] if spec.name == "currency" else "x" * spec.max_length
    assert (path, "too_long") not in found(content_with(filler))
    assert (path, "too_long") in found(content_with(filler + "X"))


def test_the_plan_rules_refuse_one_row_over_the_declared_maximum():
    line = valid_content()["lines"][0]
    assert ("lines", "too_many") not in found(valid_content(lines=[line] * LINE.max_rows))
    assert ("lines", "too_many") in found(valid_content(lines=[line] * (LINE.max_rows + 1)))


def test_the_plan_rules_use_the_declared_format():
    assert HEADLINE["currency"].pattern.regex.pattern == "^[A-Z]{3}$"
    assert ("currency", "invalid") in found(valid_content(currency="eur"))
    assert ("currency", "invalid") not in found(valid_content(currency="EUR"))


def test_the_plan_rules_use_the_declared_ranges():
    line = valid_content()["lines"][0]
    low, high = LINE["target_year"].min_value, LINE["target_year"].max_value
    assert found(valid_content(lines=[{**line, "target_year": low - 1}, {**line, "target_year": high + 1}])) >= {
        ("lines[0].target_year", "out_of_range"),
        ("lines[1].target_year", "out_of_range"),
    }
    assert ("military_personnel", "too_large") in found(
        valid_content(military_personnel=HEADLINE["military_personnel"].max_value + 1)
    )


def test_non_negative_fields_are_the_ones_the_database_constrains():
    constrained = {
        constraint.name
        for model in (Plan, CapabilityLine, Partnership)
        for constraint in model._meta.constraints
        if isinstance(constraint, CheckConstraint) and constraint.name.endswith("_non_negative")
    }
    declared_non_negative = {
        f"{prefix}_{spec.name}_non_negative"
        for prefix, schema in (("plan", HEADLINE), ("line", LINE), ("partnership", PARTNERSHIP))
        for spec in schema.fields
        if spec.min_value == 0 and spec.kind == "decimal"
    }
    assert declared_non_negative == constrained


# Comments and review decisions: one length at every door ---------------------------------------


def test_comment_lengths_are_the_same_at_every_door():
    assert COMMENT_BODY.max_length == REVIEW_COMMENT.max_length == 20_000
    assert [
        CommentForm.base_fields["body"].max_length,
        AdminCommentForm.base_fields["body"].max_length,
        CommentInputSerializer().fields["body"].max_length,
    ] == [COMMENT_BODY.max_length] * 3
    assert [
        ReturnForm.base_fields["comment"].max_length,
        AcceptForm.base_fields["comment"].max_length,
        ReviewInputSerializer().fields["comment"].max_length,
    ] == [REVIEW_COMMENT.max_length] * 3


@pytest.mark.django_db
def test_the_comment_service_refuses_one_character_over_the_limit(cycle, estonia, as_alice):
    plan = services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content=valid_content()).plan
    services.comment_add(plan=plan, actor=as_alice, body="x" * COMMENT_BODY.max_length)
    with pytest.raises(PlanInvalid) as refused:
        services.comment_add(plan=plan, actor=Actor.for_user(as_alice.user), body="x" * (COMMENT_BODY.max_length + 1))
    assert [(f.field, f.code) for f in refused.value.findings] == [("body", "too_long")]
