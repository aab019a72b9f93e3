"""One build step on top of pyproject.toml: the wheel carries what the app reads at run time
from the top of the repository.

``templates/``, ``migrations/`` and ``alembic.ini`` stay at the top of the repository, where an
editable install (``make install``) and ``alembic revision`` use them. An installed wheel has no
checkout next to it, so the build copies them into the package (``app/templates``,
``app/migrations``, ``app/alembic.ini``), where ``app/__init__.py`` looks first. Everything else
(package data such as the translations and the static files, including the vendored front-end
files when ``make assets`` has made them) is declared in pyproject.toml."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SHIPPED = ("templates", "migrations", "alembic.ini")


class BuildPyWithShipped(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads them in the checkout
        package = Path(self.build_lib) / "app"
        for name in SHIPPED:
            source, target = HERE / name, package / name
            if not source.exists():
                raise SystemExit(f"setup.py: {source} is missing; the wheel would not work")
            if source.is_dir():
                shutil.rmtree(target, ignore_errors=True)
                shutil.copytree(
                    source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
                )
            else:
                shutil.copy2(source, target)


setup(cmdclass={"build_py": BuildPyWithShipped})
