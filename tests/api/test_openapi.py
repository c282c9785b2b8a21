"""The OpenAPI document: 3.1, every field described with an example, problems as problem+json."""

import pytest

from api import problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(api) -> dict:
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_the_document_is_openapi_3_1_with_every_endpoint(document):
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {
        "/api/v1/articles",
        "/api/v1/articles/{slug}",
        "/api/v1/articles/{slug}/versions",
        "/api/v1/topics",
        "/api/v1/search",
        "/api/v1/problems/{name}",
    }


def test_every_field_and_parameter_has_a_description_and_an_example(document):
    missing = []
    for name, schema in document["components"]["schemas"].items():
        for field, spec in schema.get("properties", {}).items():
            missing += [f"{name}.{field}: {key}" for key in ("description", "examples") if key not in spec]
    for path, operations in document["paths"].items():
        for operation in operations.values():
            assert operation["description"], path
            for parameter in operation.get("parameters", []):
                missing += [f"{path} {parameter['name']}: {key}" for key in ("description",) if key not in parameter]
                if "examples" not in parameter["schema"] and "enum" not in str(parameter["schema"]):
                    missing.append(f"{path} {parameter['name']}: examples")
    assert missing == []


def test_errors_are_documented_as_problem_details_and_successes_with_their_validators(document):
    for path, operations in document["paths"].items():
        for status, response in operations["get"]["responses"].items():
            if int(status) >= 400 and "content" in response:
                assert list(response["content"]) == [problems.MEDIA_TYPE], (path, status)
            if status == "200":
                assert {"ETag", "Cache-Control"} <= set(response["headers"]), path
            if status == "429":
                assert "Retry-After" in response["headers"], path
        assert {"400", "422", "429"} <= set(operations["get"]["responses"]), path


def test_the_docs_page_serves_swagger_ui_from_this_origin(api):
    response = api.get("/api/v1/docs")
    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
