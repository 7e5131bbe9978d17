"""The endpoint table against openapi.json, and the request validator used by every sandbox test."""

import pytest

from integrations.scalev.endpoints import ENDPOINTS, PAGE_SIZE_MAX
from tests.integrations.scalev import openapi_check


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_every_endpoint_is_an_operation_of_the_current_spec(name):
    entry = ENDPOINTS[name]
    item = openapi_check.spec()["paths"].get(entry.path)
    assert item is not None, f"{entry.path} is not in openapi.json"
    assert entry.method.lower() in item, f"{entry.method} {entry.path} is not in openapi.json"
    assert entry.path.startswith("/v3/")


def test_page_size_max_is_the_spec_maximum():
    for template in ("/v3/orders", "/v3/products"):
        params = [openapi_check._resolve(p["$ref"]) if "$ref" in p else p
                  for p in openapi_check.spec()["paths"][template]["get"]["parameters"]]
        (param,) = [p for p in params if p["name"] == "page_size"]
        assert param["schema"]["maximum"] == PAGE_SIZE_MAX


@pytest.mark.parametrize(("method", "url", "body"), [
    ("GET", "http://x/v3/orders?page_size=26", None),
    ("GET", "http://x/v3/orders?created_since=2025-01-01", None),
    ("GET", "http://x/v3/orders?status=shipped_back", None),
    ("GET", "http://x/v3/order/123", None),
    ("POST", "http://x/v3/orders", {"customer_name": "A"}),
    ("POST", "http://x/v3/orders/change-status", {"ids": ["a"]}),
    ("PATCH", "http://x/v3/variants/not-a-variant-ref", {"price": 1}),
    ("DELETE", "http://x/v3/products/1", {"ids": [1]}),
])
def test_the_request_validator_refuses_what_the_spec_forbids(method, url, body):
    with pytest.raises(Exception):  # noqa: B017 - AssertionError or jsonschema.ValidationError
        openapi_check.validate_request(method, url, body=body)
