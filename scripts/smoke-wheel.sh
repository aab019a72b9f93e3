#!/usr/bin/env bash
# Smoke test of the real artefact, as an operator (and the Dockerfile) would use it:
#
#   1. build the wheel from the checkout, after `make assets` (the vendored front-end files),
#      with the pip of requirements-pip.lock in a fresh virtualenv in a temporary folder
#      outside the checkout;
#   2. install it into that virtualenv (the dependencies pinned with hashes in
#      requirements.lock, from PyPI), then `pip check`;
#   3. create a fresh PostgreSQL database and an ordinary login role for the app (no superuser,
#      no BYPASSRLS), and run `samspill migrate` as the owner from a temporary working folder;
#   4. `samspill serve` on a free port as the app's role, and fetch /logg-inn, a vendored
#      static file and /readyz — each must answer 200 — and /metrics, which must count them;
#   5. stop the server, drop the database.
#
# Exits non-zero with a message naming the step that failed. PostgreSQL: the owner URL in
# SAMSPILL_SMOKE_POSTGRES_URL, else SAMSPILL_TEST_POSTGRES_URL, else
# postgresql://postgres@127.0.0.1:5432/postgres. PYTHON picks the interpreter (python3).
# KEEP=1 keeps the temporary folder and the database.
set -euo pipefail
cd "$(dirname "$0")/.."
CHECKOUT=$(pwd)
PYTHON=${PYTHON:-python3}
OWNER_URL=${SAMSPILL_SMOKE_POSTGRES_URL:-${SAMSPILL_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}}
OWNER_URL=${OWNER_URL/postgresql+psycopg:\/\//postgresql://}
APP_ROLE=samspill_smoke_app
DB=samspill_smoke_$(date +%s)_$$
VENDOR_FILE=static/vendor/htmx.min.js   # loaded by templates/base.html

start=$(date +%s)
step() { echo "== smoke: $*"; }
fail() {
  echo "SMOKE TEST FAILED: $*" >&2
  exit 1
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/samspill-smoke.XXXXXX")
SERVER_PID=""
DB_CREATED=""
cleanup() {
  status=$?
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2> /dev/null; then
    kill "$SERVER_PID" 2> /dev/null || true
    wait "$SERVER_PID" 2> /dev/null || true
  fi
  if [ "$status" -ne 0 ] && [ -f "$TMP/serve.log" ]; then
    echo "-- last lines of the server's log:" >&2
    tail -n 30 "$TMP/serve.log" >&2 || true
  fi
  if [ "${KEEP:-0}" = 1 ]; then
    echo "== smoke: kept $TMP and the database $DB"
    return
  fi
  if [ -n "$DB_CREATED" ]; then
    psql "$OWNER_URL" -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" \
      > /dev/null || echo "smoke: could not drop the database $DB" >&2
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

# --- 1. the wheel ---------------------------------------------------------------------------
step "front-end assets (make assets)"
make --no-print-directory assets > /dev/null || fail "make assets failed"
[ -f "app/$VENDOR_FILE" ] || fail "app/$VENDOR_FILE is missing after make assets"

step "a fresh virtualenv in $TMP, with pip from requirements-pip.lock"
"$PYTHON" -m venv "$TMP/venv" || fail "could not create a virtualenv with $PYTHON"
# The venv's own pip may be older than 23.3, which refuses a hash-checked install as soon as an
# extra (weasyprint's fonttools[woff]) has a release newer than the pin ("all requirements
# must have their versions pinned with =="). The Makefile and the Dockerfile install the same.
"$TMP/venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes \
  -r "$CHECKOUT/requirements-pip.lock" || fail "could not install pip from requirements-pip.lock"

step "building the wheel"
rm -rf build # left-overs of an earlier build would go into the wheel
"$TMP/venv/bin/pip" wheel --quiet --disable-pip-version-check --no-deps \
  --wheel-dir "$TMP/wheel" "$CHECKOUT" || fail "building the wheel failed"
rm -rf build
WHEEL=$(ls "$TMP"/wheel/samspill-*.whl 2> /dev/null | head -n 1)
[ -n "$WHEEL" ] || fail "no wheel was built"
"$PYTHON" - "$WHEEL" "app/$VENDOR_FILE" << 'EOF' || fail "the wheel lacks files the app needs"
import sys, zipfile

names = set(zipfile.ZipFile(sys.argv[1]).namelist())
needed = [
    "app/templates/base.html",
    "app/templates/accounts/login.html",
    "app/migrations/env.py",
    "app/alembic.ini",
    "app/locale/nn/LC_MESSAGES/messages.po",
    "app/locale/en/LC_MESSAGES/messages.po",
    "app/counties/data/municipalities.csv",
    "app/schemes/data/national_schemes.json",
    "app/static/samspill.css",
    "app/static/api-docs.js",
    "app/static/vendor/swagger-ui/swagger-ui-bundle.js",
    "app/static/vendor/swagger-ui/swagger-ui.css",
    "app/templates/api/docs.html",
    sys.argv[2],
]
missing = [n for n in needed if n not in names]
if not any(n.startswith("app/migrations/versions/") for n in names):
    missing.append("app/migrations/versions/*")
for n in missing:
    print(f"  missing in the wheel: {n}", file=sys.stderr)
sys.exit(1 if missing else 0)
EOF
echo "   $(basename "$WHEEL"): $(du -k "$WHEEL" | cut -f1) kB"

# --- 2. the wheel in the virtualenv ---------------------------------------------------------
step "installing the wheel into the fresh virtualenv"
# As the Dockerfile does: the pinned dependencies with their hashes, then the wheel alone.
"$TMP/venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes \
  -r "$CHECKOUT/requirements.lock" || fail "pip install of requirements.lock failed"
"$TMP/venv/bin/pip" install --quiet --disable-pip-version-check --no-deps "$WHEEL" \
  || fail "pip install of the wheel failed"
"$TMP/venv/bin/pip" check --disable-pip-version-check > "$TMP/pip-check.log" 2>&1 \
  || { cat "$TMP/pip-check.log" >&2; fail "pip check: the installed packages do not fit together"; }
SAMSPILL="$TMP/venv/bin/samspill"
mkdir "$TMP/work"
cd "$TMP/work" # the working folder: no checkout, no .env
unset PYTHONPATH
for name in $(env | sed -n 's/^\(SAMSPILL_[A-Z0-9_]*\)=.*/\1/p'); do unset "$name"; done
where=$("$TMP/venv/bin/python" -c "import app; print(app.__file__)")
case "$where" in
  "$TMP/venv/"*) ;;
  *) fail "the app was imported from $where, not from the fresh virtualenv" ;;
esac

# --- 3. a fresh database, an ordinary role, the migration -----------------------------------
step "creating the database $DB and the role $APP_ROLE"
pg_isready -q -d "$OWNER_URL" || fail "PostgreSQL does not answer at $OWNER_URL"
psql "$OWNER_URL" -q -v ON_ERROR_STOP=1 > /dev/null << EOF || fail "could not create the database"
SELECT 'CREATE ROLE $APP_ROLE LOGIN NOSUPERUSER NOBYPASSRLS'
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$APP_ROLE') \gexec
CREATE DATABASE "$DB";
EOF
DB_CREATED=1
db_url() { # the owner URL with another user and database, in SQLAlchemy's form
  "$TMP/venv/bin/python" -c '
import sys
from sqlalchemy import make_url
url = make_url(sys.argv[1]).set(drivername="postgresql+psycopg", database=sys.argv[2])
if sys.argv[3]:
    url = url.set(username=sys.argv[3], password=None)
print(url.render_as_string(hide_password=False))' "$OWNER_URL" "$DB" "${1:-}"
}
export SAMSPILL_MIGRATION_DATABASE_URL="$(db_url)"
export SAMSPILL_DATABASE_URL="$(db_url "$APP_ROLE")"
export SAMSPILL_APP_DB_ROLE="$APP_ROLE"

step "samspill migrate (from $TMP/work)"
"$SAMSPILL" migrate || fail "samspill migrate failed"

# --- 4. serve and fetch ---------------------------------------------------------------------
PORT=$("$TMP/venv/bin/python" -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
step "samspill serve on 127.0.0.1:$PORT"
"$SAMSPILL" serve --host 127.0.0.1 --port "$PORT" --workers 2 > "$TMP/serve.log" 2>&1 &
SERVER_PID=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 60); do
  curl -fsS -o /dev/null "$BASE/healthz" 2> /dev/null && break
  kill -0 "$SERVER_PID" 2> /dev/null || fail "samspill serve stopped"
  sleep 0.5
done
curl -fsS -o /dev/null "$BASE/healthz" || fail "samspill serve did not come up within 30 s"

failed=0
for path in /logg-inn "/$VENDOR_FILE" /readyz; do
  code=$(curl -sS -o "$TMP/body" -w '%{http_code}' "$BASE$path" || echo "000")
  if [ "$code" = 200 ]; then
    echo "   GET $path -> 200"
  else
    echo "   GET $path -> $code (expected 200)" >&2
    head -c 500 "$TMP/body" >&2 2> /dev/null && echo >&2
    failed=1
  fi
done
[ "$failed" = 0 ] || fail "a page did not answer 200"
grep -q '"status":"ready"' "$TMP/body" || fail "/readyz did not say ready: $(cat "$TMP/body")"
[ -d "$TMP/work/var/storage" ] || fail "the storage folder was not made in the working folder"
if [ -e "$(dirname "$where")/../var" ]; then fail "data was written into site-packages"; fi
# Metrics from this machine (loopback is allowed by default), counting the requests above.
curl -fsS -o "$TMP/metrics" "$BASE/metrics" || fail "/metrics did not answer"
grep -q 'samspill_http_requests_total{method="GET",route="/logg-inn",status="200"} 1.0' \
  "$TMP/metrics" || fail "/metrics does not count the GET /logg-inn just made"
echo "   GET /metrics -> 200, counts the GET /logg-inn"

# --- 5. stop ----------------------------------------------------------------------------------
step "stopping the server"
kill "$SERVER_PID"
wait "$SERVER_PID" 2> /dev/null || true
SERVER_PID=""
cd "$CHECKOUT"
echo "== smoke: the wheel works (took $(($(date +%s) - start)) s)"
