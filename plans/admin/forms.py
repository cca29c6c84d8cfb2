"""Forms of the staff workspace: they check the shape of the input; the services decide."""

from contextlib import suppress

from django import forms
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from ..enums import ReturnReason
from ..errors import DomainError, PlanInvalid
from ..models import Cycle, DeadlineExtension, PlanVersion


def staff_users():
    return get_user_model().objects.filter(is_staff=True, is_active=True).order_by("email")


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
    )
    reasons = forms.MultipleChoiceField(
        label=_("Reasons"), choices=ReturnReason.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class AcceptForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment to the delegation (optional)"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        required=False,
    )


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 4, "cols": 80}))
    internal = forms.BooleanField(
        label=_("Internal (staff only, never shown to the delegation)"), required=False, initial=True
    )


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


class _DryRun(Exception):
    """Rolls back a service call made only to learn whether it would be refused."""


def add_service_errors(form: forms.Form, call) -> None:
    """Run a write service inside a savepoint that is always rolled back, and turn its refusal into form errors.

    The admin's model forms save later, in `save_model`, where an error can no longer be shown
    next to the field; asking the service itself keeps its rules in one place.
    """
    try:
        with transaction.atomic():
            call()
            raise _DryRun
    except _DryRun:
        pass
    except IntegrityError:
        pass  # a broken model constraint: the model validation that follows names the field
    except PlanInvalid as error:
        for finding in error.findings:
            field = finding.field if finding.field in form.fields else None
            with suppress(ValueError):
                form.add_error(field, finding.message)
    except DomainError as error:
        form.add_error(None, error.message)


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
            "reminder_days_before",
            "overdue_days_after",
        ]

    def clean(self):
        from ..services import cycle_open

        data = super().clean()
        year = data.get("year", self.instance.year)
        if not self.errors and year is not None:
            add_service_errors(
                self,
                lambda: cycle_open(
                    year=year,
                    deadline=data["deadline"],
                    opens_at=data["opens_at"],
                    review_deadline=data.get("review_deadline"),
                    spending_target_pct=data.get("spending_target_pct"),
                    equipment_target_pct=data.get("equipment_target_pct"),
                ),
            )
        return data


class ExtensionForm(forms.ModelForm):
    class Meta:
        model = DeadlineExtension
        fields = ["cycle", "member", "deadline", "reason"]

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor

    def clean(self):
        from ..services import extension_grant

        data = super().clean()
        if not self.errors and self.actor is not None:
            add_service_errors(
                self,
                lambda: extension_grant(
                    cycle=data.get("cycle") or self.instance.cycle,
                    member=data.get("member") or self.instance.member,
                    deadline=data["deadline"],
                    reason=data["reason"],
                    actor=self.actor,
                ),
            )
        return data
