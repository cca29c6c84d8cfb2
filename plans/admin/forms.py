"""Forms of the staff workspace: they check the shape of the input; the services decide."""

from contextlib import suppress

from django import forms
from django.utils.translation import gettext_lazy as _

from ..content import COMMENT_BODY, REVIEW_COMMENT
from ..enums import ReturnReason
from ..models import Cycle, DeadlineExtension, PlanVersion
from ..selectors import reviewers
from ..services import cycle_validate, extension_validate


def staff_users():
    """People a plan may be assigned to: those who may review it."""
    return reviewers()


class StartReviewForm(forms.Form):
    reviewer = forms.ModelChoiceField(
        label=_("Reviewer"),
        queryset=staff_users(),
        help_text=_("The staff member who reviews this plan."),
    )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment to the delegation"),
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text=_("Required: say what must change. The delegation reads it."),
        max_length=REVIEW_COMMENT.max_length,
    )
    reasons = forms.MultipleChoiceField(
        label=_("Reasons"), choices=ReturnReason.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class AcceptForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment to the delegation (optional)"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        required=False,
        max_length=REVIEW_COMMENT.max_length,
    )


class ConfirmForm(forms.Form):
    """Nothing to fill in: the recommendation becomes the decision as the reviewer wrote it."""


class SendBackForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment to the reviewer"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=_("Required: say what to look at again. Staff only; the delegation does not see it."),
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 4, "cols": 80}), max_length=COMMENT_BODY.max_length
    )
    internal = forms.BooleanField(
        label=_("Internal (staff only, never shown to the delegation)"), required=False, initial=True
    )

    def __init__(self, *args, internal_allowed: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not internal_allowed:
            # Who may not write internal comments writes to the delegation, and sees it said.
            del self.fields["internal"]

    def clean(self):
        data = super().clean()
        data.setdefault("internal", False)
        return data


class CompareForm(forms.Form):
    old = forms.ModelChoiceField(label=_("From version"), queryset=PlanVersion.objects.none(), to_field_name="number")
    new = forms.ModelChoiceField(label=_("To version"), queryset=PlanVersion.objects.none(), to_field_name="number")

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        versions = PlanVersion.objects.filter(plan=plan).order_by("number").only("id", "number", "plan_id")
        self.fields["old"].queryset = versions
        self.fields["new"].queryset = versions
        self.fields["old"].label_from_instance = self.fields["new"].label_from_instance = lambda v: f"v{v.number}"


class AssignReviewerForm(forms.Form):
    reviewer = forms.ModelChoiceField(
        label=_("Reviewer"),
        queryset=staff_users(),
        required=False,
        empty_label=_("(nobody: clear the assignment)"),
    )


def add_findings(form: forms.Form, findings) -> None:
    """Put a service's findings beside their fields (or above the form for the others)."""
    for finding in findings:
        field = finding.field if finding.field in form.fields else None
        with suppress(ValueError):  # a field the form shows read-only: the message goes on top
            form.add_error(field, finding.message)


class CycleForm(forms.ModelForm):
    class Meta:
        model = Cycle
        fields = [
            "year",
            "opens_at",
            "deadline",
            "review_deadline",
            "spending_target_pct",
            "equipment_target_pct",
            "approval_levels",
            "reminder_days_before",
            "overdue_days_after",
            "classification",
        ]

    def clean(self):
        data = super().clean()
        year = data.get("year", self.instance.year)
        if not self.errors and year is not None:
            add_findings(self, cycle_validate(year=year, **{f: data.get(f) for f in self.Meta.fields if f != "year"}))
        return data


class ExtensionForm(forms.ModelForm):
    class Meta:
        model = DeadlineExtension
        fields = ["cycle", "member", "deadline", "reason"]

    def clean(self):
        data = super().clean()
        cycle = data.get("cycle") or getattr(self.instance, "cycle", None)
        if not self.errors and cycle is not None:
            add_findings(
                self, extension_validate(cycle=cycle, deadline=data.get("deadline"), reason=data.get("reason"))
            )
        return data
