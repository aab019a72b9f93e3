"""Import of participation records from CSV or XLSX, all or nothing.

Every row is read (here) and checked (``transfer_check``) against what the workspace sees
before anything is written. Then each new record goes through
``service.create_participation`` and each changed one through
``service.update_participation`` — the same rules, permission checks and change log as the
form — each in a savepoint inside one savepoint for the whole file, which is rolled back if
the service refuses any of them. A record whose rows say what is stored already is left alone,
so importing a fresh export changes nothing. Flushes, never commits."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.accounts.principal import Principal
from app.counties.models import Workspace
from app.errors import Forbidden, InvalidInput, NotFound
from app.i18n import _
from app.networks.transfer.formats import Unreadable, read_rows
from app.networks.transfer.importer import MAX_BYTES
from app.networks.transfer.rows import ImportResult
from app.schemes import service
from app.schemes.transfer_check import ParticipationImport, Plan, Planner, Record, heading
from app.schemes.transfer_columns import COLUMNS, FIELD_COLUMNS, HEADINGS, KEYS, REQUIRED, fold

__all__ = ["MAX_BYTES", "MAX_ROWS", "ParticipationImport", "import_file"]

MAX_ROWS = 5_000  # some 2,500 joint records: about 30 s on PostgreSQL through the service


def import_file(
    session: Session, ws: Workspace, p: Principal, content: bytes
) -> ParticipationImport:
    """Check every row; if all are valid, create the new records and update the changed ones.
    Nothing is written unless every row is valid and the service accepts every record."""
    result = ParticipationImport(dataset="soknader")
    if len(content) > MAX_BYTES:
        result.too_large = True
        result.error(
            None,
            None,
            _("Filen er for stor. Største tillatte størrelse er {mb} MB.").format(
                mb=MAX_BYTES // (1024 * 1024)
            ),
        )
        return result
    if not content.strip():
        result.error(None, None, _("Filen er tom. Første rad skal ha kolonneoverskriftene."))
        return result
    present, records = _read(content, result)
    if not result.errors:
        result.rows = len(records)
        plans = Planner(session, ws, present, result).plan(records)
        if not result.errors:
            _apply(session, ws, p, plans, result)
    if result.errors:
        result.created = result.updated = result.unchanged = 0
        order = {k: i for i, k in enumerate(KEYS)}
        by_heading = {c.heading: order[c.key] for c in COLUMNS}
        result.errors.sort(key=lambda e: (e.row or 0, by_heading.get(e.column or "", -1)))
    return result


# --- reading -------------------------------------------------------------------------------


def _read(content: bytes, result: ImportResult) -> tuple[set[str], list[Record]]:
    """The columns the file has, and its rows as {column key: text}."""
    records: list[Record] = []
    columns: list[str | None] = []
    try:
        for number, values in enumerate(read_rows(content), start=1):
            if number == 1:
                columns = _read_headings(values, result)
                if result.errors:
                    return set(), []
                continue
            if not any(values):
                continue
            if len(records) >= MAX_ROWS:
                result.error(
                    None,
                    None,
                    _(
                        "Filen har mer enn {n} rader. Del den opp og importer delene hver for seg."
                    ).format(n=f"{MAX_ROWS:,}".replace(",", "\u00a0")),
                )
                return set(), []
            record: dict[str, str] = {}
            for index, value in enumerate(values):
                column = columns[index] if index < len(columns) else None
                if column is not None:
                    record[column] = value
                elif value:
                    result.error(
                        number,
                        None,
                        _("Raden har en verdi i kolonne {n}, som ikke har noen overskrift.").format(
                            n=index + 1
                        ),
                    )
                    break
            records.append((number, record))
    except Unreadable as exc:
        result.error(None, None, str(exc))
        return set(), []
    if not columns:
        result.error(None, None, _("Filen er tom. Første rad skal ha kolonneoverskriftene."))
    return {c for c in columns if c}, records


def _read_headings(values: list[str], result: ImportResult) -> list[str | None]:
    columns: list[str | None] = []
    for value in values:
        key = HEADINGS.get(fold(value)) if value.strip() else None
        if not value.strip():
            columns.append(None)
        elif key is None:
            result.error(
                1,
                value,
                _("Ukjent kolonne. Kolonnene er: {columns}.").format(
                    columns=", ".join(c.heading for c in COLUMNS)
                ),
            )
            columns.append(None)
        elif key in columns:
            result.error(1, heading(key), _("Kolonnen står to ganger."))
            columns.append(None)
        else:
            columns.append(key)
    for key in REQUIRED:
        if key not in columns:
            result.error(1, heading(key), _("Kolonnen mangler. Den må være med i filen."))
    return columns


# --- writing -------------------------------------------------------------------------------


def _apply(
    session: Session, ws: Workspace, p: Principal, plans: list[Plan], result: ParticipationImport
) -> None:
    """Every plan through the service, each in its own savepoint so that every refusal is
    reported; if there is one, the whole import is rolled back."""
    outer = session.begin_nested()
    try:
        for plan in plans:
            try:
                with session.begin_nested():
                    if plan.record is None:
                        service.create_participation(session, ws, p, plan.form)
                        result.created += 1
                    else:
                        service.update_participation(session, ws, p, plan.record.id, plan.form)
                        result.updated += 1
            except InvalidInput as exc:
                for field_name, message in exc.messages().items():
                    result.error(plan.row, heading(FIELD_COLUMNS.get(field_name)), message)
            except (Forbidden, NotFound) as exc:
                result.error(plan.row, None, _(exc.message))
    except BaseException:
        outer.rollback()
        raise
    if result.errors:
        outer.rollback()
    else:
        outer.commit()
