"""From rows to the read models of the JSON API, where the document API and the consultation
API show the same things: sections, versions, and the 409 that carries what it is about."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from app.accounts.deps import Context
from app.errors import AppError
from app.i18n import _
from app.reads import read
from app.strategies import service, text
from app.strategies.models import StrategySection, VersionSection
from app.strategies.schemas import SectionRead, VersionSectionRead

V = TypeVar("V", bound=VersionSectionRead)


def section_read(s: StrategySection, ctx: Context) -> SectionRead:
    """``s.updated_by`` must be loaded (the services do). A section the caller has just saved
    names the caller: the loaded ``updated_by`` may be the one from before the save."""
    if s.updated_by_id == ctx.user.id:
        updated_by: str | None = ctx.user.name
    else:
        updated_by = s.updated_by.name if s.updated_by else None
    return read(SectionRead, s, updated_by=updated_by)


def reread_section(session: Session, ctx: Context, doc_id: int, section_id: int) -> SectionRead:
    """A section after a change, with who saved it loaded by the service."""
    return section_read(service.get_section(session, ctx.workspace, doc_id, section_id), ctx)


def version_section(model: type[V], s: VersionSection, **given: Any) -> V:
    """A frozen section as ``model``, with the ``fingerprint`` an amendment names as its
    ``base``."""
    return read(model, s, fingerprint=text.fingerprint(s.body), **given)


def conflict(exc: AppError, **body: Any) -> JSONResponse:
    """A 409 that carries what the caller needs to resolve it, next to the usual code and
    message. Nothing was saved: the services raise these before they change anything."""
    content = {"code": exc.code, "message": _(exc.message), **body}
    return JSONResponse(jsonable_encoder(content), status_code=exc.status_code)
