# chorusbat — the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Debian packages the test suite needs: a browser for the screen tests, a PostgreSQL server for the
# concurrency tests, gettext to compile translations, poppler-utils (pdftoppm) to turn the PDF previews into PNGs.
DEBIAN_TEST_PACKAGES := chromium postgresql gettext poppler-utils
PYTEST_ARGS ?=

.PHONY: run test lint install system-deps messages clean-data help

help:
	@echo "make run   — set everything up and run chorusbat on 127.0.0.1 (Ctrl-C to stop)"
	@echo "make test  — install what is missing and run the whole test suite"

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# Installs the Debian packages that are missing, with apt-get, when running as root.
system-deps:
	@missing=""; for p in $(DEBIAN_TEST_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing Debian packages:$$missing — install them as root (apt-get install$$missing)."; exit 1; \
	  fi; \
	fi

run: install
	$(BIN)/chorusbat up

# The linters first (ruff, and import-linter for the dependency graph: docs/architecture.md), then the whole
# suite on SQLite, then the tests marked `postgres` (concurrency, gateway) again on a private PostgreSQL cluster
# started for the occasion (scripts/pg_private.py).
test: install system-deps lint
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)
	$(BIN)/python scripts/pg_private.py -- $(BIN)/python -m pytest -n 2 -m postgres $(PYTEST_ARGS)

# A violation fails the build: ruff (rules in pyproject.toml) and the import contracts ([tool.importlinter]).
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

messages: install
	cd chorusbat && ../$(BIN)/chorusbat makemessages -l fr --no-obsolete && ../$(BIN)/chorusbat compilemessages

clean-data:
	rm -rf var
