# Two commands for a newcomer: `make run` and `make test`. Everything else is optional.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
RUN_ENV := DEBUG=$${DEBUG:-true}

.PHONY: run test lint format check messages migrate seed worker beat clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstalled only when a requirements file changes.
$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

var:
	mkdir -p var

run: $(VENV)/.installed-dev | var  ## serve http://127.0.0.1:8000 with demo data (SQLite, in-process tasks)
	$(RUN_ENV) $(BIN)/python manage.py migrate --no-input -v0
	$(RUN_ENV) $(BIN)/python manage.py seed_demo
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(VENV)/.installed-dev | var  ## the test suite (SQLite by default; DATABASE_URL for PostgreSQL)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: $(VENV)/.installed-dev
	$(BIN)/python manage.py makemigrations --check --dry-run

# French catalogue: extract without source locations (they make every merge conflict), then compile.
messages: $(VENV)/.installed-dev
	DEBUG=true $(BIN)/python manage.py makemessages -l fr --no-location --no-obsolete -i ".venv/*" -i "var/*" -i "bench/*" -i "tests/*"
	DEBUG=true $(BIN)/python manage.py compilemessages -l fr -i ".venv" -i "var"

worker: $(VENV)/.installed-dev  ## a Celery worker (needs CELERY_BROKER_URL)
	$(BIN)/celery -A config worker --loglevel=INFO

beat: $(VENV)/.installed-dev  ## Celery beat with the schedule in the database
	$(BIN)/celery -A config beat --loglevel=INFO

clean:
	rm -rf var/db.sqlite3 var/mail var/media
