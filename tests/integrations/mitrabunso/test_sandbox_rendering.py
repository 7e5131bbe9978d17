"""The sandbox's list serves rows from encoded texts (rendered when first listed, or at reset when asked):
byte for byte what encoding the rows on each request gives, and never a row as it was before a write."""

import pytest
import requests
from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse

from integrations.mitrabunso.sandbox import MSG_LIST, fmt_time
from integrations.sandbox_kit import SeedPlan
from tests.integrations.mitrabunso.conftest import ID_USER, TOKEN

pytestmark = pytest.mark.urls("tests.integrations.mitrabunso.urls")
HEADERS = {"Authorization": f"Bearer {TOKEN}"}


def listed(base_url, offset=0, limit=50) -> bytes:
    response = requests.get(f"{base_url}/order/orders/list/{ID_USER}/{offset}/{limit}", headers=HEADERS, timeout=10)
    assert response.status_code == 200
    return response.content


def encoded_now(sandbox, offset=0, limit=50) -> bytes:
    chosen = sandbox.orders[::-1][offset:offset + limit]
    rows = [sandbox._list_row(o) for o in chosen]
    return JsonResponse({"message": MSG_LIST, "data": rows, "total": len(sandbox.orders), "show": len(rows)},
                        encoder=DjangoJSONEncoder).content


@pytest.mark.parametrize("prerender", [False, True])
def test_the_list_is_byte_for_byte_the_rows_encoded_on_the_request(sandbox, base_url, prerender):
    sandbox.reset(SeedPlan(orders=120, products=40, seed=5, extra={"prerender": prerender}))

    assert listed(base_url, 0, 50) == encoded_now(sandbox, 0, 50)
    assert listed(base_url, 50, 100) == encoded_now(sandbox, 50, 100)
    assert listed(base_url, 0, 50) == encoded_now(sandbox, 0, 50)  # served again from the texts


def test_a_write_drops_the_rendered_rows(sandbox, base_url):
    sandbox.reset(SeedPlan(orders=60, products=40, seed=5, extra={"prerender": True}))
    assert len(sandbox._rendered) == 60
    shown = set(sandbox.orders[-60:])
    stamp = next(t for t, orders in sandbox._batches().items() if shown.intersection(orders))
    response = requests.post(f"{base_url}/order/orders/print_order/{ID_USER}/{fmt_time(stamp)}/7", headers=HEADERS,
                             timeout=10)
    assert response.status_code == 200


    assert sandbox._rendered == {}
    assert listed(base_url, 0, 60) == encoded_now(sandbox, 0, 60)
