"""Supporting documents: the type from the bytes, the name made safe, the limits, history and versions."""

import hashlib
import io
import json
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage

from core.errors import NotAllowed
from members.actors import Actor
from plans import services
from plans.attachments import (
    DOCX,
    JPEG,
    ODS,
    ODT,
    PDF,
    PNG,
    XLSX,
    attachment_add,
    attachment_remove,
    clean_name,
    current_attachments,
    detect_kind,
)
from plans.enums import EventAction
from plans.errors import IllegalTransition, PlanInvalid
from plans.models import Attachment
from tests import attachment_files as files
from tests.factories import valid_content


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def draft(cycle, estonia, as_alice):
    return services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content=valid_content()).plan


def _openpyxl_workbook() -> bytes:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (files.PDF, PDF),
        (files.png(), PNG),
        (files.JPEG, JPEG),
        (files.docx(), DOCX),
        (files.xlsx(), XLSX),
        (_openpyxl_workbook(), XLSX),
        (files.odt(), ODT),
        (files.ods(), ODS),
    ],
)
def test_the_kind_is_read_from_the_bytes(data, kind):
    assert detect_kind(files.upload("whatever.bin", data)) == kind


@pytest.mark.parametrize("data", [files.ELF, files.MZ, files.plain_zip(), b"just text", b"PK\x03\x04broken"])
def test_other_bytes_are_no_accepted_kind(data):
    assert detect_kind(files.upload("report.pdf", data)) is None


@pytest.mark.parametrize(
    ("original", "kind", "expected"),
    [
        ("../../etc/passwd", PDF, "passwd.pdf"),
        ("..\\..\\windows\\system32\\evil.pdf", PDF, "evil.pdf"),
        ("National plan 2026.PDF", PDF, "National_plan_2026.pdf"),
        ("scan.pdf", PNG, "scan.pdf.png"),
        ("photo.jpeg", JPEG, "photo.jpeg"),
        ("..", PDF, "document.pdf"),
        ("", ODT, "document.odt"),
        ("annex <1>:2?.docx", DOCX, "annex_12.docx"),
        ("a" * 400 + ".xlsx", XLSX, "a" * 145 + ".xlsx"),
    ],
)
def test_names_are_made_safe(original, kind, expected):
    assert clean_name(original, kind) == expected


def test_a_document_is_stored_with_its_facts_and_recorded(draft, as_alice, alice):
    attachment = attachment_add(plan=draft, actor=as_alice, upload=files.upload("../../etc/Annex A.pdf", files.PDF))
    stored = Attachment.objects.get()
    assert (stored.name, stored.content_type, stored.size, stored.sha256, stored.uploaded_by) == (
        "Annex_A.pdf",
        "application/pdf",
        len(files.PDF),
        hashlib.sha256(files.PDF).hexdigest(),
        alice,
    )
    assert attachment.pk == stored.pk
    with default_storage.open(stored.file.name, "rb") as handle:
        assert handle.read() == files.PDF
    event = draft.events.order_by("-id").first()
    assert (event.action, event.note) == (EventAction.ATTACHMENT_ADDED, f"Annex_A.pdf (PDF, sha256 {stored.sha256})")


def test_the_file_is_stored_outside_the_web_root_under_a_random_name(draft, as_alice):
    attachment = attachment_add(plan=draft, actor=as_alice, upload=files.upload("secret.pdf", files.PDF))
    path = Path(default_storage.path(attachment.file.name)).resolve()
    assert path.is_relative_to(Path(django_settings.MEDIA_ROOT).resolve())
    assert not path.is_relative_to(Path(django_settings.STATIC_ROOT).resolve())
    assert "secret" not in attachment.file.name
    assert attachment.file.name.startswith(f"attachments/{draft.pk}/")


def test_a_renamed_executable_is_refused_on_the_file_field(draft, as_alice):
    for data in (files.ELF, files.MZ):
        with pytest.raises(PlanInvalid) as refused:
            attachment_add(plan=draft, actor=as_alice, upload=files.upload("report.pdf", data, "application/pdf"))
        assert [(f.field, f.message) for f in refused.value.findings] == [
            (
                "file",
                "This file is not one of the accepted kinds (PDF, DOCX, XLSX, ODT, ODS, PNG, JPEG), "
                "whatever its name says.",
            )
        ]
    assert (Attachment.objects.count(), list(Path(django_settings.MEDIA_ROOT).rglob("*.*"))) == (0, [])


def test_an_oversize_or_empty_file_is_refused(draft, as_alice, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    with pytest.raises(PlanInvalid) as refused:
        attachment_add(plan=draft, actor=as_alice, upload=files.upload("big.pdf", files.PDF + bytes(1000)))
    assert [(f.field, f.message) for f in refused.value.findings] == [
        ("file", f"The file is too large: {len(files.PDF) + 1000:,} bytes, at most 1,000.")
    ]
    with pytest.raises(PlanInvalid):
        attachment_add(plan=draft, actor=as_alice, upload=files.upload("empty.pdf", b""))
    assert Attachment.objects.count() == 0


def test_a_plan_holds_a_limited_number_of_documents(draft, as_alice, settings):
    settings.ATTACHMENT_MAX_COUNT = 2
    attachment_add(plan=draft, actor=as_alice, upload=files.upload("a.pdf", files.PDF))
    attachment_add(plan=draft, actor=as_alice, upload=files.upload("b.png", files.png()))
    with pytest.raises(PlanInvalid) as refused:
        attachment_add(plan=draft, actor=as_alice, upload=files.upload("c.pdf", files.PDF))
    assert refused.value.findings[0].message == "A plan holds at most 2 documents: remove one first."
    assert [a.name for a in current_attachments(draft)] == ["a.pdf", "b.png"]


def test_only_editors_of_the_member_on_an_editable_plan(draft, as_alice, as_bob, as_charlie):
    upload = files.upload("a.pdf", files.PDF)
    for actor in (as_bob, as_charlie):
        with pytest.raises(NotAllowed):
            attachment_add(plan=draft, actor=actor, upload=upload)
    services.plan_submit(plan=draft, actor=as_alice)
    draft.refresh_from_db()
    with pytest.raises(IllegalTransition):
        attachment_add(plan=draft, actor=as_alice, upload=upload)
    assert Attachment.objects.count() == 0


def test_submission_lists_the_documents_in_the_hashed_document(draft, as_alice):
    first = attachment_add(plan=draft, actor=as_alice, upload=files.upload("plan.pdf", files.PDF))
    second = attachment_add(plan=draft, actor=as_alice, upload=files.upload("annex.ods", files.ods()))
    receipt = services.plan_submit(plan=draft, actor=as_alice)
    document = json.loads(receipt.version.content)
    assert document["attachments"] == [
        {"name": "plan.pdf", "content_type": "application/pdf", "size": first.size, "sha256": first.sha256},
        {
            "name": "annex.ods",
            "content_type": "application/vnd.oasis.opendocument.spreadsheet",
            "size": second.size,
            "sha256": second.sha256,
        },
    ]
    assert list(receipt.version.attachments.order_by("id")) == [first, second]


def test_a_plan_without_documents_keeps_the_document_it_had(draft, as_alice):
    receipt = services.plan_submit(plan=draft, actor=as_alice)
    assert sorted(json.loads(receipt.version.content)) == ["content", "cycle", "member", "number", "previous_sha256"]


def test_removal_deletes_an_unsubmitted_file_and_keeps_a_submitted_one(
    draft, as_alice, charlie, django_capture_on_commit_callbacks
):
    loose = attachment_add(plan=draft, actor=as_alice, upload=files.upload("draft.pdf", files.PDF))
    kept = attachment_add(plan=draft, actor=as_alice, upload=files.upload("plan.png", files.png()))
    with django_capture_on_commit_callbacks(execute=True):
        attachment_remove(attachment=loose, actor=as_alice)
    assert not default_storage.exists(loose.file.name)
    assert not Attachment.objects.filter(pk=loose.pk).exists()

    version = services.plan_submit(plan=draft, actor=as_alice).version
    services.plan_return(plan=draft, actor=Actor.for_user(charlie), comment="Add the annex.")
    draft.refresh_from_db()
    attachment_remove(attachment=kept, actor=as_alice)
    kept.refresh_from_db()
    assert kept.removed_at is not None
    assert default_storage.exists(kept.file.name)
    assert (list(current_attachments(draft)), list(version.attachments.all())) == ([], [kept])
    actions = list(draft.events.filter(action__startswith="attachment").values_list("action", flat=True))
    assert actions == ["attachment_added", "attachment_added", "attachment_removed", "attachment_removed"]
