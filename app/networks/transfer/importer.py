"""Import: every row of a file is checked before anything is written; then what is missing is
created and what differs is updated through the networks services, so the rules and the audit
log are the same as for a form. Flushes, never commits."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.counties.models import Workspace
from app.i18n import _
from app.networks.transfer.bodies import import_bodies
from app.networks.transfer.columns import COLUMNS, DATASETS, REQUIRED_COLUMNS
from app.networks.transfer.contacts import import_contacts
from app.networks.transfer.formats import Unreadable, read_rows
from app.networks.transfer.memberships import import_memberships
from app.networks.transfer.rows import ImportResult, Record

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000


def import_file(session: Session, ws: Workspace, dataset: str, content: bytes) -> ImportResult:
    """Check every row; if all are valid, create what is missing and update what differs.

    Nothing is written unless every row is valid. Running the same file twice changes nothing
    the second time."""
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}")
    result = ImportResult(dataset=dataset)
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
    records = _read_records(content, dataset, result)
    if result.errors:
        return result
    result.rows = len(records)
    if dataset == "organer":
        import_bodies(session, ws, records, result)
    elif dataset == "medlemskap":
        import_memberships(session, ws, records, result)
    else:
        import_contacts(session, ws, records, result)
    if result.errors:
        result.created = result.updated = 0
        result.errors.sort(key=lambda e: (e.row or 0, _column_order(dataset, e.column)))
    return result


def _column_order(dataset: str, column: str | None) -> int:
    columns = COLUMNS[dataset]
    return columns.index(column) if column in columns else -1


def _read_records(content: bytes, dataset: str, result: ImportResult) -> list[Record]:
    """The rows of the file as {column: value} (only the columns the file has)."""
    records: list[Record] = []
    columns: list[str | None] = []
    try:
        for number, values in enumerate(read_rows(content), start=1):
            if number == 1:
                columns = _read_headings(values, dataset, result)
                if result.errors:
                    return []
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
                return []
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
            for column in columns:
                if column is not None:
                    record.setdefault(column, "")
            records.append((number, record))
    except Unreadable as exc:
        result.error(None, None, str(exc))
        return []
    if not columns:
        result.error(None, None, _("Filen er tom. Første rad skal ha kolonneoverskriftene."))
        return []
    return records


def _read_headings(values: list[str], dataset: str, result: ImportResult) -> list[str | None]:
    allowed = COLUMNS[dataset]
    columns: list[str | None] = []
    for value in values:
        heading = " ".join(value.split()).lower().lstrip("\ufeff")
        if not heading:
            columns.append(None)
        elif heading not in allowed:
            result.error(
                1,
                value,
                _("Ukjent kolonne. Kolonnene for {dataset} er: {columns}.").format(
                    dataset=dataset, columns=", ".join(allowed)
                ),
            )
            columns.append(None)
        elif heading in columns:
            result.error(1, heading, _("Kolonnen står to ganger."))
            columns.append(None)
        else:
            columns.append(heading)
    for required in REQUIRED_COLUMNS[dataset]:
        if required not in columns:
            result.error(1, required, _("Kolonnen mangler. Den må være med i filen."))
    return columns
