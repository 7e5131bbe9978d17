"""Imported orders with a platform account column are sent to that platform after the import committed,
as the admin's "Send to platform" does (over real HTTP, to the platform's sandbox)."""

import pytest

from orders.models import Order
from tests.integrations.engine_support import reset_sandbox, sandbox_account
from tests.orders.push_support import CUSTOMER, listed_variant, platform_order_ids
from tests.transfers.helpers import csv_bytes, import_file, upload
from transfers.models import ImportJob

HEADER = ["order_no", "seller", "customer_name", "customer_phone", "customer_address", "customer_district",
          "customer_city", "customer_province", "customer_postal_code", "payment_method", "sku", "quantity",
          "shipping_cost", "courier", "courier_service", "platform_account"]


@pytest.mark.django_db(transaction=True)
def test_imported_orders_are_sent_to_the_named_platform_account_once(live_server, superuser):
    from tests.factories import CourierFactory

    reset_sandbox("ngorder", orders=2, products=4)
    account = sandbox_account("ngorder", live_server.url)
    variant = listed_variant(account)
    CourierFactory(code="jne", name="JNE")
    row = ["IMP-ORDER-1", account.seller.code, CUSTOMER["name"], CUSTOMER["phone"], CUSTOMER["address"],
           CUSTOMER["district"], CUSTOMER["city"], CUSTOMER["province"], CUSTOMER["postal_code"], "cod", variant.sku,
           "2", "18.000", "jne", "REG", account.name]
    before = platform_order_ids(account)

    preview = upload(superuser, "orders", csv_bytes([HEADER, row]))
    assert preview.status == ImportJob.Status.PREVIEWED and preview.new_rows == 1, preview.errors
    assert platform_order_ids(account) == before, "the dry run sent nothing"
    assert not Order.objects.filter(order_no="IMP-ORDER-1").exists()

    job = import_file(superuser, "orders", csv_bytes([HEADER, row]))
    assert job.status == ImportJob.Status.DONE
    order = Order.objects.get(order_no="IMP-ORDER-1")
    assert order.account == account and order.external_id
    after = platform_order_ids(account)
    assert len(after) == len(before) + 1 and after.count(order.external_id) == 1
    assert any("IMP-ORDER-1" in message for message in job.messages)
