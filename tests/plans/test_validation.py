"""Every rule of plans.validation: errors stop a save or a submission, warnings never do."""

from decimal import Decimal

import pytest

from members.actors import Actor
from plans import services
from plans.content import HEADLINE, PARTNERSHIP, normalize, plan_content
from plans.content import LINE as LINE_SCHEMA
from plans.enums import PlanStatus
from plans.errors import PlanInvalid
from plans.models import CapabilityLine, Partnership, Plan, PlanEvent, PlanVersion
from plans.selectors import ally_codes
from plans.validation import (
    ERROR,
    WARNING,
    as_field_messages,
    errors,
    field_findings,
    quick_check,
    validate_content,
    warnings,
)
from tests.factories import DelegateFactory, UserFactory, member, valid_content

pytestmark = pytest.mark.django_db

LINE = valid_content()["lines"][0]
ALLY = valid_content()["partnerships"][0]


def line(**overrides) -> dict:
    return {**LINE, **overrides}


def partnership(**overrides) -> dict:
    return {**ALLY, **overrides}


def found(content: dict, *, for_submission: bool) -> set[tuple[str, str, str]]:
    findings = validate_content(
        normalize(content),
        member_code="EE",
        ally_codes=ally_codes(),
        current_year=2026,
        for_submission=for_submission,
    )
    return {(f.field, f.code, f.severity) for f in findings}


def test_valid_content_has_no_findings():
    assert found(valid_content(), for_submission=True) == set()


# Errors on every save (and so on every submission).
SAVE_ERRORS = [
    *[
        ({field: Decimal("-1"), "defence_expenditure": None}, (field, "negative"))
        for field in ("equipment_expenditure", "personnel_expenditure", "infrastructure_expenditure")
    ],
    ({"other_expenditure": Decimal("-1")}, ("other_expenditure", "negative")),
    ({"defence_expenditure": Decimal("-1")}, ("defence_expenditure", "negative")),
    ({"gdp": Decimal("0")}, ("gdp", "not_positive")),
    ({"gdp": Decimal("-10")}, ("gdp", "not_positive")),
    ({"military_personnel": -1}, ("military_personnel", "negative")),
    ({"currency": "eur"}, ("currency", "invalid")),
    ({"currency": "EURO"}, ("currency", "invalid")),
    ({"other_expenditure": Decimal("150000.01")}, ("defence_expenditure", "parts_exceed_total")),
    ({"other_expenditure": Decimal("149999.99")}, ("defence_expenditure", "parts_differ_from_total")),
    ({"gdp": Decimal("999999.99"), "military_personnel": 1}, ("defence_expenditure", "above_gdp")),
    ({"lines": [line(baseline_capacity=Decimal("-1"))]}, ("lines[0].baseline_capacity", "negative")),
    ({"lines": [line(target_capacity=Decimal("-1"))]}, ("lines[0].target_capacity", "negative")),
    ({"lines": [line(stockpile_current=Decimal("-1"))]}, ("lines[0].stockpile_current", "negative")),
    ({"lines": [line(stockpile_target=Decimal("-1"))]}, ("lines[0].stockpile_target", "negative")),
    ({"lines": [line(planned_investment=Decimal("-1"))]}, ("lines[0].planned_investment", "negative")),
    ({"lines": [line(), line(target_year=1999)]}, ("lines[1].target_year", "out_of_range")),
    ({"lines": [line(target_year=2101)]}, ("lines[0].target_year", "out_of_range")),
    ({"partnerships": [partnership(partner_members=["LV", "XX"])]}, ("partnerships[0].partner_members", "not_an_ally")),
    ({"partnerships": [partnership(partner_members=["EE"])]}, ("partnerships[0].partner_members", "self")),
    (
        {"partnerships": [partnership(kind="industry", partner_members=["LV"])]},
        ("partnerships[0].partner_members", "members_not_expected"),
    ),
    ({"partnerships": [partnership(value=Decimal("-1"))]}, ("partnerships[0].value", "negative")),
    # Shape: what the columns could not hold is refused with a message, not a database error.
    ({"lines": [line(item="")]}, ("lines[0].item", "required")),
    ({"lines": [{k: v for k, v in LINE.items() if k != "category"}]}, ("lines[0].category", "required")),
    ({"lines": [line(baseline_capacity=None)]}, ("lines[0].baseline_capacity", "required")),
    ({"lines": [line(target_year=None)]}, ("lines[0].target_year", "required")),
    ({"lines": [line(category="tanks")]}, ("lines[0].category", "invalid_choice")),
    ({"lines": [line(funding="lottery")]}, ("lines[0].funding", "invalid_choice")),
    ({"lines": [line(priority="urgent")]}, ("lines[0].priority", "invalid_choice")),
    ({"lines": [line(bottleneck="weather")]}, ("lines[0].bottleneck", "invalid_choice")),
    ({"lines": [line(item="x" * 201)]}, ("lines[0].item", "too_long")),
    ({"lines": [line(unit="x" * 51)]}, ("lines[0].unit", "invalid_choice")),
    ({"lines": [line(unit="")]}, ("lines[0].unit", "required")),
    ({"lines": [line(item="", unit="rounds")]}, ("lines[0].item", "required")),
    ({"lines": [line(item_code="no-such-item")]}, ("lines[0].item_code", "unknown_item")),
    ({"lines": [line(key="not-a-uuid")]}, ("lines[0].key", "invalid")),
    ({"lines": [line(target_capacity=Decimal("1E+14"))]}, ("lines[0].target_capacity", "too_large")),
    ({"gdp": Decimal("1E+18")}, ("gdp", "too_large")),
    ({"military_personnel": 2**31}, ("military_personnel", "too_large")),
    ({"partnerships": [partnership(kind="friend")]}, ("partnerships[0].kind", "invalid_choice")),
    ({"partnerships": [partnership(status="dreaming")]}, ("partnerships[0].status", "invalid_choice")),
    ({"partnerships": [partnership(partner_name=" ")]}, ("partnerships[0].partner_name", "required")),
]

# Warnings: shown, never blocking.
WARNINGS = [
    ({"lines": [line(baseline_capacity=Decimal("10"), target_capacity=Decimal("5"))]}, "lines[0].target_capacity"),
    ({"lines": [line(target_year=2025)]}, "lines[0].target_year"),
    ({"lines": [line(stockpile_current=Decimal("10"), stockpile_target=Decimal("5"))]}, "lines[0].stockpile_target"),
]
WARNING_CODES = {
    "lines[0].target_capacity": "below_baseline",
    "lines[0].target_year": "in_the_past",
    "lines[0].stockpile_target": "below_current",
}

# Errors only when submitting: a draft may be incomplete.
SUBMISSION_ERRORS = [
    ({"defence_expenditure": None, "equipment_expenditure": None}, ("defence_expenditure", "required")),
    ({"gdp": None}, ("gdp", "required")),
    ({"currency": ""}, ("currency", "required")),
    ({"lines": []}, ("lines", "required")),
    ({"partnerships": [partnership(partner_members=[])]}, ("partnerships[0].partner_members", "required")),
    ({"nil_return": True, "nil_return_reason": " ", "lines": []}, ("nil_return_reason", "required")),
    ({"nil_return": True, "nil_return_reason": "No armed forces."}, ("lines", "nil_return_with_lines")),
]


@pytest.mark.parametrize(("overrides", "expected"), SAVE_ERRORS)
def test_save_error_is_found_for_save_and_submission(overrides, expected):
    for for_submission in (False, True):
        assert (*expected, ERROR) in found(valid_content(**overrides), for_submission=for_submission)


@pytest.mark.parametrize(("overrides", "field"), WARNINGS)
def test_warning_is_only_a_warning(overrides, field):
    assert found(valid_content(**overrides), for_submission=True) == {(field, WARNING_CODES[field], WARNING)}


@pytest.mark.parametrize(("overrides", "expected"), SUBMISSION_ERRORS)
def test_submission_error_is_not_found_on_save(overrides, expected):
    content = valid_content(**overrides)
    assert (*expected, ERROR) in found(content, for_submission=True)
    assert not any(
        finding[0] == expected[0] and finding[2] == ERROR for finding in found(content, for_submission=False)
    )


def test_nil_return_needs_only_its_reason():
    nil = {"nil_return": True, "nil_return_reason": "Iceland has no armed forces."}
    assert found(nil, for_submission=True) == set()


def test_multinational_partnership_may_name_allies():
    content = valid_content(partnerships=[partnership(kind="multinational", partner_members=["LV", "DE"])])
    assert found(content, for_submission=True) == set()


def test_field_messages_group_findings_by_path():
    findings = validate_content(
        normalize(valid_content(lines=[line(item="", target_capacity=Decimal("-1"))])),
        member_code="EE",
        ally_codes=ally_codes(),
        current_year=2026,
        for_submission=False,
    )
    assert sorted(as_field_messages(findings)) == ["lines[0].item", "lines[0].target_capacity"]
    assert len(errors(findings)) == 2
    assert warnings(findings) == []


# Through the services --------------------------------------------------------------------


def stored(plan) -> tuple:
    plan = Plan.objects.get(pk=plan.pk)
    return (
        plan.revision,
        plan.updated_at,
        plan_content(plan),
        PlanEvent.objects.filter(plan=plan).count(),
    )


@pytest.mark.parametrize(("overrides", "expected"), SAVE_ERRORS)
def test_rejected_save_leaves_stored_plan_unharmed(draft, as_alice, overrides, expected):
    before = stored(draft)
    with pytest.raises(PlanInvalid) as caught:
        services.plan_update(plan=draft, actor=as_alice, content=valid_content(**overrides))
    assert expected in {(f.field, f.code) for f in caught.value.findings}
    assert expected[0] in caught.value.message
    assert stored(draft) == before


@pytest.mark.parametrize(("overrides", "expected"), SAVE_ERRORS[:3])
def test_rejected_create_stores_nothing(cycle, estonia, as_alice, overrides, expected):
    with pytest.raises(PlanInvalid):
        services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content=valid_content(**overrides))
    assert (Plan.objects.count(), CapabilityLine.objects.count(), Partnership.objects.count()) == (0, 0, 0)


def test_save_allows_incomplete_draft_but_submission_refuses_it(cycle, estonia, as_alice):
    plan = services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content={"summary": "Work started."}).plan
    with pytest.raises(PlanInvalid) as caught:
        services.plan_submit(plan=plan, actor=as_alice)
    assert {f.field for f in errors(caught.value.findings)} == {"defence_expenditure", "gdp", "currency", "lines"}
    plan.refresh_from_db()
    assert (plan.status, PlanVersion.objects.filter(plan=plan).count()) == (PlanStatus.DRAFT, 0)


@pytest.mark.parametrize(("overrides", "field"), WARNINGS)
def test_warnings_are_returned_by_save_and_submission(cycle, estonia, as_alice, overrides, field):
    saved = services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content=valid_content(**overrides))
    receipt = services.plan_submit(plan=saved.plan, actor=as_alice)
    assert [f.field for f in saved.warnings] == [field]
    assert [f.field for f in receipt.warnings] == [field]
    assert receipt.plan.status == PlanStatus.SUBMITTED


def test_nil_return_is_a_real_submission_without_lines(cycle, as_alice):
    iceland = member("IS")
    submitter = Actor.for_user(DelegateFactory(user=UserFactory(), member=iceland).user)
    plan = services.plan_create(
        cycle=cycle,
        member=iceland,
        actor=submitter,
        content={"nil_return": True, "nil_return_reason": "Iceland has no armed forces."},
    ).plan
    receipt = services.plan_submit(plan=plan, actor=submitter)
    assert (receipt.number, receipt.is_late, receipt.warnings) == (1, False, [])


# Values of every kind, fine and wrong, at and around each limit, for the quick check below.
ODD_VALUES = [
    None,
    "",
    " ",
    "\t\n",
    "x",
    "EUR",
    "eur",
    "E1R",
    "x" * 3,
    "x" * 4,
    "x" * 200,
    "x" * 201,
    "x" * 20_001,
    "ammunition",
    "rounds",
    "national",
    "0b5a8e52-3c5e-4d8a-9d2b-6f0c3f1d9e11",
    "not-a-uuid",
    True,
    False,
    0,
    1,
    -1,
    1999,
    2000,
    2100,
    2101,
    32_767,
    2**40,
    Decimal("0"),
    Decimal("-0.01"),
    Decimal("0.01"),
    Decimal("1000000.00"),
    Decimal("999999999999999999.99"),
    Decimal("1000000000000000000"),
    Decimal("-1000000000000000000"),
    Decimal("2030"),
    [],
    ["LV"],
    ["LV"] * 33,
    {},
]


@pytest.mark.parametrize("schema", [HEADLINE, LINE_SCHEMA, PARTNERSHIP], ids=["headline", "line", "partnership"])
def test_the_quick_check_says_yes_only_where_the_field_rules_find_nothing(schema):
    for spec in schema.fields:
        fine = quick_check(spec)
        values = [*ODD_VALUES, spec.default, *(value for value, _label in spec.choices)]
        if spec.max_length:
            values += ["y" * spec.max_length, "y" * (spec.max_length + 1)]
        for value in values:
            if fine(value):
                assert field_findings(spec.name, value, spec) == [], (spec.name, value)


def test_a_valid_line_is_answered_by_the_quick_checks_alone():
    content = normalize(valid_content(lines=[line(notes="Second line", stockpile_current=Decimal("3"))]))
    row = {**content["lines"][0], "key": "0b5a8e52-3c5e-4d8a-9d2b-6f0c3f1d9e11"}
    assert [spec.name for spec in LINE_SCHEMA.fields if not quick_check(spec)(row[spec.name])] == []
