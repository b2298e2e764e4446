# Everyday commands. `make run` and `make test` work on a fresh machine with Python 3.10+.

PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# One stamp per set of packages: serving the site needs the project's dependencies only; the
# tests and linters add the dev extra. Each is installed once, and again when pyproject.toml
# changes.
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: help install install-dev run serve worker backup restore test lint format check messages clean

help:
	@echo "make run     install, migrate, load the demo, print an admin password, serve on port $(PORT)"
	@echo "make serve   production settings under gunicorn with $(TASK_WORKERS) task worker(s), after collectstatic and migrate"
	@echo "make worker  one task worker alone (large BibTeX imports run there), e.g. on another machine"
	@echo "make backup  write backups/directory-<date>.tar.gz: all data and uploaded files"
	@echo "make restore FILE=...  load a backup into an empty database"
	@echo "make install  what serving the site needs (make install-dev: and the test tools, linters)"
	@echo "make test    run the whole test suite"
	@echo "make lint    ruff (lint and format check) and Django's system checks"
	@echo "make format  format the code with ruff"
	@echo "make messages  extract and compile the French translations (needs GNU gettext)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10 or newer is needed (PYTHON=python3.x make ...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

# The dev extra holds the project's dependencies too, so it marks both as installed.
$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP) $(DEV_STAMP)

install: $(STAMP)

install-dev: $(DEV_STAMP)

# Canonical links and feeds name the address the development server listens on.
run: export DJANGO_PUBLIC_URL ?= http://127.0.0.1:$(PORT)
run: install
	$(MANAGE) migrate --no-input
	$(MANAGE) loaddemo
	$(MANAGE) localadmin
	@echo "Profile: http://127.0.0.1:$(PORT)/fr/chercheurs/razvan-pascanu/  Admin: http://127.0.0.1:$(PORT)/admin/"
	$(call with_workers,1,,$(MANAGE) runserver 127.0.0.1:$(PORT))

# Background tasks (the preview and import of a large BibTeX file) wait in the database until a
# worker runs them. `make run` and `make serve` start workers beside the web server and stop them
# with it; `make worker` runs one alone. Workers may run anywhere the database is reachable, as
# many as wanted (each takes one task at a time): `make serve TASK_WORKERS=3`, or `make worker`
# once per worker. A worker stopped with Ctrl-C or SIGTERM finishes its task first.
TASK_WORKERS ?= 1
# $(call with_workers,COUNT,ENV,COMMAND): COUNT workers in the background while COMMAND runs.
define with_workers
	@pids=""; for n in $$(seq $(1)); do $(2) $(MANAGE) db_worker --no-reload --queue-name default & pids="$$pids $$!"; done; \
	trap 'kill $$pids 2>/dev/null; wait' EXIT INT TERM; \
	$(3)
endef

# Production: the settings read DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL and the other
# variables the README lists; gunicorn's own (GUNICORN_BIND, WEB_CONCURRENCY) are in config/gunicorn.py.
PROD := DJANGO_SETTINGS_MODULE=config.settings.prod

serve: install
	$(PROD) $(MANAGE) check --deploy
	$(PROD) $(MANAGE) collectstatic --no-input --verbosity 0
	$(PROD) $(MANAGE) migrate --no-input
	$(call with_workers,$(TASK_WORKERS),$(PROD),$(PROD) $(BIN)/gunicorn --config config/gunicorn.py)

# Uses the settings of the environment, as `make backup` does (DJANGO_SETTINGS_MODULE, DATABASE_URL).
worker: install
	$(MANAGE) db_worker --no-reload --queue-name default

# Backups use the same settings as the site: DJANGO_SETTINGS_MODULE, DATABASE_URL, DJANGO_MEDIA_ROOT.
backup: install
	$(MANAGE) backup

restore: install
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=backups/directory-....tar.gz"; exit 2; }
	$(MANAGE) restore "$(FILE)"

CHROMIUM ?= /usr/bin/chromium

test: install-dev
	$(BIN)/pytest
	@test -x $(CHROMIUM) || echo "NOTE: Chromium is not installed, so the browser tests in tests/browser were skipped (apt-get install chromium)."
	@command -v biber >/dev/null || echo "NOTE: biber is not installed, so biber's check of the BibTeX exports was skipped (apt-get install biber)."

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install
	$(MANAGE) makemessages --locale fr --ignore "$(VENV)/*" --ignore "tests/*" --no-obsolete
	$(MANAGE) compilemessages --locale fr --ignore "$(VENV)/*"

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
