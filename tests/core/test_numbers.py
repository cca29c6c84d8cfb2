"""Numbers as people write them: read and shown in English and French (core.numbers, core.forms)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from core.forms import NumberField, NumberInput
from core.numbers import format_number, parse_number

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4,790,000,000.50", "4790000000.50"),
        ("4790000000.50", "4790000000.50"),
        ("4 790 000 000.50", "4790000000.50"),
        ("  12  ", "12"),
        ("0.5", "0.5"),
        (".5", "0.5"),
        ("-1,000", "-1000"),
        ("\u22121,000", "-1000"),
        ("+7", "7"),
        ("999", "999"),
    ],
)
def test_english_numbers_are_read(text, expected):
    assert parse_number(text, "en") == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4 790 000 000,50", "4790000000.50"),
        (f"4{NBSP}790{NBSP}000{NBSP}000,50", "4790000000.50"),
        (f"4{NNBSP}790{NNBSP}000{NNBSP}000,50", "4790000000.50"),
        ("40 000 000 000,00", "40000000000.00"),
        ("4790000000,5", "4790000000.5"),
        ("12.5", "12.5"),  # a keypad's point, with no comma in sight
        ("-3 000", "-3000"),
    ],
)
def test_french_numbers_are_read(text, expected):
    assert parse_number(text, "fr") == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("", "en"),
        ("forty", "en"),
        ("1,5", "en"),  # a French decimal on an English page is not read as fifteen
        ("1,50,000", "en"),
        ("4.790.000", "en"),
        ("1.2.3", "en"),
        ("1e5", "en"),
        ("NaN", "en"),
        ("Infinity", "en"),
        ("12,", "en"),
        ("-", "en"),
        ("١٢٣", "en"),  # other scripts' digits
        ("4,790,000", "fr"),  # an English group separator on a French page
        ("4.790.000", "fr"),
        ("1 2345,00", "fr"),
        ("1,2,3", "fr"),
        ("12,5a", "fr"),
    ],
)
def test_what_is_not_a_number_is_refused(text, language):
    with pytest.raises(ValueError, match=".*"):
        parse_number(text, language)


@pytest.mark.parametrize(
    ("value", "language", "shown"),
    [
        (Decimal("4790000000.50"), "en", "4,790,000,000.50"),
        (Decimal("4790000000.50"), "fr", f"4{NBSP}790{NBSP}000{NBSP}000,50"),
        (Decimal("80500000000.00"), "en", "80,500,000,000.00"),
        (Decimal("-1234.5"), "en", "-1,234.5"),
        (7000, "en", "7,000"),
        (7000, "fr", f"7{NBSP}000"),
        (Decimal("2.15"), "fr", "2,15"),
        (None, "en", ""),
        ("text", "en", "text"),
    ],
)
def test_numbers_are_shown_grouped(value, language, shown):
    assert format_number(value, language) == shown


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("value", [Decimal("0.01"), Decimal("4790000000.50"), Decimal("-12345678.00"), Decimal(7)])
def test_what_is_shown_reads_back_the_same(language, value):
    assert parse_number(format_number(value, language), language) == value


def test_the_field_reads_and_shows_the_readers_format():
    field = NumberField(max_digits=20, decimal_places=2)
    with translation.override("fr"):
        assert field.clean("4 790 000 000,50") == Decimal("4790000000.50")
        assert NumberInput().format_value(Decimal("1000.5")) == f"1{NBSP}000,5"
        with pytest.raises(ValidationError) as refused:
            field.clean("4,790,000")
        assert refused.value.messages == [f"Saisissez un nombre, écrit comme 4{NBSP}790{NBSP}000{NBSP}000,50."]
    with translation.override("en"):
        assert field.clean("4,790,000,000.50") == Decimal("4790000000.50")
        assert NumberInput().format_value(Decimal("1000.5")) == "1,000.5"
        with pytest.raises(ValidationError) as refused:
            field.clean("1.234")
        assert refused.value.messages == ["Ensure that there are no more than 2 decimal places."]


def test_a_count_is_a_whole_number():
    field = NumberField(integer=True, required=False)
    with translation.override("en"):
        assert (field.clean("7,000"), field.clean("")) == (7000, None)
        with pytest.raises(ValidationError) as refused:
            field.clean("7.5")
        assert refused.value.messages == ["Enter a whole number."]
        with pytest.raises(ValidationError) as refused:
            field.clean("seven")
        assert refused.value.messages == ["Enter a number, written like 4,790,000,000."]
    assert 'inputmode="numeric"' in field.widget.render("n", 7000)
