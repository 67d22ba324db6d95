"""The staff API fuzzed against its own OpenAPI schema (schemathesis, in-process through WSGI).

Every operation of /api/schema/ gets generated requests, valid and invalid, sent as a logged-in station
head with a verified TOTP session (CSRF token included, so writes reach the views). A 5xx, a status the
schema does not list, or a body that does not match the schema fails the test. Bounded and derandomized
so CI is reproducible; see docs/testing.md for the time it takes.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import positive_data_acceptance

from rabta.reports.models import Report
from tests import factories
from tests.conftest import World, verified_client

EXAMPLES = 50
# Any 32 letters are a valid unmasked CSRF secret: sent as the cookie and the header, they match.
CSRF = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz"


def _schema() -> Any:
    # The schema the API serves, generated without a request (no database needed at collection).
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator().get_schema(request=None, public=True)
    # The session cookie is the test's own (a verified station head), not a generated parameter.
    for item in document["paths"].values():
        for operation in item.values():
            operation.pop("security", None)
    document.get("components", {}).pop("securitySchemes", None)
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = get_wsgi_application()
    return loaded


SCHEMA = _schema()
OPERATIONS = {op.label: op for op in (result.ok() for result in SCHEMA.get_all_operations())}


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Any:
    # Django's WSGI handler closes the database connection after each request; inside a test that is
    # the test's transaction (PostgreSQL). Django's own test client disconnects the same signals.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def caller(world: World) -> dict[str, Any]:
    """The station head's session cookie and one report in scope, so detail URLs reach a real report."""
    report = factories.report(beat_obj=world.beat_a, description="Street light out near the school").report
    client = verified_client(world.station_head)
    return {
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF},
        "headers": {"X-CSRFToken": CSRF},
        "report": report,
    }


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_staff_api_conforms_to_its_schema(label: str, caller: dict[str, Any]) -> None:
    operation = OPERATIONS[label]
    report: Report = caller["report"]
    cases = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        path = case._meta.components.get(ParameterLocation.PATH) if case._meta else None
        if case.path_parameters and not (path and path.mode.is_negative):
            # A valid id would almost never name a report in scope: aim valid cases at a real one.
            case.path_parameters = {**case.path_parameters, "public_id": report.public_id}
        # positive_data_acceptance is left out: a schema-valid action the report's state does not allow
        # (acknowledging twice, a status change the workflow forbids) is rightly a documented 400.
        case.call_and_validate(
            cookies=caller["cookies"], headers=caller["headers"], excluded_checks=[positive_data_acceptance]
        )

    check()
