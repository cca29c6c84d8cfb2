"""The operations variables are parsed as strictly as the others (tests/plans/test_settings.py)."""

import json

import pytest

from tests.plans.test_settings import start

SHOW = (
    "import django, json; django.setup(); from django.conf import settings; import sentry_sdk; "
    "print(json.dumps({'cache': settings.CACHES['default'], 'storage': settings.STORAGES['default'], "
    "'log_format': settings.LOG_FORMAT, 'sentry': sentry_sdk.get_client().is_active()}))"
)


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"CACHE_URL": "memcache://cache:11211"}, "CACHE_URL"),
        ({"CACHE_URL": "redis://cache:port/0"}, "CACHE_URL"),
        ({"CACHE_URL": "redis://cache:6379/first"}, "CACHE_URL"),
        ({"REDIS_URL": "redis:///0"}, "REDIS_URL"),
        ({"MEDIA_STORAGE": "ftp"}, "MEDIA_STORAGE"),
        ({"MEDIA_STORAGE": "s3"}, "S3_BUCKET"),
        ({"MEDIA_STORAGE": "s3", "S3_BUCKET": "plans", "S3_ENDPOINT_URL": "minio:9000"}, "S3_ENDPOINT_URL"),
        ({"MEDIA_STORAGE": "s3", "S3_BUCKET": "plans", "S3_ACCESS_KEY_ID": "AKIA"}, "S3_SECRET_ACCESS_KEY"),
        ({"MEDIA_STORAGE": "s3", "S3_BUCKET": "plans", "S3_ADDRESSING_STYLE": "sideways"}, "S3_ADDRESSING_STYLE"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT"),
        ({"METRICS_ALLOWED_NETWORKS": "10.0.0.0/33"}, "METRICS_ALLOWED_NETWORKS"),
        ({"METRICS_TOKEN": "short"}, "METRICS_TOKEN"),
        ({"SENTRY_DSN": "not a dsn"}, "SENTRY_DSN"),
        ({"SENTRY_TRACES_SAMPLE_RATE": "often"}, "SENTRY_TRACES_SAMPLE_RATE"),
        ({"SENTRY_TRACES_SAMPLE_RATE": "2"}, "SENTRY_TRACES_SAMPLE_RATE"),
        ({"WORKER_HEARTBEAT_SECONDS": "ten"}, "WORKER_HEARTBEAT_SECONDS"),
        ({"WORKER_HEARTBEAT_SECONDS": "90"}, "WORKER_HEARTBEAT_SECONDS"),
        ({"REQUEST_ID_TRUST_HEADER": "sometimes"}, "REQUEST_ID_TRUST_HEADER"),
    ],
)
def test_malformed_operations_variable_stops_start_up_naming_it(tmp_path, variables, named):
    result = start({"DEBUG": "true", **variables}, tmp_path)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured:")
    assert named in last_line


def test_defaults_are_a_local_cache_local_disk_and_no_sentry(tmp_path):
    result = start({"DEBUG": "true"}, tmp_path, "-c", SHOW)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown == {
        "cache": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "plans"},
        "storage": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "log_format": "console",
        "sentry": False,
    }


def test_cache_url_wins_over_redis_url_and_s3_storage_is_configured(tmp_path):
    result = start(
        {
            "DEBUG": "false",
            "SECRET_KEY": "x" * 50,
            "CACHE_URL": "redis://cache:6379/1",
            "REDIS_URL": "redis://other:6379/2",
            "MEDIA_STORAGE": "s3",
            "S3_BUCKET": "plans-media",
            "S3_ENDPOINT_URL": "http://minio:9000",
            "S3_ACCESS_KEY_ID": "plans",
            "S3_SECRET_ACCESS_KEY": "plans-secret",
        },
        tmp_path,
        "-c",
        SHOW,
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert (shown["cache"]["BACKEND"], shown["cache"]["LOCATION"], shown["log_format"]) == (
        "django_prometheus.cache.backends.redis.RedisCache",
        "redis://cache:6379/1",
        "json",
    )
    assert shown["storage"] == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "plans-media",
            "endpoint_url": "http://minio:9000",
            "region_name": None,
            "location": "",
            "addressing_style": "path",
            "signature_version": "s3v4",
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "access_key": "plans",
            "secret_key": "plans-secret",
        },
    }


def test_redis_url_alone_names_the_shared_cache(tmp_path):
    result = start({"DEBUG": "true", "REDIS_URL": "rediss://cache.internal:6380/3"}, tmp_path, "-c", SHOW)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["cache"]["LOCATION"] == "rediss://cache.internal:6380/3"
