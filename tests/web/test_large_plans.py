"""Plans at the schema's size: the editor saves 2,000 lines from one form, within limits of its own."""

from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from members.actors import Actor
from plans import services
from plans.content import LINE
from plans.models import CapabilityLine, Plan
from plans.views.editor import MAX_FIELDS
from tests.factories import valid_content
from tests.web.conftest import MODEL_BACKEND, editor_post

FORM = "application/x-www-form-urlencoded"


def lines(count: int) -> list[dict]:
    return [
        {
            "category": "ammunition",
            "item": f"Shells {n}",
            "unit": "rounds",
            "baseline_capacity": Decimal("1000.50"),
            "target_capacity": Decimal(2000),
            "target_year": 2030,
        }
        for n in range(count)
    ]


def typed_lines(count: int) -> list[dict]:
    """The lines as a browser sends them: every field, the empty ones too, figures as people write them."""
    empty = dict.fromkeys(
        ["key", "item_code", "stockpile_current", "stockpile_target", "planned_investment", "notes"], ""
    )
    return [{**line, **empty, "baseline_capacity": "1,000.50", "target_capacity": "2,000"} for line in lines(count)]


def post_as_a_browser(client, plan, data):
    return client.post(reverse("plan-edit", args=[plan.pk]), urlencode(data, doseq=True), content_type=FORM)


@pytest.mark.slow
def test_the_editor_saves_the_schemas_maximum_of_lines(alice_client, plan):
    data = editor_post(valid_content(lines=typed_lines(LINE.max_rows)), revision=plan.revision, blank_rows=2)
    # More fields than the site lets any other form carry.
    assert len(data) > settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    response = post_as_a_browser(alice_client, plan, data)
    assert (response.status_code, response["Location"]) == (302, reverse("plan-edit", args=[plan.pk]))
    saved = list(CapabilityLine.objects.filter(plan=plan).order_by("position").values_list("item", "baseline_capacity"))
    assert len(saved) == LINE.max_rows
    assert (saved[0], saved[-1]) == (("Shells 0", Decimal("1000.50")), ("Shells 1999", Decimal("1000.50")))


def test_one_line_more_than_the_schema_allows_is_refused_and_nothing_is_written(alice_client, plan):
    data = editor_post(valid_content(lines=typed_lines(LINE.max_rows + 1)), revision=plan.revision)
    response = post_as_a_browser(alice_client, plan, data)
    assert response.status_code == 400
    assert f"Please submit at most {LINE.max_rows} forms." in response.content.decode()
    assert (Plan.objects.get(pk=plan.pk).revision, plan.lines.count()) == (plan.revision, 1)


def test_a_form_past_the_editors_own_limit_is_refused_with_400(alice_client, plan):
    body = "&".join(f"f{n}=x" for n in range(MAX_FIELDS + 1))
    response = alice_client.post(reverse("plan-edit", args=[plan.pk]), body, content_type=FORM)
    assert response.status_code == 400
    assert Plan.objects.get(pk=plan.pk).revision == plan.revision


def test_only_the_editor_and_only_signed_in_reads_past_the_sites_limit(alice, plan):
    # The CSRF check reads the form first: past the limit that applies, the answer is 400; within
    # it, the form is read and refused for its missing token (403).
    body = "&".join(f"f{n}=x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    signed_in_client, signed_out = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    signed_in_client.force_login(alice, backend=MODEL_BACKEND)
    for client in (signed_in_client, signed_out):
        client.cookies["csrftoken"] = "a" * 32
    editor, submit = reverse("plan-edit", args=[plan.pk]), reverse("plan-submit", args=[plan.pk])
    statuses = [
        signed_in_client.post(editor, body, content_type=FORM).status_code,
        signed_in_client.post(submit, body, content_type=FORM).status_code,
        signed_out.post(editor, body, content_type=FORM).status_code,
    ]
    assert statuses == [403, 400, 400]
    assert Plan.objects.get(pk=plan.pk).status == "draft"


# (Up to 40 lines: past that, SQLite splits the rows' insert into batches; PostgreSQL does not.)
@pytest.mark.parametrize("size", [1, 40])
def test_editor_save_queries(alice_client, alice, cycle, estonia, size, django_assert_num_queries):
    plan = services.plan_create(
        cycle=cycle, member=estonia, actor=Actor.for_user(alice), content=valid_content(lines=lines(size))
    ).plan
    data = editor_post(valid_content(lines=typed_lines(size)), revision=plan.revision)
    with django_assert_num_queries(18):
        response = post_as_a_browser(alice_client, plan, data)
    assert response.status_code == 302
