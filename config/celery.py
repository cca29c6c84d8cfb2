"""Celery application: Redis broker from CELERY_BROKER_URL, settings under the CELERY_ prefix.

Without a broker (development, `make run`) settings.py makes tasks run eagerly in-process.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("plans_service")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
