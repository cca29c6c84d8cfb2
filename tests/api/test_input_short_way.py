"""Valid JSON input takes a short way through the write serializers (core.api.base.StrictSerializer).

It must answer exactly what DRF's whole way answers; anything else (errors above all) goes DRF's
whole way, which the tests of bad input (test_plans_api) check message by message.
"""

from decimal import Decimal

import pytest
from django.core.validators import RegexValidator
from rest_framework import serializers

from core.api.base import PlainCharField, PlainChoiceField, PlainDecimalField
from plans.api.serializers import (
    LineInputSerializer,
    PartnershipInputSerializer,
    PlanContentSerializer,
    PlanCreateSerializer,
)

LINES = [
    {
        "key": "0b5a8e52-3c5e-4d8a-9d2b-6f0c3f1d9e11",
        "item_code": None,
        "category": "ammunition",
        "item": "155 mm shells",
        "unit": "rounds",
        "baseline_capacity": "1000.00",
        "target_capacity": 5000,
        "target_year": 2030,
        "stockpile_current": Decimal("0.1"),
        "stockpile_target": None,
        "planned_investment": "2500000",
        "funding": "national",
        "priority": "high",
        "notes": "Ramp-up\nwith a second line ✓",
    },
    {"item_code": "art-155", "baseline_capacity": 0, "target_capacity": "7.5", "target_year": 2031},
    {"baseline_capacity": "1", "target_capacity": "2", "target_year": 2040},
]
PARTNERSHIPS = [
    {
        "kind": "ally",
        "partner_name": "Joint buy",
        "partner_members": ["LV", "LT"],
        "value": "10.00",
        "status": "signed",
    },
    {"kind": "industry", "partner_name": "A firm", "description": "", "partner_members": [], "value": None},
]
HEADLINES = [
    {"defence_expenditure": "1000000.00", "gdp": 40000000, "currency": "EUR", "nil_return": False, "summary": ""},
    {"military_personnel": 7000, "nil_return_reason": "", "equipment_expenditure": None},
]


def drf_whole_way(serializer: serializers.Serializer, data: dict):
    return serializers.Serializer.run_validation(serializer, data)


@pytest.mark.parametrize(
    ("serializer_class", "data"),
    [
        *((LineInputSerializer, row) for row in LINES),
        *((PartnershipInputSerializer, row) for row in PARTNERSHIPS),
        *((PlanContentSerializer, row) for row in HEADLINES),
    ],
)
def test_valid_input_is_answered_as_drf_answers_it(serializer_class, data):
    short = serializer_class().run_validation(data)
    assert short == drf_whole_way(serializer_class(), data)
    assert type(short) is dict


@pytest.mark.parametrize(
    ("serializer_class", "data", "errors"),
    [
        (
            LineInputSerializer,
            {"target_capacity": "2", "target_year": 2040},
            {"baseline_capacity": ["This field is required."]},
        ),
        (
            LineInputSerializer,
            {**LINES[2], "target_capacity": "many"},
            {"target_capacity": ["A valid number is required."]},
        ),
        (LineInputSerializer, {**LINES[2], "colour": "red"}, {"colour": ["Unknown field."]}),
        (
            PartnershipInputSerializer,
            {**PARTNERSHIPS[0], "partner_members": "LV"},
            {"partner_members": ['Expected a list of items but got type "str".']},
        ),
    ],
)
def test_input_it_cannot_answer_goes_drf_s_whole_way(serializer_class, data, errors):
    with pytest.raises(serializers.ValidationError) as refused:
        serializer_class().run_validation(data)
    assert refused.value.detail == errors


def test_a_field_left_out_takes_its_default_on_the_short_way():
    # `copy_previous` has a default: a create without it must not validate its lines twice.
    data = {"cycle": 2026, **HEADLINES[0], "lines": LINES, "partnerships": PARTNERSHIPS}
    serializer = PlanCreateSerializer()
    seen = []
    line_field = serializer.fields["lines"].child
    validate_line = line_field.run_validation

    def counted(row):
        seen.append(row)
        return validate_line(row)

    line_field.run_validation = counted
    short = serializer.run_validation(data)
    assert short == drf_whole_way(PlanCreateSerializer(), data)
    assert short["copy_previous"] is False
    assert len(seen) == len(LINES)


def _answer(field, value):
    """What a field answers: its value, or its errors."""
    try:
        return ("value", field.run_validation(value))
    except serializers.ValidationError as refused:
        return ("errors", refused.detail)


DECIMAL_INPUTS = [
    "1000.00",
    "1000",
    "0",
    "-0",
    "0.5",
    "-12.34",
    "007.10",
    "123456789012345678",
    "123456789012345678.99",
    "1234567890123456789",
    "1.234",
    "1.",
    ".5",
    " 1.5 ",
    "1e3",
    "NaN",
    "Infinity",
    "4,790,000.50",
    "4 790 000,50",
    "١٢٣",
    "",
    None,
    12,
    Decimal("1.005"),
]


@pytest.mark.parametrize("value", DECIMAL_INPUTS)
@pytest.mark.parametrize("options", [{}, {"allow_null": True, "required": False}])
def test_the_plain_decimal_field_answers_as_drf_s(value, options):
    kwargs = {"max_digits": 20, "decimal_places": 2, **options}
    ours, drf = _answer(PlainDecimalField(**kwargs), value), _answer(serializers.DecimalField(**kwargs), value)
    assert ours == drf
    assert type(ours[1]) is type(drf[1])
    if ours[0] == "value" and ours[1] is not None:
        assert ours[1].as_tuple() == drf[1].as_tuple()  # the same exponent too: "1000" is 1000.00


TEXT_INPUTS = ["EUR", "  padded  ", "x" * 10, "x" * 11, "", "   ", "a\x00b", "café", "\ud800", 12, 1.5, True, None, []]


@pytest.mark.parametrize("value", TEXT_INPUTS)
@pytest.mark.parametrize(
    "options",
    [{"max_length": 10}, {"max_length": 10, "allow_blank": True, "required": False}, {"trim_whitespace": False}],
)
def test_the_plain_char_field_answers_as_drf_s(value, options):
    assert _answer(PlainCharField(**options), value) == _answer(serializers.CharField(**options), value)


def test_the_plain_char_field_takes_drf_s_way_for_a_validator_of_another_kind():
    field = PlainCharField(max_length=10, validators=[RegexValidator("^[A-Z]+$")])
    assert _answer(field, "eur") == _answer(
        serializers.CharField(max_length=10, validators=[RegexValidator("^[A-Z]+$")]), "eur"
    )
    assert _answer(field, "eur")[0] == "errors"


@pytest.mark.parametrize("value", ["ammunition", "AMMUNITION", "", " ammunition", None, 1, True])
@pytest.mark.parametrize("options", [{}, {"allow_blank": True}, {"allow_null": True}])
def test_the_plain_choice_field_answers_as_drf_s(value, options):
    choices = [("ammunition", "Ammunition"), ("space", "Space"), (1, "One")]
    ours = _answer(PlainChoiceField(choices=choices, **options), value)
    assert ours == _answer(serializers.ChoiceField(choices=choices, **options), value)
