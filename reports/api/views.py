"""Compliance table and report runs over the API.

Reports are the secretariat's documents, not any member's data: a member's key or delegate gets
403 on every report endpoint (not 404), the same answer whether or not the report exists.
"""

from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from core.api.base import error_responses
from core.permissions import VIEW_COMPLIANCE, VIEW_PLAN
from core.security import log_download
from members.api.base import ApiView
from members.models import Member
from plans.models import Cycle

from ..builders.data import item_label
from ..models import ComplianceReport
from ..selectors import capacity_by_item, compliance_rows, compliance_totals, joint_procurement, trends
from ..services import report_request
from .serializers import (
    CapacitySerializer,
    ComplianceSerializer,
    JointProcurementSerializer,
    ReportRequestSerializer,
    ReportSerializer,
    TrendsSerializer,
)

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv",
    "brief": "application/pdf",
}
EXTENSIONS = {"brief": "pdf"}


class ComplianceView(ApiView):
    @extend_schema(
        operation_id="cycle_compliance",
        summary="Compliance of every ally for a cycle (a member: its own row)",
        tags=["reports"],
        responses={200: ComplianceSerializer, **error_responses(403, 404)},
    )
    def get(self, request, year: int):
        cycle = get_object_or_404(Cycle, year=year)
        actor = self.actor
        if actor.can(VIEW_COMPLIANCE):
            rows = compliance_rows(cycle=cycle)
        elif actor.member is not None and actor.can(VIEW_PLAN, actor.member):
            rows = compliance_rows(cycle=cycle, member_id=actor.member_id)
        else:
            raise PermissionDenied(_("Only staff who read compliance and member delegations see compliance."))
        body = {
            "cycle": cycle.year,
            "spending_target_pct": cycle.spending_target_pct,
            "equipment_target_pct": cycle.equipment_target_pct,
            "rows": rows,
            "totals": compliance_totals(rows),
        }
        return Response(ComplianceSerializer(body).data)


class StaffOnlyMixin:
    def check_permissions(self, request):
        super().check_permissions(request)
        if not self.actor.can(VIEW_COMPLIANCE):
            raise PermissionDenied(_("Compliance reports are for staff who read compliance."))


class TrendsView(StaffOnlyMixin, ApiView):
    @extend_schema(
        operation_id="trends",
        summary="Figures across every cycle: the alliance per year, each ally per year, capacity per year (staff)",
        tags=["reports"],
        parameters=[OpenApiParameter("member", str, description="Only this ally's rows (a member code, such as EE).")],
        responses={200: TrendsSerializer, **error_responses(400, 403)},
    )
    def get(self, request):
        code = request.query_params.get("member")
        member_id = None
        if code is not None:
            member_id = Member.objects.filter(code=code.upper()).values_list("pk", flat=True).first()
            if member_id is None:
                raise ValidationError({"member": [_("No ally has this code.")]})
        across = trends(member_id=member_id)
        across["capacity"] = [{**row, "name": item_label(row)} for row in across["capacity"]]
        return Response(TrendsSerializer(across).data)


class CapacityView(StaffOnlyMixin, ApiView):
    @extend_schema(
        operation_id="cycle_capacity",
        summary="Alliance capacity per catalogue item and unit (staff)",
        description="The figures of the dashboard, the XLSX and the PDF: one aggregation (reports.selectors).",
        tags=["reports"],
        responses={200: CapacitySerializer, **error_responses(403, 404)},
    )
    def get(self, request, year: int):
        cycle = get_object_or_404(Cycle, year=year)
        figures = capacity_by_item(cycle=cycle)
        items = [{**item, "name": item_label(item)} for item in figures["items"]]
        return Response(CapacitySerializer({"cycle": cycle.year, "items": items, "other": figures["other"]}).data)


class JointProcurementView(StaffOnlyMixin, ApiView):
    @extend_schema(
        operation_id="cycle_joint_procurement",
        summary="Joint procurement signals: items two or more allies plan to expand or restock (staff)",
        tags=["reports"],
        responses={200: JointProcurementSerializer, **error_responses(403, 404)},
    )
    def get(self, request, year: int):
        cycle = get_object_or_404(Cycle, year=year)
        items = [{**item, "name": item_label(item)} for item in joint_procurement(cycle=cycle)]
        return Response(JointProcurementSerializer({"cycle": cycle.year, "items": items}).data)


class ReportCreateView(StaffOnlyMixin, ApiView):
    @extend_schema(
        operation_id="report_create",
        summary="Request a compliance report; a worker builds it",
        tags=["reports"],
        request=ReportRequestSerializer,
        examples=[OpenApiExample("A report for 2026", value={"cycle": 2026}, request_only=True)],
        responses={202: ReportSerializer, **error_responses(400, 403, 413, 415)},
    )
    def post(self, request):
        serializer = ReportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            report = report_request(
                cycle=serializer.validated_data["cycle"],
                actor=self.actor,
                language=serializer.validated_data["language"],
            )
        body = ReportSerializer.data_for(report, request)
        location = request.build_absolute_uri(reverse("api-report-detail", args=[report.pk]))
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


class ReportDetailView(StaffOnlyMixin, ApiView):
    @extend_schema(
        operation_id="report_detail",
        summary="A report run: status, progress and, when done, its files",
        tags=["reports"],
        responses={200: ReportSerializer, **error_responses(403, 404)},
    )
    def get(self, request, pk: int):
        report = get_object_or_404(ComplianceReport.objects.select_related("cycle", "requested_by"), pk=pk)
        return Response(ReportSerializer.data_for(report, request))


class ReportFileView(StaffOnlyMixin, ApiView):
    kind = ""

    def get(self, request, pk: int):
        report = get_object_or_404(ComplianceReport.objects.select_related("cycle"), pk=pk)
        field = getattr(report, self.kind)
        if not field:
            raise Http404(_("The report has no %(kind)s file (yet).") % {"kind": self.kind})
        try:
            handle = field.open("rb")
        except FileNotFoundError:
            raise Http404(_("The report's file is gone.")) from None
        filename = _filename(report, self.kind)
        log_download(request, filename=filename, subject=f"compliance report {report.cycle.year} #{report.pk}")
        return FileResponse(handle, as_attachment=True, filename=filename, content_type=CONTENT_TYPES[self.kind])


def _file_view(kind: str) -> type[ReportFileView]:
    schema = extend_schema(
        operation_id=f"report_{kind}",
        summary="Download the summit brief (PDF)" if kind == "brief" else f"Download the report's {kind.upper()} file",
        tags=["reports"],
        responses={
            (200, CONTENT_TYPES[kind]): OpenApiResponse(
                OpenApiTypes.BINARY, description=f"The {EXTENSIONS.get(kind, kind).upper()} file."
            ),
            **error_responses(403, 404),
        },
    )

    class View(ReportFileView):
        @schema
        def get(self, request, pk: int):
            return super().get(request, pk)

    View.kind = kind
    View.__name__ = View.__qualname__ = f"Report{kind.title()}View"
    return View


ReportXlsxView = _file_view("xlsx")
ReportPdfView = _file_view("pdf")
ReportCsvView = _file_view("csv")
ReportBriefView = _file_view("brief")


def _filename(report: ComplianceReport, kind: str) -> str:
    if kind == "brief":
        return f"summit-brief-{report.cycle.year}-{report.pk}-{report.language}.pdf"
    return f"compliance-{report.cycle.year}-{report.pk}.{kind}"
