"""Start-up configuration: a bad or missing variable stops `manage.py` with a message naming it.

Each case runs `manage.py check` in a fresh interpreter with a clean environment, because settings
are read once per process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIELD_KEY = "dGVzdHMtb25seS1maWVsZC1rZXktMzItYnl0ZXMtISE="
GOOD_SECRET = "k3Jx9-vQ2mW8zR4tY7uI1oP5aS6dF0gH2jK4lZ8xC3vB9nM7qE1wR5tY6uI"
# A production-like environment that passes; each case changes one variable.
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": GOOD_SECRET,
    "ALLOWED_HOSTS": "rabta.example.org",
    "RABTA_FIELD_KEY": FIELD_KEY,
    "RABTA_EMAIL_HOST": "smtp.example.org",  # without it `check --deploy` warns (rabta.W001)
}


def manage(*args: str, **variables: str | None) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "RABTA_ENV_FILE": "",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.update({k: v for k, v in variables.items() if v is not None})
    return subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production(**changes: str | None) -> dict[str, str | None]:
    return {**PRODUCTION, **changes}


BAD_CASES = {
    "debug_not_boolean": ("DEBUG", production(DEBUG="maybe")),
    "secret_key_missing": ("SECRET_KEY", production(SECRET_KEY=None)),
    "secret_key_short": ("SECRET_KEY", production(SECRET_KEY="short-and-guessable")),
    "secret_key_django_insecure": ("SECRET_KEY", production(SECRET_KEY="django-insecure-" + "x1y2z3" * 10)),
    "allowed_hosts_missing": ("ALLOWED_HOSTS", production(ALLOWED_HOSTS=None)),
    "allowed_hosts_empty": ("ALLOWED_HOSTS", production(ALLOWED_HOSTS=" , ")),
    "time_zone_unknown": ("TIME_ZONE", production(TIME_ZONE="Mars/Olympus")),
    "field_key_missing": ("RABTA_FIELD_KEY", production(RABTA_FIELD_KEY=None)),
    "field_key_not_base64": ("RABTA_FIELD_KEY", production(RABTA_FIELD_KEY="not base64 at all!")),
    "field_key_wrong_length": ("RABTA_FIELD_KEY", production(RABTA_FIELD_KEY="c2hvcnQta2V5")),
    "database_mysql": ("DATABASE_URL", production(DATABASE_URL="mysql://rabta:s3cret@db.example.org/rabta")),
    "database_garbage": ("DATABASE_URL", production(DATABASE_URL="this is not a url")),
    "database_postgres_without_name": (
        "DATABASE_URL",
        production(DATABASE_URL="postgres://postgres@127.0.0.1"),
    ),
    "csrf_origin_without_scheme": (
        "CSRF_TRUSTED_ORIGINS",
        production(CSRF_TRUSTED_ORIGINS="rabta.example.org"),
    ),
}


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_bad_configuration_fails_at_start_naming_the_variable(case: str) -> None:
    variable, variables = BAD_CASES[case]
    result = manage("check", **variables)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "Rabta configuration error" in last_line
    assert variable in last_line
    # Secrets in a bad value are never echoed back into logs.
    assert "s3cret" not in result.stderr


def test_debug_needs_only_the_field_key() -> None:
    result = manage("check", DEBUG="1", RABTA_FIELD_KEY=FIELD_KEY)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_settings_pass_the_deploy_check() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_would_catch_plain_http() -> None:
    # The passing deploy check above is meaningful: turning HTTPS hardening off makes it fail.
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production(RABTA_HTTPS="0"))
    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout
