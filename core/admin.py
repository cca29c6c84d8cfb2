"""The security log in the admin: read and export (CSV) for those with the rights, change for nobody."""

import csv
import json
from collections.abc import Iterator
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .exports import csv_text
from .models import SecurityEvent
from .numbers import format_number
from .permissions import EXPORT_SECURITY_LOG, VIEW_SECURITY_LOG
from .security import log_download

VIEW_PERMISSION = VIEW_SECURITY_LOG
EXPORT_PERMISSION = EXPORT_SECURITY_LOG
EXPORT_COLUMNS = ["at", "event", "identifier", "account", "done_by", "address", "client", "detail"]


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer's output."""

    def write(self, value: str) -> str:
        return value


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    list_display = ["at", "kind", "identifier", "user", "actor", "ip_address", "detail_text"]
    list_filter = ["kind", ("at", admin.DateFieldListFilter)]
    search_fields = ["identifier", "user__email", "actor__email", "ip_address"]
    list_select_related = ["user", "actor"]
    date_hierarchy = "at"
    actions = None
    list_per_page = 100

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_staff and request.user.has_perm(VIEW_PERMISSION)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("detail"))
    def detail_text(self, event: SecurityEvent) -> str:
        return json.dumps(event.detail, ensure_ascii=False, sort_keys=True) if event.detail else ""

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        extra_context = {**(extra_context or {}), "can_export": request.user.has_perm(EXPORT_PERMISSION)}
        return super().changelist_view(request, extra_context)

    def get_urls(self) -> list:
        export = self.admin_site.admin_view(self.export_view)
        return [path("export/", export, name="core_securityevent_export"), *super().get_urls()]

    def export_view(self, request: HttpRequest) -> StreamingHttpResponse:
        """The events the list shows (same filters and search), as a formula-safe CSV file."""
        if not (self.has_view_permission(request) and request.user.has_perm(EXPORT_PERMISSION)):
            raise PermissionDenied
        events = self.get_changelist_instance(request).get_queryset(request).order_by("at", "id")
        filename = f"security-log-{timezone.now():%Y%m%d-%H%M%S}.csv"
        log_download(request, filename=filename, subject="security log", detail={"filters": request.GET.urlencode()})
        writer = csv.writer(_Echo())

        def rows() -> Iterator[str]:
            yield "\ufeff"  # a BOM so that spreadsheet programs read UTF-8
            yield writer.writerow(EXPORT_COLUMNS)
            for event in events.iterator(chunk_size=2000):
                yield writer.writerow(
                    [
                        event.at.isoformat(),
                        event.kind,
                        csv_text(event.identifier),
                        csv_text(event.user.email if event.user else ""),
                        csv_text(event.actor.email if event.actor else ""),
                        event.ip_address or "",
                        csv_text(event.user_agent),
                        csv_text(json.dumps(event.detail, ensure_ascii=False, sort_keys=True) if event.detail else ""),
                    ]
                )

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def _figure(model: Any, name: str) -> Any:
    def shown(obj: Any) -> str:
        return format_number(getattr(obj, name)) or "-"

    shown.__name__ = f"{name}_shown"
    return admin.display(description=model._meta.get_field(name).verbose_name)(shown)


class GroupedFigures:
    """A read-only admin whose figures (the model fields named in `figures`) show grouped thousands.

    Django's admin shows a read-only number as "80500000000.00"; here it reads "80,500,000,000.00"
    (or "80 500 000 000,00" in French), through core.numbers like every other page.
    """

    figures: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.figures:
            setattr(self, f"{name}_shown", _figure(self.model, name))  # type: ignore[attr-defined]

    def _swap(self, names: Any) -> list:
        return [f"{name}_shown" if name in self.figures else name for name in names]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list:
        return self._swap(super().get_fields(request, obj))  # type: ignore[misc]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list:
        fieldsets = super().get_fieldsets(request, obj)  # type: ignore[misc]
        return [(title, {**options, "fields": self._swap(options["fields"])}) for title, options in fieldsets]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list:
        return [*super().get_readonly_fields(request, obj), *(f"{name}_shown" for name in self.figures)]  # type: ignore[misc]
