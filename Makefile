# Zhilian OS. `make run` serves the demo; `make test` runs the suite. See README.md.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8000
# `make run` is a development server on SQLite unless DATABASE_URL says otherwise.
RUN_ENV := DEBUG=true

.PHONY: help venv run serve migrate seed test test-fast lint format bench clean

help:
	@echo "make run    - install, migrate, seed demo data, serve http://$(HOST):$(PORT)"
	@echo "make test   - run the whole test suite (PostgreSQL if DATABASE_URL is set, else SQLite)"
	@echo "make lint   - ruff check and format check"
	@echo "make bench  - benchmark against PostgreSQL at chain scale (see bench/README.md)"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

migrate: venv
	$(RUN_ENV) $(PY) manage.py migrate --noinput

seed: migrate
	$(RUN_ENV) $(PY) manage.py seed

run: seed
	@echo "Serving Zhilian OS on http://$(HOST):$(PORT)  (admin: /admin/, dashboard: /dashboard/, API docs: /api/docs/)"
	$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: venv
	$(PY) -m pytest -m "not browser and not slow" $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: venv
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles test-artifacts db.sqlite3
