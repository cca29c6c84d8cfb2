"""Supporting documents on the delegation pages: upload, list, download, remove; another member gets 404."""

from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from members.actors import Actor
from plans import services
from plans.attachments import attachment_add
from plans.models import Attachment
from tests import attachment_files as files


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _add(plan, alice, name="plan.pdf", data=files.PDF) -> Attachment:
    return attachment_add(plan=plan, actor=Actor.for_user(alice), upload=files.upload(name, data))


def test_the_plan_page_lists_documents_and_offers_the_form(alice_client, plan, alice):
    attachment = _add(plan, alice, "Annex 1.pdf", files.PDF + bytes(2000))
    page = alice_client.get(reverse("plan-detail-page", args=[plan.pk])).content.decode()
    assert 'id="attachments-title">Supporting documents</h2>' in page
    assert f'href="{reverse("plan-attachment", args=[plan.pk, attachment.pk])}" download>Annex_1.pdf</a>' in page
    assert f'<td class="num">{attachment.size:,}</td>' in page
    assert attachment.sha256[:12] in page
    assert 'enctype="multipart/form-data"' in page
    assert '<label for="id_file">Document to attach' in page
    assert reverse("plan-attachment-remove", args=[plan.pk, attachment.pk]) in page


def test_a_viewer_sees_the_list_without_the_form(victor_client, plan, alice):
    _add(plan, alice)
    page = victor_client.get(reverse("plan-detail-page", args=[plan.pk])).content.decode()
    assert ("plan.pdf" in page, 'enctype="multipart/form-data"' in page) == (True, False)


def test_upload_through_the_form(alice_client, plan):
    response = alice_client.post(
        reverse("plan-attachment-add", args=[plan.pk]), {"file": files.upload("Scan.png", files.png())}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('plan-detail-page', args=[plan.pk])}#attachments"
    assert list(Attachment.objects.values_list("name", "content_type")) == [("Scan.png", "image/png")]


def test_a_renamed_executable_is_refused_with_a_linked_error(alice_client, plan):
    response = alice_client.post(
        reverse("plan-attachment-add", args=[plan.pk]), {"file": files.upload("report.pdf", files.ELF)}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert '<a href="#id_file">Document to attach: This file is not one of the accepted kinds' in page
    assert 'aria-invalid="true"' in page
    assert Attachment.objects.count() == 0


def test_the_form_needs_a_file(alice_client, plan):
    response = alice_client.post(reverse("plan-attachment-add", args=[plan.pk]), {})
    assert (response.status_code, "This field is required." in response.content.decode()) == (400, True)


def test_the_page_in_french(alice_client, plan, alice):
    _add(plan, alice, data=files.PDF + bytes(2000))
    alice_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = alice_client.get(reverse("plan-detail-page", args=[plan.pk]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Documents justificatifs" in page
    assert f'<td class="num">{len(files.PDF) + 2000:,}</td>'.replace(",", "\u00a0") in page


def test_download_is_an_attachment_never_sniffed(alice_client, plan, alice):
    attachment = _add(plan, alice, "Plan national é.pdf")
    response = alice_client.get(reverse("plan-attachment", args=[plan.pk, attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == files.PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"Plan_national_\u005f.pdf\"; filename*=UTF-8''{quote('Plan_national_é.pdf')}"
    )


def test_the_files_are_not_under_a_url(client, plan, alice):
    attachment = _add(plan, alice)
    assert client.get(f"{django_settings.MEDIA_URL}{attachment.file.name}").status_code == 404


def test_remove_through_the_form(alice_client, plan, alice):
    attachment = _add(plan, alice)
    response = alice_client.post(reverse("plan-attachment-remove", args=[plan.pk, attachment.pk]))
    assert (response.status_code, Attachment.objects.count()) == (302, 0)


def test_a_viewer_may_not_upload_or_remove(victor_client, plan, alice):
    attachment = _add(plan, alice)
    upload = victor_client.post(
        reverse("plan-attachment-add", args=[plan.pk]), {"file": files.upload("a.pdf", files.PDF)}
    )
    remove = victor_client.post(reverse("plan-attachment-remove", args=[plan.pk, attachment.pk]))
    assert (upload.status_code, remove.status_code, Attachment.objects.count()) == (403, 403, 1)


def test_another_member_gets_404_everywhere(bob_client, plan, alice):
    attachment = _add(plan, alice)
    answers = [
        bob_client.get(reverse("plan-attachment", args=[plan.pk, attachment.pk])).status_code,
        bob_client.post(
            reverse("plan-attachment-add", args=[plan.pk]), {"file": files.upload("a.pdf", files.PDF)}
        ).status_code,
        bob_client.post(reverse("plan-attachment-remove", args=[plan.pk, attachment.pk])).status_code,
    ]
    assert (answers, Attachment.objects.count()) == ([404, 404, 404], 1)


def test_an_attachment_is_found_only_under_its_own_plan(alice_client, plan, alice, bob, cycle, latvia):
    latvian = services.plan_create(cycle=cycle, member=latvia, actor=Actor.for_user(bob)).plan
    theirs = _add(latvian, bob)
    assert alice_client.get(reverse("plan-attachment", args=[plan.pk, theirs.pk])).status_code == 404


def test_version_and_receipt_list_the_submitted_documents(alice_client, plan, alice):
    attachment = _add(plan, alice)
    receipt = services.plan_submit(plan=plan, actor=Actor.for_user(alice))
    for name in ("plan-version", "plan-receipt"):
        page = alice_client.get(reverse(name, args=[plan.pk, receipt.number])).content.decode()
        assert f'<code class="hash" title="{attachment.sha256}">{attachment.sha256}</code>' in page
        assert reverse("plan-attachment", args=[plan.pk, attachment.pk]) in page


@pytest.mark.parametrize("size", [1, 4])
def test_plan_page_queries_with_documents(alice_client, plan, alice, size, django_assert_num_queries):
    for n in range(size):
        _add(plan, alice, f"annex-{n}.pdf")
    with django_assert_num_queries(15):
        alice_client.get(reverse("plan-detail-page", args=[plan.pk]))
