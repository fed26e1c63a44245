# The two commands of the quick start: `make demo` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: demo test bench bench-imports load install install-dev migrate messages run worker beat production check-ci clean

$(VENV)/.installed: requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make demo: set up everything and serve the app with demo data on http://127.0.0.1:$(PORT)
demo: export DJANGO_DEBUG = true
demo: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo ""
	@echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl-C to stop). Celery tasks run eagerly, database: db.sqlite3."
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## make test: the whole suite (SQLite by default; DATABASE_URL/REDIS_URL point it at real servers)
test: $(VENV)/.installed-dev
	DJANGO_TESTING=true $(PY) -m pytest $(PYTEST_ARGS)

## make bench: every page and write that grows with the country, beside its floor (bench/results.json)
bench: $(VENV)/.installed-dev
	DJANGO_TESTING=true $(PY) bench/run.py

## make bench-imports: the fast import path against django-import-export's defaults
bench-imports: $(VENV)/.installed-dev
	DJANGO_TESTING=true $(PY) bench/run.py imports

## make load: 100 people at once (Locust) against gunicorn + PostgreSQL + Redis + a worker; bench/load.json
## Needs DATABASE_URL (a PostgreSQL database of its own: it is emptied) and REDIS_URL.
load: $(VENV)/.installed-dev requirements-load.txt
	$(PY) -m pip install --quiet -r requirements-load.txt
	$(PY) bench/load.py

## make messages: refresh the translation catalogues (needs GNU gettext)
messages: $(VENV)/.installed
	DJANGO_DEBUG=true $(PY) manage.py makemessages -l fr -l ar -l en --no-obsolete --ignore '.venv/*'
	DJANGO_DEBUG=true $(PY) manage.py compilemessages --ignore '.venv/*'

## make production: web (gunicorn), worker and beat against PostgreSQL and Redis (see README)
production: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput
	$(VENV)/bin/honcho start

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
