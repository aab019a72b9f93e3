"""A large consultation summary PDF, made in the worker instead of the web process.

A summary of thousands of comments takes seconds to write (about 5 s of CPU for 4,000 comments,
``bench/exports.py``), too long for a page to wait on. Past ``summary_pdf_background_from``
comments (a setting) the web process only records the wish (an :class:`ExportJob`); the
worker's periodic job :func:`run_pending` builds the summary as the person who asked (their
rights today, in their language), writes the PDF outside any database transaction, stores the file
(``app.storage``) and marks the job done; the person's page polls
and offers the link. Only the person who asked sees the job and its file, in its workspace
(another workspace's or person's job is a 404, like a missing one).
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from app.accounts import principal as principals
from app.accounts import service as accounts_service
from app.accounts.models import User
from app.accounts.principal import Principal
from app.counties.models import Workspace
from app.db import end_transaction, utcnow
from app.errors import NotFound, found
from app.i18n import get_locale, speaking
from app.storage import Opened, get_storage
from app.strategies import summary
from app.strategies.exports.models import ExportJob
from app.strategies.exports.pdf import summary_pdf
from app.strategies.summary import Summary
from app.tenancy import restore_db_scope, scoped, scoped_system, set_db_scope, set_system_scope

log = logging.getLogger("samspill.strategies.exports")
STALE = timedelta(minutes=15)  # a job "working" this long lost its worker: it is taken again
BATCH = 5  # jobs one run of the periodic job makes at most


def request_pdf(session: Session, ws: Workspace, p: Principal, round_id: int) -> ExportJob:
    """The person's PDF of the round: the one already waiting or being made, else a new one."""
    if p.user_id is None:
        raise NotFound()
    job = session.scalar(
        scoped(ExportJob, ws.id)
        .where(
            ExportJob.round_id == round_id,
            ExportJob.requested_by_id == p.user_id,
            ExportJob.status.in_(("waiting", "working")),
        )
        .order_by(ExportJob.id.desc())
        .limit(1)
    )
    if job is None:
        job = ExportJob(
            workspace_id=ws.id,
            round_id=round_id,
            requested_by_id=p.user_id,
            kind="pdf",
            locale=get_locale(),
            status="waiting",
        )
        session.add(job)
        session.flush()
    return job


def get_job(session: Session, ws: Workspace, p: Principal, round_id: int, job_id: int) -> ExportJob:
    """The person's own job of this round in this workspace; anything else is a 404."""
    return found(
        session.scalar(
            scoped(ExportJob, ws.id).where(
                ExportJob.id == job_id,
                ExportJob.round_id == round_id,
                ExportJob.requested_by_id == (p.user_id or 0),
            )
        )
    )


def open_file(session: Session, job: ExportJob) -> Opened:
    """The finished file for reading in chunks; a 404 while there is none. The request's
    transaction is ended first: the storage may be a bucket across the network, and no network
    call is made inside a database transaction."""
    if job.status != "done" or not job.storage_key:
        raise NotFound()
    key = job.storage_key
    end_transaction(session)
    opened = get_storage().open(key)
    if opened is None:
        restore_db_scope(session)  # the error page reads under the workspace's scope
        raise NotFound()
    return opened


# --- in the worker ---------------------------------------------------------------------------


def run_pending(factory: sessionmaker[Session]) -> int:
    """The worker's periodic job: make the waiting PDFs (a few per run), oldest first."""
    with factory() as session, session.begin():
        set_system_scope(session)
        due = session.execute(
            scoped_system(ExportJob)
            .with_only_columns(ExportJob.id, ExportJob.workspace_id)
            .where(
                (ExportJob.status == "waiting")
                | ((ExportJob.status == "working") & (ExportJob.started_at < utcnow() - STALE))
            )
            .order_by(ExportJob.id)
            .limit(BATCH)
        ).all()
    made = 0
    for job_id, workspace_id in due:
        if make(factory, workspace_id, job_id):
            made += 1
    return made


def _scope(session: Session, ws: Workspace, user_id: int | None) -> None:
    set_db_scope(session, workspace_id=ws.id, user_id=user_id, county_number=ws.county_number)


def _principal(session: Session, ws: Workspace, user_id: int) -> Principal | None:
    """The person as they are today: gone, or without the right, and there is no PDF."""
    user = session.get(User, user_id)
    membership = accounts_service.get_membership(session, ws.id, user_id)
    if user is None or membership is None or not user.is_active:
        return None
    p = principals.for_member(
        user_id=user.id,
        name=user.name,
        email=user.email,
        role=membership.role,
        municipality_number=membership.municipality_number,
        organisation_id=membership.organisation_id,
        extra_roles=membership.extras,
    )
    return p if p.can("strategies.read_drafts") else None


def make(factory: sessionmaker[Session], workspace_id: int, job_id: int) -> bool:
    """Make one job's PDF. Three short transactions: claim the job and load the summary; then,
    with no transaction open, render and store the file; then mark the job done (or failed)."""
    with factory() as session, session.begin():
        ws = session.get(Workspace, workspace_id)
        if ws is None:
            return False
        _scope(session, ws, None)
        job = session.scalar(scoped(ExportJob, ws.id).where(ExportJob.id == job_id))
        now = utcnow()
        if job is None or not (
            job.status == "waiting"
            or (job.status == "working" and job.started_at and job.started_at < now - STALE)
        ):
            return False  # another worker has it, or it is done
        job.status, job.started_at = "working", now
        _scope(session, ws, job.requested_by_id)
        p = _principal(session, ws, job.requested_by_id)
        built: Summary | None = None
        if p is not None:
            try:
                built = summary.build(session, ws, p, job.round_id)
            except NotFound:
                built = None
        if built is None:
            job.status, job.finished_at = "failed", utcnow()
            job.error = "no access"
            return False
        locale = job.locale
        session.flush()
        session.expunge_all()  # loaded attributes stay readable after the commit
    error: str | None = None
    key = f"exports/{secrets.token_hex(16)}.pdf"
    try:
        with speaking(locale):
            data = summary_pdf(built)
        get_storage().put(key, data)
    except Exception as exc:  # recorded on the job; the person is told and may try again
        log.exception("summary PDF %s failed", job_id)
        error = f"{type(exc).__name__}: {exc}"[:500]
    with factory() as session, session.begin():
        _scope(session, ws, None)
        job = session.scalar(scoped(ExportJob, ws.id).where(ExportJob.id == job_id))
        if job is None:  # the round (and so the job) was deleted meanwhile
            if error is None:
                get_storage().delete(key)
            return False
        job.finished_at = utcnow()
        if error is None:
            job.status, job.storage_key, job.size = "done", key, len(data)
        else:
            job.status, job.error = "failed", error
    return error is None


# --- `samspill purge` -------------------------------------------------------------------------


def purge_finished(session: Session, before: datetime) -> tuple[int, list[str]]:
    """Remove the jobs finished (done or failed) before ``before``; waiting and working ones
    stay. Returns how many, and the storage keys of their files for the caller to delete once
    the removal is committed (a file gone under a job that stayed would be a broken link). The
    jobs are found in system scope and removed in each one's own workspace scope (on PostgreSQL
    the system may only read them)."""
    set_system_scope(session)
    found = session.execute(
        scoped_system(ExportJob)
        .with_only_columns(ExportJob.workspace_id, ExportJob.id)
        .where(ExportJob.status.in_(("done", "failed")), ExportJob.finished_at < before)
    ).all()
    by_workspace: dict[int, list[int]] = {}
    for workspace_id, job_id in found:
        by_workspace.setdefault(workspace_id, []).append(job_id)
    keys: list[str] = []
    for workspace_id, ids in by_workspace.items():
        set_db_scope(session, workspace_id=workspace_id, user_id=None)
        for job in session.scalars(scoped(ExportJob, workspace_id).where(ExportJob.id.in_(ids))):
            if job.storage_key:
                keys.append(job.storage_key)
            session.delete(job)
        session.flush()
    set_system_scope(session)
    return len(found), keys
