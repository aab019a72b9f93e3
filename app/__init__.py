"""Samspill: the county's workspace for innovation and digitalisation."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    """A run-time file or folder kept at the top of the repository (``templates/``,
    ``migrations/``, ``alembic.ini``). A built wheel carries it inside the package (``setup.py``
    copies it there), which is looked at first; a checkout and its editable install read it
    where it is, next to ``app/``."""
    inside = PACKAGE_DIR / name
    return inside if inside.exists() else PACKAGE_DIR.parent / name


TEMPLATES_DIR = _shipped("templates")
MIGRATIONS_DIR = _shipped("migrations")
ALEMBIC_INI = _shipped("alembic.ini")
