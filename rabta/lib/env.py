"""Reading configuration from the environment, failing early and by name.

Django-free so that settings.py can use it before anything is configured.
"""

from __future__ import annotations

import base64
import binascii
import os
import zoneinfo
from collections.abc import Mapping
from pathlib import Path


class ConfigError(Exception):
    """A configuration variable is missing or malformed; the message names it."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


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

    def str(self, name: str, default: str | None = None) -> str:
        value = self.values.get(name)
        if value is None or value == "":
            if default is None:
                raise ConfigError(f"{name} is required but not set")
            return default
        return value

    def bool(self, name: str, default: bool) -> bool:
        value = self.values.get(name)
        if value is None:
            return default
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ConfigError(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}")

    def int(self, name: str, default: int) -> int:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number; got {value!r}") from None

    def list(self, name: str, default: list[str]) -> list[str]:
        value = self.values.get(name)
        if value is None:
            return default
        return [item.strip() for item in value.split(",") if item.strip()]

    def timezone(self, name: str, default: str) -> str:
        value = self.str(name, default)
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"{name} must be an IANA time zone such as Asia/Karachi; got {value!r}") from None
        return value

    def field_key(self, name: str) -> bytes:
        """A urlsafe-base64 encoding of exactly 32 random bytes."""
        value = self.str(name)
        try:
            key = base64.urlsafe_b64decode(value.encode("ascii"))
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raise ConfigError(f"{name} must be urlsafe base64 (make one with `make key`)") from None
        if len(key) != 32:
            raise ConfigError(f"{name} must decode to 32 bytes; it decodes to {len(key)}")
        return key
