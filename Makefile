# The two commands: `make run` (app + worker on embedded defaults or your DATABASE_URL /
# CELERY_BROKER_URL) and `make test` (every test on PostgreSQL, Redis and a real worker).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/factcheck
REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test test-fast install install-dev services chromium lint format bench check-deploy messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	mkdir -p var
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py load_demo
	@echo "Open http://127.0.0.1:8000/  (Ctrl-C stops the web app, worker and beat)"
	DEBUG=$${DEBUG:-1} PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

# PostgreSQL and Redis must answer; start them where installed but down.
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; pg_isready -h 127.0.0.1 -p 5432
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
	@for i in $$(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done; redis-cli -h 127.0.0.1 -p 6379 ping

# Browser tests drive Debian's Chromium; never `playwright install`.
chromium:
	@command -v chromium >/dev/null || { apt-get install -y --no-install-recommends chromium fonts-noto-color-emoji || { apt-get update && apt-get install -y --no-install-recommends chromium fonts-noto-color-emoji; }; }

test: install-dev services chromium
	DEBUG=1 CONN_MAX_AGE=0 DATABASE_URL=$(PG_URL) CELERY_BROKER_URL=$(REDIS_URL) DJANGO_ALLOW_ASYNC_UNSAFE=true \
		CELERY_TASK_DEFAULT_QUEUE=factcheck-tests-$$$$ $(BIN)/python -m pytest $(PYTEST_ARGS)

# The quick loop while working: the pure modules (no database) and the services on
# PostgreSQL, without the worker, HTTP servers or browser.
test-fast: install-dev services
	DEBUG=1 CONN_MAX_AGE=0 DATABASE_URL=$(PG_URL) CELERY_BROKER_URL=$(REDIS_URL) \
		CELERY_TASK_DEFAULT_QUEUE=factcheck-tests-$$$$ $(BIN)/python -m pytest tests/pure tests/services $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-deploy: install
	DEBUG=0 SECRET_KEY=$$(head -c 48 /dev/urandom | base64) ALLOWED_HOSTS=factcheck.example.org \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

# The German catalogues: extract, then
# fill the new msgstr entries in locale/de/LC_MESSAGES/*.po and run `make messages` again.
messages: install-dev
	DEBUG=1 $(BIN)/python manage.py makemessages -l de --no-obsolete \
		-i ".venv/*" -i "bench/*" -i "tests/*" -i "var/*"
	DEBUG=1 $(BIN)/python manage.py makemessages -d djangojs -l de --no-obsolete \
		-i ".venv/*" -i "bench/*" -i "tests/*" -i "var/*" -i "staticfiles/*"
	DEBUG=1 $(BIN)/python manage.py compilemessages -l de -i ".venv/*"

bench: install-dev services
	DEBUG=1 DATABASE_URL=$(PG_URL) CELERY_BROKER_URL=$(REDIS_URL) $(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) var
