# The two commands of the quick start: `make demo` and `make test`.
# PYTHON=/path/to/python3.X chooses the interpreter; by default scripts/venv.sh
# takes the newest of Python 3.13, 3.12 and 3.11 found on the machine.
PYTHON ?=
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := config.settings.production
export PYTHON VENV

.PHONY: lint typecheck demo test bench bench-imports load install install-dev migrate messages run worker beat production check-ci clean backup restore wheelhouse install-offline

# Always run: the script is quick when nothing changed, and it notices a venv
# made by another Python or a changed requirements file.
install:
	@sh scripts/venv.sh requirements.txt

install-dev:
	@sh scripts/venv.sh requirements-dev.txt

## make demo: set up everything and serve the app with demo data on http://127.0.0.1:$(PORT)
demo: export DJANGO_DEBUG = true
# The demo logs the DG and the DG's office in with a password only; production requires a one-time code.
demo: export DJANGO_TWO_FACTOR_REQUIRED = false
demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo ""
	@echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl-C to stop). Celery tasks run eagerly, database: db.sqlite3."
	@echo "Two-factor authentication is OFF in the demo (DJANGO_TWO_FACTOR_REQUIRED=false); it is on by default elsewhere."
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## make test: the whole suite (SQLite by default; DATABASE_URL/REDIS_URL point it at real servers)
test: install-dev
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest $(PYTEST_ARGS)

## make lint: ruff's rules (pyproject.toml), its formatter and mypy, as .ci/run does
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MYPY)

## make typecheck: mypy with django-stubs alone (docs/architecture.md)
MYPY = $(VENV)/bin/mypy accounts config core directorates reviews figures roadmap notifications transfers
typecheck: install-dev
	$(MYPY)

## make bench: every page and write that grows with the country, beside its floor (bench/results.json)
bench: install-dev
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) bench/run.py

## make bench-imports: the fast import path against django-import-export's defaults
bench-imports: install-dev
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) bench/run.py imports

## make load: 100 people at once (Locust) against gunicorn + PostgreSQL + Redis + a worker; bench/load.json
## Needs DATABASE_URL (a PostgreSQL database of its own: it is emptied) and REDIS_URL.
load: install-dev
	$(PY) -m pip install --quiet -r requirements-load.txt
	$(PY) bench/load.py

## make messages: refresh the translation catalogues (needs GNU gettext)
messages: install
	DJANGO_DEBUG=true $(PY) manage.py makemessages -l fr -l ar -l en --no-obsolete --ignore '.venv*'
	DJANGO_DEBUG=true $(PY) manage.py compilemessages --ignore '.venv*'

## make production: web (gunicorn), worker and beat against PostgreSQL and Redis (see README)
production: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput
	$(VENV)/bin/honcho start

## make backup [BACKUP=path]: database + uploaded files in one archive (default backups/backup-<date>.tar.gz)
backup: install
	$(PY) manage.py backup $(if $(BACKUP),--output $(BACKUP))

## make restore BACKUP=path [FORCE=1]: load a backup into an empty install, then compare with its manifest
restore: install
	@test -n "$(BACKUP)" || { echo "Usage: make restore BACKUP=backups/backup-....tar.gz"; exit 1; }
	$(PY) manage.py migrate --noinput
	$(PY) manage.py restore $(BACKUP) $(if $(FORCE),--force)

## make wheelhouse: every runtime package as a wheel in wheelhouse/, to carry to a server with no registry
wheelhouse: install
	rm -rf wheelhouse
	$(PY) -m pip wheel --quiet --wheel-dir wheelhouse -r requirements.txt
	cp requirements.txt wheelhouse/
	@echo "wheelhouse/: $$(ls wheelhouse/*.whl | wc -l) wheels for $$($(PY) -c 'import sys, platform; print(f"Python {sys.version_info[0]}.{sys.version_info[1]}, {platform.machine()}")')"

## make install-offline [WHEELHOUSE=dir]: a venv installed from the wheelhouse only (--no-index: no registry)
WHEELHOUSE ?= wheelhouse
install-offline:
	test -d $(VENV) || $${PYTHON:-python3} -m venv $(VENV)
	$(PY) -m pip install --quiet --no-index --find-links $(WHEELHOUSE) -r $(WHEELHOUSE)/requirements.txt

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
