# Green Light Services: the commands of the README. Everything runs from .venv.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# Bytecode caches make every `gls` and test subprocess start several times faster.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: install browser up down status test lint format lock

install: $(INSTALLED)

$(INSTALLED): requirements.lock python-packages/*/pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.8
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.lock
	@touch $@

## Run the whole platform locally (embedded PostgreSQL, no Docker).
up: install
	$(BIN)/gls up

## Stop everything `make up` started.
down: install
	$(BIN)/gls down

status: install
	$(BIN)/gls status

## The headless browser of the UI's browser test: Debian's chromium, installed when missing and
## we are root (CI, containers); otherwise the test skips, or fails with CI=true.
CHROMIUM ?= /usr/bin/chromium
browser:
	@if [ ! -x $(CHROMIUM) ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing chromium (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi

## Install, then run the whole test suite against a real PostgreSQL.
test: install browser
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Re-pin every dependency after changing a pyproject.toml or requirements.in.
lock: install
	$(BIN)/uv pip compile --quiet --universal --python-version 3.11 requirements.in -o requirements.lock
