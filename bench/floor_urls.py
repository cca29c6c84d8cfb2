"""The service's URLs plus the benchmark's floor endpoint (bench/floor_settings.py)."""

from django.urls import path
from rest_framework.response import Response

from config.urls import urlpatterns as service_urlpatterns
from members.api.base import ApiView


class FloorView(ApiView):
    """Authenticated, throttled, through every middleware; answers without a query of its own."""

    def get(self, request):
        return Response({"member": self.actor.member_id})


urlpatterns = [path("api/v1/bench/floor/", FloorView.as_view()), *service_urlpatterns]
