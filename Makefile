# The two commands a newcomer needs: `make run` and `make test`.
# Another Python beside the default one, in its own environment:
#   make test PYTHON=python3.13 VENV=.venv-3.13
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-stamp

.PHONY: install messages catalogue migrate demo run worker test lint bench serve backup restore

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

messages: install
	$(BIN)/python manage.py compilemessages --ignore=.venv -v0

# Refresh the Vietnamese catalogue after adding strings (no source locations: merges stay clean).
catalogue: install
	$(BIN)/python manage.py makemessages -l vi --no-location --ignore=.venv --ignore=bench --ignore=tests -v0

migrate: messages
	$(BIN)/python manage.py migrate --noinput -v0

demo: migrate
	$(BIN)/python manage.py seed_demo

# The background worker (imports and exports started in the browser) runs beside the server.
run: demo
	$(BIN)/python manage.py db_worker & worker=$$!; trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

worker: migrate
	$(BIN)/python manage.py db_worker

test: messages
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

# The figures of bench/README.md, each beside its anchor, on the configured database (its own
# test database), as JSON; e.g. make bench BENCH_ARGS="--agencies 100 --duration 5".
BENCH_ARGS ?=
bench: migrate
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Production-like serving on this machine: gunicorn, whitenoise, production settings.
# Sync workers: a save is Python work, threads would not add throughput (docs/deploy.md).
WORKERS ?= 2
PROD := DJANGO_SETTINGS_MODULE=config.settings_production SECRET_KEY="$$(cat var/secret_key)" \
	ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-0}

var/secret_key:
	mkdir -p var && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@ && chmod 600 $@

serve: migrate var/secret_key
	$(PROD) $(BIN)/python manage.py collectstatic --noinput -v0
	$(PROD) $(BIN)/gunicorn config.wsgi --bind 127.0.0.1:$(PORT) --workers $(WORKERS) --access-logfile -

backup: migrate
	$(BIN)/python manage.py backup $(FILE)

restore: migrate
	$(BIN)/python manage.py restore $(FILE)
