"""Settings for the defence industrial plan service.

Every deployment knob comes from the environment and is parsed strictly: a malformed value
stops start-up with a message naming the variable. Development needs no variables at all:
SQLite under var/, tasks run in-process, e-mails written to files under var/.
"""

import ipaddress
import os
import warnings
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.logging import FORMATS as LOG_FORMATS
from config.logging import configure_structlog, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    """Parse a boolean variable; anything but a known word is an error, not a silent False."""
    if name not in os.environ:
        return default
    value = os.environ[name].strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no/on/off, got {os.environ[name]!r}")


def env_int(name: str, default: int) -> int:
    if name not in os.environ:
        return default
    try:
        return int(os.environ[name])
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {os.environ[name]!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    if name not in os.environ:
        return default
    return [item.strip() for item in os.environ[name].split(",") if item.strip()]


def env_float(name: str, default: float) -> float:
    if name not in os.environ:
        return default
    try:
        return float(os.environ[name])
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {os.environ[name]!r}") from None


def env_choice(name: str, choices: set[str], default: str) -> str:
    value = os.environ.get(name, default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(sorted(choices))}, got {os.environ[name]!r}")
    return value


def env_networks(name: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Comma-separated addresses or networks (10.0.0.2, 10.0.0.0/24, fd00::/8)."""
    networks = []
    for item in env_list(name, []):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(f"{name} must list IP addresses or networks, got {item!r}") from None
    return networks


def env_url(name: str, parse, default: str):
    """Parse a URL-shaped variable (DATABASE_URL, EMAIL_URL) with django-environ, strictly."""
    raw = os.environ.get(name, default)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            config = parse(raw)
    except Exception as exc:  # django-environ raises several types for a malformed URL
        raise ImproperlyConfigured(f"{name} is not a valid URL ({exc}): {raw!r}") from None
    if not (config.get("ENGINE") or config.get("EMAIL_BACKEND")):
        raise ImproperlyConfigured(f"{name} has an unknown scheme: {raw!r}")
    return config


DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    # A deployment names its database; one that does without a secret key must not start.
    # Local development (the SQLite default) gets a fixed, obviously insecure key, which
    # `check --deploy` reports. (The test suite sets its own: config/test_settings.py.)
    if not DEBUG and "DATABASE_URL" in os.environ:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off and DATABASE_URL names a database")
    SECRET_KEY = "django-insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
for origin in CSRF_TRUSTED_ORIGINS:
    if not origin.startswith(("http://", "https://")):
        raise ImproperlyConfigured(f"CSRF_TRUSTED_ORIGINS entries must start with http:// or https://, got {origin!r}")

INSTALLED_APPS = [
    "config.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_celery_beat",
    "axes",
    # Operations: structured logs with request ids, Prometheus metrics, object storage.
    "django_structlog",
    "django_prometheus",
    "storages",
    # Security: CSP headers, database triggers, the second step of sign-in.
    "csp",
    "pgtrigger",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",
    "core",
    "members",
    "plans",
    "reports",
    "webhooks",
]

MIDDLEWARE = [
    # Operations (see docs/operations.md): probes and metrics are answered first, before host
    # validation and the HTTPS redirect, because orchestrators and Prometheus call the container
    # by its address over the private network; then request timing, the request id, the request log.
    "config.health.ProbeMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "core.requestid.RequestIdMiddleware",
    "django_structlog.middlewares.RequestMiddleware",
    # The application's own stack; compression first, so that it sees the finished answer.
    "core.middleware.TextCompressionMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A form larger than the site's limits, for the views that allow one (the plan editor): read before the CSRF check.
    "core.middleware.LargeFormMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.RequestContextMiddleware",
    "core.middleware.AbsoluteSessionLifetimeMiddleware",
    "core.middleware.NoStoreWhenAuthenticatedMiddleware",
    "members.middleware.MfaMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    # Operations: last, so that the timing covers every middleware above.
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite under var/ by default, anything django-environ understands otherwise
# (postgres://user@host:5432/name uses psycopg 3).
DATABASES = {
    "default": env_url("DATABASE_URL", environ.Env.db_url_config, f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
# django-environ passes an unknown scheme through as the engine's name, which Django would
# only reject later without naming the variable.
if DATABASES["default"]["ENGINE"] not in {"django.db.backends.postgresql", "django.db.backends.sqlite3"}:
    raise ImproperlyConfigured(
        f"DATABASE_URL must be a postgres:// or sqlite:/// URL, got {os.environ.get('DATABASE_URL')!r}"
    )
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Each process keeps a psycopg connection pool (Django's OPTIONS["pool"]): a request borrows
    # a connection and gives it back, with no connect and no health-check query of its own (the
    # pool hands out only connections that came back healthy). A connection is opened only when
    # a thread needs one: a gunicorn sync worker serving one request at a time keeps one, and the
    # maximum matters to threaded processes (the development server, a test's threads), which
    # must never wait on each other for a connection; Celery's prefork workers close it after
    # each task. DB_POOL_MAX_SIZE=0 turns the pool off: persistent connections (CONN_MAX_AGE)
    # checked before each request instead. See docs/operations.md.
    _pool_max = env_int("DB_POOL_MAX_SIZE", 20)
    if _pool_max > 0:
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": max(0, min(env_int("DB_POOL_MIN_SIZE", 1), _pool_max)),
            "max_size": _pool_max,
            # Seconds a request waits for a connection. With no more threads than the maximum
            # nobody waits for another's, so a wait means the database is unreachable: 503 soon.
            "timeout": env_int("DB_POOL_TIMEOUT", 1),
            # When the database is away, the pool retries connecting with a doubling delay (1, 2,
            # 4 s ...): after a 3-second outage it could wait 4 s more before trying again while
            # requests are answered 503. Giving up a retry after 2 s lets the next request start
            # a fresh attempt at once, so service returns within about a second of the database.
            "reconnect_timeout": 2,
        }
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Values travel apart from the SQL (server-side binding), and a statement a connection has run
    # DB_PREPARE_THRESHOLD times is prepared on the server: PostgreSQL parses and plans it once per
    # connection instead of once per call (the API's plan detail: about 7 ms of the database's CPU
    # a request down to 4). 0 turns both off, for a pooler in transaction mode that cannot keep
    # prepared statements (PgBouncer before 1.21). See docs/operations.md.
    _prepare_threshold = env_int("DB_PREPARE_THRESHOLD", 5)
    if _prepare_threshold > 0:
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=_prepare_threshold
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def redis_cache(name: str, url: str) -> dict:
    """A Redis cache from a redis:// or rediss:// URL (`redis://host:6379/1`), checked strictly."""
    try:
        parsed = urlsplit(url)
        parsed.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a valid URL ({exc}): {url!r}") from None
    if parsed.scheme not in {"redis", "rediss"} or not parsed.hostname:
        raise ImproperlyConfigured(f"{name} must be a redis:// or rediss:// URL with a host, got {url!r}")
    if parsed.path.strip("/") and not parsed.path.strip("/").isdigit():
        raise ImproperlyConfigured(f"{name} must end with a database number (/1), got {url!r}")
    return {
        # django-redis (through django-prometheus, which counts hits, misses and failures):
        # unlike Django's own Redis backend it can treat an unreachable Redis as a cache miss.
        "BACKEND": "django_prometheus.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "plans"),
        "OPTIONS": {
            # The cache holds throttle counters and derived data only: when Redis is away, the
            # service goes on without it (throttles let requests through) instead of answering
            # errors, and /health/ready/ says the cache is down.
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
        },
    }


# Cache: shared by every process when CACHE_URL (or REDIS_URL) names a Redis, so that throttle
# counters, the API's warnings cache and the worker heartbeats are one for the whole service;
# otherwise each process keeps its own in memory (enough for `make run`).
_cache_variable = "CACHE_URL" if env_str("CACHE_URL") else "REDIS_URL"
CACHES = {
    "default": redis_cache(_cache_variable, env_str(_cache_variable))
    if env_str(_cache_variable)
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "plans"},
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Permissions come from core.permissions' table: staff through groups, delegates by role.
    "members.backends.StaffPermissionBackend",
    "members.backends.DelegateRoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 2)
SESSION_SAVE_EVERY_REQUEST = True  # the age counts from the last request: expiry after inactivity
# However active, a session ends this long after its sign-in (core.middleware).
SESSION_ABSOLUTE_AGE = env_int("SESSION_ABSOLUTE_AGE", 60 * 60 * 12)

# The client's address: the socket peer, unless the peer is one of these proxies; then the
# address the proxies recorded in X-Forwarded-For. Without proxies named, the header is ignored,
# so that a client cannot pick its own address (core.security.client_ip).
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")

# Failed sign-ins (django-axes): paused per account and per address for a cool-off, never for
# good. A browser that signed in to the account before, or that reset its password by e-mail,
# holds a device cookie and is not paused by other clients' failures (members.signin), so an
# attacker cannot lock the real user out.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = False  # a success does not erase the failures before it
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # hammering a paused account does not extend the pause
AXES_SENSITIVE_PARAMETERS: list[str] = []  # the log names the account and the address (passwords stay masked)
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_CLIENT_IP_CALLABLE = "core.security.client_ip"
AXES_USERNAME_CALLABLE = "members.signin.axes_username"
AXES_WHITELIST_CALLABLE = "members.signin.holds_trusted_device"
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
# Django's authenticate() gets the e-mail as "username"; axes would otherwise look for "email" and
# record failures without a user, so the per-user lockout never matched.
AXES_USERNAME_FORM_FIELD = "username"
# Failures from one address over this many accounts within the cool-off are logged as password spraying.
SIGN_IN_SPRAYING_ACCOUNTS = env_int("SIGN_IN_SPRAYING_ACCOUNTS", 5)
DEVICE_COOKIE_AGE = env_int("DEVICE_COOKIE_AGE", 60 * 60 * 24 * 180)
DEVICE_COOKIE_FAILURE_LIMIT = env_int("DEVICE_COOKIE_FAILURE_LIMIT", 5)

# Password reset: the link works for an hour; requests are limited per address and per account
# (an hour's window), and the e-mails go through the task queue.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 60 * 60)
PASSWORD_RESET_PER_ADDRESS = env_int("PASSWORD_RESET_PER_ADDRESS", 10)
PASSWORD_RESET_PER_ACCOUNT = env_int("PASSWORD_RESET_PER_ACCOUNT", 3)
# A new user's invitation link (set a first password).
INVITATION_TIMEOUT = env_int("INVITATION_TIMEOUT", 60 * 60 * 72)

# Multi-factor sign-in (django-otp): authenticator apps (TOTP), passkeys (WebAuthn) and
# recovery codes. Who must use it is members.mfa.MFA_POLICY.
OTP_TOTP_ISSUER = "Defence industrial plans"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows an authenticator's key or QR code
OTP_WEBAUTHN_RP_NAME = "Defence industrial plans"
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False  # a passkey is the second step after the password

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
try:
    ZoneInfo(TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE is not a known time zone: {TIME_ZONE!r}") from None
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"


def media_storage() -> dict:
    """Where uploaded and generated files (report files, attachments) live: MEDIA_STORAGE.

    `local` (the default) is a directory on this host's disk, enough for one host. `s3` is an
    S3-compatible bucket (AWS S3, MinIO, Ceph...) that every web and worker host reads and
    writes, so a report built by a worker on one host downloads from a web process on another.
    Files are private: they are served through the service's authorised views, never by URL.
    """
    if env_choice("MEDIA_STORAGE", {"local", "s3"}, "local") == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    bucket = env_str("S3_BUCKET")
    if not bucket:
        raise ImproperlyConfigured("S3_BUCKET must name the bucket when MEDIA_STORAGE is s3")
    endpoint = env_str("S3_ENDPOINT_URL") or None
    if endpoint and not endpoint.startswith(("http://", "https://")):
        raise ImproperlyConfigured(f"S3_ENDPOINT_URL must start with http:// or https://, got {endpoint!r}")
    access_key, secret_key = env_str("S3_ACCESS_KEY_ID"), env_str("S3_SECRET_ACCESS_KEY")
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured("S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY are set together, or neither")
    # A private endpoint (MinIO, a test server) is addressed by path; AWS picks its own style.
    addressing = env_choice("S3_ADDRESSING_STYLE", {"auto", "path", "virtual"}, "path" if endpoint else "auto")
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "region_name": env_str("S3_REGION") or None,
        "location": env_str("S3_PREFIX").strip("/"),
        "addressing_style": None if addressing == "auto" else addressing,
        "signature_version": "s3v4",
        "default_acl": None,  # the bucket's own policy: private
        "file_overwrite": False,
        "querystring_auth": True,
    }
    if access_key:
        # Without them boto3 finds credentials itself (instance role, AWS_* variables).
        options |= {"access_key": access_key, "secret_key": secret_key}
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


# Supporting documents of a plan (plans.attachments): the largest file accepted, and how many a plan holds.
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
ATTACHMENT_MAX_COUNT = env_int("ATTACHMENT_MAX_COUNT", 20)

STORAGES = {
    "default": media_storage(),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# E-mail: EMAIL_URL in django-environ's form; by default each message is a file under var/mail.
_email = env_url("EMAIL_URL", environ.Env.email_url_config, "filemail://")
EMAIL_BACKEND = _email.pop("EMAIL_BACKEND")
for _key, _value in _email.items():
    if _value is not None:
        globals()[_key] = _value
if EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend" and not _email.get("EMAIL_FILE_PATH"):
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Defence industrial plans <plans@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The e-mail outbox (plans.notifications). A worker holds a claimed e-mail for EMAIL_LEASE_SECONDS:
# if it dies, the dispatcher (every minute) claims the e-mail again once the lease has run out.
# Keep it above EMAIL_TIMEOUT x a few SMTP commands + EMAIL_MARK_SENT_RETRY_SECONDS.
EMAIL_LEASE_SECONDS = env_int("EMAIL_LEASE_SECONDS", 300)
# Marking an e-mail sent is retried this long while the database is unreachable, so that a
# blip does not make the dispatcher send it again.
EMAIL_MARK_SENT_RETRY_SECONDS = env_int("EMAIL_MARK_SENT_RETRY_SECONDS", 60)
# Transient SMTP failures (4xx, connection trouble) are retried with backoff (1, 2, 4, ... minutes,
# at most EMAIL_RETRY_MAX_DELAY_MINUTES apart) until EMAIL_RETRY_HOURS after the first failure.
EMAIL_RETRY_HOURS = env_float("EMAIL_RETRY_HOURS", 8)
EMAIL_RETRY_MAX_DELAY_MINUTES = env_int("EMAIL_RETRY_MAX_DELAY_MINUTES", 60)
# How many due e-mails one dispatcher run claims and sends.
EMAIL_DISPATCH_BATCH = env_int("EMAIL_DISPATCH_BATCH", 100)
# A report run whose worker has not renewed its heartbeat for this long is failed with the reason
# and queued again once (REPORT_MAX_ATTEMPTS builds in all). Keep it well above the longest pause
# between two progress steps of a build (a few seconds for the largest chart).
REPORT_HEARTBEAT_TIMEOUT_SECONDS = env_int("REPORT_HEARTBEAT_TIMEOUT_SECONDS", 300)
REPORT_MAX_ATTEMPTS = 2
# Sent, cancelled and failed notification rows are deleted after this many days (0: kept).
NOTIFICATION_RETENTION_DAYS = env_int("NOTIFICATION_RETENTION_DAYS", 400)
for _name in ("EMAIL_LEASE_SECONDS", "EMAIL_MARK_SENT_RETRY_SECONDS", "EMAIL_DISPATCH_BATCH"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1, got {globals()[_name]}")
if EMAIL_RETRY_HOURS < 0 or EMAIL_RETRY_MAX_DELAY_MINUTES < 1 or NOTIFICATION_RETENTION_DAYS < 0:
    raise ImproperlyConfigured(
        "EMAIL_RETRY_HOURS and NOTIFICATION_RETENTION_DAYS must not be negative, "
        "EMAIL_RETRY_MAX_DELAY_MINUTES at least 1"
    )
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
_site = urlsplit(SITE_URL)
if _site.scheme not in {"http", "https"} or not _site.hostname:
    raise ImproperlyConfigured(f"SITE_URL must be an http:// or https:// URL, got {SITE_URL!r}")
# Passkeys are bound to the public host name and origin. Browsers offer them only over HTTPS or
# on http://localhost; on another plain-HTTP address (the development default, 127.0.0.1) the
# passkey option is not shown and the origin below is one no browser will present.
PASSKEYS_ENABLED = _site.scheme == "https" or _site.hostname == "localhost"
OTP_WEBAUTHN_RP_ID = _site.hostname
OTP_WEBAUTHN_ALLOWED_ORIGINS = [f"{_site.scheme if PASSKEYS_ENABLED else 'https'}://{_site.netloc}"]

# Security: secure cookies and HTTPS redirects whenever DEBUG is off, unless explicitly
# turned off to serve plain HTTP behind a private proxy or in tests.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # probes call it over plain HTTP inside the network
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp) on every response: our own scripts, styles and images
# only, never inline, and no framing. Images may be data: URIs (the API docs' icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Permissions-Policy (django-permissions-policy): no powerful feature for anyone, except
# passkeys for our own pages.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    **{
        feature: []
        for feature in (
            "accelerometer",
            "ambient-light-sensor",
            "autoplay",
            "bluetooth",
            "browsing-topics",
            "camera",
            "display-capture",
            "encrypted-media",
            "geolocation",
            "gyroscope",
            "hid",
            "idle-detection",
            "magnetometer",
            "microphone",
            "midi",
            "payment",
            "screen-wake-lock",
            "serial",
            "usb",
            "xr-spatial-tracking",
        )
    },
    "fullscreen": ["self"],
    "publickey-credentials-create": ["self"],
    "publickey-credentials-get": ["self"],
}
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024)
# A filled spreadsheet template or CSV of lines (plans.imports): its size, and what a workbook
# (a zip archive) may unpack to, so that a small file that unpacks to gigabytes is refused unread.
PLAN_IMPORT_MAX_BYTES = env_int("PLAN_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
PLAN_IMPORT_MAX_UNPACKED_BYTES = env_int("PLAN_IMPORT_MAX_UNPACKED_BYTES", 50 * 1024 * 1024)
# The plan editor's form (up to 2,000 lines) has limits of its own: core.middleware.large_form.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000

# Webhooks: only https to public addresses unless WEBHOOKS_ALLOW_PRIVATE_TARGETS (tests, a
# receiver on the same host in development); a short timeout for each call; how long a rotated
# secret keeps signing beside the new one; how long an endpoint may fail before it is disabled.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=False)
WEBHOOKS_TIMEOUT_SECONDS = env_float("WEBHOOKS_TIMEOUT_SECONDS", 5.0)
# A claimed delivery is not due again for this long, so the per-minute sweep on another worker
# does not post it a second time while the first call is still waiting; after a worker dies
# mid-call, the delivery is retried once the lease runs out. Keep it above the timeout.
WEBHOOKS_LEASE_SECONDS = env_float("WEBHOOKS_LEASE_SECONDS", 30.0)
WEBHOOKS_FIRST_RETRY_SECONDS = env_int("WEBHOOKS_FIRST_RETRY_SECONDS", 30)
WEBHOOKS_SECRET_GRACE_HOURS = env_int("WEBHOOKS_SECRET_GRACE_HOURS", 24)
WEBHOOKS_DISABLE_AFTER_HOURS = env_int("WEBHOOKS_DISABLE_AFTER_HOURS", 24)

# Celery: Redis broker from CELERY_BROKER_URL; without one, tasks run in-process (eagerly).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# Queueing is best effort (every task's work is a database row a dispatcher picks up), so a web
# request does not wait out a broker outage: one quick retry, then the row waits.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "members.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "COERCE_DECIMAL_TO_STRING": True,
    # Serializers hand datetimes to the renderer as they are; core.jsonwire.rfc3339 writes
    # every moment of the API the same way (UTC, `Z`).
    "DATETIME_FORMAT": None,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Per API key and per signed-in user; counted in the default cache (per process unless
    # CACHES names a shared one).
    "DEFAULT_THROTTLE_RATES": {
        "api_key": env_str("API_THROTTLE_KEY_RATE", "1200/min"),
        "api_user": env_str("API_THROTTLE_USER_RATE", "600/min"),
        # Requests with an unknown, revoked or expired key, per client address.
        "api_bad_key": env_str("API_THROTTLE_BAD_KEY_RATE", "20/min"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Defence industrial plans API",
    "DESCRIPTION": "Submit and follow yearly defence-industrial-capacity plans of the NATO allies.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Decimal patterns that need a digit, and OpenAPI links between operations (core/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.decimal_patterns",
        "plans.api.links.plan_links",
        "reports.api.links.report_links",
    ],
    "ENUM_NAME_OVERRIDES": {
        "PlanStatusEnum": "plans.enums.PlanStatus",
        "PartnershipStatusEnum": "plans.enums.PartnershipStatus",
        "PartnershipKindEnum": "plans.enums.PartnershipKind",
        "DecisionEnum": "plans.enums.Decision",
        "ReviewActionEnum": "plans.enums.ReviewAction",
    },
}

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, got {LOG_LEVEL!r}")
# Logs: JSON lines by default (what a log collector wants), readable lines when DEBUG is on.
LOG_FORMAT = env_choice("LOG_FORMAT", LOG_FORMATS, "console" if DEBUG else "json")
configure_structlog()
LOGGING = logging_config(level=LOG_LEVEL, fmt=LOG_FORMAT)

# The security log (core.models.SecurityEvent) keeps events this many days; the database refuses
# to delete younger than SECURITY_LOG_MINIMUM_DAYS whatever the application asks.
SECURITY_LOG_MINIMUM_DAYS = 30
SECURITY_LOG_RETENTION_DAYS = env_int("SECURITY_LOG_RETENTION_DAYS", 400)
if SECURITY_LOG_RETENTION_DAYS < SECURITY_LOG_MINIMUM_DAYS:
    raise ImproperlyConfigured(
        f"SECURITY_LOG_RETENTION_DAYS must be at least {SECURITY_LOG_MINIMUM_DAYS}, got {SECURITY_LOG_RETENTION_DAYS}"
    )

# django-simple-history: who made a change made through a request.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Operations: request ids, metrics, health, error tracking. docs/operations.md explains each.
# The request id: a proxy in front that sets X-Request-ID may be trusted to (then its id is kept,
# so its logs and ours line up); otherwise, and for a malformed header, a new one is made.
REQUEST_ID_TRUST_HEADER = env_bool("REQUEST_ID_TRUST_HEADER", default=False)
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = True  # core.requestid has already decided
# Client addresses are in the proxy's and gunicorn's access logs; the forwarded headers that
# django-structlog would read are whatever the client sent.
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False

# /metrics: readable with `Authorization: Bearer <METRICS_TOKEN>` or from METRICS_ALLOWED_NETWORKS
# (comma-separated addresses or CIDR blocks); with neither set the endpoint answers 404.
METRICS_TOKEN = env_str("METRICS_TOKEN")
METRICS_ALLOWED_NETWORKS = []
for _network in env_list("METRICS_ALLOWED_NETWORKS", []):
    try:
        METRICS_ALLOWED_NETWORKS.append(ipaddress.ip_network(_network, strict=False))
    except ValueError:
        raise ImproperlyConfigured(
            f"METRICS_ALLOWED_NETWORKS entries must be addresses or CIDR blocks, got {_network!r}"
        ) from None
if METRICS_TOKEN and len(METRICS_TOKEN) < 16:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 16 characters long")
PROMETHEUS_EXPORT_MIGRATIONS = False  # /health/ready/ checks migrations on every probe instead

# The worker touches WORKER_HEARTBEAT_FILE every WORKER_HEARTBEAT_SECONDS while it consumes;
# `manage.py worker_health` (the worker's container health check) fails when the file is older
# than WORKER_HEARTBEAT_MAX_AGE seconds.
WORKER_HEARTBEAT_FILE = Path(env_str("WORKER_HEARTBEAT_FILE", str(VAR_DIR / "worker-heartbeat")))
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 10)
WORKER_HEARTBEAT_MAX_AGE = env_int("WORKER_HEARTBEAT_MAX_AGE", 60)
if not 0 < WORKER_HEARTBEAT_SECONDS < WORKER_HEARTBEAT_MAX_AGE:
    raise ImproperlyConfigured("WORKER_HEARTBEAT_SECONDS must be positive and below WORKER_HEARTBEAT_MAX_AGE")

# Error tracking: Sentry (or a compatible service) only when SENTRY_DSN is set; unset, the SDK is
# not even initialised, so nothing leaves the host.
SENTRY_DSN = env_str("SENTRY_DSN")
SENTRY_ENVIRONMENT = env_str("SENTRY_ENVIRONMENT", "production")
SENTRY_TRACES_SAMPLE_RATE = env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0)
if not 0.0 <= SENTRY_TRACES_SAMPLE_RATE <= 1.0:
    raise ImproperlyConfigured(f"SENTRY_TRACES_SAMPLE_RATE must be between 0 and 1, got {SENTRY_TRACES_SAMPLE_RATE}")
if SENTRY_DSN:
    from config.sentry import sentry_init

    sentry_init(dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT, traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE)
