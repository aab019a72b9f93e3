# Samspill: the same steps `make run` takes, and the same as scripts/smoke-wheel.sh (which CI
# runs): the front-end assets, a wheel built with them, the wheel installed.
# No Docker engine runs on the development machines; this file is kept to those steps.

# --- 1. front-end assets from npm --------------------------------------------------------
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
COPY scripts/copy-assets.sh scripts/copy-assets.sh
RUN mkdir -p app/static && sh scripts/copy-assets.sh

# --- 2. the wheel: templates, migrations, alembic.ini, translations, static and vendor files
FROM python:3.11-slim-bookworm AS wheel
ENV PIP_NO_CACHE_DIR=1
WORKDIR /build
COPY pyproject.toml setup.py MANIFEST.in README.md alembic.ini ./
COPY app app
COPY migrations migrations
COPY templates templates
# Before the build, so that they land in the wheel.
COPY --from=assets /build/app/static/vendor app/static/vendor
RUN test -f app/static/vendor/htmx.min.js && pip wheel --no-deps -w /wheels .

# --- 3. the Python service ---------------------------------------------------------------
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    SAMSPILL_ENVIRONMENT=production SAMSPILL_WORKERS=2 \
    SAMSPILL_STORAGE_DIR=/srv/samspill/var/storage
# Pango and fonts for WeasyPrint (the PDF of a consultation summary); pg_dump/pg_restore for
# `samspill backup` and `restore`.
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
        postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 samspill
# A failed install fails the build.
# The dependencies exactly as pinned, each checked against its hash; then the wheel alone.
# First pip itself, pinned (requirements-pip.lock): pip older than 23.3 refuses the
# hash-checked install once an extra (fonttools[woff]) has a release newer than its pin.
COPY requirements-pip.lock requirements.lock /tmp/
RUN pip install --require-hashes -r /tmp/requirements-pip.lock \
    && pip install --require-hashes -r /tmp/requirements.lock \
    && rm /tmp/requirements-pip.lock /tmp/requirements.lock
COPY --from=wheel /wheels /wheels
RUN pip install --no-deps /wheels/samspill-*.whl && rm -rf /wheels
# The working folder holds only data (the package is in site-packages).
WORKDIR /srv/samspill
RUN mkdir -p var/storage && chown -R samspill:samspill var
# Attachments live here: mount a volume shared by every app container and back it up.
VOLUME /srv/samspill/var/storage
USER samspill
EXPOSE 8000
# SAMSPILL_DATABASE_URL (the app's ordinary role) and SAMSPILL_MIGRATION_DATABASE_URL (the
# owner, for `samspill migrate`) come from the environment.
# Ready = the database answers, a template renders and the storage folder is writable.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=5)" || exit 1
CMD ["sh", "-c", "samspill serve --host 0.0.0.0 --port 8000 --workers ${SAMSPILL_WORKERS}"]
