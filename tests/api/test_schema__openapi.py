"""The OpenAPI 3 schema documents every operation, every journey step with its own request body,
and the errors; the documentation pages are served with their assets from this server."""

import pytest
import yaml
from django.contrib.staticfiles import finders
from drf_spectacular.validation import validate_schema

from api.fuzz import openapi_schema
from api.transitions import TRANSITIONS

from .support import api_client


@pytest.fixture(scope="module")
def schema():
    return openapi_schema()


def test_the_schema_is_valid_openapi_3(schema):
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")


def test_every_journey_step_has_its_own_operation_and_request_body(schema):
    for name, transition in TRANSITIONS.items():
        operation = schema["paths"][f"/api/v1/cases/{{case_id}}/transitions/{name}/"]["post"]
        assert operation["operationId"] == f"cases_transitions_{name}"
        assert {"200", "400", "403", "404", "409", "422"} <= set(operation["responses"])
        fields = transition.input().fields
        if fields:
            ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            body = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
            assert set(body["properties"]) == set(fields)
            assert body["additionalProperties"] is False


def test_every_operation_documents_its_errors_with_the_error_body(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert {"401", "403", "404"} <= set(responses), (method, path)
            if method in ("post", "put", "patch"):
                assert {"400", "422"} <= set(responses), (method, path)
            assert responses["404"]["content"]["application/json"]["schema"]["$ref"].endswith(
                "/Error"
            )


def test_ids_in_paths_are_bounded_integers(schema):
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    assert parameter["schema"] == {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": 10**18 - 1,
                    }, path


@pytest.mark.django_db
def test_the_schema_and_the_documentation_pages_are_served(world):
    anonymous = api_client()
    response = anonymous.get("/api/schema/")
    assert response.status_code == 200
    served = yaml.safe_load(response.content)
    assert "/api/v1/cases/{case_id}/transitions/advance/" in served["paths"]
    assert anonymous.get("/api/schema/?format=json").status_code == 200
    for page, asset in [
        ("/api/docs/", "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"),
        ("/api/redoc/", "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"),
    ]:
        response = anonymous.get(page)
        assert response.status_code == 200
        html = response.content.decode()
        assert f"/static/{asset}" in html and "cdn." not in html
        assert finders.find(asset), asset  # shipped by drf-spectacular-sidecar, no network
