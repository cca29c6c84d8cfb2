"""Figures typed and shown as the reader writes numbers, in English and in French."""

from decimal import Decimal

import pytest
from django.urls import reverse

from members.actors import Actor
from plans import services
from plans.content import plan_content
from tests.factories import valid_content
from tests.web.conftest import editor_post, signed_in

NBSP = "\u00a0"


def edit_url(plan):
    return reverse("plan-edit", args=[plan.pk])


def in_french(client):
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})


def big_content():
    return valid_content(
        defence_expenditure=Decimal("4790000000.50"),
        equipment_expenditure=None,
        personnel_expenditure=None,
        infrastructure_expenditure=None,
        other_expenditure=None,
        gdp=Decimal("80500000000.00"),
        military_personnel=12000,
    )


def test_english_grouped_figures_are_saved(alice_client, plan):
    data = editor_post(big_content(), revision=plan.revision)
    data.update(defence_expenditure="4,790,000,000.50", gdp="80,500,000,000", military_personnel="12,000")
    data["lines-0-target_capacity"] = "1,250,000.75"
    response = alice_client.post(edit_url(plan), data)
    assert response.status_code == 302, response.context["headline"].errors
    plan.refresh_from_db()
    stored = plan_content(plan)
    assert (plan.defence_expenditure, plan.gdp, plan.military_personnel) == (
        Decimal("4790000000.50"),
        Decimal("80500000000.00"),
        12000,
    )
    assert stored["lines"][0]["target_capacity"] == Decimal("1250000.75")


@pytest.mark.parametrize("space", [" ", "\u00a0", "\u202f"])
def test_french_grouped_figures_are_saved(alice_client, plan, space):
    in_french(alice_client)
    data = editor_post(big_content(), revision=plan.revision)
    data.update(
        defence_expenditure=f"4{space}790{space}000{space}000,50",
        gdp=f"40{space}000{space}000{space}000,00",
        military_personnel=f"12{space}000",
    )
    response = alice_client.post(edit_url(plan), data)
    assert response.status_code == 302, response.context["headline"].errors
    plan.refresh_from_db()
    assert (plan.defence_expenditure, plan.gdp, plan.military_personnel) == (
        Decimal("4790000000.50"),
        Decimal("40000000000.00"),
        12000,
    )


def test_the_editor_and_the_plan_page_show_grouped_figures(alice_client, plan):
    alice_client.post(edit_url(plan), editor_post(big_content(), revision=plan.revision))
    editor = alice_client.get(edit_url(plan)).content.decode()
    assert 'value="4,790,000,000.50"' in editor
    assert 'value="80,500,000,000.00"' in editor
    assert 'value="12,000"' in editor
    assert 'value="2030"' in editor  # a year is not an amount
    page = alice_client.get(reverse("plan-detail-page", args=[plan.pk])).content.decode()
    assert "80,500,000,000.00" in page
    assert "80500000000" not in page

    in_french(alice_client)
    editor = alice_client.get(edit_url(plan)).content.decode()
    assert f'value="4{NBSP}790{NBSP}000{NBSP}000,50"' in editor
    page = alice_client.get(reverse("plan-detail-page", args=[plan.pk])).content.decode()
    assert f"80{NBSP}500{NBSP}000{NBSP}000,00" in page


def test_what_was_saved_in_one_language_reads_back_in_the_other(alice_client, plan):
    alice_client.post(edit_url(plan), editor_post(big_content(), revision=plan.revision))
    in_french(alice_client)
    response = alice_client.get(edit_url(plan))
    # The French page's own values, posted back unchanged, save the same figures.
    headline = response.context["headline"]
    data = editor_post(big_content(), revision=plan.revision + 1)
    data.update(
        defence_expenditure=headline["defence_expenditure"].as_widget().split('value="')[1].split('"')[0],
        gdp=headline["gdp"].as_widget().split('value="')[1].split('"')[0],
    )
    assert alice_client.post(edit_url(plan), data).status_code == 302
    plan.refresh_from_db()
    assert (plan.defence_expenditure, plan.gdp, plan.revision) == (
        Decimal("4790000000.50"),
        Decimal("80500000000.00"),
        3,
    )


@pytest.mark.parametrize(
    ("language", "typed", "message"),
    [
        ("en", "4 790 000,50", "Enter a number, written like 4,790,000,000.50."),
        ("en", "1,5", "Enter a number, written like 4,790,000,000.50."),
        ("fr", "4,790,000.50", f"Saisissez un nombre, écrit comme 4{NBSP}790{NBSP}000{NBSP}000,50."),
    ],
)
def test_a_badly_written_figure_is_refused_naming_its_field(alice_client, plan, language, typed, message):
    if language == "fr":
        in_french(alice_client)
    data = editor_post(valid_content(), revision=plan.revision)
    data["gdp"] = typed
    response = alice_client.post(edit_url(plan), data)
    assert (response.status_code, response.context["headline"].errors["gdp"]) == (400, [message])
    html = response.content.decode()
    label = "PIB" if language == "fr" else "GDP"
    assert f'<a href="#id_gdp">{label}</a>: {message}' in html
    assert f'value="{typed}"' in html  # nothing typed is lost
    plan.refresh_from_db()
    assert plan.revision == 1


def test_the_admin_shows_grouped_figures(plan, alice, charlie):
    services.plan_update(plan=plan, actor=Actor.for_user(alice), content=big_content())
    page = signed_in(charlie).get(reverse("admin:plans_plan_change", args=[plan.pk])).content.decode()
    assert "80,500,000,000.00" in page
    assert "4,790,000,000.50" in page
    assert "12,000" in page
