"""Staff read a plan's supporting documents on its admin page and download them through an authorised view."""

import pytest
from django.urls import reverse

from plans import services
from plans.attachments import attachment_add
from tests import attachment_files as files
from tests.admin.conftest import client_of
from tests.factories import StaffFactory, valid_content


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def annex(cycle, estonia, as_alice):
    plan = services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content=valid_content()).plan
    return attachment_add(plan=plan, actor=as_alice, upload=files.upload("Annex.pdf", files.PDF + bytes(5000)))


def test_the_plan_page_lists_the_documents(reviewer_client, annex):
    page = reviewer_client.get(reverse("admin:plans_plan_change", args=[annex.plan_id])).content.decode()
    url = reverse("admin:plans_attachment_download", args=[annex.pk])
    assert f'<a href="{url}" download>Annex.pdf</a>' in page
    assert f"{annex.size:,}" in page
    assert annex.sha256 in page


def test_staff_download_is_an_attachment_never_sniffed(reviewer_client, annex):
    response = reviewer_client.get(reverse("admin:plans_attachment_download", args=[annex.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == files.PDF + bytes(5000)
    assert (response["X-Content-Type-Options"], response["Content-Disposition"]) == (
        "nosniff",
        "attachment; filename=\"Annex.pdf\"; filename*=UTF-8''Annex.pdf",
    )


def test_staff_without_the_plans_reading_permission_are_refused(db, annex):
    outsider = client_of(StaffFactory(email="nobody@staff.example.org", groups=[]))
    assert outsider.get(reverse("admin:plans_attachment_download", args=[annex.pk])).status_code == 403
