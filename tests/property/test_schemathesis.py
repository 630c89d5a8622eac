"""Schemathesis against the JSON API's OpenAPI schema, through the real middleware: no server errors,
and status codes the schema documents."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as fuzzing
from schemathesis.checks import not_a_server_error

from app.main import create_app
from app.settings import Settings


def test_the_api_never_fails_with_a_server_error(settings: Settings) -> None:
    app = create_app(settings)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} == {"/api/assessments", "/api/results/{view_token}"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @fuzzing(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
        def fuzz(case: schemathesis.Case) -> None:
            response = case.call()
            assert response.status_code < 500, (case.path, case.body, response.status_code, response.text[:300])
            case.validate_response(response, checks=[not_a_server_error])

        fuzz()
    app.state.db.dispose()

