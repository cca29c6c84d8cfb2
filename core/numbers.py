"""Numbers as people write them: read and show them in the reader's language.

English writes 4,790,000,000.50 and French 4 790 000 000,50 (the groups separated by a space,
a no-break space or a narrow no-break space). Forms read numbers with `parse_number` and every
page, e-mail, admin screen and report shows them with `format_number`, so there is one rule
for both. The API does not use this: it takes JSON numbers or plain decimal strings.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import numberformat
from django.utils.translation import get_language

# Spaces that may separate groups of digits: normal, no-break, narrow no-break, thin.
SPACES = " \u00a0\u202f\u2009"
MINUS_SIGNS = "-\u2212"
# What French pages put between groups: a no-break space, as Django's French formats do.
FRENCH_GROUP = "\u00a0"


def _is_french(language: str | None) -> bool:
    return (language or get_language() or "en").lower().startswith("fr")


def separators(language: str | None = None) -> tuple[str, str]:
    """(decimal separator, group separator) shown to a reader of `language` (the active one by default)."""
    return (",", FRENCH_GROUP) if _is_french(language) else (".", ",")


def parse_number(text: str, language: str | None = None) -> Decimal:
    """The number written in `text` as a reader of `language` writes it; ValueError if it is not one.

    Groups of three digits may be separated (English: comma or space; French: any space); the
    first group holds one to three digits and every other exactly three, so "1,5" typed on an
    English page is refused rather than read as fifteen. A French page also takes a point as the
    decimal separator when there is no comma (a numeric keypad's key). Signs: "-", "−" or "+".
    """
    if text.isascii() and text.replace(".", "", 1).isdigit():
        # Plain digits with at most one point read alike in every language: the common case, at once.
        return Decimal(text)
    value = text.strip()
    for sign in MINUS_SIGNS:
        value = value.replace(sign, "-")
    negative = value.startswith("-")
    if value and value[0] in "+-":
        value = value[1:].lstrip(SPACES)
    # Only a comma reads differently in French and English; without one the language is not asked
    # (a lookup per figure, thousands of them in a large form).
    french = "," in value and _is_french(language)
    decimal_sep, group_seps = (",", SPACES) if french else (".", SPACES + ",")
    if french and "," not in value and value.count(".") == 1:
        decimal_sep = "."
    parts = value.split(decimal_sep)
    if not value or len(parts) > 2:
        raise ValueError(text)
    whole, fraction = parts[0], parts[1] if len(parts) == 2 else ""
    if fraction and not (fraction.isascii() and fraction.isdigit()):
        raise ValueError(text)
    groups = [whole]
    for sep in group_seps:
        groups = [piece for group in groups for piece in group.split(sep)]
    if len(groups) > 1 and not (1 <= len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:])):
        raise ValueError(text)
    digits = "".join(groups)
    if not digits and not fraction:
        raise ValueError(text)
    if digits and not (digits.isascii() and digits.isdigit()):
        raise ValueError(text)
    try:
        number = Decimal(f"{digits or '0'}.{fraction}" if len(parts) == 2 else digits)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    return -number if negative else number


def format_number(
    value: Any, language: str | None = None, *, decimal_places: int | None = None, grouped: bool = True
) -> str:
    """`value` with its thousands grouped, in `language` (the active one by default): "" for None.

    Decimals keep their own places ("80,500,000,000.00"), unless `decimal_places` is given.
    Anything that is not a number is returned as text, unchanged.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return str(value)
    decimal_sep, group_sep = separators(language)
    return numberformat.format(
        value,
        decimal_sep,
        decimal_pos=decimal_places,
        grouping=3 if grouped else 0,
        thousand_sep=group_sep,
        force_grouping=grouped,
    )


def number_example(language: str | None = None, *, integer: bool = False) -> str:
    """How a number is written here, for error messages: 4,790,000,000.50 or 4 790 000 000,50."""
    return format_number(Decimal(4790000000) if integer else Decimal("4790000000.50"), language)
