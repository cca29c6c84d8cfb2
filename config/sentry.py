"""Error tracking with sentry-sdk; settings.py calls `sentry_init` only when SENTRY_DSN is set."""

import sentry_sdk
import structlog
from django.core.exceptions import ImproperlyConfigured
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration
from sentry_sdk.utils import BadDsn, Dsn


def _tag_request_id(event: dict, hint: dict) -> dict:
    # The same id as in the logs (and the X-Request-ID answer header), to go from one to the other.
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def sentry_init(*, dsn: str, environment: str, traces_sample_rate: float) -> None:
    try:
        Dsn(dsn)
    except BadDsn as exc:
        raise ImproperlyConfigured(f"SENTRY_DSN is not a valid DSN ({exc})") from None
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        traces_sample_rate=traces_sample_rate,
        # Plans are sensitive: no user e-mails, cookies, headers or bodies leave the service.
        send_default_pii=False,
        max_request_body_size="never",
        integrations=[
            DjangoIntegration(),
            CeleryIntegration(),
            # Errors logged by our code (a failed report, an unqueued task) become events too.
            LoggingIntegration(event_level="ERROR"),
        ],
        before_send=_tag_request_id,
    )
