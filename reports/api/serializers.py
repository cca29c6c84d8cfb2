"""Shapes of the compliance and report endpoints (output from selectors' dicts; input validated here)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from plans.enums import Category, Unit
from plans.models import Cycle

from ..models import ComplianceReport, ReportLanguage, ReportStatus
from ..selectors import STATUS_WORDS

FILE_KINDS = ("xlsx", "pdf", "csv", "brief")


class ComplianceRowSerializer(serializers.Serializer):
    member_code = serializers.CharField()
    member_name = serializers.CharField()
    member_name_fr = serializers.CharField()
    plan_id = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(choices=STATUS_WORDS)
    effective_deadline = serializers.DateTimeField()
    has_extension = serializers.BooleanField()
    first_submitted_at = serializers.DateTimeField(allow_null=True)
    last_submitted_at = serializers.DateTimeField(allow_null=True)
    is_late = serializers.BooleanField(
        allow_null=True,
        help_text="`submitted_late` or `overdue`; null while nothing is submitted and the deadline has not passed.",
    )
    submitted_late = serializers.BooleanField(
        allow_null=True,
        help_text="The first submission came after the deadline in force when it was made; null before any.",
    )
    overdue = serializers.BooleanField(help_text="Nothing submitted and the effective deadline has passed.")
    days_late = serializers.IntegerField(
        allow_null=True,
        min_value=0,
        help_text="Started days: first submission after the deadline in force then, or now after the "
        "effective deadline when overdue; 0 on time.",
    )
    versions = serializers.IntegerField(min_value=0)
    spending_pct_gdp = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    meets_spending_target = serializers.BooleanField(allow_null=True)
    equipment_share_pct = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    meets_equipment_target = serializers.BooleanField(allow_null=True)


def quantity(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=20, decimal_places=2, **kwargs)


class CapacityItemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The catalogue item (GET catalogue/).")
    name = serializers.CharField(help_text="In the request's language.")
    category = serializers.ChoiceField(choices=Category.choices)
    unit = serializers.ChoiceField(choices=Unit.choices, help_text="Every figure of the row counts in this unit.")
    parent = serializers.CharField(allow_null=True)
    lines = serializers.IntegerField()
    allies = serializers.ListField(child=serializers.CharField(), help_text="Codes of the allies with such lines.")
    baseline = quantity(help_text="Yearly capacity now, summed over the allies.")
    target = quantity()
    growth = quantity()
    growth_pct = quantity(allow_null=True)
    stockpile_current = quantity()
    stockpile_target = quantity()
    stockpile_gap = quantity(help_text="Sum over lines of the stockpile target above the current stock.")
    investment = serializers.DictField(
        child=quantity(), help_text="Planned investment per currency (ISO 4217): amounts are never converted."
    )


class OtherLineSerializer(serializers.Serializer):
    member_code = serializers.CharField()
    category = serializers.ChoiceField(choices=Category.choices)
    item = serializers.CharField()
    unit = serializers.ChoiceField(choices=Unit.choices)
    baseline = quantity()
    target = quantity()
    growth = quantity()
    stockpile_current = quantity(allow_null=True)
    stockpile_target = quantity(allow_null=True)
    planned_investment = quantity(allow_null=True)
    currency = serializers.CharField(allow_blank=True)


class CapacitySerializer(serializers.Serializer):
    cycle = serializers.IntegerField()
    items = CapacityItemSerializer(many=True, help_text="Per catalogue item and unit; never summed across them.")
    other = OtherLineSerializer(many=True, help_text="Lines outside the catalogue: listed, not summed.")


class JointSignalSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    category = serializers.ChoiceField(choices=Category.choices)
    unit = serializers.ChoiceField(choices=Unit.choices)
    allies = serializers.ListField(child=serializers.CharField(), help_text="Allies that plan to expand or restock.")
    target_increase = quantity(help_text="Combined yearly capacity increase (target above baseline).")
    stockpile_gap = quantity(help_text="Combined stockpile target above the current stock.")
    partnered_pairs = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Pairs of these allies of which one already names the other in a partnership.",
    )
    pairs = serializers.IntegerField(help_text="Pairs among these allies.")
    already_partners = serializers.BooleanField(help_text="Every pair already names each other.")


class JointProcurementSerializer(serializers.Serializer):
    cycle = serializers.IntegerField()
    items = JointSignalSerializer(many=True)


class ComplianceTotalsSerializer(serializers.Serializer):
    members = serializers.IntegerField()
    submitted = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField(help_text="`submitted_late` + `overdue`.")
    submitted_late = serializers.IntegerField()
    overdue = serializers.IntegerField()
    accepted = serializers.IntegerField()
    missing = serializers.IntegerField()
    nil_returns = serializers.IntegerField()
    meeting_spending_target = serializers.IntegerField()
    meeting_equipment_target = serializers.IntegerField()


class ComplianceSerializer(serializers.Serializer):
    cycle = serializers.IntegerField()
    spending_target_pct = serializers.DecimalField(max_digits=5, decimal_places=2)
    equipment_target_pct = serializers.DecimalField(max_digits=5, decimal_places=2)
    rows = ComplianceRowSerializer(many=True)
    totals = ComplianceTotalsSerializer(help_text="Over the rows returned (the caller's own row for a member).")


class ReportFilesSerializer(serializers.Serializer):
    xlsx = serializers.URLField()
    pdf = serializers.URLField()
    csv = serializers.URLField()
    brief = serializers.URLField(help_text="The summit brief (PDF).")


class ReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    cycle = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ReportStatus.values)
    progress = serializers.IntegerField(min_value=0, max_value=100)
    error = serializers.CharField(allow_blank=True)
    requested_by = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    language = serializers.ChoiceField(choices=ReportLanguage.values)
    files = ReportFilesSerializer(allow_null=True, help_text="Download links, once the report is done.")

    @staticmethod
    def data_for(report: ComplianceReport, request) -> dict:
        files = None
        if report.status == ReportStatus.DONE:
            files = {
                kind: request.build_absolute_uri(reverse(f"api-report-{kind}", args=[report.pk])) for kind in FILE_KINDS
            }
        return ReportSerializer(
            {
                "id": report.pk,
                "cycle": report.cycle.year,
                "status": report.status,
                "progress": report.progress,
                "error": report.error,
                "requested_by": report.requested_by.email if report.requested_by else None,
                "created_at": report.created_at,
                "started_at": report.started_at,
                "finished_at": report.finished_at,
                "language": report.language,
                "files": files,
            }
        ).data


class ReportRequestSerializer(serializers.Serializer):
    cycle = serializers.IntegerField(help_text="The cycle's year.", min_value=0, max_value=32767)
    language = serializers.ChoiceField(
        choices=ReportLanguage.values, default=ReportLanguage.ENGLISH, help_text="The language of every file."
    )

    def validate_cycle(self, year: int) -> Cycle:
        cycle = Cycle.objects.filter(year=year).first()
        if cycle is None:
            raise serializers.ValidationError(_("There is no cycle %(year)s.") % {"year": year})
        return cycle


PERCENT = {"max_digits": 12, "decimal_places": 2}
QUANTITY = {"max_digits": 24, "decimal_places": 2}


class AllianceYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    spending_target_pct = serializers.DecimalField(**PERCENT)
    equipment_target_pct = serializers.DecimalField(**PERCENT)
    allies = serializers.IntegerField()
    reported = serializers.IntegerField(help_text="Allies whose plan was submitted at least once.")
    meeting_spending_target = serializers.IntegerField(help_text="Against that year's guideline.")
    meeting_equipment_target = serializers.IntegerField()
    median_spending_pct_gdp = serializers.DecimalField(**PERCENT, allow_null=True)
    median_equipment_share_pct = serializers.DecimalField(**PERCENT, allow_null=True)


class AllyYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    member_code = serializers.CharField()
    member_name = serializers.CharField()
    member_name_fr = serializers.CharField()
    status = serializers.CharField()
    nil_return = serializers.BooleanField()
    spending_target_pct = serializers.DecimalField(**PERCENT)
    equipment_target_pct = serializers.DecimalField(**PERCENT)
    spending_pct_gdp = serializers.DecimalField(**PERCENT, allow_null=True)
    meets_spending_target = serializers.BooleanField(allow_null=True)
    equipment_share_pct = serializers.DecimalField(**PERCENT, allow_null=True)
    meets_equipment_target = serializers.BooleanField(allow_null=True)


class CapacityYearSerializer(CapacityItemSerializer):
    """A catalogue item's figures in one cycle: as `cycles/{year}/capacity/` gives them, with the year."""

    year = serializers.IntegerField()


class TrendsSerializer(serializers.Serializer):
    cycles = AllianceYearSerializer(many=True)
    allies = AllyYearSerializer(many=True)
    capacity = CapacityYearSerializer(
        many=True,
        help_text="Per catalogue item and unit in each cycle, item by item, oldest cycle first; never summed "
        "across items or units. Lines outside the catalogue are not summed (see `cycles/{year}/capacity/`).",
    )
