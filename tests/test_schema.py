"""The OpenAPI schema at /api/v1/schema and the docs at /api/v1/docs."""

import re

import pytest
import yaml
from django.core.management import call_command
from rest_framework import status

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    """Generate the schema once, failing on any warning and validating it."""
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(path))
    return yaml.safe_load(path.read_text())


def operation(schema, path, method):
    return schema["paths"][f"/api/v1{path}"][method]


def test_schema_documents_bearer_tokens(schema):
    scheme = schema["components"]["securitySchemes"]["personalAccessToken"]

    assert scheme["type"] == "http"
    assert scheme["scheme"] == "bearer"


def test_schema_names_scope_of_each_operation(schema):
    assert operation(schema, "/me", "get")["x-token-scope"] == "read"
    create = operation(schema, "/backlogs/{backlog_id}/initiatives", "post")
    assert create["x-token-scope"] == "write:initiatives"
    assert "scope `write:initiatives`" in create["description"]


def test_schema_marks_endpoints_closed_to_tokens(schema):
    sign_in = operation(schema, "/auth/sign-in", "post")

    assert sign_in["x-token-scope"] is None
    assert "not allowed" in sign_in["description"]
    assert {"personalAccessToken": []} not in sign_in["security"]


def test_schema_lists_bearer_where_tokens_work(schema):
    assert {"personalAccessToken": []} in operation(schema, "/backlogs", "get")[
        "security"
    ]


def test_schema_documents_error_shape(schema):
    components = schema["components"]["schemas"]
    responses = operation(schema, "/backlogs/{backlog_id}", "patch")["responses"]

    assert components["Error"]["required"] == ["error", "detail"]
    assert "insufficient_scope" in components["ErrorEnum"]["enum"]
    for code in ("400", "401", "403", "404"):
        assert responses[code]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }


def test_schema_documents_pagination(schema):
    listing = operation(schema, "/backlogs/{backlog_id}/initiatives", "get")
    body = listing["responses"]["200"]["content"]["application/json"]["schema"]
    names = {parameter["name"] for parameter in listing["parameters"]}

    assert names >= {"status", "page", "page_size"}
    assert "$ref" in body


def test_schema_endpoint_serves_json_on_request(api):
    response = api.get("/api/v1/schema", HTTP_ACCEPT="application/json")

    assert response.status_code == status.HTTP_200_OK
    assert response.json()["openapi"].startswith("3.")


def test_docs_page_loads_nothing_from_other_hosts(client):
    response = client.get("/api/v1/docs")
    html = response.content.decode()
    addresses = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)

    assert response.status_code == status.HTTP_200_OK
    assert addresses
    assert all(address.startswith("/") for address in addresses), addresses
    assert "cdn" not in html.lower()


def test_docs_assets_are_served(client):
    html = client.get("/api/v1/docs").content.decode()
    script = re.search(r'src="(/static/[^"]+swagger-ui-bundle\.js)"', html).group(1)

    response = client.get(script)

    assert response.status_code == status.HTTP_200_OK


def test_docs_page_answers_options(client):
    response = client.options("/api/v1/docs")

    assert response.status_code == status.HTTP_200_OK
    assert response["Allow"] == "GET, HEAD, OPTIONS"
