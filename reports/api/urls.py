from django.urls import path

from . import views

urlpatterns = [
    path("cycles/<int:year>/compliance/", views.ComplianceView.as_view(), name="api-cycle-compliance"),
    path("trends/", views.TrendsView.as_view(), name="api-trends"),
    path("cycles/<int:year>/capacity/", views.CapacityView.as_view(), name="api-cycle-capacity"),
    path(
        "cycles/<int:year>/joint-procurement/",
        views.JointProcurementView.as_view(),
        name="api-cycle-joint-procurement",
    ),
    path("reports/", views.ReportCreateView.as_view(), name="api-report-list"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="api-report-detail"),
    path("reports/<int:pk>/xlsx/", views.ReportXlsxView.as_view(), name="api-report-xlsx"),
    path("reports/<int:pk>/pdf/", views.ReportPdfView.as_view(), name="api-report-pdf"),
    path("reports/<int:pk>/csv/", views.ReportCsvView.as_view(), name="api-report-csv"),
    path("reports/<int:pk>/brief/", views.ReportBriefView.as_view(), name="api-report-brief"),
]
