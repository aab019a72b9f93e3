# Samspill: the same steps `make run` takes, in two stages.
# No Docker engine runs on the development machines; this file is kept to those steps.

# --- 1. front-end assets from npm --------------------------------------------------------
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY scripts/copy-assets.sh scripts/copy-assets.sh
RUN mkdir -p app/static && sh scripts/copy-assets.sh

# --- 2. the Python service ---------------------------------------------------------------
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    SAMSPILL_ENVIRONMENT=production SAMSPILL_WORKERS=2
# Pango and fonts for WeasyPrint (the PDF of a consultation summary).
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 samspill
WORKDIR /srv/samspill
COPY pyproject.toml README.md alembic.ini ./
COPY app app
COPY migrations migrations
COPY templates templates
RUN pip install .  && pip cache purge || true
COPY --from=assets /build/app/static/vendor app/static/vendor
RUN mkdir -p var/storage && chown -R samspill:samspill var
# Attachments live here: mount a volume shared by every app container and back it up.
VOLUME /srv/samspill/var/storage
USER samspill
EXPOSE 8000
# SAMSPILL_DATABASE_URL (the app's ordinary role) and SAMSPILL_MIGRATION_DATABASE_URL (the
# owner, for `samspill migrate`) come from the environment.
HEALTHCHECK CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz')" || exit 1
CMD ["sh", "-c", "samspill serve --host 0.0.0.0 --port 8000 --workers ${SAMSPILL_WORKERS}"]
