"""Form pieces every app shares: the one field for money and quantities, in the reader's format."""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator
from django.utils.translation import gettext_lazy as _

from .numbers import format_number, number_example, parse_number


class NumberInput(forms.TextInput):
    """A text box for a figure, shown grouped in the reader's format ("4,790,000,000.50").

    A text box rather than <input type="number">: browsers refuse grouped digits and the
    French decimal comma there. `inputmode` still brings up a numeric keyboard. What the user
    typed is shown back as typed.
    """

    def __init__(self, attrs: dict[str, Any] | None = None, *, integer: bool = False) -> None:
        super().__init__({"inputmode": "numeric" if integer else "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            return format_number(value)
        return super().format_value(value)


class NumberField(forms.Field):
    """A money figure or a quantity, typed as the reader writes numbers (core.numbers.parse_number).

    `integer=True` for counts (a whole number, returned as int). Ranges are left to the caller's
    rules; only what the value cannot hold (a fraction in a count, too many digits) is refused.
    """

    widget = NumberInput
    default_error_messages = {
        "invalid": _("Enter a number, written like %(example)s."),
        "whole": _("Enter a whole number."),
    }

    def __init__(
        self,
        *,
        integer: bool = False,
        max_digits: int | None = None,
        decimal_places: int | None = None,
        **kwargs: Any,
    ) -> None:
        self.integer = integer
        # Stated like Django's DecimalField does, for whoever reads a field's limits.
        self.max_digits, self.decimal_places = max_digits, decimal_places
        kwargs.setdefault("widget", NumberInput(integer=integer))
        super().__init__(**kwargs)
        if not integer and (max_digits is not None or decimal_places is not None):
            self.validators.append(DecimalValidator(max_digits, decimal_places))

    def to_python(self, value: Any) -> Decimal | int | None:
        if value in self.empty_values:
            return None
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            number = Decimal(value)
        else:
            try:
                number = parse_number(str(value))
            except ValueError:
                raise ValidationError(
                    self.error_messages["invalid"],
                    code="invalid",
                    params={"example": number_example(integer=self.integer)},
                ) from None
        if self.integer:
            if number != number.to_integral_value():
                raise ValidationError(self.error_messages["whole"], code="whole")
            return int(number)
        return number
