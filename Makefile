# Green Light Services: the commands of the README. Everything runs from .venv.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# pgAdmin pins its dependencies exactly, against ours: it gets a virtualenv of its own.
PGADMIN_VENV := .venv-pgadmin
PGADMIN_INSTALLED := $(PGADMIN_VENV)/.installed
# The browser tests' Chromium: Debian's, unless GLS_TEST_CHROMIUM names another build.
CHROMIUM := $(or $(GLS_TEST_CHROMIUM),/usr/bin/chromium)
# Bytecode caches make every `gls` and test subprocess start several times faster.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: install up down status smoke test browser screenshots lint format lock audit

install: $(INSTALLED) $(PGADMIN_INSTALLED)

$(INSTALLED): requirements.lock python-packages/*/pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.8
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.lock
	@touch $@

$(PGADMIN_INSTALLED): requirements-pgadmin.lock $(INSTALLED)
	@test -x $(PGADMIN_VENV)/bin/python || $(BIN)/uv venv --quiet --python $(PYTHON) $(PGADMIN_VENV)
	$(BIN)/uv pip sync --quiet --python $(PGADMIN_VENV)/bin/python requirements-pgadmin.lock
	@touch $@

## Run the whole platform locally (embedded PostgreSQL, no Docker).
up: install
	$(BIN)/gls up

## Stop everything `make up` started.
down: install
	$(BIN)/gls down

status: install
	$(BIN)/gls status

## Check that every service of `make up` answers as it should, logins included.
smoke: install
	$(BIN)/gls smoke

## Install, then run the whole test suite against a real PostgreSQL; writes docs/reliability.md.
test: install browser
	$(BIN)/pytest --reliability-report docs/reliability.md

## The README's screenshots of each page, taken again by the browser test.
screenshots: install browser
	GLS_SCREENSHOT_DIR=$(CURDIR)/python-packages/green_light_ui/docs $(BIN)/pytest -q python-packages/green_light_ui/tests/test_browser.py

## The headless Chromium of the browser tests (Debian's package; Playwright downloads none).
browser:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
	      && test -x $(CHROMIUM) || { echo "installing chromium did not give $(CHROMIUM)" >&2; exit 1; }; \
	  else \
	    echo "the browser tests need $(CHROMIUM): run 'sudo apt-get install chromium'" >&2; exit 1; \
	  fi; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Known vulnerabilities of every pinned dependency (pip-audit; accepted ones in audit-ignore.txt).
## Exits 3, saying so, when the vulnerability service cannot be asked.
audit: $(INSTALLED)
	bash .ci/audit

## Re-pin every dependency after changing a pyproject.toml or requirements*.in.
lock: $(INSTALLED)
	$(BIN)/uv pip compile --quiet --universal --python-version 3.11 requirements.in -o requirements.lock
	$(BIN)/uv pip compile --quiet --universal --python-version 3.11 requirements-pgadmin.in -o requirements-pgadmin.lock
