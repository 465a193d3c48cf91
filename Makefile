# Zhilian OS. `make run` serves the demo; `make test` runs the suite. See README.md and
# docs/architecture.md ("How it runs and scales", "Tests").
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8000
WS_PORT ?= 8001
# `make run` is a development server on SQLite unless DATABASE_URL says otherwise.
RUN_ENV := DEBUG=true
# `make run` plays a service on the demo stores beside the server (manage.py simulate) unless
# SIMULATE=0; SIMULATE_SPEED=60 plays an hour a minute.
SIMULATE ?= 1
SIMULATE_SPEED ?= 1

.PHONY: help venv run serve worker beat migrate seed test test-fast test-fuzz lint format bench clean
# `make serve`: the production layout on this machine (DEBUG off, plain HTTP on localhost).
SERVE_ENV := DEBUG=false HTTPS_ONLY=false HOST=$(HOST) PORT=$(PORT) WS_PORT=$(WS_PORT) \
	ZHILIAN_WS_URL=ws://$(HOST):$(WS_PORT) STATIC_ROOT=$(CURDIR)/staticfiles

help:
	@echo "make run    - install, migrate, seed demo data, serve http://$(HOST):$(PORT) with a simulated service (SIMULATE=0: without)"
	@echo "make serve  - the production layout: HTTP (WSGI) on PORT, WebSockets on WS_PORT, the jobs' worker and beat; needs SECRET_KEY, REDIS_URL"
	@echo "make worker - a Celery worker running the background jobs (needs a broker: REDIS_URL or CELERY_BROKER_URL)"
	@echo "make beat   - Celery beat: sends the jobs on the schedule admins edit in the admin (django-celery-beat)"
	@echo "make test   - run the whole test suite (PostgreSQL if DATABASE_URL is set, else SQLite)"
	@echo "make test-fast - the suite without browser, slow and fuzz tests, keeping the test database"
	@echo "make test-fuzz - only the generated-input API tests (schemathesis, hostile input)"
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
	$(RUN_ENV) $(PY) manage.py seed_attendance

# The background jobs run with the server (docs/architecture.md, "Jobs"). Without a broker (no
# REDIS_URL/CELERY_BROKER_URL) every task is eager and beat's schedule runs inside the server
# (zhilian/devjobs.py, started by the server's first request, which KICK makes), so the jobs'
# live events reach the dashboard; with a broker, beat and a worker run beside it. The simulated
# service (manage.py simulate) runs beside it too unless SIMULATE=0; all of them stop (SIGTERM:
# the simulation prints its summary) when runserver ends.
BEAT := $(VENV)/bin/celery -A zhilian beat -l info --scheduler django_celery_beat.schedulers:DatabaseScheduler
WORKER := $(VENV)/bin/celery -A zhilian worker -l info
KICK := $(PY) -m zhilian.devjobs http://$(HOST):$(PORT)/health/live
ifeq ($(SIMULATE),0)
SIMULATION :=
else
SIMULATION := $(PY) manage.py simulate --speed $(SIMULATE_SPEED) &
endif

run: seed
	@echo "Serving Zhilian OS on http://$(HOST):$(PORT)  (admin: /admin/, dashboard: /dashboard/, API docs: /api/docs/)"
	@test "$(SIMULATE)" = 0 || echo "Simulating a service at speed $(SIMULATE_SPEED) (make run SIMULATE=0 to serve without it)"
	$(RUN_ENV) ZHILIAN_JOBS_IN_SERVER=true bash -c 'trap "kill \$$(jobs -p) 2>/dev/null" EXIT; \
		if [ -n "$$REDIS_URL$$CELERY_BROKER_URL" ] || grep -qE "^(REDIS_URL|CELERY_BROKER_URL)=." .env 2>/dev/null; then $(BEAT) & $(WORKER) & else ($(KICK) >/dev/null 2>&1 &) fi; \
		$(SIMULATION) \
		$(PY) manage.py runserver $(HOST):$(PORT)'

# The job processes on their own (production runs them as the compose file's `worker` and `beat`).
worker: venv
	$(WORKER) $(WORKER_ARGS)

beat: venv
	$(BEAT) $(BEAT_ARGS)

# The two production servers as docs/architecture.md describes them, and the background jobs'
# worker and beat, reading PORT, WS_PORT, DATABASE_URL, REDIS_URL and SECRET_KEY from the
# environment (or .env). Redis carries the events from the HTTP processes to the WebSocket process
# and the jobs from beat to the worker, so it is required here.
serve: venv
	@test -n "$$REDIS_URL" || grep -q '^REDIS_URL=.' .env 2>/dev/null || \
		{ echo "make serve runs the production layout: set REDIS_URL (e.g. redis://127.0.0.1:6379/0)"; exit 1; }
	$(SERVE_ENV) $(PY) manage.py migrate --noinput
	$(SERVE_ENV) $(PY) manage.py collectstatic --noinput -v0
	@echo "HTTP on http://$(HOST):$(PORT), WebSockets on ws://$(HOST):$(WS_PORT)"
	$(SERVE_ENV) bash -c 'trap "kill 0" EXIT; $(WORKER) & $(BEAT) & \
		$(VENV)/bin/gunicorn -c gunicorn-ws.conf.py & $(VENV)/bin/gunicorn -c gunicorn.conf.py'

# PYTEST_ARGS adds options, e.g. PYTEST_ARGS='-q -m "not fuzz"' (what CI runs per database).
test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

# --reuse-db keeps a PostgreSQL test database between runs (SQLite's is in memory anyway).
test-fast: venv
	$(PY) -m pytest --reuse-db -m "not browser and not slow and not fuzz" $(PYTEST_ARGS)

# Every API operation with generated input; CI runs it once, on PostgreSQL, as its own step.
test-fuzz: venv
	$(PY) -m pytest -m fuzz $(PYTEST_ARGS)

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
