"""The request id: chosen once per request, said in the answer, bound in every log line and task.

`RequestIdMiddleware` picks the id; django-structlog's RequestMiddleware (after it) binds it to
the logging context; `core.queue` sends it with each task it queues (a task header) and
`bind_task_request_id` binds it again in the worker, so one id follows a submission from the
request into the e-mail task it queued.
"""

import re
import uuid
from collections.abc import Callable
from typing import Any

import structlog
from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
# What a proxy's id may look like (a UUID, a hex or base64-ish token): anything else would let a
# client write arbitrary text into every log line of its request.
TRUSTED_ID = re.compile(r"[A-Za-z0-9._:+/=-]{8,128}")


def current_request_id() -> str | None:
    """The request id bound in this context (a request, or a task queued by one), if any."""
    return structlog.contextvars.get_contextvars().get("request_id")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        supplied = request.META.get("HTTP_X_REQUEST_ID", "")
        if settings.REQUEST_ID_TRUST_HEADER and TRUSTED_ID.fullmatch(supplied):
            request_id = supplied
        else:
            request_id = uuid.uuid4().hex
        # django-structlog takes the id from this header (DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID):
        # the decision whether to trust the client's is made here, once.
        request.META["HTTP_X_REQUEST_ID"] = request_id
        request.request_id = request_id  # type: ignore[attr-defined]  # read by views and tests
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def task_request_id(request: Any) -> str | None:
    """The request id core.queue sent with a task: a message header in a worker, and under
    `headers` when the task runs eagerly in process."""
    return getattr(request, "request_id", None) or (getattr(request, "headers", None) or {}).get("request_id")


def bind_task_request_id(sender: Any = None, task: Any = None, **kwargs: Any) -> None:
    """In the worker: bind the request id that core.queue sent in the task's headers.

    Connected to django-structlog's `bind_extra_task_metadata` signal, which fires after it has
    cleared the previous task's context and bound this task's id, and before `task_started`.
    """
    request_id = task_request_id(getattr(task, "request", None))
    if request_id:
        structlog.contextvars.bind_contextvars(request_id=request_id)
