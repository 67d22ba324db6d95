# Rabta: `make demo` runs it, `make test` tests it. Both can be run again without harm.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEMO_ENV := var/rabta.env

.PHONY: demo test install env messages migrate seed reseed serve lint lint-imports deadcode typecheck migrations-check ci-checks chromium lock clean-demo bench key

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

# Compiling needs no secrets or database; give it throwaway settings so `make test` works on a fresh clone.
messages: install
	RABTA_ENV_FILE= DEBUG=1 RABTA_FIELD_KEY=dGVzdHMtb25seS1maWVsZC1rZXktMzItYnl0ZXMtISE= \
	$(PY) manage.py compile_translations

migrate: install env messages
	RABTA_ENV_FILE=$(DEMO_ENV) $(PY) manage.py migrate --noinput

# Loads the demo district once (a second run adds nothing; `make reseed` rebuilds it as of today)
# and (re)writes var/demo.txt, printing its lines.
seed: migrate
	RABTA_ENV_FILE=$(DEMO_ENV) $(PY) manage.py seed_demo --write var/demo.txt

reseed: migrate
	RABTA_ENV_FILE=$(DEMO_ENV) $(PY) manage.py seed_demo --reset --write var/demo.txt

# The demo is served with DEBUG off, so a wrong address shows Rabta's translated 404 page rather than
# Django's debug page listing every URL; over plain HTTP, with static files served by WhiteNoise from
# the source folders and the SMS simulator kept on. DEMO_DEBUG=1 serves it with Django's debug pages.
DEMO_DEBUG ?= 0
DEMO_SERVE_ENV := DEBUG=$(DEMO_DEBUG) RABTA_HTTPS=0 RABTA_STATIC_MANIFEST=0 RABTA_SMS_SIMULATOR=1

demo: seed
	@echo "Rabta demo on http://127.0.0.1:$(PORT)/en/  (task worker runs alongside; Ctrl-C stops both)"
	@echo "Staff log in at http://127.0.0.1:$(PORT)/en/staff/login/ with the code from: RABTA_ENV_FILE=$(DEMO_ENV) $(PY) manage.py totp_code officer"
	$(DEMO_SERVE_ENV) RABTA_ENV_FILE=$(DEMO_ENV) $(PY) manage.py run_demo --port $(PORT)

# Browser tests need Debian's Chromium. Install it when we can (root or sudo); otherwise
# the browser tests are skipped and say so.
chromium:
	@test -x "$${RABTA_CHROMIUM:-/usr/bin/chromium}" || { \
	  if [ "$$(id -u)" = 0 ]; then (apt-get update -qq && apt-get install -y -qq chromium fonts-noto-core >/dev/null) || echo "could not install chromium"; \
	  elif command -v sudo >/dev/null 2>&1; then (sudo apt-get update -qq && sudo apt-get install -y -qq chromium fonts-noto-core >/dev/null) || echo "could not install chromium"; \
	  else echo "chromium is missing: browser tests will be skipped (apt-get install chromium)"; fi; }

# Workers for pytest-xdist (measured on 2 cores, SQLite: 120 s in one process, 86 s with two; 12 to 7
# minutes on a busy machine). Browser tests work in workers: each has its own live server and Chromium.
# PYTEST_WORKERS=0 runs everything in one process; PYTEST_ARGS adds options (PYTEST_ARGS="-k beat -x").
PYTEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ "$$n" -gt 4 ] && n=4; echo $$n)

test: install messages chromium
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Both ruff checks run even when the first fails, so one run shows every problem.
lint: install
	@status=0; \
	$(VENV)/bin/ruff check . || status=1; \
	$(VENV)/bin/ruff format --check . || status=1; \
	exit $$status

# The layer and no-cycle contracts in pyproject.toml ([tool.importlinter]).
lint-imports: install
	$(VENV)/bin/lint-imports

# Candidates for deletion; Django finds many things by name, so read the list, do not trust it.
deadcode: install
	$(VENV)/bin/vulture rabta --exclude "*/migrations/*" --min-confidence 60

typecheck: install
	RABTA_ENV_FILE= SECRET_KEY=typecheck-only-key-0123456789-abcdefghijklmnopqrstuvwxyz \
	RABTA_FIELD_KEY=dGVzdHMtb25seS1maWVsZC1rZXktMzItYnl0ZXMtISE= ALLOWED_HOSTS=localhost \
	$(VENV)/bin/mypy rabta

migrations-check: install
	RABTA_ENV_FILE= DEBUG=1 RABTA_FIELD_KEY=dGVzdHMtb25seS1maWVsZC1rZXktMzItYnl0ZXMtISE= \
	$(PY) manage.py makemigrations --check --dry-run

# `make -k ci-checks` (as .ci/run does) runs all four and fails if any failed.
ci-checks: lint lint-imports typecheck migrations-check

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

# Forget the demo's data (keeps var/rabta.env, so sessions and encrypted fields stay readable).
clean-demo:
	rm -f var/rabta.sqlite3 var/rabta.sqlite3-wal var/rabta.sqlite3-shm var/rabta.sqlite3-journal var/demo.txt
	rm -rf var/media var/private-media
