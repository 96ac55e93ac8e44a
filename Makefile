# Lisa's Top Ten: `make run` for a local site with demo content, `make test` for the checks CI runs.

.DEFAULT_GOAL := help
.PHONY: help install constraints run test lint format chromium redis clean bench chaos load guide

PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium
export PORT CHROMIUM

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CONSTRAINTS := $(wildcard constraints.txt)

# The venv's Python: PYTHON if given, else the first of these that is 3.12 or newer. Inside the
# repo pyenv's shims follow .python-version; elsewhere a missing version simply doesn't answer.
PYTHON_CANDIDATES := python3.12 python3.13 python3.14 python3
PYTHON ?= $(shell for py in $(PYTHON_CANDIDATES); do \
	$$py -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo $$py; break; }; \
	done)

help:
	@echo "make install     create .venv and install the pinned dependencies (reruns when they change)"
	@echo "make constraints re-pin constraints.txt after a change to pyproject.toml"
	@echo "make run         migrate, seed demo content, serve http://127.0.0.1:$(PORT)/ and the task worker"
	@echo "make test        ruff (check, format), djhtml, manage.py check, makemigrations --check, pytest"
	@echo "make format      ruff format the Python, djhtml the HTML templates (make test checks both)"
	@echo "make bench       benchmarks: pages, sending, snapshot, import, each beside its ceiling"
	@echo "make chaos       fault trials: SIGKILLed workers, two workers, a database outage, a batch API call (prints counts)"
	@echo "make load        50 readers for 60 s while an issue goes to 10,000 subscribers (prints p99)"
	@echo "make guide       re-take the pictures of docs/editor-guide.md (the editor's journey in Chromium)"
	@echo "make lint        ruff check"
	@echo "make clean       remove .venv, var/ (local database, outbox), staticfiles/, test-artifacts/"

$(VENV)/pyvenv.cfg:
	@test -n "$(PYTHON)" || { echo "Need Python 3.12 or newer (tried: $(PYTHON_CANDIDATES)); install one or pass PYTHON=/path/to/python3.12" >&2; exit 1; }
	@echo "Creating $(VENV) with $$($(PYTHON) -c 'import sys; print(sys.executable, sys.version.split()[0])')"
	$(PYTHON) -m venv $(VENV)

# constraints.txt (pip freeze of a working venv) pins every transitive dependency too.
$(STAMP): $(VENV)/pyvenv.cfg pyproject.toml $(CONSTRAINTS)
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { echo "$(VENV) uses Python < 3.12: run make clean, then make install" >&2; exit 1; }
	$(PY) -m pip install --quiet -e '.[dev]' $(if $(CONSTRAINTS),-c $(CONSTRAINTS))
	touch $@

install: $(STAMP)

# After changing a pin in pyproject.toml: `make constraints`, then commit both files.
constraints: $(VENV)/pyvenv.cfg
	$(PY) -m pip install --quiet -e '.[dev]'
	{ echo "# Every installed version, from: make constraints (pip freeze --exclude-editable)"; \
		$(PY) -m pip freeze --exclude-editable; } > constraints.txt
	touch $(STAMP)

run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py seed_demo
	exec bin/serve

# The HTML templates djhtml indents: templates/ and any app's templates/, but not the emails'
# (templates/newsletter/email/): their whitespace is part of the bytes every reader gets, and
# djhtml does not know MJML (it would flatten the CSS in <mj-style>).
TEMPLATE_DIRS := $(wildcard templates */templates)
TEMPLATES = $(shell find $(TEMPLATE_DIRS) -name '*.html' -not -path '*/email/*' | sort)
DJHTML = $(VENV)/bin/djhtml --tabwidth 4

# pytest runs on pytest-xdist, one worker process per core (PYTEST_ARGS="-n 0": all in one). Its
# default --dist load keeps pytest-django's order in each worker (transactional tests after the
# other database tests); --dist loadfile would run database tests after a flush, on no data.
test: export DJANGO_SETTINGS_MODULE = config.settings.test
test: install chromium redis
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@echo "djhtml --check: the HTML templates but the emails'"
	@$(DJHTML) --check $(TEMPLATES)
	$(VENV)/bin/lint-imports
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -n auto $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

# Rewrites files: run it before committing (make test fails on code or templates it would change).
format: install
	$(VENV)/bin/ruff format .
	@echo "djhtml: the HTML templates but the emails'"
	@$(DJHTML) $(TEMPLATES)

# The browser tests are part of the suite: no chromium means a failed run, never a skipped test.
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Debian's chromium for the browser tests"; \
			export DEBIAN_FRONTEND=noninteractive; \
			apt-get install -y -q chromium || { apt-get update -q && apt-get install -y -q chromium; }; \
			test -x "$(CHROMIUM)" || { echo "Still no chromium at $(CHROMIUM)" >&2; exit 1; }; \
		else \
			echo "The browser tests need Debian's chromium at $(CHROMIUM)." >&2; \
			echo "Install it with: sudo apt-get install -y chromium" >&2; \
			exit 1; \
		fi; \
	fi

# The Redis tests start Debian's redis-server themselves (or use REDIS_URL's): no redis-server
# means failed tests, never skipped ones.
redis:
	@if [ -z "$$REDIS_URL" ] && ! command -v redis-server >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Debian's redis-server for the Redis tests"; \
			export DEBIAN_FRONTEND=noninteractive; \
			apt-get install -y -q redis-server || { apt-get update -q && apt-get install -y -q redis-server; }; \
		else \
			echo "The Redis tests need Debian's redis-server (or REDIS_URL=redis://host:port/db)." >&2; \
			echo "Install it with: sudo apt-get install -y redis-server" >&2; \
			exit 1; \
		fi; \
	fi

clean:
	rm -rf $(VENV) var staticfiles test-artifacts *.egg-info

# The trials package (trials/, run with python -m from here): bench, chaos and load, each with
# its own data and services under var/, one table and a JSON file.
# Benchmarks (never timed tests): BENCH_FULL=1 adds the 100,000-subscriber send, BENCH_SCALE=1
# the 100,000 through a 50 ms SMTP relay and 1,000,000 subscribers on PostgreSQL; see the README,
# "Benchmarks", for the other BENCH_* variables.
bench: install
	$(PY) -m trials.bench

# Fault trials (see README, "Reliability"): their own databases, worker processes and SMTP sink
# under var/chaos/. With DATABASE_URL at PostgreSQL the two-worker trial runs there too.
chaos: install
	$(PY) -m trials.chaos $(CHAOS_ARGS)

# Readers under load while an issue is sent: gunicorn, the worker and an SMTP sink, then wrk.
load: install
	$(PY) -m trials.load $(LOAD_ARGS)

# The editor's journey test, keeping its screenshots as the pictures of docs/editor-guide.md.
guide: export DJANGO_SETTINGS_MODULE = config.settings.test
guide: install chromium
	EDITOR_GUIDE=1 $(VENV)/bin/pytest newsletter/tests/test_browser_editor_journey.py newsletter/tests/test_browser_issue_report.py
