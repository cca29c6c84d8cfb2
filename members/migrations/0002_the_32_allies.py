"""Creates the 32 allies. The list is frozen here, as a migration must be; an accession is a new migration."""

from django.db import migrations

ALLIES = [
    # code, iso3, English name, French name, accession year
    ("AL", "ALB", "Albania", "Albanie", 2009),
    ("BE", "BEL", "Belgium", "Belgique", 1949),
    ("BG", "BGR", "Bulgaria", "Bulgarie", 2004),
    ("CA", "CAN", "Canada", "Canada", 1949),
    ("HR", "HRV", "Croatia", "Croatie", 2009),
    ("CZ", "CZE", "Czechia", "Tchéquie", 1999),
    ("DK", "DNK", "Denmark", "Danemark", 1949),
    ("EE", "EST", "Estonia", "Estonie", 2004),
    ("FI", "FIN", "Finland", "Finlande", 2023),
    ("FR", "FRA", "France", "France", 1949),
    ("DE", "DEU", "Germany", "Allemagne", 1955),
    ("GR", "GRC", "Greece", "Grèce", 1952),
    ("HU", "HUN", "Hungary", "Hongrie", 1999),
    ("IS", "ISL", "Iceland", "Islande", 1949),
    ("IT", "ITA", "Italy", "Italie", 1949),
    ("LV", "LVA", "Latvia", "Lettonie", 2004),
    ("LT", "LTU", "Lithuania", "Lituanie", 2004),
    ("LU", "LUX", "Luxembourg", "Luxembourg", 1949),
    ("ME", "MNE", "Montenegro", "Monténégro", 2017),
    ("NL", "NLD", "Netherlands", "Pays-Bas", 1949),
    ("MK", "MKD", "North Macedonia", "Macédoine du Nord", 2020),
    ("NO", "NOR", "Norway", "Norvège", 1949),
    ("PL", "POL", "Poland", "Pologne", 1999),
    ("PT", "PRT", "Portugal", "Portugal", 1949),
    ("RO", "ROU", "Romania", "Roumanie", 2004),
    ("SK", "SVK", "Slovakia", "Slovaquie", 2004),
    ("SI", "SVN", "Slovenia", "Slovénie", 2004),
    ("ES", "ESP", "Spain", "Espagne", 1982),
    ("SE", "SWE", "Sweden", "Suède", 2024),
    ("TR", "TUR", "Türkiye", "Türkiye", 1952),
    ("GB", "GBR", "United Kingdom", "Royaume-Uni", 1949),
    ("US", "USA", "United States", "États-Unis", 1949),
]


def create_allies(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    for code, iso3, name, name_fr, accession_year in ALLIES:
        Member.objects.update_or_create(
            code=code,
            defaults={"iso3": iso3, "name": name, "name_fr": name_fr, "accession_year": accession_year},
        )


def remove_allies(apps, schema_editor):
    apps.get_model("members", "Member").objects.filter(code__in=[row[0] for row in ALLIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]
    operations = [migrations.RunPython(create_allies, remove_allies)]
