"""The published docs are complete and their examples are true: every schema field and every
parameter of `/openapi.json` is described, every request body has an example, and each example is
accepted by its model and, sent to the API in the order an integrator would send them, by the API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from app.catalogue.checks import check_document
from app.catalogue.document import CatalogueDocument
from tests.conftest import AppFactory

JSON = "application/json"
REF = "#/components/schemas/"


@pytest.fixture
def openapi(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def operations(openapi: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def body_schema_name(operation: dict[str, Any]) -> str:
    ref = operation["requestBody"]["content"][JSON]["schema"]["$ref"]
    assert ref.startswith(REF)
    return str(ref.removeprefix(REF))


def body_examples(openapi: dict[str, Any], operation: dict[str, Any]) -> list[Any]:
    """The examples a reader of /docs sees for a request body: on the media type or on its schema."""
    media = operation["requestBody"]["content"][JSON]
    found = [example["value"] for example in media.get("examples", {}).values()]
    if "example" in media:
        found.append(media["example"])
    found += openapi["components"]["schemas"][body_schema_name(operation)].get("examples", [])
    return found


def test_every_property_of_every_schema_has_a_description(openapi: dict[str, Any]) -> None:
    schemas = openapi["components"]["schemas"]
    undescribed = [
        f"{name}.{prop}"
        for name, schema in schemas.items()
        for prop, spec in schema.get("properties", {}).items()
        if not spec.get("description", "").strip()
    ]
    assert len(schemas) > 40  # the walk saw the real schema, not an empty one
    assert undescribed == []


def test_every_parameter_has_a_description(openapi: dict[str, Any]) -> None:
    parameters = [
        (method, path, parameter)
        for method, path, operation in operations(openapi)
        for parameter in operation.get("parameters", [])
    ]
    undescribed = [
        f"{method} {path} {p['in']} {p['name']}"
        for method, path, p in parameters
        if not p.get("description", "").strip()
    ]
    assert len(parameters) > 50
    assert undescribed == []


def test_every_request_body_has_an_example(openapi: dict[str, Any]) -> None:
    with_body = [(method, path, op) for method, path, op in operations(openapi) if "requestBody" in op]
    without = [f"{method} {path}" for method, path, op in with_body if not body_examples(openapi, op)]
    assert len(with_body) >= 10
    assert without == []


def app_models() -> dict[str, type[BaseModel]]:
    """The project's pydantic models by class name, which FastAPI uses as their schema's name."""
    found: dict[str, list[type[BaseModel]]] = {}
    todo: list[type[BaseModel]] = [BaseModel]
    while todo:
        for cls in todo.pop().__subclasses__():
            todo.append(cls)
            if cls.__module__.startswith("app."):
                found.setdefault(cls.__name__, []).append(cls)
    return {name: classes[0] for name, classes in found.items() if len(classes) == 1}


def test_each_request_body_example_validates_against_its_model(openapi: dict[str, Any]) -> None:
    models = app_models()
    checked = 0
    for method, path, operation in operations(openapi):
        if "requestBody" not in operation:
            continue
        model = models[body_schema_name(operation)]
        for example in body_examples(openapi, operation):
            # through JSON text, as a client would send it
            parsed = model.model_validate_json(json.dumps(example))
            if isinstance(parsed, CatalogueDocument):
                assert check_document(parsed) == [], f"{method} {path}"
            checked += 1
    assert checked >= 10


def test_the_examples_are_accepted_by_the_api_in_an_integrators_order(
    make_client: AppFactory, admin: dict[str, str]
) -> None:
    """Against the bundled catalogue, as an integrator meets it: the admin creates the organisation
    and a key, the key stores the need, ranks it, records an application and follows it up."""
    client = make_client(load_default_catalogue=True)
    spec = client.get("/openapi.json").json()

    def examples(method: str, path: str) -> list[Any]:
        return body_examples(spec, spec["paths"][path][method.lower()])

    def send(method: str, url: str, body: Any, headers: dict[str, str], status: int = 200) -> dict[str, Any]:
        response = client.request(method, url, json=body, headers=headers)
        assert response.status_code == status, f"{method} {url}: {response.text}"
        return dict(response.json())

    [organisation] = examples("POST", "/api/v1/organisations")
    code = send("POST", "/api/v1/organisations", organisation, admin, 201)["code"]
    for change in examples("PATCH", "/api/v1/organisations/{code}"):
        send("PATCH", f"/api/v1/organisations/{code}", change, admin)
    [key] = examples("POST", "/api/v1/organisations/{code}/api-keys")
    token = send("POST", f"/api/v1/organisations/{code}/api-keys", key, admin, 201)["token"]
    writer = {"Authorization": f"Bearer {token}"}

    [need] = examples("POST", "/api/v1/needs")
    need_id = send("POST", "/api/v1/needs", need, writer, 201)["id"]
    [ranked] = examples("POST", "/api/v1/match")
    assert send("POST", "/api/v1/match", ranked, writer)["items"], "the example need finds programmes"
    for change in examples("PATCH", "/api/v1/needs/{need_id}"):
        send("PATCH", f"/api/v1/needs/{need_id}", change, writer)
    [replacement] = examples("PUT", "/api/v1/needs/{need_id}")
    etag = client.get(f"/api/v1/needs/{need_id}", headers=writer).headers["ETag"]
    send("PUT", f"/api/v1/needs/{need_id}", replacement, {**writer, "If-Match": etag})

    [application] = examples("POST", "/api/v1/needs/{need_id}/applications")
    application_id = send("POST", f"/api/v1/needs/{need_id}/applications", application, writer, 201)["id"]
    for change in examples("PATCH", "/api/v1/applications/{application_id}"):
        send("PATCH", f"/api/v1/applications/{application_id}", change, writer)

    [document] = examples("POST", "/api/v1/catalogue/import")
    summary = send("POST", "/api/v1/catalogue/import", document, admin)
    assert summary["changed"] and summary["updated"] == {key: 0 for key in summary["updated"]}, (
        "the example adds to the bundled catalogue and overwrites nothing"
    )
