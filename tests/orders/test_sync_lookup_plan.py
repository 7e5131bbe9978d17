"""A look-up of a few hundred of an account's orders by external id must probe an index, not scan the table:
with PostgreSQL's default random_page_cost the planner switches to a sequential scan for 500 ids once the
table holds some tens of thousands of orders. The connections' random_page_cost (settings) keeps the probe."""

import random
import uuid

import pytest
from django.db import connection

from orders.models import Order
from orders.sync import _mirrored
from tests.factories import CustomerFactory, PlatformAccountFactory

ORDERS = 20_000
PAGE = 500
random_bits = random.Random(2026)

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")


@pytest.mark.django_db
def test_connections_use_the_configured_random_page_cost():
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert float(cursor.fetchone()[0]) == pytest.approx(1.1)


@pytest.mark.django_db
def test_a_page_look_up_probes_the_unique_index_in_a_large_table():
    account = PlatformAccountFactory()
    customer = CustomerFactory()
    ids = [str(uuid.UUID(int=random_bits.getrandbits(128), version=4)) for _ in range(ORDERS)]  # as platforms'
    Order.objects.bulk_create(
        (Order(seller=customer.seller, customer=customer, account=account, external_id=external_id,
               order_no=f"INV/{n:06d}", payment_method=Order.PaymentMethod.COD, payload_hash="f" * 64,
               courier_service="REG", notes="Titip di pos satpam, jangan dibanting")
         for n, external_id in enumerate(ids)),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Order._meta.db_table}")
    page = ids[7_000:7_000 + PAGE]

    plan = _mirrored(account, page).values_list("external_id", "payload_hash").explain()

    assert "Index Scan" in plan, plan  # the unique index or the external id's own; both probe per key
    assert "Seq Scan" not in plan, plan
