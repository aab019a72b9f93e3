"""Attachments on help requests: what a file is, judged by its content; where its bytes live
(in the storage — the local folder or a bucket — outside the database); who may fetch it."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import logging
import os
import secrets
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from fastapi.responses import StreamingResponse
from sqlalchemy import Integer, bindparam, event, inspect
from sqlalchemy.orm import Session, SessionTransaction
from starlette.datastructures import UploadFile

from app.config import get_settings
from app.counties.models import Workspace
from app.db import end_transaction, utcnow
from app.errors import InvalidInput, NotFound
from app.helpdesk.models import HelpRequest, RequestAttachment
from app.i18n import _, lazy
from app.storage import get_storage
from app.tenancy import restore_db_scope, scoped, workspace_param

log = logging.getLogger("samspill.attachments")

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


# --- keeping the bytes: never inside a database transaction ------------------------------------
#
# A request's files are written to the storage (perhaps a bucket across the network) with no
# database transaction open, and only then does the service add their rows, in a transaction of
# its own: a slow storage holds no lock (SQLite: not the write lock) and no connection
# (PostgreSQL: none idle in transaction). A file whose row does not get committed — the service
# refused (403, 404, 409, 422), the form came back, the transaction failed — is deleted again
# once that transaction has ended. Read and check first (``read_form_files``), then ``keep``,
# then the service; downloads check access, end the transaction, then read (``file_response``).


@dataclass(frozen=True)
class StoredUpload:
    """A checked upload whose bytes are in the storage: the columns every file table shares."""

    filename: str
    content_type: str
    size: int
    sha256: str
    storage_key: str

    def columns(self) -> dict[str, object]:
        """filename, content type, size, SHA-256 and storage key, for the file's row."""
        return dataclasses.asdict(self)


def write(uploads: Sequence[Upload]) -> list[StoredUpload]:
    """Keep each upload's bytes in the storage under a new key, all or none (a failure deletes
    the ones already written). Call it with no transaction open: in a request through
    :func:`keep`; a script or a test that sets up data may call it directly."""
    storage = get_storage()
    done: list[StoredUpload] = []
    try:
        for upload in uploads:
            key = secrets.token_hex(24)
            storage.put(storage_key(key), upload.content)
            done.append(
                StoredUpload(
                    filename=upload.filename,
                    content_type=upload.content_type,
                    size=len(upload.content),
                    sha256=hashlib.sha256(upload.content).hexdigest(),
                    storage_key=key,
                )
            )
    except BaseException:
        _delete(s.storage_key for s in done)
        raise
    return done


def keep(session: Session, uploads: Sequence[Upload]) -> list[StoredUpload]:
    """Keep a request's checked uploads in the storage, outside the request's transaction: the
    transaction is ended first (``app.db.end_transaction``: what was done so far is committed),
    the bytes are written, and the next transaction begins with the same scope. The files are
    the session's until its next transaction ends: each is deleted again then unless that
    transaction committed with a row that names it. Call it outside any savepoint (before
    ``app.forms.submit`` or ``begin_nested``), once per request, right before the service."""
    if not uploads:
        return []
    if session.in_nested_transaction() or session.info.get(_PENDING):
        raise RuntimeError("attachments.keep(): once per request, and outside any savepoint")
    end_transaction(session)
    stored = write(uploads)
    pending: dict[str, object | None] = session.info.setdefault(_PENDING, {})
    pending.update({s.storage_key: None for s in stored})
    if not session.in_transaction():
        session.begin()  # so that its end settles the files, even if no statement follows
    restore_db_scope(session)
    return stored


@dataclass
class FormFiles:
    """The files of a form that goes through the one form cycle (``app.forms.submit``): read,
    checked and kept in the storage before the cycle's savepoint. A refused file is given to
    the service's call (``get()`` raises it), so that the form comes back with its message in
    its place as before (413 for a file too large)."""

    stored: list[StoredUpload]
    refused: InvalidInput | None = None

    def get(self) -> list[StoredUpload]:
        if self.refused is not None:
            raise self.refused
        return self.stored


def form_files(session: Session, files: list[UploadFile], field: str) -> FormFiles:
    """``read_form_files`` then ``keep``, for a form whose service runs in ``app.forms.submit``."""
    try:
        uploads = read_form_files(files, field)
    except InvalidInput as exc:
        return FormFiles([], exc)
    return FormFiles(keep(session, uploads))


_PENDING = "samspill_pending_files"  # session info: storage key → its row once flushed
_COMMITTED = "samspill_pending_committed"  # session info: the transaction that ends committed
_COMMITTING = "samspill_pending_committing"  # session info: its COMMIT has begun


@event.listens_for(Session, "after_flush")
def _rows_of_pending_files(session: Session, _context: Any) -> None:
    pending = session.info.get(_PENDING)
    if not pending:
        return
    for obj in session.new:
        key = inspect(obj).dict.get("storage_key")
        if isinstance(key, str) and key in pending:
            pending[key] = obj  # held here: the identity map would let it go


@event.listens_for(Session, "before_commit")
def _pending_files_committing(session: Session) -> None:
    # The whole transaction is being committed: if it ends without "after_commit" the outcome
    # is unknown (a connection lost during COMMIT may have committed), so its files stay.
    if session.info.get(_PENDING) and not session.in_nested_transaction():
        session.info[_COMMITTING] = True


@event.listens_for(Session, "after_commit")
def _pending_files_committed(session: Session) -> None:
    # Not a savepoint's release: only the whole transaction's commit keeps its rows.
    if session.info.get(_PENDING) and not session.in_nested_transaction():
        session.info[_COMMITTED] = True


@event.listens_for(Session, "after_transaction_end")
def _settle_pending_files(session: Session, transaction: SessionTransaction) -> None:
    """When the transaction after ``keep`` ends (its connection given back), delete the files
    that no committed row names: a savepoint rolled back (a refused form) dropped its rows, and
    a rolled back or abandoned transaction all of them."""
    if transaction.parent is not None or not session.info.get(_PENDING):
        return
    pending: dict[str, object | None] = session.info.pop(_PENDING)
    committed = session.info.pop(_COMMITTED, False)
    committing = session.info.pop(_COMMITTING, False)
    if committing and not committed:
        # The COMMIT failed: it may still have taken effect, so a row may name these files.
        # Keep every file a row was flushed for (at worst an unused file, never a row without
        # its file); those no row was written for go.
        kept = [key for key, row in pending.items() if row is not None]
        if kept:
            log.warning("commit outcome unknown; kept files that may be unused: %s", kept)
        _delete(key for key, row in pending.items() if row is None)
        return
    _delete(
        key
        for key, row in pending.items()
        if not (committed and row is not None and inspect(row).persistent)
    )


def _delete(keys: Any) -> None:
    storage = get_storage()
    for key in keys:
        try:
            storage.delete(storage_key(key))
        except Exception:  # an orphan is logged, never the request's failure
            log.warning("could not delete the unreferenced file %s", key, exc_info=True)


def file_response(
    session: Session, key: str, filename: str, content_type: str
) -> StreamingResponse:
    """The stored file of ``key``, always as a download and never cached, streamed in chunks;
    NotFound when its bytes are missing. For the page and the API alike, and other modules'
    files. Call it once access is checked: the request's transaction is ended before the
    storage is asked, so that no lock or connection is held while the bytes are read."""
    end_transaction(session)
    opened = get_storage().open(storage_key(key))
    if opened is None:
        restore_db_scope(session)  # the error page may still read
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
    uploads: Sequence[StoredUpload],
    *,
    user_id: int | None,
    message_id: int | None = None,
    internal: bool = False,
) -> list[RequestAttachment]:
    """Add the rows of files already kept in the storage (``keep``)."""
    rows = []
    for upload in uploads:
        row = RequestAttachment(
            workspace_id=ws.id,
            request_id=req.id,
            message_id=message_id,
            uploaded_by_id=user_id,
            internal=internal,
            created_at=utcnow(),
            **upload.columns(),
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def of_request(
    session: Session, ws: Workspace, request_id: int, *, internal: bool
) -> list[RequestAttachment]:
    """The request's files (internal ones too with ``internal``), oldest first."""
    return list(session.scalars(_of_request_query(internal), {"ws": ws.id, "request": request_id}))


@functools.cache
def _of_request_query(internal: bool) -> Any:
    """The statement of :func:`of_request`, made once per process (a request's page reads it on
    every view), the workspace (``ws``) and the request parameters."""
    query = scoped(RequestAttachment, workspace_param()).where(
        RequestAttachment.request_id == bindparam("request", type_=Integer())
    )
    if not internal:
        query = query.where(RequestAttachment.internal.is_(False))
    return query.order_by(RequestAttachment.id)


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


def download(session: Session, row: RequestAttachment, key: str) -> StreamingResponse:
    """The attachment's file as a download (NotFound when its bytes are missing)."""
    return file_response(session, key, row.filename, row.content_type)


def disposition(filename: str) -> str:
    """Content-Disposition that always downloads, with the name in ASCII and in UTF-8."""
    from urllib.parse import quote

    ascii_name = (
        unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode() or "vedlegg"
    )
    ascii_name = ascii_name.replace('"', "").replace("\\", "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
