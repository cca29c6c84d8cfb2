"""Supporting documents of a plan: what a file is (from its bytes), its safe name, adding and removing it.

The type is read from the content, never from the name: PDF, PNG and JPEG by their magic
bytes (the `filetype` package), and the office formats, which are all ZIP files, by the entry
that names them inside the archive (`mimetype` for OpenDocument, `[Content_Types].xml` for
Office Open XML). Anything else, an executable renamed `report.pdf` included, is refused with
an error on the `file` field. Files go through Django's storage API (`STORAGES["default"]`,
MEDIA_STORAGE) under a random name; the name the delegation gave is kept, sanitised, in the row.
"""

import hashlib
import os
import zipfile
from dataclasses import dataclass
from urllib.parse import quote

import filetype
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from core.numbers import format_number
from core.permissions import CHANGE_PLAN
from core.security import log_download
from members.actors import Actor

from .enums import EDITABLE, EventAction
from .errors import IllegalTransition, PlanInvalid
from .models import ATTACHMENT_NAME_LENGTH, Attachment, Plan
from .services import _lock, _record, _require

FIELD = "file"


@dataclass(frozen=True)
class Kind:
    content_type: str
    extension: str
    label: str


PDF = Kind("application/pdf", ".pdf", "PDF")
PNG = Kind("image/png", ".png", "PNG")
JPEG = Kind("image/jpeg", ".jpg", "JPEG")
DOCX = Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "DOCX")
XLSX = Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "XLSX")
ODT = Kind("application/vnd.oasis.opendocument.text", ".odt", "ODT")
ODS = Kind("application/vnd.oasis.opendocument.spreadsheet", ".ods", "ODS")
KINDS = (PDF, DOCX, XLSX, ODT, ODS, PNG, JPEG)
BY_CONTENT_TYPE = {kind.content_type: kind for kind in KINDS}
# Other names a kind's files commonly carry: a JPEG named .jpeg keeps its name.
EXTENSIONS = {JPEG: {".jpg", ".jpeg"}}
# The office formats' main part, as [Content_Types].xml declares it.
OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
HEAD_BYTES = 8192
ZIP_ENTRY_LIMIT = 1024 * 1024  # [Content_Types].xml is a few kilobytes; never inflate more than this


def allowed_labels() -> str:
    return ", ".join(kind.label for kind in KINDS)


def _zip_kind(upload: UploadedFile) -> Kind | None:
    """DOCX, XLSX, ODT or ODS from the entry that names the format; None for any other ZIP."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    declared = entry.read(200).decode("ascii", "replace").strip()
                kind = BY_CONTENT_TYPE.get(declared)
                return kind if kind in (ODT, ODS) else None
            if "[Content_Types].xml" in names:
                with archive.open("[Content_Types].xml") as entry:
                    types = entry.read(ZIP_ENTRY_LIMIT).decode("utf-8", "replace")
                found = [kind for main, kind in OOXML_MAIN.items() if f'ContentType="{main}"' in types]
                return found[0] if len(found) == 1 else None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        return None
    return None


def detect_kind(upload: UploadedFile) -> Kind | None:
    """What the file is, from its bytes; None when it is none of the accepted kinds."""
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(upload)
    return BY_CONTENT_TYPE.get(filetype.guess_mime(head) or "")


def kind_label(content_type: str) -> str:
    kind = BY_CONTENT_TYPE.get(content_type)
    return kind.label if kind else content_type


def clean_name(original: str, kind: Kind) -> str:
    """The name to keep and to download under: no folders, safe characters, capped, with the kind's extension.

    `../../etc/passwd` becomes `passwd.pdf` (for a PDF); a PNG named `scan.pdf` becomes `scan.pdf.png`, so
    that what opens it is chosen by what it is.
    """
    base = os.path.basename(original.replace("\\", "/")).strip()
    try:
        name = get_valid_filename(base)
    except SuspiciousFileOperation:
        name = ""
    stem, extension = os.path.splitext(name)
    if extension.lower() not in EXTENSIONS.get(kind, {kind.extension}):
        stem, extension = name, kind.extension
    stem = stem.strip(".") or _("document")
    return stem[: ATTACHMENT_NAME_LENGTH - len(extension)] + extension.lower()


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def current_attachments(plan: Plan) -> QuerySet[Attachment]:
    """The plan's documents as they stand (removed ones left out), oldest first, with their uploaders."""
    return (
        Attachment.objects.filter(plan=plan, removed_at__isnull=True)
        .select_related("uploaded_by", "uploaded_by_key")
        .order_by("uploaded_at", "id")
    )


def _refuse(message: str) -> PlanInvalid:
    return PlanInvalid.single(FIELD, message)


def _check_editable(plan: Plan) -> None:
    if plan.status not in EDITABLE:
        raise IllegalTransition(status=plan.get_status_display().lower(), action=_("changed"))


def attachment_add(*, plan: Plan, actor: Actor, upload: UploadedFile) -> Attachment:
    """Store `upload` as a document of the plan, if the actor may write it and it is a draft or returned.

    Refused on the `file` field (PlanInvalid): an empty or too large file, one of a kind not
    accepted (read from its bytes), one past the plan's count.
    """
    _require(actor.can(CHANGE_PLAN, plan), _("You may not write this member's plan."))
    limit = settings.ATTACHMENT_MAX_BYTES
    if not upload.size:
        raise _refuse(_("The file is empty."))
    if upload.size > limit:
        raise _refuse(
            _("The file is too large: %(size)s bytes, at most %(limit)s.")
            % {"size": format_number(upload.size), "limit": format_number(limit)}
        )
    kind = detect_kind(upload)
    if kind is None:
        raise _refuse(
            _("This file is not one of the accepted kinds (%(kinds)s), whatever its name says.")
            % {"kinds": allowed_labels()}
        )
    name = clean_name(upload.name or "", kind)
    sha256 = _sha256(upload)
    with transaction.atomic():
        plan = _lock(plan)
        _check_editable(plan)
        if current_attachments(plan).count() >= settings.ATTACHMENT_MAX_COUNT:
            raise _refuse(
                _("A plan holds at most %(count)s documents: remove one first.")
                % {"count": settings.ATTACHMENT_MAX_COUNT}
            )
        attachment = Attachment(
            plan=plan,
            name=name,
            content_type=kind.content_type,
            size=upload.size,
            sha256=sha256,
            uploaded_by=actor.user if actor.api_key is None and actor.user is not None else None,
            uploaded_by_key=actor.api_key,
        )
        attachment.file.save(name, upload, save=False)
        stored = attachment.file.name
        try:  # should the row not be written, the stored file goes with it
            attachment.save()
            _record(
                plan, actor=actor, action=EventAction.ATTACHMENT_ADDED, note=f"{name} ({kind.label}, sha256 {sha256})"
            )
        except Exception:
            attachment.file.storage.delete(stored)
            raise
    return attachment


def attachment_remove(*, attachment: Attachment, actor: Actor) -> None:
    """Take the document off the plan (draft or returned), if the actor may write the plan.

    A document that a submitted version lists stays stored (that version's receipt covers it)
    and is only hidden from the plan; any other is deleted with its file once the change commits.
    """
    _require(actor.can(CHANGE_PLAN, attachment.plan), _("You may not write this member's plan."))
    with transaction.atomic():
        plan = _lock(attachment.plan)
        _check_editable(plan)
        attachment = Attachment.objects.select_for_update().get(pk=attachment.pk)
        if attachment.removed_at is not None:
            return
        if attachment.versions.exists():
            attachment.removed_at = timezone.now()
            attachment.save(update_fields=["removed_at"])
        else:
            stored, storage = attachment.file.name, attachment.file.storage
            attachment.delete()
            transaction.on_commit(lambda: storage.delete(stored))
        note = f"{attachment.name} (sha256 {attachment.sha256})"
        _record(plan, actor=actor, action=EventAction.ATTACHMENT_REMOVED, note=note)


def download_response(request: HttpRequest, attachment: Attachment, *, subject: str) -> FileResponse:
    """The file through the storage API, always as a download, never sniffed into something else."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The document's file is gone.")) from None
    log_download(request, filename=attachment.name, subject=subject, detail={"sha256": attachment.sha256})
    response = FileResponse(handle, content_type=attachment.content_type)
    fallback = attachment.name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    response["Content-Disposition"] = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(attachment.name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response
