"""Forms of the delegation's plan editor.

They check the shape of what was typed (numbers are numbers, choices are known) and turn it
into the content dict of `plans.content`; the rules a plan must follow are the services'.
"""

import copy
import dataclasses
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms import BaseFormSet, formset_factory
from django.forms.formsets import DELETION_FIELD_NAME, TOTAL_FORM_COUNT
from django.utils.translation import gettext_lazy as _

from core.forms import NumberField

from .content import COMMENT_BODY, HEADLINE, LINE, PARTNERSHIP, FieldSpec
from .enums import OTHER_ITEM

# Whole numbers that are not amounts: typed and shown without thousands groups.
NOT_AMOUNTS = frozenset({"target_year"})
# Blank rows offered under the filled ones, so rows can be added without JavaScript.
EXTRA_ROWS = 2
BLANK = [("", "---------")]


def content_field(spec: FieldSpec, label, *, help_text="", rows: int = 2, **kwargs) -> forms.Field:
    """A form field for one field of the content, with the limits of its spec (plans.content).

    The form refuses what the field cannot hold (not a number, too many digits or characters,
    an unknown choice). Ranges (not negative, a year from 2000 to 2100) are the plan rules' to
    check, so the page shows the same message for them as the API does; the form only states
    them.
    """
    common = {"label": label, "help_text": help_text, "required": spec.required, **kwargs}
    if spec.kind == "decimal":
        # Money and quantities as the reader writes them: "4,790,000.50" or "4 790 000,50".
        field = NumberField(max_digits=spec.max_digits, decimal_places=spec.decimal_places, **common)
    elif spec.kind == "integer" and spec.name not in NOT_AMOUNTS:
        field = NumberField(integer=True, **common)
    elif spec.kind == "integer":
        field = forms.IntegerField(min_value=spec.min_value, max_value=spec.max_value, **common)
    elif spec.kind == "boolean":
        field = forms.BooleanField(**{**common, "required": False})
    elif spec.kind == "choice":
        choices = list(spec.choices) if not spec.required else BLANK + list(spec.choices)
        field = forms.ChoiceField(choices=choices, initial=spec.default, **common)
    elif spec.kind == "codes":
        # A list box (searchable with the page's script), not one checkbox per ally.
        field = forms.MultipleChoiceField(widget=forms.SelectMultiple(attrs={"size": 6}), **common)
    else:
        widget = forms.Textarea(attrs={"rows": rows}) if spec.multiline else None
        field = forms.CharField(max_length=spec.max_length, widget=widget, **common)
    field.validators = [v for v in field.validators if not isinstance(v, (MinValueValidator, MaxValueValidator))]
    return field


class HeadlineForm(forms.Form):
    defence_expenditure = content_field(
        HEADLINE["defence_expenditure"],
        _("Defence expenditure (total)"),
        help_text=_("Under NATO's definition, in the currency below."),
    )
    equipment_expenditure = content_field(
        HEADLINE["equipment_expenditure"],
        _("Equipment expenditure"),
        help_text=_("Major equipment and related research."),
    )
    personnel_expenditure = content_field(HEADLINE["personnel_expenditure"], _("Personnel expenditure"))
    infrastructure_expenditure = content_field(HEADLINE["infrastructure_expenditure"], _("Infrastructure expenditure"))
    other_expenditure = content_field(HEADLINE["other_expenditure"], _("Other expenditure"))
    gdp = content_field(HEADLINE["gdp"], _("GDP"))
    currency = content_field(HEADLINE["currency"], _("Currency"), help_text=_("ISO 4217 code, such as EUR."))
    military_personnel = content_field(HEADLINE["military_personnel"], _("Military personnel"))
    summary = content_field(HEADLINE["summary"], _("Summary"), rows=4)
    nil_return = content_field(
        HEADLINE["nil_return"], _("Nil return"), help_text=_("Nothing to report this cycle (no capability lines).")
    )
    nil_return_reason = content_field(HEADLINE["nil_return_reason"], _("Reason for the nil return"))

    def clean_currency(self):
        return (self.cleaned_data.get("currency") or "").strip().upper()

    def content(self) -> dict:
        return {field: self.cleaned_data.get(field) for field in HEADLINE.names}


class SharedFields(dict):
    """The fields of a grid's rows, one set for every row: a form copies its fields, these are not copied.

    Django gives each form a deep copy of its fields, which at 200 rows of 16 fields (the catalogue's
    choices among them) is most of the editor's time. A row's fields are never changed by the row
    itself, so every row of a grid shares them (see `row_form`).
    """

    def __deepcopy__(self, memo):
        return self


class RowForm(forms.Form):
    """A formset row: blank rows are left out, and the content carries the model's defaults."""

    schema: ClassVar[Any]  # the row's content fields (LINE or PARTNERSHIP)
    blank_is_none: ClassVar[tuple[str, ...]] = ("key",)

    def is_blank(self) -> bool:
        return not self.has_changed()

    def has_changed(self) -> bool:
        """Django's answer, stopping at the first field that changed and skipping the fields left as offered.

        Django's `changed_data` cleans every field of every row to tell a blank row (the formset asks it
        of each row, and so does `is_blank`); a filled row is known by its first field.
        """
        if not self.is_bound or self.initial:
            return super().has_changed()
        if not hasattr(self, "_changed"):
            # Asked by the formset, by the row-count check and by the view: answered once.
            self._changed = any(value_changed(bound_field.field, bound_field.data) for bound_field in self)
        return self._changed

    @classmethod
    def choices_for(cls, name: str, choices) -> list:
        return list(choices)

    @classmethod
    def content_of(cls, cleaned_data: dict) -> dict:
        """The content of a row from its cleaned values; a blank choice is "not given", as the API's null."""
        content = {field: cleaned_data.get(field) for field in cls.schema.names}
        for field in cls.blank_is_none:
            content[field] = content[field] or None
        return content


def value_changed(field: forms.Field, data: Any) -> bool:
    """Whether a row's field holds something other than what it was offered with (a row form's `initial`
    is always the field's own); the cheap answers first, Django's `has_changed` for the rest."""
    initial = field.initial
    if data in (None, "", []) and initial in (None, "", False):
        return False
    if initial is not None and data == str(initial):
        return False
    return field.has_changed(initial, data)


def row_form(form_class: type[RowForm], **choices) -> type[RowForm]:
    """`form_class` for one page: its fields copied once, given the page's choices, and shared by every row."""
    fields = copy.deepcopy(form_class.base_fields)
    for name, options in choices.items():
        fields[name].choices = form_class.choices_for(name, options)
    page_form = type(form_class.__name__, (form_class,), {})
    # Set after the class is made: Django's form metaclass sets `base_fields` itself.
    page_form.base_fields = SharedFields(fields)
    return page_form


class LineForm(RowForm):
    schema = LINE
    blank_is_none = ("key", "item_code", "category", "unit")
    # The line's identity across saves and versions, given back as it was rendered.
    key = forms.CharField(required=False, widget=forms.HiddenInput)
    item_code = forms.ChoiceField(
        label=_("Catalogue item"),
        required=False,
        help_text=_("Its category and unit come with it. Pick “Other” for an item the catalogue does not list."),
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=BLANK + list(LINE["category"].choices), help_text=_("For “Other”.")
    )
    item = content_field(LINE["item"], _("Item"), help_text=_("For “Other”; optional for a catalogue item."))
    unit = forms.ChoiceField(
        label=_("Unit"), required=False, choices=BLANK + list(LINE["unit"].choices), help_text=_("For “Other”.")
    )
    baseline_capacity = content_field(LINE["baseline_capacity"], _("Baseline capacity (a year)"))
    target_capacity = content_field(LINE["target_capacity"], _("Target capacity (a year)"))
    target_year = content_field(LINE["target_year"], _("Target year"))
    stockpile_current = content_field(LINE["stockpile_current"], _("Current stockpile"))
    stockpile_target = content_field(LINE["stockpile_target"], _("Stockpile target"))
    planned_investment = content_field(LINE["planned_investment"], _("Planned investment"))
    funding = content_field(LINE["funding"], _("Funding"))
    priority = content_field(LINE["priority"], _("Priority"))
    bottleneck = content_field(LINE["bottleneck"], _("Bottleneck"))
    notes = content_field(LINE["notes"], _("Notes"))

    @classmethod
    def choices_for(cls, name: str, choices) -> list:
        if name == "item_code":
            return [*BLANK, (OTHER_ITEM, _("Other (not in the catalogue)")), *choices]
        return super().choices_for(name, choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A saved line without a catalogue item is an "other" line; a blank row stays blank.
        if self.initial and not self.initial.get("item_code") and self.initial.get("item"):
            self.initial["item_code"] = OTHER_ITEM


class PartnershipForm(RowForm):
    schema = PARTNERSHIP
    key = forms.CharField(required=False, widget=forms.HiddenInput)
    kind = content_field(PARTNERSHIP["kind"], _("Kind"))
    partner_name = content_field(PARTNERSHIP["partner_name"], _("Partner name"))
    partner_members = content_field(
        PARTNERSHIP["partner_members"], _("Partner allies"), help_text=_("For ally and multinational partnerships.")
    )
    description = content_field(PARTNERSHIP["description"], _("Description"))
    value = content_field(PARTNERSHIP["value"], _("Value"))
    status = content_field(PARTNERSHIP["status"], _("Status"))


@dataclasses.dataclass
class RowsRead:
    """A grid as read by `RowFormSet.read_rows`: the content of its filled rows, and the errors.

    An error is (the row's place on the page, the field's name, the message); a row of None is the
    grid's own (too many rows, a form that lost its row count).
    """

    rows: list[dict] = dataclasses.field(default_factory=list)
    errors: list[tuple[int | None, str, str]] = dataclasses.field(default_factory=list)


class RowFormSet(BaseFormSet):
    """Every row counts as an extra one, blank rows included.

    Django's formsets treat rows rendered from `initial` as "initial forms" that must validate
    even when left unchanged or emptied; here the content is rebuilt from the rows on every
    save, so a row is judged by what it holds, and a blank one is simply left out.
    """

    def initial_form_count(self):
        return 0

    def total_form_count(self):
        if self.is_bound:
            return super().total_form_count()
        return min(len(self.initial or []) + self.extra, self.absolute_max)

    def clean(self):
        # The schema's maximum counts the rows that make up the content, not the blank ones the page adds.
        if len(filled_rows(self)) > self.max_num:
            raise forms.ValidationError(
                self.error_messages["too_many_forms"] % {"num": self.max_num}, code="too_many_forms"
            )

    def read_rows(self) -> RowsRead:
        """The content of the filled rows, and what the fields refuse, read without a form per row.

        Django's formset makes a form per row and a bound field and an error dict per field to find
        that a valid row is valid: at 2,000 lines, seconds of a save. This reads each row's values
        with the rows' shared fields and decides as `is_valid` and `filled_rows` do: the same values
        cleaned, blank and removed rows left out, the same limits on the number of rows. The forms
        are made (`forms`, `is_valid`) only when a page is shown again.
        """
        read = RowsRead()
        if not self.management_form.is_valid():
            missing = ", ".join(self.management_form.add_prefix(name) for name in self.management_form.errors)
            read.errors.append((None, "", self.error_messages["missing_management_form"] % {"field_names": missing}))
            return read
        if self.management_form.cleaned_data[TOTAL_FORM_COUNT] > self.absolute_max:
            read.errors.append((None, "", self.error_messages["too_many_forms"] % {"num": self.max_num}))
        fields = self.empty_form.fields
        widgets = [(name, field, field.widget.value_from_datadict) for name, field in fields.items()]
        filled = 0
        for index in range(self.total_form_count()):
            prefix = f"{self.add_prefix(index)}-"
            values = [
                (name, field, value_of(self.data, self.files, prefix + name)) for name, field, value_of in widgets
            ]
            if not any(value_changed(field, value) for _name, field, value in values):
                continue
            cleaned: dict[str, Any] = {}
            errors: list[tuple[int | None, str, str]] = []
            for name, field, value in values:
                try:
                    cleaned[name] = field.clean(value)
                except ValidationError as error:
                    errors.extend((index, name, message) for message in error.messages)
            if cleaned.get(DELETION_FIELD_NAME):
                continue
            filled += 1
            read.errors += errors
            if not errors:
                read.rows.append(self.form.content_of(cleaned))
        if filled > self.max_num:
            read.errors.append((None, "", self.error_messages["too_many_forms"] % {"num": self.max_num}))
        return read


# The schema's maximum of rows: the editor refuses more, as the API does.
# (Checked by RowFormSet.clean over the filled rows; Django's own check would count the blank ones.)
LineFormSet = formset_factory(LineForm, formset=RowFormSet, extra=EXTRA_ROWS, can_delete=True, max_num=LINE.max_rows)
PartnershipFormSet = formset_factory(
    PartnershipForm, formset=RowFormSet, extra=EXTRA_ROWS, can_delete=True, max_num=PARTNERSHIP.max_rows
)


def filled_rows(formset) -> list:
    """The rows that make up the content, in order: neither blank nor marked for removal."""
    return [form for form in formset.forms if not form.is_blank() and not formset._should_delete_form(form)]


class CommentForm(forms.Form):
    body = content_field(COMMENT_BODY, _("Your reply"), rows=4)


class StartPlanForm(forms.Form):
    copy_previous = forms.BooleanField(
        label=_("Start from our last submitted plan"),
        required=False,
        help_text=_("Copies its figures, capability lines and partnerships into the new draft."),
    )
