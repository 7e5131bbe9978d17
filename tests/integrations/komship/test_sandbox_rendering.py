"""The sandbox's order list serves rows from encoded texts kept on each order (rendered when first listed, or
at reset when asked): byte for byte what encoding the rows on each request gives, and never a row as it was
before the order changed."""

import pytest
import requests
from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse

from integrations.sandbox_kit import SeedPlan
from tests.integrations.komship.conftest import DEMO_TOKEN

pytestmark = pytest.mark.urls("tests.integrations.komship.urls")
HEADERS = {"Authorization": f"Bearer {DEMO_TOKEN}"}
LIST_PATH = "v2/order/10021"


def listed(base_url, offset=0, limit=50) -> bytes:
    response = requests.get(f"{base_url}/{LIST_PATH}", params={"offset": offset, "limit": limit}, headers=HEADERS,
                            timeout=10)
    assert response.status_code == 200
    return response.content


def encoded_now(sandbox, offset=0, limit=50) -> bytes:
    rows = [sandbox.row_v2(o) for o in sandbox.orders[::-1][offset:offset + limit]]
    return JsonResponse({"status": "success", "code": 200, "data": rows}, encoder=DjangoJSONEncoder).content


@pytest.mark.parametrize("prerender", [False, True])
def test_the_list_is_byte_for_byte_the_rows_encoded_on_the_request(sandbox, base_url, prerender):
    sandbox.reset(SeedPlan(orders=120, products=30, seed=5, extra={"prerender": prerender}))

    assert listed(base_url, 0, 50) == encoded_now(sandbox, 0, 50)
    assert listed(base_url, 50, 100) == encoded_now(sandbox, 50, 100)
    assert listed(base_url, 0, 50) == encoded_now(sandbox, 0, 50)  # served again from the texts


def test_a_changed_order_is_listed_as_it_is_now(sandbox, base_url):
    sandbox.reset(SeedPlan(orders=60, products=30, seed=5, extra={"prerender": True}))
    newest = sandbox.orders[-1]
    before = listed(base_url, 0, 10)

    sandbox.give_awb(newest["order_id"], "JX0000000001", status="Dipacking")

    after = listed(base_url, 0, 10)
    assert after != before and b"JX0000000001" in after
    assert after == encoded_now(sandbox, 0, 10)
