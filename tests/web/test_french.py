"""French: the pages render translated, ally names are French, and the shipped catalogue is compiled."""

from pathlib import Path

import polib
from django.conf import settings
from django.urls import reverse

LOCALE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES"


def catalogue(entries) -> dict:
    result = {}
    for entry in entries:
        if entry.obsolete or "fuzzy" in entry.flags or not entry.msgid:
            continue
        if entry.msgid_plural:
            result[(entry.msgctxt, entry.msgid, entry.msgid_plural)] = tuple(
                entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural)
            )
        elif entry.msgstr:
            result[(entry.msgctxt, entry.msgid)] = entry.msgstr
    return result


def test_the_committed_mo_matches_the_po():
    # Fresh machines may lack gettext, so the compiled catalogue is committed; this keeps it honest.
    po = polib.pofile(str(LOCALE / "django.po"))
    mo = polib.mofile(str(LOCALE / "django.mo"))
    assert catalogue(mo) == catalogue(po)


def test_every_string_is_translated():
    po = polib.pofile(str(LOCALE / "django.po"))
    assert ([e.msgid for e in po.untranslated_entries()], [e.msgid for e in po.fuzzy_entries()]) == ([], [])


def test_dashboard_in_french_with_french_ally_names(alice_client, plan):
    alice_client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    response = alice_client.get(reverse("home"))
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Délégation : Estonie" in html
    assert "Tableau de bord" in html
    assert "Brouillon" in html


def test_editor_in_french_names_allies_and_explains_errors_in_french(alice_client, plan):
    from tests.factories import valid_content
    from tests.web.conftest import editor_post

    alice_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = alice_client.get(reverse("plan-edit", args=[plan.pk]))
    choices = dict(page.context["partnerships"].forms[0].fields["partner_members"].choices)
    assert (choices["LV"], choices["DE"]) == ("Lettonie", "Allemagne")
    assert "Enregistrer le brouillon" in page.content.decode()
    data = editor_post(valid_content(gdp="-1"), revision=plan.revision)
    response = alice_client.post(reverse("plan-edit", args=[plan.pk]), data)
    assert response.context["headline"].errors["gdp"] == ["Le PIB doit être supérieur à zéro."]


def test_sign_in_page_switches_language(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    html = client.get(reverse("login")).content.decode()
    assert "Se connecter" in html
    assert "Adresse électronique" in html
