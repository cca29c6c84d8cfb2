"""Supporting documents over the API: multipart upload, list, download, removal; scopes; other member 404."""

import pytest
from django.urls import reverse

from plans import services
from plans.attachments import attachment_add
from plans.models import Attachment
from tests import attachment_files as files
from tests.api.conftest import key_client


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _url(plan, aid=None) -> str:
    return f"/api/v1/plans/{plan.pk}/attachments/" + (f"{aid}/" if aid else "")


def test_upload_list_download_remove(alice_key, draft):
    created = alice_key.post(_url(draft), {"file": files.upload("../Annex.xlsx", files.xlsx())}, format="multipart")
    assert created.status_code == 201
    row = created.json()
    attachment = Attachment.objects.get()
    assert row == {
        "id": attachment.pk,
        "name": "Annex.xlsx",
        "content_type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "size": len(files.xlsx()),
        "sha256": attachment.sha256,
        "uploaded_by": "API key ee-erp",
        "uploaded_at": row["uploaded_at"],
        "download": _url(draft, attachment.pk),
    }
    listed = alice_key.get(_url(draft)).json()
    assert (listed["count"], listed["results"]) == (1, [row])
    download = alice_key.get(row["download"])
    assert (download.status_code, b"".join(download.streaming_content)) == (200, files.xlsx())
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith('attachment; filename="Annex.xlsx"')
    assert alice_key.delete(_url(draft, attachment.pk)).status_code == 204
    assert alice_key.get(_url(draft)).json()["results"] == []


def test_a_renamed_executable_is_refused_on_file(alice_key, draft):
    response = alice_key.post(_url(draft), {"file": files.upload("report.pdf", files.MZ)}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"]["file"] == [
        "This file is not one of the accepted kinds (PDF, DOCX, XLSX, ODT, ODS, PNG, JPEG), whatever its name says."
    ]
    assert Attachment.objects.count() == 0


def test_oversize_is_refused(alice_key, draft, settings):
    settings.ATTACHMENT_MAX_BYTES = 50
    response = alice_key.post(_url(draft), {"file": files.upload("a.pdf", files.PDF)}, format="multipart")
    assert (response.status_code, list(response.json()["errors"])) == (400, ["file"])


def test_a_missing_file_or_json_is_refused(alice_key, draft):
    missing = alice_key.post(_url(draft), {}, format="multipart")
    json_body = alice_key.post(_url(draft), {"file": "x"}, format="json")
    assert (missing.status_code, list(missing.json()["errors"]), json_body.status_code) == (400, ["file"], 415)


def test_a_read_key_lists_and_downloads_but_does_not_upload(reader_key, draft, as_alice):
    attachment = attachment_add(plan=draft, actor=as_alice, upload=files.upload("a.pdf", files.PDF))
    assert reader_key.get(_url(draft)).json()["count"] == 1
    assert reader_key.get(_url(draft, attachment.pk)).status_code == 200
    upload = reader_key.post(_url(draft), {"file": files.upload("b.pdf", files.PDF)}, format="multipart")
    assert upload.status_code in (403, 404)
    assert reader_key.delete(_url(draft, attachment.pk)).status_code in (403, 404)
    assert Attachment.objects.count() == 1


def test_a_write_key_uploads(db, estonia, draft):
    writer = key_client(estonia, ["write"], name="ee-writer")
    response = writer.post(_url(draft), {"file": files.upload("a.jpg", files.JPEG)}, format="multipart")
    assert response.status_code == 201


def test_another_member_gets_404(bob_key, draft, as_alice):
    attachment = attachment_add(plan=draft, actor=as_alice, upload=files.upload("a.pdf", files.PDF))
    answers = [
        bob_key.get(_url(draft)).status_code,
        bob_key.get(_url(draft, attachment.pk)).status_code,
        bob_key.post(_url(draft), {"file": files.upload("b.pdf", files.PDF)}, format="multipart").status_code,
        bob_key.delete(_url(draft, attachment.pk)).status_code,
    ]
    assert (answers, Attachment.objects.count()) == ([404, 404, 404, 404], 1)


def test_a_submitted_plan_takes_no_document(alice_key, submitted):
    response = alice_key.post(_url(submitted), {"file": files.upload("a.pdf", files.PDF)}, format="multipart")
    assert response.status_code == 409


def test_the_version_detail_carries_its_documents(alice_key, draft, as_alice):
    attachment = attachment_add(plan=draft, actor=as_alice, upload=files.upload("a.pdf", files.PDF))
    services.plan_submit(plan=draft, actor=as_alice)
    version = alice_key.get(f"/api/v1/plans/{draft.pk}/versions/1/").json()
    assert [(row["name"], row["sha256"], row["size"], row["content_type"]) for row in version["attachments"]] == [
        ("a.pdf", attachment.sha256, len(files.PDF), "application/pdf")
    ]


@pytest.mark.parametrize("size", [1, 5])
def test_list_queries(alice_key, draft, as_alice, size, django_assert_num_queries):
    for n in range(size):
        attachment_add(plan=draft, actor=as_alice, upload=files.upload(f"a{n}.pdf", files.PDF))
    with django_assert_num_queries(5):
        assert alice_key.get(_url(draft)).status_code == 200


def test_reverse_names():
    assert reverse("api-plan-attachment", args=[3, 7]) == "/api/v1/plans/3/attachments/7/"
