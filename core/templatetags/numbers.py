"""`{{ value|number }}`: a figure with its thousands grouped, in the reader's language (core.numbers)."""

from typing import Any

from django import template

from core.numbers import format_number

register = template.Library()


@register.filter
def number(value: Any, decimal_places: Any = None) -> str:
    """`{{ plan.gdp|number }}` -> "80,500,000,000.00"; `{{ share|number:2 }}` fixes the places; None -> ""."""
    places = None if decimal_places in (None, "") else int(decimal_places)
    return format_number(value, decimal_places=places)
