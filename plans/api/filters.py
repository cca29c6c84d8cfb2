from django import forms
from django_filters import rest_framework as filters

from plans.enums import PlanStatus
from plans.models import Plan


class YearFilter(filters.NumberFilter):
    field_class = forms.IntegerField


class PlanFilter(filters.FilterSet):
    cycle = YearFilter(field_name="cycle__year", help_text="The cycle's year.")
    member = filters.CharFilter(field_name="member__code", lookup_expr="iexact", help_text="A member's code.")
    status = filters.ChoiceFilter(choices=PlanStatus.choices)
    ordering = filters.OrderingFilter(
        fields=(
            ("cycle__year", "cycle"),
            ("member__code", "member"),
            ("status", "status"),
            ("updated_at", "updated_at"),
        ),
    )

    class Meta:
        model = Plan
        fields = ["cycle", "member", "status"]
