"""Attachments on help requests: what a file is, judged by its content; where its bytes live
(in the storage — the local folder or a bucket — outside the database); who may fetch it."""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from app.config import get_settings
from app.counties.models import Workspace
from app.db import utcnow
from app.errors import InvalidInput, NotFound
from app.helpdesk.models import HelpRequest, RequestAttachment
from app.i18n import _, lazy
from app.storage import get_storage
from app.tenancy import scoped

# Kind → (content type, extension, name shown to people).
KINDS: dict[str, tuple[str, str, str]] = {
    "pdf": ("application/pdf", ".pdf", "PDF"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".docx",
        "Word (DOCX)",
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".xlsx",
        "Excel (XLSX)",
    ),
    "odt": ("application/vnd.oasis.opendocument.text", ".odt", "ODT"),
    "png": ("image/png", ".png", "PNG"),
    "jpeg": ("image/jpeg", ".jpg", "JPEG"),
    "txt": ("text/plain; charset=utf-8", ".txt", "TXT"),
}
EXTENSIONS = {".pdf", ".docx", ".xlsx", ".odt", ".png", ".jpg", ".jpeg", ".txt"}
ACCEPT = ",".join(sorted(EXTENSIONS))


class TooLarge(InvalidInput):
    """A file over the limit: 413, with the field's message saying the limit."""

    status_code = 413
    code = "too_large"
    message = lazy("Filen er for stor.")


@dataclass
class Upload:
    """A file as it came from the form, read and checked, not yet stored."""

    filename: str
    kind: str
    content: bytes

    @property
    def content_type(self) -> str:
        return KINDS[self.kind][0]


def limit_text() -> str:
    mb = get_settings().attachment_max_bytes / (1024 * 1024)
    size = f"{mb:.0f}" if mb == int(mb) else f"{mb:.1f}".replace(".", ",")
    return _(
        "Vedlegg kan være på høyst {size} MB hver, og av typene PDF, DOCX, XLSX, ODT, PNG, JPEG "
        "eller TXT."
    ).format(size=size)


def sniff(content: bytes) -> str | None:
    """The kind of file, from its first bytes and (for the zip-based formats) its parts."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as z:
                names = set(z.namelist())
                if "mimetype" in names:
                    # Only the small declared member is read, never more than 100 bytes of it:
                    # a packed member could unfold to gigabytes.
                    info = z.getinfo("mimetype")
                    if info.file_size > 100:
                        return None
                    with z.open(info) as member:
                        mimetype = member.read(100).strip()
                    if mimetype == b"application/vnd.oasis.opendocument.text":
                        return "odt"
                    return None
                if "[Content_Types].xml" in names:
                    if "word/document.xml" in names:
                        return "docx"
                    if "xl/workbook.xml" in names:
                        return "xlsx"
        except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
            return None
        return None
    return "txt" if _is_text(content) else None


def _is_text(content: bytes) -> bool:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    allowed = {"\t", "\n", "\r", "\f"}
    return not any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text[:200_000])


def clean_filename(name: str, kind: str) -> str:
    """A name that is safe in a header and on any disk, ending in the extension of its kind."""
    base = os.path.basename(name.replace("\\", "/")).strip()
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C" and ch not in '"/\\')
    stem, ext = os.path.splitext(base)
    wanted = KINDS[kind][1]
    if ext.lower() not in ({".jpg", ".jpeg"} if kind == "jpeg" else {wanted}):
        stem, ext = base, wanted
    stem = stem.strip(" .") or _("vedlegg")
    return f"{stem[: 200 - len(ext) - 1]}{ext.lower()}"


def read_uploads(files: list[BinaryIO | None], names: list[str], field: str) -> list[Upload]:
    """Read and check the files of one form. Every file is checked before anything is stored;
    one bad file refuses them all, with a message that names it."""
    settings = get_settings()
    given = [(f, n) for f, n in zip(files, names, strict=True) if f is not None and n]
    if len(given) > settings.attachments_per_message:
        raise InvalidInput(
            {
                field: _("Du kan legge ved høyst {n} filer om gangen.").format(
                    n=settings.attachments_per_message
                )
            }
        )
    uploads = []
    for stream, name in given:
        content = stream.read(settings.attachment_max_bytes + 1)
        if len(content) > settings.attachment_max_bytes:
            raise TooLarge(
                {field: _("«{name}» er for stor.").format(name=name) + " " + limit_text()}
            )
        if not content:
            raise InvalidInput({field: _("«{name}» er tom.").format(name=name)})
        kind = sniff(content)
        if kind is None:
            raise InvalidInput(
                {
                    field: _("«{name}» er ikke en filtype vi tar imot.").format(name=name)
                    + " "
                    + limit_text()
                }
            )
        uploads.append(Upload(filename=clean_filename(name, kind), kind=kind, content=content))
    return uploads


def read_form_files(files: list[UploadFile], field: str) -> list[Upload]:
    """``read_uploads`` for the files of a form or a multipart API call."""
    return read_uploads([f.file for f in files], [f.filename or "" for f in files], field)


def chosen(files: list[UploadFile]) -> list[str]:
    """The names of the files chosen in a form. When the form comes back with errors nothing
    was kept, and a browser cannot refill a file field: the page names them to choose again."""
    return [f.filename for f in files if f.filename]


def storage_key(key: str) -> str:
    """Where the bytes of an attachment's ``storage_key`` are kept in the storage:
    ``attachments/<first two characters>/<key>`` (the layout of the storage folder since the
    first attachment, kept for the files already there)."""
    return f"attachments/{key[:2]}/{key}"


def write_bytes(content: bytes) -> str:
    """Keep ``content`` in the storage (all or nothing) under a new key, and return the key.
    Other modules' files (an innovation's) are kept the same way."""
    key = secrets.token_hex(24)
    get_storage().put(storage_key(key), content)
    return key


def stored(upload: Upload) -> dict[str, object]:
    """Keep an upload's bytes in the storage (``write_bytes``) and give the columns every file
    table shares: filename, content type, size, SHA-256 and storage key."""
    return {
        "filename": upload.filename,
        "content_type": upload.content_type,
        "size": len(upload.content),
        "sha256": hashlib.sha256(upload.content).hexdigest(),
        "storage_key": write_bytes(upload.content),
    }


def file_response(key: str, filename: str, content_type: str) -> StreamingResponse:
    """The stored file of ``key``, always as a download and never cached, streamed in chunks;
    NotFound when its bytes are missing. For the page and the API alike, and other modules'
    files."""
    opened = get_storage().open(storage_key(key))
    if opened is None:
        raise NotFound()
    headers = {
        "Content-Disposition": disposition(filename),
        "Cache-Control": "private, no-store",
        "Content-Length": str(opened.size),
    }
    return StreamingResponse(opened, media_type=content_type, headers=headers)


def store(
    session: Session,
    ws: Workspace,
    req: HelpRequest,
    uploads: list[Upload],
    *,
    user_id: int | None,
    message_id: int | None = None,
    internal: bool = False,
) -> list[RequestAttachment]:
    """Store the files (each all or nothing), then add their rows. If the transaction later
    rolls back a file stays unreferenced in the storage, never the other way round."""
    rows = []
    for upload in uploads:
        row = RequestAttachment(
            workspace_id=ws.id,
            request_id=req.id,
            message_id=message_id,
            uploaded_by_id=user_id,
            internal=internal,
            created_at=utcnow(),
            **stored(upload),
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def of_request(
    session: Session, ws: Workspace, request_id: int, *, internal: bool
) -> list[RequestAttachment]:
    query = scoped(RequestAttachment, ws.id).where(RequestAttachment.request_id == request_id)
    if not internal:
        query = query.where(RequestAttachment.internal.is_(False))
    return list(session.scalars(query.order_by(RequestAttachment.id)))


def find(
    session: Session, ws: Workspace, request_id: int, attachment_id: int, *, internal: bool
) -> tuple[RequestAttachment, str]:
    """The attachment and its storage key; NotFound when the viewer may not see it."""
    row = session.scalar(
        scoped(RequestAttachment, ws.id).where(
            RequestAttachment.id == attachment_id, RequestAttachment.request_id == request_id
        )
    )
    if row is None or (row.internal and not internal):
        raise NotFound()
    return row, row.storage_key


def download(row: RequestAttachment, key: str) -> StreamingResponse:
    """The attachment's file as a download (NotFound when its bytes are missing)."""
    return file_response(key, row.filename, row.content_type)


def disposition(filename: str) -> str:
    """Content-Disposition that always downloads, with the name in ASCII and in UTF-8."""
    from urllib.parse import quote

    ascii_name = (
        unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode() or "vedlegg"
    )
    ascii_name = ascii_name.replace('"', "").replace("\\", "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
