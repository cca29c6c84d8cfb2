"""Settings for the test suite: config.settings, plus only what tests need changed.

pytest uses this module (pyproject.toml, DJANGO_SETTINGS_MODULE). Everything else, the
database and the broker included, still comes from the environment through config.settings,
so `DATABASE_URL=postgres://... pytest` tests on PostgreSQL. Processes that tests start as a
deployment would (manage.py, a Celery worker) are given config.settings explicitly.
"""

import os

# The deployment rule "no SECRET_KEY with a named database and DEBUG off stops start-up" holds
# in config.settings; the suite runs with DEBUG off against a named database and needs a key
# before that module is read.
os.environ.setdefault("SECRET_KEY", "django-insecure-test-key-do-not-use-in-production")

from config.settings import *  # noqa: F403
from config.settings import STORAGES

ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

# The test client and the browser tests' live server speak plain HTTP.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# Personas' passwords are hashed in nearly every test; the production hasher's cost buys nothing here.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A test database name of one's own choosing (a shared PostgreSQL server), instead of test_<NAME>.
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}  # noqa: F405

# Mail stays in memory (django.core.mail.outbox), whatever EMAIL_URL says.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# No collected static files and no manifest in tests.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

# Unit tests run tasks in process even when a broker is named; the integration tests start a
# real worker and switch this off for themselves.
CELERY_TASK_ALWAYS_EAGER = True
