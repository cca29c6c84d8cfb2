"""Structured logs: one JSON object a line (or readable lines in development), with the request id.

structlog renders both its own loggers (django-structlog's request and task events) and every
standard-library logger (Django, Celery, our modules' `logging.getLogger(__name__)`), so each line
carries what is bound in the context: `request_id` in a request and in the tasks it queued,
`task_id` in a task.
"""

import structlog

FORMATS = {"json", "console"}


def _shared_processors() -> list:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def configure_structlog() -> None:
    """Route structlog's loggers through the standard library, where LOGGING renders them."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared_processors(),
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.UnicodeDecoder(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def logging_config(*, level: str, fmt: str) -> dict:
    """The LOGGING dict: every record to stderr, rendered as `fmt` (json or console)."""
    renderer = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False, exception_formatter=structlog.dev.plain_traceback)
    )
    final = [structlog.stdlib.ProcessorFormatter.remove_processors_meta]
    if fmt == "json":
        final.append(structlog.processors.format_exc_info)
    final.append(renderer)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": final,
                "foreign_pre_chain": _shared_processors(),
            },
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # django-structlog logs every request as `request_finished`; Django's own line would
            # say the same a second time for 4xx and 5xx answers.
            "django.request": {"level": "ERROR"},
        },
    }
