"""The service's URLs plus the benchmark's floor endpoints (bench/floor_settings.py).

- `/api/v1/bench/floor/`: authenticated, throttled, through every middleware; no query of its own.
- `/api/v1/bench/floor/<kind>/<argument>/`: the same, plus the raw-SQL baseline's own query for
  `kind` (bench/raw_sql_app.py: detail, list or year), its JSON text answered as it comes. No
  Django endpoint that reads the same data can be cheaper than that: the framework's fixed cost
  plus the fastest query there is for the document.
"""

from django.db import connection
from django.http import Http404, HttpResponse
from django.urls import path
from rest_framework.response import Response

from bench.raw_sql_app import QUERIES
from config.urls import urlpatterns as service_urlpatterns
from members.api.base import ApiView


class FloorView(ApiView):
    """Authenticated, throttled, through every middleware; answers without a query of its own."""

    def get(self, request):
        return Response({"member": self.actor.member_id})


class FloorQueryView(ApiView):
    """The floor plus the baseline's one query (PostgreSQL builds the JSON); no permission check."""

    def get(self, request, kind: str, argument: str):
        if kind not in QUERIES:
            raise Http404
        with connection.cursor() as cursor:
            cursor.execute(QUERIES[kind], [argument if kind == "list" else int(argument)])
            row = cursor.fetchone()
        if row is None:
            raise Http404
        return HttpResponse(row[0], content_type="application/json")


urlpatterns = [
    path("api/v1/bench/floor/", FloorView.as_view()),
    path("api/v1/bench/floor/<str:kind>/<str:argument>/", FloorQueryView.as_view()),
    *service_urlpatterns,
]
