"""/healthz: 200 when the database answers, 503 (with the same small JSON) when it does not.

The path is written out, not reversed: load balancers and monitors are configured with it.
"""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client


@pytest.mark.django_db
def test_healthz_reports_database_up(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": True}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_reports_database_down(client: Client) -> None:
    def broken_cursor(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("could not connect to server")

    with mock.patch("rabta.core.views.connection.cursor", side_effect=broken_cursor):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": False}
    assert response["Retry-After"] == "30"
    assert b"could not connect" not in response.content


@pytest.mark.django_db
def test_healthz_is_get_only(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
