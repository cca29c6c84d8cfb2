"""Report files in an S3-compatible bucket: built by a worker on one host, downloaded from another.

The worker and the web (this test process) share no disk: each has its own VAR_DIR, and both
talk to a local S3-compatible server (moto's server mode) started on a free port.
"""

from collections.abc import Iterator

import boto3
import pytest
from django.test import Client
from moto.server import ThreadedMotoServer

from reports.models import ComplianceReport
from tests.integration.test_reports_worker import wait_until_finished
from tests.local import free_port
from tests.reports.helpers import nil_return, plan_in_state, report_cycle

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BUCKET = "plans-media"
CREDENTIALS = {"S3_ACCESS_KEY_ID": "drill-access", "S3_SECRET_ACCESS_KEY": "drill-secret", "S3_REGION": "us-east-1"}


@pytest.fixture
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    s3_client(endpoint).create_bucket(Bucket=BUCKET)
    try:
        yield endpoint
    finally:
        server.stop()


def s3_client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=CREDENTIALS["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["S3_SECRET_ACCESS_KEY"],
        region_name=CREDENTIALS["S3_REGION"],
    )


@pytest.fixture
def worker_env(s3_endpoint, tmp_path) -> dict[str, str]:
    return {
        "MEDIA_STORAGE": "s3",
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": s3_endpoint,
        **CREDENTIALS,
        "VAR_DIR": str(tmp_path / "worker-host"),
    }


@pytest.fixture
def web_on_another_host(settings, s3_endpoint, tmp_path):
    """This process as the web host: the same bucket, a disk of its own."""
    settings.MEDIA_ROOT = tmp_path / "web-host" / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": CREDENTIALS["S3_REGION"],
                "access_key": CREDENTIALS["S3_ACCESS_KEY_ID"],
                "secret_key": CREDENTIALS["S3_SECRET_ACCESS_KEY"],
                "addressing_style": "path",
                "signature_version": "s3v4",
                "default_acl": None,
                "file_overwrite": False,
            },
        },
    }


def test_a_report_built_by_a_worker_downloads_from_a_web_process_on_another_host(
    celery_worker, web_on_another_host, s3_endpoint, charlie, tmp_path
):
    cycle = report_cycle()
    plan_in_state(cycle, "EE", "accepted")
    nil_return(cycle, "IS")
    client = Client()
    client.force_login(charlie)
    response = client.post("/api/v1/reports/", {"cycle": cycle.year}, content_type="application/json", secure=True)
    assert response.status_code == 202
    report, _ = wait_until_finished(ComplianceReport.objects.get(pk=response.json()["id"]))
    assert (report.status, report.error) == ("done", "")

    keys = sorted(item["Key"] for item in s3_client(s3_endpoint).list_objects_v2(Bucket=BUCKET)["Contents"])
    folder = f"reports/{cycle.year}/{report.pk}"
    name = f"{folder}/compliance-{cycle.year}-{report.pk}"
    brief = f"{folder}/brief-{cycle.year}-{report.pk}-en.pdf"
    assert keys == [brief, f"{name}.csv", f"{name}.pdf", f"{name}.xlsx"]

    for kind, key in (("brief", brief), ("xlsx", f"{name}.xlsx"), ("pdf", f"{name}.pdf"), ("csv", f"{name}.csv")):
        stored = s3_client(s3_endpoint).get_object(Bucket=BUCKET, Key=key)["Body"].read()
        # The API's download and the staff dashboard's both stream the bucket's object.
        for url in (f"/api/v1/reports/{report.pk}/{kind}/", f"/staff/reports/files/{report.pk}/{kind}/"):
            download = client.get(url, secure=True)
            assert (download.status_code, b"".join(download.streaming_content)) == (200, stored)
    assert stored.startswith(b"\xef\xbb\xbf")  # the CSV, with its byte-order mark for spreadsheet programs

    # Neither host wrote a file of its own.
    assert not (tmp_path / "worker-host" / "media").exists()
    assert not (tmp_path / "web-host" / "media").exists()
