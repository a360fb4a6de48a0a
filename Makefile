# Two commands for a newcomer: `make run` serves the site, `make test` runs
# the suite. Both create .venv and install the locked dependencies first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCK := requirements-dev.lock

.PHONY: install install-production run serve test lint format lock

# Everything, for development and tests.
install: $(VENV)/installed

$(VENV)/installed: $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	touch $@

# Only what the server needs to run, for a production machine.
install-production: $(VENV)/installed-production

$(VENV)/installed-production: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

# Development server at http://127.0.0.1:8000, with DEBUG on and SQLite
# unless DATABASE_URL says otherwise.
run: install
	DEBUG=1 $(BIN)/python manage.py migrate
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

# Production server: gunicorn against DATABASE_URL, settings from the environment.
serve: install-production
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/gunicorn --config gunicorn.conf.py priorityvote.wsgi

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Regenerate both lock files after a change to pyproject.toml.
lock: install
	$(BIN)/pip-compile --quiet --allow-unsafe --generate-hashes --strip-extras \
		--no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --allow-unsafe --generate-hashes --strip-extras \
		--no-emit-index-url --no-emit-find-links --extra dev -o requirements-dev.lock pyproject.toml
