import pytest


@pytest.mark.parametrize("url", ["/api/schema/", "/api/schema/swagger/", "/api/schema/redoc/"])
def test_schema_and_its_pages_are_served_without_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 200


def test_schema_documents_every_error_status_and_the_token_scheme(client, db):
    import yaml

    schema = yaml.safe_load(client.get("/api/schema/").content)
    assert schema["components"]["securitySchemes"]["tokenAuth"]["type"] == "apiKey"
    for path, operations in schema["paths"].items():
        assert path.startswith("/api/v1/")
        for method, operation in operations.items():
            for status in ("400", "404", "429"):
                assert status in operation["responses"], (method, path, status)
    enum = schema["components"]["schemas"]["OrderStatusEnum"]["enum"]
    assert "ready_to_ship" in enum


def test_unmatched_api_path_is_404_in_the_error_format(world_a):
    response = world_a.client.post("/api/v1/orders/abc/cancel/", {}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
