"""rabta.lib.env: typed reading of configuration, with errors that name the variable."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from rabta.lib.env import ConfigError, Env, read_env_file

KEY = base64.urlsafe_b64encode(bytes(range(32))).decode()


def test_real_environment_wins_over_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / "rabta.env"
    env_file.write_text("# demo secrets\n\nDEBUG=1\nTIME_ZONE = Asia/Karachi\n", encoding="utf-8")
    monkeypatch.setenv("RABTA_ENV_FILE", str(env_file))
    monkeypatch.setenv("DEBUG", "0")
    env = Env.load(tmp_path)
    assert env.bool("DEBUG", default=True) is False
    assert env.str("TIME_ZONE") == "Asia/Karachi"


def test_env_file_with_a_bad_line_names_the_line(tmp_path: Path) -> None:
    env_file = tmp_path / "rabta.env"
    env_file.write_text("DEBUG=1\njust words\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"rabta.env:2: expected KEY=VALUE"):
        read_env_file(env_file)


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("TRUE", True), ("on", True), ("0", False), ("no", False)]
)
def test_bool_accepts_the_usual_spellings(raw: str, expected: bool) -> None:
    assert Env({"DEBUG": raw}).bool("DEBUG", default=not expected) is expected


def test_bool_refuses_anything_else() -> None:
    with pytest.raises(ConfigError, match="DEBUG must be one of"):
        Env({"DEBUG": "maybe"}).bool("DEBUG", default=False)
    assert Env({}).bool("DEBUG", default=True) is True


def test_str_required_and_default() -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY is required"):
        Env({"SECRET_KEY": ""}).str("SECRET_KEY")
    assert Env({}).str("X", default="d") == "d"


def test_int() -> None:
    assert Env({"PORT": "25"}).int("PORT", default=1) == 25
    assert Env({}).int("PORT", default=1) == 1
    with pytest.raises(ConfigError, match="RABTA_EMAIL_PORT must be a whole number"):
        Env({"RABTA_EMAIL_PORT": "twenty"}).int("RABTA_EMAIL_PORT", default=25)


def test_list_drops_blanks() -> None:
    assert Env({"ALLOWED_HOSTS": " a.example , ,b.example"}).list("ALLOWED_HOSTS", default=[]) == [
        "a.example",
        "b.example",
    ]
    assert Env({}).list("ALLOWED_HOSTS", default=["x"]) == ["x"]


def test_timezone() -> None:
    assert Env({}).timezone("TIME_ZONE", default="Asia/Karachi") == "Asia/Karachi"
    for bad in ("Mars/Olympus", "../../etc/passwd"):
        with pytest.raises(ConfigError, match="TIME_ZONE must be an IANA time zone"):
            Env({"TIME_ZONE": bad}).timezone("TIME_ZONE", default="UTC")


def test_secret_key_rules_depend_on_debug() -> None:
    assert Env({}).secret_key("SECRET_KEY", debug=True)
    with pytest.raises(ConfigError, match="SECRET_KEY is required"):
        Env({}).secret_key("SECRET_KEY", debug=False)
    for weak in ("x" * 60, "short", "django-insecure-" + "abcdef" * 10):
        with pytest.raises(ConfigError, match="SECRET_KEY must be at least 50"):
            Env({"SECRET_KEY": weak}).secret_key("SECRET_KEY", debug=False)
    good = "Zq8-Wm3_" * 7
    assert Env({"SECRET_KEY": good}).secret_key("SECRET_KEY", debug=False) == good


def test_field_key_accepts_padded_and_unpadded() -> None:
    assert Env({"K": KEY}).field_key("K") == bytes(range(32))
    assert Env({"K": KEY.rstrip("=")}).field_key("K") == bytes(range(32))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "K is required"),
        ("not base64!", "K must be urlsafe base64"),
        (base64.b64encode(b"\xff" * 32).decode(), "K must be urlsafe base64"),  # '/' and '+' are not urlsafe
        (
            base64.urlsafe_b64encode(b"sixteen bytes!!!").decode(),
            "K must decode to 32 bytes; it decodes to 16",
        ),
        ("A", "K must be urlsafe base64"),
    ],
)
def test_field_key_refusals(value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Env({"K": value}).field_key("K")


def test_origins_need_a_scheme() -> None:
    assert Env({"O": "https://a.example"}).origins("O") == ["https://a.example"]
    with pytest.raises(ConfigError, match="O entries must start with https://"):
        Env({"O": "https://a.example,b.example"}).origins("O")


def test_database_sqlite_and_postgres() -> None:
    sqlite = Env({}).database("DATABASE_URL", default="sqlite:////srv/rabta/db.sqlite3")
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3"
    assert sqlite["NAME"] == "/srv/rabta/db.sqlite3"
    pg = Env({"DATABASE_URL": "postgres://rabta:pw@db:5433/rabta"}).database("DATABASE_URL", default="")
    assert (pg["ENGINE"], pg["HOST"], pg["PORT"], pg["NAME"], pg["USER"]) == (
        "django.db.backends.postgresql",
        "db",
        5433,
        "rabta",
        "rabta",
    )


@pytest.mark.parametrize(
    "url",
    [
        "mysql://rabta:s3cret@db/rabta",
        "garbage",
        "http://example.org/db",
        "postgres://u:s3cret@h:port/db",
        "postgres://h",
    ],
)
def test_database_refusals_name_the_variable_not_the_password(url: str) -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL") as info:
        Env({"DATABASE_URL": url}).database("DATABASE_URL", default="")
    assert "s3cret" not in str(info.value)
