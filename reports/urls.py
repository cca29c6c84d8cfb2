"""Staff report pages beside the admin, under /staff/reports/."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.cycle_index, name="index"),
    path("<int:year>/", views.dashboard, name="dashboard"),
    path("<int:year>/request/", views.request_report, name="request"),
    path("<int:year>/charts/<slug:name>.svg", views.chart, name="chart"),
    path("files/<int:pk>/<slug:kind>/", views.download, name="download"),
]
