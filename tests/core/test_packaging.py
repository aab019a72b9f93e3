"""Where the app finds its files: the package's own (a wheel carries templates, migrations and
alembic.ini inside it; a checkout has them next to app/), and data in the working folder."""

from pathlib import Path

import pytest

import app
from app.config import Settings
from app.migrate import alembic_config


def test_the_checkout_has_what_the_app_reads_at_run_time():
    assert (app.TEMPLATES_DIR / "base.html").is_file()
    assert (app.MIGRATIONS_DIR / "env.py").is_file()
    assert app.ALEMBIC_INI.is_file()
    assert alembic_config().get_main_option("script_location") == str(app.MIGRATIONS_DIR)


def test_a_copy_inside_the_package_comes_first(tmp_path, monkeypatch):
    (tmp_path / "templates").mkdir()
    monkeypatch.setattr(app, "PACKAGE_DIR", tmp_path / "app")
    (tmp_path / "app" / "templates").mkdir(parents=True)
    assert app._shipped("templates") == tmp_path / "app" / "templates"
    assert app._shipped("migrations") == tmp_path / "migrations"


def test_data_defaults_are_in_the_working_folder(monkeypatch: pytest.MonkeyPatch):
    for name in ("SAMSPILL_DATABASE_URL", "SAMSPILL_STORAGE_DIR"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_url == "sqlite:///var/samspill.db"
    assert settings.storage_dir == Path("var/storage")
    assert not settings.storage_dir.is_absolute()
