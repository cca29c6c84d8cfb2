from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from config.metrics import metrics

urlpatterns = [
    path("health/", include("config.health")),
    path("metrics", metrics, name="metrics"),  # Prometheus's default path, without a slash
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("members.urls")),
    path("staff/reports/", include("reports.urls")),
    path("", include("plans.urls")),
]

handler404 = "core.api.errors.page_not_found"
handler500 = "core.api.errors.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
