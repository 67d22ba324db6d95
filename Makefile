# Rabta: `make demo` runs it, `make test` tests it. Both can be run again without harm.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEMO_ENV := var/rabta.env

.PHONY: demo test install env messages migrate seed serve lint typecheck ci-checks chromium lock clean-demo bench key

$(VENV)/.installed: requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

install: $(VENV)/.installed

# The demo's secrets are made once and kept in var/ (ignored by git), so re-runs keep working data.
$(DEMO_ENV):
	@mkdir -p var
	@umask 077; { \
	  echo "DEBUG=1"; \
	  echo "SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')"; \
	  echo "RABTA_FIELD_KEY=$$($(PYTHON) -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')"; \
	  echo "DATABASE_URL=sqlite:///$(CURDIR)/var/rabta.sqlite3"; \
	  echo "ALLOWED_HOSTS=127.0.0.1,localhost"; \
	} > $@
	@echo "wrote $@ (demo secrets; keep it private)"

env: $(DEMO_ENV)

messages: install
	$(PY) manage.py compile_translations

migrate: install env messages
	RABTA_ENV_FILE=$(DEMO_ENV) $(PY) manage.py migrate --noinput

seed: migrate
	RABTA_ENV_FILE=$(DEMO_ENV) $(PY) manage.py seed_demo --write var/demo.txt
	@echo "---- var/demo.txt ----"; cat var/demo.txt; echo "----------------------"

demo: seed
	@echo "Rabta demo on http://127.0.0.1:$(PORT)/  (task worker runs alongside; Ctrl-C stops both)"
	RABTA_ENV_FILE=$(DEMO_ENV) $(PY) manage.py run_demo --port $(PORT)

# Browser tests need Debian's Chromium. Install it when we can (root or sudo); otherwise
# the browser tests are skipped and say so.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then (apt-get update -qq && apt-get install -y -qq chromium fonts-noto-core >/dev/null) || echo "could not install chromium"; \
	  elif command -v sudo >/dev/null 2>&1; then (sudo apt-get update -qq && sudo apt-get install -y -qq chromium fonts-noto-core >/dev/null) || echo "could not install chromium"; \
	  else echo "chromium is missing: browser tests will be skipped (apt-get install chromium)"; fi; }

test: install messages chromium
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	RABTA_ENV_FILE= SECRET_KEY=typecheck-only-key-0123456789-abcdefghijklmnopqrstuvwxyz \
	RABTA_FIELD_KEY=dGVzdHMtb25seS1maWVsZC1rZXktMzItYnl0ZXMtISE= ALLOWED_HOSTS=localhost \
	$(VENV)/bin/mypy rabta

ci-checks: lint typecheck
	RABTA_ENV_FILE= DEBUG=1 RABTA_FIELD_KEY=dGVzdHMtb25seS1maWVsZC1rZXktMzItYnl0ZXMtISE= \
	$(PY) manage.py makemigrations --check --dry-run

bench: install
	$(PY) bench/beat_lookup.py

key:
	@$(PYTHON) -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())'

# Regenerate the lock from pyproject.toml's ranges (run when changing dependencies).
lock:
	rm -rf var/lockenv && $(PYTHON) -m venv var/lockenv
	var/lockenv/bin/pip install --quiet --upgrade pip
	var/lockenv/bin/pip install --quiet -e ".[dev]"
	var/lockenv/bin/pip freeze --exclude-editable --exclude rabta | sort -f > requirements.lock
	rm -rf var/lockenv

clean-demo:
	rm -f var/rabta.sqlite3 var/rabta.sqlite3-wal var/rabta.sqlite3-shm var/demo.txt
