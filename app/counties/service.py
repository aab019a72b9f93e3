"""Reference data, workspaces and their settings, the municipality list."""

from __future__ import annotations

import csv
import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import String, bindparam, func, select
from sqlalchemy.orm import Session

from app import PACKAGE_DIR
from app.counties.models import County, Municipality, Organisation, Workspace
from app.counties.schemas import SizeClass, WorkspaceCreate, WorkspaceSettings
from app.errors import Conflict, InvalidInput, found
from app.i18n import _, lazy

DATA_DIR = PACKAGE_DIR / "counties" / "data"
REFERENCE_POPULATION_YEAR = 2024

# Partner organisations every installation knows: the ten county governors of 2024, KS and
# Distriktssenteret. Workspaces may refer to them; they are not owned by any workspace.
STANDARD_ORGANISATIONS: list[tuple[str, str]] = [
    ("KS", "ks"),
    ("Distriktssenteret", "national"),
    ("Statsforvalteren i Agder", "statsforvalteren"),
    ("Statsforvalteren i Innlandet", "statsforvalteren"),
    ("Statsforvalteren i Møre og Romsdal", "statsforvalteren"),
    ("Statsforvalteren i Nordland", "statsforvalteren"),
    ("Statsforvalteren i Oslo og Viken", "statsforvalteren"),
    ("Statsforvalteren i Rogaland", "statsforvalteren"),
    ("Statsforvalteren i Troms og Finnmark", "statsforvalteren"),
    ("Statsforvalteren i Trøndelag", "statsforvalteren"),
    ("Statsforvalteren i Vestfold og Telemark", "statsforvalteren"),
    ("Statsforvalteren i Vestland", "statsforvalteren"),
]


# --- reference data ----------------------------------------------------------------------


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _add_missing(
    session: Session,
    model: type[County | Municipality],
    filename: str,
    more: Callable[[dict[str, str]], dict[str, Any]] = lambda row: {},
) -> int:
    """Add the counties or municipalities of a data file that are not there yet (their number
    and names, and what ``more`` reads from the row); how many."""
    have = set(session.scalars(select(model.number)))
    rows = [row for row in _read_csv(DATA_DIR / filename) if row["number"] not in have]
    for row in rows:
        session.add(
            model(
                number=row["number"],
                name=row["name"],
                name_sami=row["name_sami"] or None,
                name_kven=row["name_kven"] or None,
                **more(row),
            )
        )
    return len(rows)


def load_reference(session: Session) -> dict[str, int]:
    """Insert counties, municipalities and standard organisations that are missing.

    Existing rows are left as they are, so a population refreshed with import-population
    survives a later run."""
    added = {"counties": _add_missing(session, County, "counties.csv")}
    session.flush()
    added["municipalities"] = _add_missing(
        session,
        Municipality,
        "municipalities.csv",
        lambda row: {
            "county_number": row["county"],
            "population": int(row["population"]),
            "population_year": REFERENCE_POPULATION_YEAR,
        },
    )
    added["organisations"] = 0
    have_orgs = set(session.scalars(select(Organisation.name)))
    for name, kind in STANDARD_ORGANISATIONS:
        if name not in have_orgs:
            session.add(Organisation(name=name, kind=kind))
            added["organisations"] += 1
    session.flush()
    return added


@dataclass
class PopulationReport:
    updated: int
    unchanged: int
    errors: list[str]
    year: int | None


def import_population(session: Session, text: str) -> PopulationReport:
    """Refresh population from an SSB table 07459 export (semicolon-separated CSV).

    SSB's export looks like::

        "region";"år";"07459: Befolkning, etter region og år"
        "3303 Kongsberg";"2025";28921

    Every row is checked first; if any is bad, nothing is changed and each bad row is reported
    by line. Rows whose region is a county, the whole country or an old municipality number
    are reported too, since they cannot be matched."""
    known = {m.number: m for m in session.scalars(select(Municipality))}
    errors: list[str] = []
    values: dict[str, tuple[int, int]] = {}
    lines = text.lstrip("\ufeff").splitlines()
    reader = csv.reader(lines, delimiter=";", quotechar='"')
    header_seen = False
    for lineno, row in enumerate(reader, start=1):
        if not row or all(not cell.strip() for cell in row):
            continue
        if not header_seen:
            header_seen = True
            if not row[0].strip()[:4].isdecimal():
                continue  # the header line
        if len(row) < 3:
            errors.append(
                _("Linje {line}: forventet tre felt (region;år;folketall), fant {n}.").format(
                    line=lineno, n=len(row)
                )
            )
            continue
        region, year_text, population_text = (cell.strip() for cell in row[:3])
        number = region.split(" ", 1)[0].removeprefix("K-")
        if not (len(number) == 4 and number.isdecimal()):
            errors.append(
                _("Linje {line}: «{region}» er ikke et kommunenummer med fire sifre.").format(
                    line=lineno, region=region
                )
            )
            continue
        if number not in known:
            errors.append(
                _("Linje {line}: kommunenummer {number} finnes ikke i inndelingen.").format(
                    line=lineno, number=number
                )
            )
            continue
        if not (year_text.isdecimal() and 1900 < int(year_text) < 2200):
            errors.append(
                _("Linje {line}: «{year}» er ikke et årstall.").format(line=lineno, year=year_text)
            )
            continue
        cleaned = population_text.replace(" ", "").replace("\u00a0", "")
        if not cleaned.isdecimal():
            errors.append(
                _("Linje {line}: folketallet «{value}» er ikke et heltall.").format(
                    line=lineno, value=population_text
                )
            )
            continue
        if number in values and values[number][1] >= int(year_text):
            continue
        values[number] = (int(cleaned), int(year_text))
    if not values and not errors:
        errors.append(_("Filen inneholder ingen rader med folketall."))
    if errors:
        return PopulationReport(updated=0, unchanged=0, errors=errors, year=None)
    updated = unchanged = 0
    for number, (population, year) in values.items():
        municipality = known[number]
        if municipality.population == population and municipality.population_year == year:
            unchanged += 1
            continue
        municipality.population = population
        municipality.population_year = year
        updated += 1
    session.flush()
    return PopulationReport(
        updated=updated, unchanged=unchanged, errors=[], year=max(y for _, y in values.values())
    )


def list_organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(Organisation.name)))


_ORGANISATION_CHOICES = select(Organisation.id, Organisation.name).order_by(Organisation.name)


def organisation_choices(session: Session) -> list[Any]:
    """The partner organisations to choose from in a form, as (id, name) rows, by name."""
    return list(session.execute(_ORGANISATION_CHOICES).all())


# --- workspaces --------------------------------------------------------------------------


def get_workspace(session: Session, slug: str) -> Workspace:
    return found(session.scalar(select(Workspace).where(Workspace.slug == slug)))


def create_workspace(session: Session, data: WorkspaceCreate) -> Workspace:
    if session.get(County, data.county_number) is None:
        raise InvalidInput({"county_number": lazy("Fylket finnes ikke.")})
    if session.scalar(select(Workspace.id).where(Workspace.slug == data.slug)):
        raise Conflict("Et arbeidsområde med dette kortnavnet finnes allerede.")
    workspace = Workspace(
        slug=data.slug,
        name=data.name,
        county_number=data.county_number,
        settings=WorkspaceSettings().model_dump(mode="json"),
    )
    session.add(workspace)
    session.flush()
    return workspace


def settings_of(workspace: Workspace) -> WorkspaceSettings:
    try:
        return WorkspaceSettings.model_validate(workspace.settings or {})
    except ValidationError:
        return WorkspaceSettings()


def update_settings(session: Session, workspace: Workspace, raw: dict[str, object]) -> None:
    """Change the settings named in ``raw``; the others stay as they are."""
    try:
        new = WorkspaceSettings.model_validate(
            {**settings_of(workspace).model_dump(mode="json"), **raw}
        )
    except ValidationError as exc:
        errors = {}
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            errors[loc or "size_thresholds"] = str(err.get("ctx", {}).get("error") or err["msg"])
        raise InvalidInput(errors) from None
    workspace.settings = new.model_dump(mode="json")
    session.flush()


def module_settings(workspace: Workspace, key: str) -> dict[str, Any]:
    """A feature module's own settings (a JSON object), empty when none are saved."""
    value = (workspace.settings or {}).get(key)
    return dict(value) if isinstance(value, dict) else {}


def save_module_settings(
    session: Session, workspace: Workspace, key: str, value: dict[str, Any]
) -> None:
    """Store a feature module's settings (already validated by that module)."""
    if key == "size_thresholds":
        raise ValueError("not a module's settings")
    workspace.settings = {**(workspace.settings or {}), key: value}
    session.flush()


# --- size classes and the municipality list ----------------------------------------------


def size_classes(settings: WorkspaceSettings) -> list[SizeClass]:
    t = settings.size_thresholds
    bounds: list[tuple[int | None, int | None]] = [(None, t[0])]
    bounds += [(t[i], t[i + 1]) for i in range(len(t) - 1)]
    bounds.append((t[-1], None))
    classes = []
    for i, (low, high) in enumerate(bounds, start=1):
        if low is None:
            label = _("under {n}").format(n=_thousands(high))
        elif high is None:
            label = _("{n} og over").format(n=_thousands(low))
        else:
            label = f"{_thousands(low)}–{_thousands(high - 1)}"
        classes.append(SizeClass(index=i, label=label, lower=low, upper=high))
    return classes


def _thousands(value: int | None) -> str:
    return f"{value:,}".replace(",", "\u00a0") if value is not None else ""


def size_class_of(population: int, settings: WorkspaceSettings) -> int:
    for i, limit in enumerate(settings.size_thresholds, start=1):
        if population < limit:
            return i
    return len(settings.size_thresholds) + 1


SortKey = Literal["name", "-name", "number", "-number", "population", "-population"]
SORT_COLUMNS = {
    "name": Municipality.name,
    "number": Municipality.number,
    "population": Municipality.population,
}


@dataclass
class MunicipalityRow:
    municipality: Municipality
    size_class: int
    size_class_label: str


@dataclass
class MunicipalityList:
    rows: list[MunicipalityRow]
    total: int
    classes: list[SizeClass]
    counts: dict[int, int]
    population_total: int


def _class_filter(settings: WorkspaceSettings, size_class: int | None) -> list[object]:
    if not size_class:
        return []
    cls = next((c for c in size_classes(settings) if c.index == size_class), None)
    if cls is None:
        raise InvalidInput({"size_class": lazy("Ukjent størrelsesklasse.")})
    conds: list[object] = []
    if cls.lower is not None:
        conds.append(Municipality.population >= cls.lower)
    if cls.upper is not None:
        conds.append(Municipality.population < cls.upper)
    return conds


def list_municipalities(
    session: Session,
    workspace: Workspace,
    *,
    sort: str = "name",
    size_class: int | None = None,
    q: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> MunicipalityList:
    settings = settings_of(workspace)
    classes = size_classes(settings)
    labels = {c.index: c.label for c in classes}
    descending = sort.startswith("-")
    column = SORT_COLUMNS.get(sort.lstrip("-"), Municipality.name)
    base = select(Municipality).where(Municipality.county_number == workspace.county_number)
    conds = _class_filter(settings, size_class)
    if q:
        base = base.where(func.lower(Municipality.name).contains(q.strip().lower()))
    filtered = base.where(*conds)  # type: ignore[arg-type]
    order = column.desc() if descending else column.asc()
    query = filtered.order_by(order, Municipality.number)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    municipalities = list(session.scalars(query))
    everything = list(session.execute(base.with_only_columns(Municipality.population)).scalars())
    counts = {c.index: 0 for c in classes}
    for population in everything:
        counts[size_class_of(population, settings)] += 1
    total = session.scalar(filtered.with_only_columns(func.count())) or 0
    rows = [
        MunicipalityRow(
            m, size_class_of(m.population, settings), labels[size_class_of(m.population, settings)]
        )
        for m in municipalities
    ]
    return MunicipalityList(
        rows=rows,
        total=total,
        classes=classes,
        counts=counts,
        population_total=sum(everything),
    )


@functools.cache
def _choices_query() -> Any:
    return (
        select(Municipality.number, Municipality.name)
        .where(Municipality.county_number == bindparam("county", type_=String()))
        .order_by(Municipality.name)
    )


def municipality_choices(session: Session, county_number: str) -> list[Any]:
    """The county's municipalities to choose from (a list page's filter): plain rows of
    ``number`` and ``name``, by name, from a statement made once per process — no ORM objects
    for a list shown on every view."""
    return list(session.execute(_choices_query(), {"county": county_number}).all())


def municipalities_of_county(session: Session, county_number: str) -> list[Municipality]:
    return list(
        session.scalars(
            select(Municipality)
            .where(Municipality.county_number == county_number)
            .order_by(Municipality.name)
        )
    )
