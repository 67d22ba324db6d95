"""The Django floor for bench/intake.py: Rabta's own settings and middleware, one raw INSERT, nothing else.

Served by gunicorn exactly as Rabta is (DJANGO_SETTINGS_MODULE=bench.intake_floor). It is Rabta's stack
with every line of Rabta's intake taken out: no validation, no beat lookup, no ORM, no tracking
credentials, no encryption, no rate limit. The same request through this floor and through the
baseline (bench/intake_baseline.py) shows what Django and its middleware cost by themselves, so the
intake ratio can be read against the best any Django intake could reach on this machine.

This module is both the settings module and the URLconf.
"""

from __future__ import annotations

import json

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from bench.intake_baseline import TABLE
from rabta.settings import *  # noqa: F403 - the floor runs on Rabta's own settings

ROOT_URLCONF = "bench.intake_floor"


@csrf_exempt
def submit(request: HttpRequest) -> HttpResponse:
    post = request.POST
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (service_code, description, lat, lon) VALUES (%s, %s, %s, %s) RETURNING id",
            [
                post.get("service_code", "")[:32],
                post.get("description", ""),
                float(post.get("lat") or 0),
                float(post.get("long") or 0),
            ],
        )
        row = cursor.fetchone()
    body = json.dumps([{"service_request_id": str(row[0] if row else "")}])
    return HttpResponse(body, status=201, content_type="application/json")


def ready(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [path("submit", submit), path("", ready)]
