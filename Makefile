# MENA Alignments: `make run` serves the dataset locally, `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
DATASET ?= dataset
# The bundled package's own version (its datapackage.json's).
BUNDLED_VERSION := $(shell $(PYTHON) -c "import json; print(json.load(open('$(DATASET)/datapackage.json'))['version'])")

.PHONY: run serve test bench lint format dataset install install-test setup clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed-test
	$(PY) -m pip install --quiet -e ".[test,bench]"
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# The earlier releases of the bundled dataset, as published (their zips are the releases).
EARLIER_RELEASES := $(wildcard $(DATASET)/releases/*.zip)
BUNDLED_NOTES := $(DATASET)/notes/$(BUNDLED_VERSION).md

# Migrate, record the earlier releases, load the bundled dataset into an empty database
# and publish it as its release (its changes counted from the earlier one). Safe to repeat:
# an existing database and its edits are kept. Publishing the bundled version stops, saying
# how to load or bump, when the database is not the bundled files: a version always names
# the same bytes.
setup: install
	$(PY) manage.py migrate --noinput
	$(if $(EARLIER_RELEASES),$(PY) manage.py import_release $(EARLIER_RELEASES))
	$(PY) manage.py load_datapackage $(DATASET) --if-empty
	$(PY) manage.py publish_release $(BUNDLED_VERSION) --if-missing \
		$(if $(wildcard $(BUNDLED_NOTES)),--notes-file $(BUNDLED_NOTES),--notes "The bundled dataset, version $(BUNDLED_VERSION).")

run: setup
	$(PY) manage.py runserver $(HOST):$(PORT)

# Production-like serving: gunicorn with the threaded workers configured in gunicorn.conf.py.
serve: setup
	$(PY) manage.py collectstatic --noinput
	$(VENV)/bin/gunicorn config.wsgi -c gunicorn.conf.py --bind $(HOST):$(PORT)

test: install-test
	$(PY) -m pytest

# The API benchmark's options (tests/benchmarks/bench_api.py --help): by default SQLite and
# PostgreSQL (at DATABASE_URL's server, else 127.0.0.1:5432) at 100k events, with the load
# test on PostgreSQL; e.g. BENCH_API_ARGS="--full --load" for 100k and 1M.
BENCH_API_ARGS ?= --database both --load

# Every benchmark runs even if an earlier one misses a target; the exit status reports any.
bench: $(VENV)/.installed-bench
	status=0; \
	$(PY) tests/benchmarks/bench_api.py $(BENCH_API_ARGS) || status=1; \
	$(PY) tests/benchmarks/bench_datapackage.py || status=1; \
	$(PY) tests/benchmarks/bench_pages.py || status=1; \
	exit $$status

# Export the database (e.g. after curators' edits in the admin) into the bundled package,
# under a new version: a version always names the same bytes.
dataset: install
	@test -n "$(VERSION)" || { echo "usage: make dataset VERSION=X.Y.Z (the package's new version)"; exit 2; }
	$(PY) manage.py build_datapackage $(DATASET) --version $(VERSION)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
