# Samspill — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
VENDOR := app/static/vendor

export SAMSPILL_PORT ?= $(PORT)

.PHONY: run test lint typecheck assets install install-test migrate demo serve worker clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements-pip.lock

# Dependencies come pinned, with hashes, from the lock files (scripts/lock.sh makes them);
# the project itself is installed editable on top, without resolving anything again.
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml requirements-test.lock $(VENV)/.installed
	$(BIN)/pip install --quiet --require-hashes -r requirements-test.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/.copied: node_modules/.installed scripts/copy-assets.sh
	sh scripts/copy-assets.sh
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test
assets: $(VENDOR)/.copied

migrate: install
	$(BIN)/samspill migrate

demo: migrate
	$(BIN)/samspill load-demo --if-empty

## make run: set up everything that is missing, then serve on http://127.0.0.1:$(PORT)
run: install assets
	@$(BIN)/samspill setup --demo
	@echo "Samspill: http://127.0.0.1:$(PORT)  (e-mail the demo sends: http://127.0.0.1:$(PORT)/dev/post)"
	SAMSPILL_MAIL_WORKER_IN_PROCESS=true $(BIN)/samspill serve --port $(PORT)

serve: install assets
	$(BIN)/samspill serve --port $(PORT)

worker: install
	$(BIN)/samspill worker

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-test
	$(BIN)/mypy

## make test: lint, type check and the whole test suite (SQLite always; PostgreSQL and the
## browser when present — see README). The tests run in one process per core (pytest-xdist),
## at most four (each runs servers and a browser of its own); PYTEST_WORKERS=0 runs them in
## this one.
PYTEST_WORKERS ?= $(shell n=$$(nproc 2> /dev/null || echo 1); [ "$$n" -gt 4 ] && n=4; echo $$n)
test: install-test assets lint typecheck
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .pytest_cache .mypy_cache .ruff_cache
