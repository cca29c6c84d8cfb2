"""/api/: version 1 of the REST API and its OpenAPI schema."""

from django.urls import include, path

urlpatterns = [
    path("v1/", include("members.api.urls")),
    path("v1/", include("plans.api.urls")),
    path("v1/", include("reports.api.urls")),
]
