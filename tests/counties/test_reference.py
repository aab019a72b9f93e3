from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from app.cli import cli
from app.counties import service
from app.counties.models import County, Municipality


def test_fifteen_counties_and_357_municipalities(db):
    assert db.scalar(select(func.count()).select_from(County)) == 15
    assert db.scalar(select(func.count()).select_from(Municipality)) == 357


def test_every_municipality_number_starts_with_its_county(db):
    for m in db.scalars(select(Municipality)):
        assert m.number[:2] == m.county_number, m.number


def test_known_facts(db):
    oslo = db.get(Municipality, "0301")
    assert oslo.name == "Oslo" and oslo.county_number == "03"
    assert db.get(County, "03").name == "Oslo"  # both county and municipality
    assert db.get(Municipality, "3303").county_number == "33"  # Kongsberg in Buskerud
    assert db.get(Municipality, "4005").county_number == "40"  # Notodden in Telemark
    assert db.get(County, "33").name == "Buskerud" and db.get(County, "40").name == "Telemark"
    karasjok = db.get(Municipality, "5610")
    assert karasjok.name == "Karasjok" and karasjok.name_sami == "Kárášjohka"
    assert db.get(County, "55").name_kven == "Tromssa"
    assert db.get(Municipality, "5020").name == "Osen"
    # Trøndelag has 38 municipalities, Vestland 43.
    count = select(func.count()).select_from(Municipality)
    assert db.scalar(count.where(Municipality.county_number == "50")) == 38
    assert db.scalar(count.where(Municipality.county_number == "46")) == 43


def test_population_adds_up_to_the_national_total(db):
    # SSB: 5 550 203 inhabitants on 1 January 2024.
    assert db.scalar(select(func.sum(Municipality.population))) == 5_550_203


def test_size_classes_with_default_and_custom_thresholds():
    default = service.settings_of(type("W", (), {"settings": {}})())
    assert [service.size_class_of(p, default) for p in (898, 1500, 2999, 3000, 19999, 20000)] == [
        1,
        2,
        2,
        3,
        4,
        5,
    ]
    labels = [c.label for c in service.size_classes(default)]
    assert labels[0] == "under 1\u00a0500" and labels[-1] == "20\u00a0000 og over"


@pytest.fixture
def cli_db(tmp_path, monkeypatch):
    from app.config import get_settings
    from app.migrate import migrate

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    migrate(url)
    monkeypatch.setenv("SAMSPILL_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


EXPORT = """\
"region";"år";"07459: Befolkning, etter region og år"
"5020 Osen";"2025";901
"3303 Kongsberg";"2025";29000
"""


@pytest.fixture
def owner_db(cli_db):
    """The owner's connection: reference data is written only by the CLI, never by the app's
    database role (on PostgreSQL the app role is refused; see test_tenancy)."""
    from sqlalchemy.orm import Session

    from app.db import make_engine

    engine = make_engine(cli_db)
    with Session(engine) as session:
        yield session
    engine.dispose()


def test_import_population_updates_rows(owner_db):
    db = owner_db
    report = service.import_population(db, EXPORT)
    assert report.errors == [] and report.updated == 2 and report.year == 2025
    osen = db.get(Municipality, "5020")
    assert (osen.population, osen.population_year) == (901, 2025)
    again = service.import_population(db, EXPORT)
    assert again.updated == 0 and again.unchanged == 2


def test_import_population_reports_bad_rows_and_changes_nothing(owner_db):
    db = owner_db
    bad = EXPORT + '"9999 Uoppgitt";"2025";12\n"5020 Osen";"tjuefem";10\n"Fylke";"2025";1\n'
    report = service.import_population(db, bad)
    assert report.updated == 0
    assert any(line.startswith("Linje 4:") and "9999" in line for line in report.errors)
    assert any(line.startswith("Linje 5:") for line in report.errors)
    assert any(line.startswith("Linje 6:") for line in report.errors)
    assert db.get(Municipality, "5020").population_year == 2024


def test_cli_import_population(cli_db, tmp_path: Path):
    good = tmp_path / "07459.csv"
    good.write_text(EXPORT, encoding="utf-8")
    result = CliRunner().invoke(cli, ["import-population", str(good)])
    assert result.exit_code == 0, result.output
    assert "2 municipalities updated" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text(EXPORT + '"0000 Nowhere";"2025";1\n', encoding="cp1252")
    result = CliRunner().invoke(cli, ["import-population", str(bad)])
    assert result.exit_code == 1
    assert "Linje 4" in result.output and "Nothing was changed" in result.output


def test_cli_workspace_admin_and_demo(cli_db):
    runner = CliRunner()
    r = runner.invoke(cli, ["workspace", "create", "--county", "50", "--slug", "trondelag"])
    assert r.exit_code == 0 and "trondelag" in r.output
    r = runner.invoke(cli, ["workspace", "create", "--county", "50", "--slug", "trondelag"])
    assert r.exit_code == 1 and "finnes allerede" in r.output
    r = runner.invoke(cli, ["workspace", "create", "--county", "99", "--slug", "ukjent"])
    assert r.exit_code == 1
    r = runner.invoke(
        cli,
        [
            "create-admin",
            "--email",
            "Sjef@Fylke.no",
            "--name",
            "Sjef",
            "--password",
            "langt-nok-passord",
        ],
    )
    assert r.exit_code == 0 and "sjef@fylke.no is county admin of: trondelag" in r.output
    # The demo refuses to load into a database that has data.
    r = runner.invoke(cli, ["load-demo"])
    assert r.exit_code == 1
    r = runner.invoke(cli, ["load-demo", "--if-empty"])
    assert r.exit_code == 0 and "not loaded" in r.output


def test_cli_demo_into_empty_database(cli_db):
    r = CliRunner().invoke(cli, ["load-demo"])
    assert r.exit_code == 0, r.output
    for email in (
        "admin@samspill.demo",
        "koordinator@trondelag.demo",
        "hjelper@trondelag.demo",
        "kommunedirektor@osen.demo",
        "radgiver@statsforvalteren.demo",
        "radgiver@ks.demo",
        "koordinator@vestland.demo",
    ):
        assert email in r.output
    assert "demo-passord" in r.output
