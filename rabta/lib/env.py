"""Reading configuration from the environment, failing early and by name.

Django-free so that settings.py can use it before anything is configured.
"""

from __future__ import annotations

import base64
import binascii
import builtins
import os
import re
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dj_database_url


class ConfigError(Exception):
    """A configuration variable is missing or malformed; the message names it."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_URLSAFE_B64 = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")
_KEY_ID = re.compile(r"^[a-z0-9]{1,16}$")  # rabta.lib.crypto.KEY_ID; lowercase: SQLite LIKE ignores case
DATABASE_ENGINES = {
    "django.db.backends.sqlite3": "sqlite",
    "django.db.backends.postgresql": "postgres",
}


def read_env_file(path: Path) -> dict[str, str]:
    """Parse KEY=VALUE lines (the file `make demo` writes); blank lines and # comments skipped."""
    values: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"{path}:{number}: expected KEY=VALUE, got {raw!r}")
        values[key.strip()] = value.strip()
    return values


class Env:
    """Typed access to a mapping of variables (os.environ layered over an optional file)."""

    def __init__(self, values: Mapping[str, str]):
        self.values = dict(values)

    @classmethod
    def load(cls, base_dir: Path) -> Env:
        values: dict[str, str] = {}
        env_file = os.environ.get("RABTA_ENV_FILE", str(base_dir / "var" / "rabta.env"))
        if env_file and Path(env_file).is_file():
            values.update(read_env_file(Path(env_file)))
        values.update(os.environ)  # the real environment always wins
        return cls(values)

    def str(self, name: builtins.str, default: builtins.str | None = None) -> builtins.str:
        value = self.values.get(name)
        if value is None or value == "":
            if default is None:
                raise ConfigError(f"{name} is required but not set")
            return default
        return value

    def bool(self, name: builtins.str, default: builtins.bool) -> builtins.bool:
        value = self.values.get(name)
        if value is None:
            return default
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ConfigError(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}")

    def int(self, name: builtins.str, default: builtins.int) -> builtins.int:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number; got {value!r}") from None

    def days(self, name: builtins.str, default: builtins.int) -> builtins.int:
        """A retention period in whole days, at least 1 (0 would erase data the moment it is written)."""
        value = self.int(name, default)
        if value < 1:
            raise ConfigError(f"{name} must be a number of days, at least 1; got {value!r}")
        return value

    def rate(
        self, name: builtins.str, default: tuple[builtins.int, builtins.int]
    ) -> tuple[builtins.int, builtins.int]:
        """A rate limit written as attempts/seconds, e.g. 10/3600."""
        value = (self.values.get(name) or "").strip()
        if not value:
            return default
        attempts, sep, seconds = value.partition("/")
        try:
            limit, window = int(attempts), int(seconds)
        except ValueError:
            limit = window = -1
        if not sep or limit < 0 or window < 1:
            raise ConfigError(f"{name} must be attempts/seconds, for example 10/3600; got {value!r}")
        return limit, window

    def list(self, name: builtins.str, default: builtins.list[builtins.str]) -> builtins.list[builtins.str]:
        value = self.values.get(name)
        if value is None:
            return default
        return [item.strip() for item in value.split(",") if item.strip()]

    def timezone(self, name: builtins.str, default: builtins.str) -> builtins.str:
        value = self.str(name, default)
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"{name} must be an IANA time zone such as Asia/Karachi; got {value!r}"
            ) from None
        return value

    def secret_key(self, name: builtins.str, *, debug: builtins.bool) -> builtins.str:
        """Django's signing key: free in DEBUG, long and varied otherwise (what `check --deploy` wants)."""
        if debug:
            return self.str(name, default="insecure-development-key-never-use-in-production")
        value = self.str(name)
        if len(value) < 50 or len(set(value)) < 5 or value.startswith("django-insecure-"):
            raise ConfigError(
                f"{name} must be at least 50 random characters when DEBUG is off "
                "(make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
            )
        return value

    def origins(self, name: builtins.str) -> builtins.list[builtins.str]:
        """Comma-separated origins with their scheme, e.g. https://rabta.example.org."""
        values = self.list(name, default=[])
        for origin in values:
            if not origin.startswith(("http://", "https://")):
                raise ConfigError(f"{name} entries must start with https:// or http://; got {origin!r}")
        return values

    def field_key(self, name: builtins.str) -> bytes:
        """A urlsafe-base64 encoding of exactly 32 random bytes (padding optional)."""
        return _decode_field_key(name, self.str(name))

    def optional_field_key(self, name: builtins.str) -> bytes | None:
        return self.field_key(name) if self.values.get(name, "").strip() else None

    def field_keys(self, name: builtins.str) -> tuple[tuple[builtins.str, bytes], ...]:
        """`id:key,id:key`, the first the active key; ids are 1-16 lowercase letters or digits, each once.
        Messages name the entry by its id or position, never by its key."""
        pairs: builtins.list[tuple[builtins.str, bytes]] = []
        for position, entry in enumerate(self.list(name, default=[]), start=1):
            key_id, sep, value = entry.partition(":")
            key_id = key_id.strip()
            if not sep or not _KEY_ID.match(key_id):
                raise ConfigError(
                    f"{name} entry {position} must be id:key, the id 1 to 16 lowercase letters or digits "
                    "(for example 2026a:<make key>)"
                )
            if any(key_id == seen for seen, _key in pairs):
                raise ConfigError(f"{name} names key id {key_id!r} twice")
            pairs.append((key_id, _decode_field_key(f"{name} key {key_id!r}", value)))
        return tuple(pairs)

    def database(self, name: builtins.str, default: builtins.str) -> dict[builtins.str, Any]:
        """A Django DATABASES entry from sqlite:///path or postgres://user:pass@host:port/name.

        Messages never repeat the URL: it may carry a password.
        """
        value = self.str(name, default)
        expected = f"{name} must be sqlite:///path/to/file.sqlite3 or postgres://user:password@host:port/name"
        scheme = value.partition("://")[0].lower() if "://" in value else ""
        try:
            config: dict[builtins.str, Any] = dict(
                dj_database_url.parse(value, conn_max_age=60, conn_health_checks=True)
            )
        except (ValueError, KeyError):
            detail = f" (got scheme {scheme!r})" if scheme else " (got something that is not a URL)"
            raise ConfigError(expected + detail) from None
        if config.get("ENGINE") not in DATABASE_ENGINES:
            raise ConfigError(expected + f" (got scheme {scheme!r})")
        if config["ENGINE"] == "django.db.backends.postgresql" and not config.get("NAME"):
            raise ConfigError(f"{name} names no database: add /name after the host")
        return config


def _decode_field_key(name: str, value: str) -> bytes:
    value = value.strip()
    if not _URLSAFE_B64.match(value):
        raise ConfigError(f"{name} must be urlsafe base64 of 32 random bytes (make one with `make key`)")
    try:
        key = base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        raise ConfigError(
            f"{name} must be urlsafe base64 of 32 random bytes (make one with `make key`)"
        ) from None
    if len(key) != 32:
        raise ConfigError(f"{name} must decode to 32 bytes; it decodes to {len(key)}")
    return key
