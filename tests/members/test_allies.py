"""A fresh database holds exactly the 32 allies, from the data migration."""

import pytest
from django.utils import translation

from members.models import Member

pytestmark = pytest.mark.django_db

CODES = {
    "AL", "BE", "BG", "CA", "HR", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IS", "IT", "LV",
    "LT", "LU", "ME", "NL", "MK", "NO", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "TR", "GB", "US",
}  # fmt: skip


def test_exactly_32_allies_after_migrations():
    assert Member.objects.count() == 32
    assert set(Member.objects.values_list("code", flat=True)) == CODES


@pytest.mark.parametrize("field", ["code", "iso3", "name", "name_fr"])
def test_ally_identifiers_are_unique(field):
    values = list(Member.objects.values_list(field, flat=True))
    assert len(set(values)) == len(values) == 32


def test_every_ally_has_codes_names_in_both_languages_and_accession_year():
    for ally in Member.objects.all():
        assert (len(ally.code), len(ally.iso3), ally.code.isupper(), ally.iso3.isupper()) == (2, 3, True, True)
        assert ally.name
        assert ally.name_fr
        assert 1949 <= ally.accession_year <= 2024


@pytest.mark.parametrize(
    ("code", "iso3", "name", "name_fr", "year"),
    [
        ("FI", "FIN", "Finland", "Finlande", 2023),
        ("SE", "SWE", "Sweden", "Suède", 2024),
        ("MK", "MKD", "North Macedonia", "Macédoine du Nord", 2020),
        ("DE", "DEU", "Germany", "Allemagne", 1955),
        ("US", "USA", "United States", "États-Unis", 1949),
        ("ME", "MNE", "Montenegro", "Monténégro", 2017),
        ("ES", "ESP", "Spain", "Espagne", 1982),
    ],
)
def test_spot_checks_of_allies(code, iso3, name, name_fr, year):
    ally = Member.objects.get(code=code)
    assert (ally.iso3, ally.name, ally.name_fr, ally.accession_year) == (iso3, name, name_fr, year)


def test_founding_members_are_the_twelve_of_1949():
    assert Member.objects.filter(accession_year=1949).count() == 12


def test_display_name_follows_the_active_language():
    ally = Member.objects.get(code="DE")
    with translation.override("fr"):
        french = ally.display_name
    with translation.override("en"):
        english = ally.display_name
    assert (english, french) == ("Germany", "Allemagne")
