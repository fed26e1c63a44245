# The two commands of the quick start: `make demo` and `make test`.
# PYTHON=/path/to/python3.X chooses the interpreter; by default scripts/venv.sh
# takes the newest of Python 3.13, 3.12 and 3.11 found on the machine.
PYTHON ?=
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := config.settings
export PYTHON VENV

.PHONY: demo test bench install install-dev migrate messages run worker beat production check-ci clean

# Always run: the script is quick when nothing changed, and it notices a venv
# made by another Python or a changed requirements file.
install:
	@sh scripts/venv.sh requirements.txt

install-dev:
	@sh scripts/venv.sh requirements-dev.txt

## make demo: set up everything and serve the app with demo data on http://127.0.0.1:$(PORT)
demo: export DJANGO_DEBUG = true
demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo ""
	@echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl-C to stop). Celery tasks run eagerly, database: db.sqlite3."
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## make test: the whole suite (SQLite by default; DATABASE_URL/REDIS_URL point it at real servers)
test: install-dev
	DJANGO_TESTING=true $(PY) -m pytest $(PYTEST_ARGS)

## make bench: benchmarks that print their figures
bench: install-dev
	DJANGO_TESTING=true DJANGO_DEBUG=true $(PY) bench/run.py

## make messages: refresh the translation catalogues (needs GNU gettext)
messages: install
	DJANGO_DEBUG=true $(PY) manage.py makemessages -l fr -l ar -l en --no-obsolete --ignore '.venv*'
	DJANGO_DEBUG=true $(PY) manage.py compilemessages --ignore '.venv*'

## make production: web (gunicorn), worker and beat against PostgreSQL and Redis (see README)
production: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput
	$(VENV)/bin/honcho start

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
