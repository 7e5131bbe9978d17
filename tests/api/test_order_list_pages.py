"""The unfiltered order list runs compiled, prepared page queries: the same pages, links and rows as the
queryset path that filtered requests take."""

import base64
import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.db import connection
from django.test import override_settings

from common.api_queries import CompiledQuery
from orders.api.serializers import OrderListSerializer
from orders.api.views import order_list_values
from orders.models import Order
from tests.factories import CourierFactory, OrderFactory, PlatformAccountFactory

# A filter named with an empty value: the queryset path (django-filter), which filters nothing.
QUERYSET_PATH = {"payment_status": ""}


@pytest.fixture
def orders(world_a, world_b):
    account = PlatformAccountFactory(seller=world_a.seller)
    courier = CourierFactory(code="jne")
    made = [world_a.objects["order"]]
    for n in range(7):
        made.append(OrderFactory(
            seller=world_a.seller, account=account if n % 2 else None, courier=courier if n % 3 else None,
            courier_service="REG" if n % 3 else "", payment_method="bank_transfer" if n % 2 else "cod",
            subtotal=Decimal("1000.50"), shipping_cost=Decimal("0.25"), cod_fee=0, grand_total=Decimal("1000.75"),
        ))
    Order.objects.filter(pk=made[3].pk).update(created_at=dt.datetime(2026, 1, 1, 23, 30, tzinfo=dt.UTC))
    OrderFactory(seller=world_b.seller)  # never in world_a's pages
    return made


def _walk(client, url, params, link="next"):
    pages = []
    if params:
        url = f"{url}?{urlencode(params)}"
    while url:
        body = client.get(url).json()
        pages.append(body["results"])
        url = body[link]
    return pages, body


def _position(link):
    cursor = parse_qs(urlsplit(link).query)["cursor"][0]
    return parse_qs(base64.b64decode(cursor).decode())


def test_pages_forward_and_back_match_the_queryset_path(orders, world_a):
    client = world_a.client
    fast, last = _walk(client, "/api/v1/orders/", {"page_size": 3})
    slow, _ = _walk(client, "/api/v1/orders/", {"page_size": 3, **QUERYSET_PATH})
    assert fast == slow
    assert [row["id"] for page in fast for row in page] == sorted((o.pk for o in orders), reverse=True)
    # Back from the last page by previous links (reversed cursors: the oldest-first queries).
    back, _ = _walk(client, last["previous"], {}, link="previous")
    back_slow, _ = _walk(client, last["previous"] + "&" + urlencode(QUERYSET_PATH), {}, link="previous")
    assert back == back_slow
    assert [row["id"] for page in reversed(back) for row in page] == sorted((o.pk for o in orders), reverse=True)[:6]


def test_rows_are_what_the_serializer_fields_give(orders, world_a):
    body = world_a.client.get("/api/v1/orders/", {"page_size": 20}).json()
    by_id = {row["id"]: row for row in body["results"]}
    for order in Order.objects.filter(seller=world_a.seller).select_related("customer", "courier", "account"):
        assert by_id[order.pk] == dict(OrderListSerializer(order).data)
    assert by_id[orders[3].pk]["created_at"] == "2026-01-02T06:30:00+07:00"  # WIB
    assert by_id[orders[1].pk]["grand_total"] == "1000.75"


def test_first_page_has_a_next_link_whose_cursor_holds_the_last_id(orders, world_a):
    body = world_a.client.get("/api/v1/orders/", {"page_size": 2}).json()
    assert body["previous"] is None
    assert _position(body["next"])["p"] == [str(body["results"][-1]["id"])]


@pytest.mark.parametrize("filters", [{}, QUERYSET_PATH])
def test_a_cursor_position_that_is_not_an_id_is_an_invalid_cursor(orders, world_a, filters):
    cursor = base64.b64encode(b"p=abc").decode()
    response = world_a.client.get("/api/v1/orders/", {"cursor": cursor, **filters})
    assert response.status_code == 404
    assert response.json()["error"] == {"code": "not_found", "message": "Invalid cursor", "fields": {}}


@pytest.mark.django_db
def test_compiled_query_gives_the_querysets_rows_and_is_prepared(world_a):
    seller_id = world_a.seller.pk
    query = CompiledQuery(lambda seller_id: order_list_values(Order.objects.filter(seller_id=seller_id))
                          .order_by("-id"), {"seller_id": int})
    expected = list(order_list_values(Order.objects.filter(seller_id=seller_id)).order_by("-id")[:5])
    with override_settings(API_PREPARED_STATEMENTS=True):
        assert query.dicts(limit=5, seller_id=seller_id) == expected
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            assert any('FROM "orders_order"' in row[0] for row in cursor.fetchall())
    with override_settings(API_PREPARED_STATEMENTS=False):
        assert query.dicts(limit=5, seller_id=seller_id) == expected


@pytest.mark.django_db
def test_compiled_query_reads_timestamps_in_c_with_the_same_values(world_a):
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader
    from psycopg.pq import Format

    from common.api_queries import _cursor

    seller_id = world_a.seller.pk
    query = CompiledQuery(lambda seller_id: Order.objects.filter(seller_id=seller_id).values("created_at")
                          .order_by("-id"), {"seller_id": int})
    expected = list(Order.objects.filter(seller_id=seller_id).values("created_at").order_by("-id")[:5])
    with override_settings(API_PREPARED_STATEMENTS=True):
        with _cursor(connection) as cursor:
            oid = cursor.cursor.adapters.types["timestamptz"].oid
            loader = cursor.cursor.adapters.get_loader(oid, Format.TEXT)
            assert not issubclass(loader, BaseTzLoader)  # not Django's loader that parses in Python
        rows = query.dicts(limit=5, seller_id=seller_id)
    assert rows == expected
    assert all(row["created_at"].tzinfo is dt.UTC for row in rows)


@pytest.mark.django_db
def test_compiled_query_refuses_a_queryset_that_ignores_a_parameter():
    query = CompiledQuery(lambda seller_id: Order.objects.filter(seller_id=1).values("id"), {"seller_id": int})
    with pytest.raises(ValueError):
        query.dicts(seller_id=1)
