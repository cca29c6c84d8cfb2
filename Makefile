# Two commands for a newcomer: `make run` and `make test`. Everything else is optional.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
RUN_ENV := DEBUG=$${DEBUG:-true}
# The quick loop leaves out the slow tests (they start processes); `make test SLOW=1` and CI run them too.
# Integration and browser tests have CI stages of their own (.ci/stages/).
TEST_MARKERS := not integration and not e2e$(if $(SLOW),, and not slow)

.PHONY: run test lint format check messages worker beat clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Running needs the runtime requirements only; the test and lint tools come with `make test`.
# Each is reinstalled only when its requirements file changes.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

var:
	mkdir -p var

run: $(VENV)/.installed | var  ## serve http://127.0.0.1:8000 with demo data (SQLite, in-process tasks)
	$(RUN_ENV) $(BIN)/python manage.py migrate --no-input -v0
	$(RUN_ENV) $(BIN)/python manage.py seed_demo
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(VENV)/.installed-dev | var  ## the test suite with branch coverage (SQLite by default; DATABASE_URL for PostgreSQL)
	$(BIN)/pytest -m "$(TEST_MARKERS)" --cov $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev  ## ruff, the import contracts and the type check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: $(VENV)/.installed-dev
	$(BIN)/python manage.py makemigrations --check --dry-run

# French catalogue: extract without source locations (they make every merge conflict), then compile.
messages: $(VENV)/.installed-dev
	DEBUG=true $(BIN)/python manage.py makemessages -l fr --no-location --no-obsolete -i ".venv/*" -i "var/*" -i "bench/*" -i "tests/*" -i "node_modules/*"
	DEBUG=true $(BIN)/python manage.py compilemessages -l fr -i ".venv" -i "var" -i "node_modules"

worker: $(VENV)/.installed  ## a Celery worker (needs CELERY_BROKER_URL)
	$(BIN)/celery -A config worker --loglevel=INFO

beat: $(VENV)/.installed  ## Celery beat with the schedule in the database
	$(BIN)/celery -A config beat --loglevel=INFO

clean:
	rm -rf var/db.sqlite3 var/mail var/media
