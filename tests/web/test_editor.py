"""The plan editor: saving, errors beside their fields, nothing typed lost, rows added and removed."""

from decimal import Decimal

from django.urls import reverse

from plans.content import plan_content
from plans.models import Plan
from tests.factories import valid_content
from tests.web.conftest import editor_post


def edit_url(plan):
    return reverse("plan-edit", args=[plan.pk])


def test_editor_is_filled_with_the_plan(alice_client, plan):
    response = alice_client.get(edit_url(plan))
    headline, lines, partnerships = (response.context[k] for k in ("headline", "lines", "partnerships"))
    assert (headline["gdp"].value(), headline["currency"].value()) == (Decimal("40000000.00"), "EUR")
    assert [form["item"].value() for form in lines.forms] == ["155 mm shells", None, None]
    assert partnerships.forms[0]["partner_members"].value() == ["LV"]
    assert response.context["revision"] == plan.revision


def test_save_replaces_the_content_and_shows_the_derived_figures(alice_client, plan):
    content = valid_content(
        gdp=Decimal("20000000.00"),
        lines=[
            {
                "category": "missiles",
                "item": "Interceptors",
                "unit": "missiles",
                "baseline_capacity": "10",
                "target_capacity": "40",
                "target_year": 2029,
            },
            {
                "category": "ammunition",
                "item": "Shells",
                "unit": "rounds",
                "baseline_capacity": "100",
                "target_capacity": "300",
                "target_year": 2030,
                "priority": "critical",
            },
        ],
        partnerships=[{"kind": "multinational", "partner_name": "Joint buy", "partner_members": ["LV", "LT"]}],
    )
    response = alice_client.post(edit_url(plan), editor_post(content, revision=plan.revision), follow=True)
    plan.refresh_from_db()
    stored = plan_content(plan)
    assert [(line["item"], line["priority"]) for line in stored["lines"]] == [
        ("Interceptors", "normal"),
        ("Shells", "critical"),
    ]
    assert stored["partnerships"][0]["partner_members"] == ["LT", "LV"]
    assert (plan.gdp, plan.revision) == (Decimal("20000000.00"), 2)
    page = response.content.decode()
    assert "5.00 %" in page  # 1,000,000 of 20,000,000
    assert "The draft was saved." in page


def test_an_error_is_shown_beside_its_field_and_nothing_typed_is_lost(alice_client, plan):
    content = valid_content(equipment_expenditure=Decimal("900000"), summary="Typed, not yet saved")
    response = alice_client.post(edit_url(plan), editor_post(content, revision=plan.revision))
    assert response.status_code == 400
    headline = response.context["headline"]
    assert headline.errors["defence_expenditure"] == [
        "The parts add up to 1,650,000.00, more than the total 1,000,000.00."
    ]
    html = response.content.decode()
    assert 'aria-describedby="id_defence_expenditure_helptext id_defence_expenditure_errors"' in html
    assert 'aria-invalid="true"' in html
    assert headline["summary"].value() == "Typed, not yet saved"
    plan.refresh_from_db()
    assert (plan.summary, plan.revision) == ("More shells and interceptors.", 1)


def test_a_line_error_lands_on_its_row_even_after_a_blank_row(alice_client, plan):
    content = valid_content()
    data = editor_post(content, revision=plan.revision, blank_rows=2)
    # The first row is left blank; the line sits on the page's second row and is the content's first.
    for key in [key for key in data if key.startswith("lines-0-")]:
        data[key.replace("lines-0-", "lines-1-")] = data.pop(key)
    data.update({"lines-0-funding": "national", "lines-0-priority": "normal", "lines-0-bottleneck": "none"})
    data["lines-1-baseline_capacity"] = "-5"
    response = alice_client.post(edit_url(plan), data)
    lines = response.context["lines"]
    assert lines.forms[1].errors == {"baseline_capacity": ["Must not be negative."]}
    assert lines.forms[0].errors == {}
    assert response.context["findings"][0]["label"] == "Capability line 2: Baseline capacity (a year)"


def test_a_malformed_number_is_refused_beside_its_field(alice_client, plan):
    data = editor_post(valid_content(), revision=plan.revision)
    data["gdp"] = "forty million"
    response = alice_client.post(edit_url(plan), data)
    assert (response.status_code, response.context["headline"].errors["gdp"]) == (
        400,
        ["Enter a number, written like 4,790,000,000.50."],
    )
    assert Plan.objects.get(pk=plan.pk).revision == 1


def test_warnings_are_shown_but_do_not_stop_the_save(alice_client, plan):
    content = valid_content(
        lines=[
            {
                "category": "ammunition",
                "item": "Shells",
                "unit": "rounds",
                "baseline_capacity": "500",
                "target_capacity": "100",
                "target_year": 2030,
            }
        ]
    )
    response = alice_client.post(edit_url(plan), editor_post(content, revision=plan.revision), follow=True)
    plan.refresh_from_db()
    assert plan.lines.get().target_capacity == Decimal("100")
    # Said once: in the page's list of warnings, not again as a message.
    assert [str(m) for m in response.context["messages"]] == ["The draft was saved."]
    html = response.content.decode()
    assert html.count("The target capacity is below the baseline: production would fall.") == 2  # list + field
    assert [item["message"] for item in response.context["check_items"]] == [
        "The target capacity is below the baseline: production would fall."
    ]


def test_a_stale_form_is_not_saved_and_keeps_what_was_typed(alice_client, plan):
    first = alice_client.post(edit_url(plan), editor_post(valid_content(summary="First"), revision=1))
    assert first.status_code == 302
    response = alice_client.post(edit_url(plan), editor_post(valid_content(summary="Second"), revision=1))
    assert response.status_code == 409
    assert "someone else changed the plan" in response.content.decode()
    assert response.context["headline"]["summary"].value() == "Second"
    assert response.context["revision"] == 2
    plan.refresh_from_db()
    assert plan.summary == "First"


def test_rows_are_added_without_javascript_and_nothing_is_saved(alice_client, plan):
    data = editor_post(valid_content(summary="Typed"), revision=plan.revision, action="add_lines")
    response = alice_client.post(edit_url(plan), data)
    lines = response.context["lines"]
    assert (response.status_code, len(lines.forms)) == (200, 1 + 1 + 12)
    assert lines.forms[0]["item"].value() == "155 mm shells"
    assert response.context["headline"]["summary"].value() == "Typed"
    assert Plan.objects.get(pk=plan.pk).revision == 1


def test_a_row_marked_for_removal_is_removed(alice_client, plan):
    data = editor_post(valid_content(), revision=plan.revision)
    data["partnerships-0-DELETE"] = "on"
    alice_client.post(edit_url(plan), data)
    assert plan.partnerships.count() == 0


def test_partner_allies_are_offered_with_their_names(alice_client, plan):
    response = alice_client.get(edit_url(plan))
    choices = dict(response.context["partnerships"].forms[0].fields["partner_members"].choices)
    assert (len(choices), choices["LV"], choices["DE"], "EE" in choices) == (31, "Latvia", "Germany", False)
    html = response.content.decode()
    # One list box a partnership, searchable with the script and a plain <select multiple> without it.
    labelled = 'aria-labelledby="partnerships-col-partner_members partnerships-0-row"'
    assert f'name="partnerships-0-partner_members" {labelled} multiple size="4" data-searchable>' in html
    assert '<option value="LV" selected>Latvia</option>' in html


def test_a_submitted_plan_cannot_be_edited(alice_client, submitted_plan):
    response = alice_client.get(edit_url(submitted_plan))
    assert response["Location"] == reverse("plan-detail-page", args=[submitted_plan.pk])


def test_start_a_draft_empty_or_from_the_last_submitted_plan(alice_client, alice, estonia, submitted_plan):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import CycleFactory

    next_cycle = CycleFactory(
        year=2026, opens_at=timezone.now() - timedelta(days=1), deadline=timezone.now() + timedelta(days=90)
    )
    dashboard = alice_client.get(reverse("home"))
    assert (dashboard.context["cycle"], dashboard.context["can_copy"]) == (next_cycle, True)
    response = alice_client.post(reverse("plan-start"), {"copy_previous": "on"})
    new_plan = Plan.objects.get(cycle=next_cycle)
    assert response["Location"] == edit_url(new_plan)
    assert plan_content(new_plan) == plan_content(submitted_plan)


def test_the_editor_shows_status_deadline_time_left_and_a_submit_action(alice_client, plan):
    html = alice_client.get(edit_url(plan)).content.decode()
    assert 'id="plan-state"' in html
    assert "Draft" in html
    assert 'id="time-left"' in html
    assert 'value="save_submit"' in html


def test_an_editor_without_the_submit_right_gets_no_submit_action(erin_client, plan):
    assert 'value="save_submit"' not in erin_client.get(edit_url(plan)).content.decode()


def test_save_and_submit_saves_then_opens_the_confirmation(alice_client, plan):
    data = editor_post(valid_content(summary="Ready"), revision=plan.revision, action="save_submit")
    response = alice_client.post(edit_url(plan), data)
    assert response["Location"] == reverse("plan-submit", args=[plan.pk])
    plan.refresh_from_db()
    assert (plan.summary, plan.status) == ("Ready", "draft")


def test_derived_figures_follow_what_was_typed_after_a_refused_save(alice_client, plan):
    data = editor_post(valid_content(), revision=plan.revision)
    data.update(defence_expenditure="2,000,000.00", gdp="40,000,000.00", summary="x" * 100_000)
    response = alice_client.post(edit_url(plan), data)
    assert response.status_code == 400
    figures = response.context["figures"]
    assert (figures.spending_pct_gdp, figures.equipment_share_pct) == (Decimal("5.00"), Decimal("12.50"))
    assert "5.00 %" in response.content.decode()
    plan.refresh_from_db()
    assert plan.defence_expenditure == Decimal("1000000.00")


def test_a_figure_that_is_not_a_number_leaves_its_share_unknown(alice_client, plan):
    data = editor_post(valid_content(), revision=plan.revision)
    data["gdp"] = "lots"
    response = alice_client.post(edit_url(plan), data)
    assert response.context["figures"].spending_pct_gdp is None
    assert "not yet known" in response.content.decode()


def test_the_summary_links_every_field_in_error_type_errors_included(alice_client, plan):
    data = editor_post(valid_content(), revision=plan.revision)
    data.update({"gdp": "lots", "lines-0-target_capacity": "many", "lines-0-category": "nonsense"})
    response = alice_client.post(edit_url(plan), data)
    html = response.content.decode()
    summary = html.split('id="error-summary"')[1].split("</section>")[0]
    assert '<a href="#id_gdp">GDP</a>' in summary
    assert '<a href="#id_lines-0-target_capacity">Capability line 1: Target capacity (a year)</a>' in summary
    assert '<a href="#id_lines-0-category">Capability line 1: Category</a>' in summary
    assert html.count('id="error-summary"') == 1


def test_the_grid_has_one_row_a_line_labelled_by_its_column_and_row(alice_client, plan):
    html = alice_client.get(edit_url(plan)).content.decode()
    assert 'aria-labelledby="lines-col-item lines-0-row"' in html
    assert '<th scope="col" id="lines-col-item">Item</th>' in html
    # Notes fold away; a blank row to copy for the script.
    assert "<details><summary>Notes</summary>" in html
    assert '<template id="lines-template">' in html
    assert 'id="id_lines-__prefix__-item"' in html
    # The catalogue item, "other" with its free-text item, and the unit from the controlled list.
    assert '<th scope="col" id="lines-col-item_code">Catalogue item</th>' in html
    assert 'aria-labelledby="lines-col-item_code lines-0-row"' in html
    assert '<option value="other" selected>Other (not in the catalogue)</option>' in html
    assert '<optgroup label="Ammunition"><option value="art-ammo">' in html
    assert 'aria-labelledby="lines-col-unit lines-0-row"' in html
    assert '<option value="rounds" selected>' in html
    # Each row carries its stable key, hidden in its row header.
    key = plan.lines.get().key
    assert f'<input type="hidden" name="lines-0-key" id="id_lines-0-key" value="{key}">' in html
    assert '<script src="/static/js/grid.js" defer></script>' in html


def test_the_options_of_a_choice_are_built_once_per_page(alice_client, plan):
    html = alice_client.get(edit_url(plan)).content.decode()
    # Three rows (one line, two blank) and the template row: the same options, one selected.
    assert html.count('<option value="ammunition"') == 4
    # The catalogue's items too: one list per row, built once.
    assert html.count('<option value="art-155"') == 4
    assert html.count('<option value="ammunition" selected>') == 1
