#!/bin/sh
# The PostgreSQL image runs this once, when its data volume is first initialised
# (/docker-entrypoint-initdb.d): the ordinary login role the app connects as. No superuser and
# no BYPASSRLS, so row-level security applies to it; `samspill migrate` grants it what it needs.
# Environment: POSTGRES_USER, POSTGRES_DB (the image's), SAMSPILL_APP_DB_PASSWORD, and
# SAMSPILL_APP_DB_ROLE (default samspill_app).
# The image sources this file when it is not executable, so it changes no shell options.
if [ -z "${SAMSPILL_APP_DB_PASSWORD:-}" ]; then
  echo "create-app-role.sh: SAMSPILL_APP_DB_PASSWORD is not set" >&2
  exit 1
fi
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  --set=role="${SAMSPILL_APP_DB_ROLE:-samspill_app}" \
  --set=password="$SAMSPILL_APP_DB_PASSWORD" << 'SQL' || exit 1
CREATE ROLE :"role" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  PASSWORD :'password';
SQL
