"""Forms of the delegation's plan editor.

They check the shape of what was typed (numbers are numbers, choices are known) and turn it
into the content dict of `plans.content`; the rules a plan must follow are the services'.
"""

from django import forms
from django.forms import BaseFormSet, formset_factory
from django.utils.translation import gettext_lazy as _

from .content import HEADLINE_FIELDS, LINE_DEFAULTS, LINE_FIELDS, PARTNERSHIP_DEFAULTS, PARTNERSHIP_FIELDS
from .enums import Bottleneck, Category, Funding, PartnershipKind, PartnershipStatus, Priority

# The model's sizes, so that a figure the database cannot hold is refused here with a message.
MONEY = {"max_digits": 20, "decimal_places": 2}
QUANTITY = {"max_digits": 16, "decimal_places": 2}
# Blank rows offered under the filled ones, so rows can be added without JavaScript.
EXTRA_ROWS = 2
BLANK = [("", "---------")]


def _money(label, help_text=""):
    # localize: "1 000,50" typed in French and "1,000.50" in English both read right.
    return forms.DecimalField(label=label, required=False, help_text=help_text, localize=True, **MONEY)


def _quantity(label, required=False):
    return forms.DecimalField(label=label, required=required, localize=True, **QUANTITY)


class HeadlineForm(forms.Form):
    defence_expenditure = _money(_("Defence expenditure (total)"), _("Under NATO's definition, in the currency below."))
    equipment_expenditure = _money(_("Equipment expenditure"), _("Major equipment and related research."))
    personnel_expenditure = _money(_("Personnel expenditure"))
    infrastructure_expenditure = _money(_("Infrastructure expenditure"))
    other_expenditure = _money(_("Other expenditure"))
    gdp = _money(_("GDP"))
    currency = forms.CharField(
        label=_("Currency"), required=False, max_length=3, help_text=_("ISO 4217 code, such as EUR.")
    )
    military_personnel = forms.IntegerField(label=_("Military personnel"), required=False)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    nil_return = forms.BooleanField(
        label=_("Nil return"), required=False, help_text=_("Nothing to report this cycle (no capability lines).")
    )
    nil_return_reason = forms.CharField(
        label=_("Reason for the nil return"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_currency(self):
        return (self.cleaned_data.get("currency") or "").strip().upper()

    def content(self) -> dict:
        return {field: self.cleaned_data.get(field) for field in HEADLINE_FIELDS}


class RowForm(forms.Form):
    """A formset row: blank rows are left out, and the content carries the model's defaults."""

    def is_blank(self) -> bool:
        return not self.has_changed()


class LineForm(RowForm):
    category = forms.ChoiceField(label=_("Category"), choices=BLANK + list(Category.choices))
    item = forms.CharField(label=_("Item"), max_length=200)
    unit = forms.CharField(label=_("Unit"), max_length=50, required=False)
    baseline_capacity = _quantity(_("Baseline capacity (a year)"), required=True)
    target_capacity = _quantity(_("Target capacity (a year)"), required=True)
    target_year = forms.IntegerField(label=_("Target year"))
    stockpile_current = _quantity(_("Current stockpile"))
    stockpile_target = _quantity(_("Stockpile target"))
    planned_investment = _money(_("Planned investment"))
    funding = forms.ChoiceField(label=_("Funding"), choices=Funding.choices, initial=LINE_DEFAULTS["funding"])
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=LINE_DEFAULTS["priority"])
    bottleneck = forms.ChoiceField(
        label=_("Bottleneck"), choices=Bottleneck.choices, initial=LINE_DEFAULTS["bottleneck"]
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def content(self) -> dict:
        return {field: self.cleaned_data.get(field) for field in LINE_FIELDS}


class PartnershipForm(RowForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=BLANK + list(PartnershipKind.choices))
    partner_name = forms.CharField(label=_("Partner name"), max_length=200)
    partner_members = forms.MultipleChoiceField(
        label=_("Partner allies"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For ally and multinational partnerships."),
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    value = _money(_("Value"))
    status = forms.ChoiceField(
        label=_("Status"), choices=PartnershipStatus.choices, initial=PARTNERSHIP_DEFAULTS["status"]
    )

    def __init__(self, *args, ally_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner_members"].choices = ally_choices

    def content(self) -> dict:
        return {field: self.cleaned_data.get(field) for field in PARTNERSHIP_FIELDS}


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


LineFormSet = formset_factory(LineForm, formset=RowFormSet, extra=EXTRA_ROWS, can_delete=True)
PartnershipFormSet = formset_factory(PartnershipForm, formset=RowFormSet, extra=EXTRA_ROWS, can_delete=True)


def filled_rows(formset) -> list:
    """The rows that make up the content, in order: neither blank nor marked for removal."""
    return [form for form in formset.forms if not form.is_blank() and not formset._should_delete_form(form)]


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)


class StartPlanForm(forms.Form):
    copy_previous = forms.BooleanField(
        label=_("Start from our last submitted plan"),
        required=False,
        help_text=_("Copies its figures, capability lines and partnerships into the new draft."),
    )
