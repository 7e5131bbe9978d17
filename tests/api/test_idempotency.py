import threading
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from common.models import IdempotencyRecord
from finance.models import SellerBalance, Withdrawal
from logistics.models import PickupRequest
from orders.models import Order
from tests.factories import BankAccountFactory, SellerUserFactory


def _order_body(world):
    return {"customer": {"name": "Rina", "phone": "081234567890"},
            "items": [{"sku": world.objects["variant"].sku, "quantity": 1}], "payment_method": "cod"}


def test_replay_returns_the_first_response_and_creates_nothing(world_a):
    headers = {"HTTP_IDEMPOTENCY_KEY": "order-1"}
    first = world_a.client.post("/api/v1/orders/", _order_body(world_a), format="json", **headers)
    assert first.status_code == 201
    count = Order.objects.count()
    replay = world_a.client.post("/api/v1/orders/", _order_body(world_a), format="json", **headers)
    assert replay.status_code == 201
    assert replay.json() == first.json()
    assert replay["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == count


def test_same_key_different_body_is_422(world_a):
    headers = {"HTTP_IDEMPOTENCY_KEY": "order-2"}
    world_a.client.post("/api/v1/orders/", _order_body(world_a), format="json", **headers)
    count = Order.objects.count()
    changed = {**_order_body(world_a), "payment_method": "bank_transfer"}
    response = world_a.client.post("/api/v1/orders/", changed, format="json", **headers)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Order.objects.count() == count


def test_keys_belong_to_one_user(world_a, world_b):
    headers = {"HTTP_IDEMPOTENCY_KEY": "shared-key"}
    assert world_a.client.post("/api/v1/orders/", _order_body(world_a), format="json", **headers).status_code == 201
    response = world_b.client.post("/api/v1/orders/", _order_body(world_b), format="json", **headers)
    assert response.status_code == 201
    assert Order.objects.filter(seller=world_b.seller).count() == 2


def test_refused_request_keeps_no_record_and_may_be_retried_with_the_key(world_a):
    headers = {"HTTP_IDEMPOTENCY_KEY": "wd-1"}
    account = world_a.objects["bank_account"]
    too_much = world_a.client.post("/api/v1/withdrawals/", {"bank_account": account.pk, "amount": "99999999"},
                                   format="json", **headers)
    assert too_much.status_code == 400
    assert not IdempotencyRecord.objects.filter(key="wd-1").exists()
    ok = world_a.client.post("/api/v1/withdrawals/", {"bank_account": account.pk, "amount": "1000"}, format="json",
                             **headers)
    assert ok.status_code == 201
    again = world_a.client.post("/api/v1/withdrawals/", {"bank_account": account.pk, "amount": "1000"},
                                format="json", **headers)
    assert again.json()["id"] == ok.json()["id"]
    assert Withdrawal.objects.filter(seller=world_a.seller).count() == 2  # the fixture's and this one


def test_pickup_replay(world_a, courier):
    import datetime as dt

    from django.utils import timezone

    from tests.factories import OrderFactory, ShipmentFactory

    order = OrderFactory(seller=world_a.seller)
    ShipmentFactory(order=order, courier=courier)
    body = {"orders": [order.pk], "pickup_date": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
            "time_from": "09:00", "time_to": "11:00", "contact_name": "Andi", "contact_phone": "081298765432",
            "address": "Jl. Mawar 1"}
    first = world_a.client.post("/api/v1/pickups/", body, format="json", HTTP_IDEMPOTENCY_KEY="p-1")
    second = world_a.client.post("/api/v1/pickups/", body, format="json", HTTP_IDEMPOTENCY_KEY="p-1")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    assert PickupRequest.objects.filter(seller=world_a.seller).count() == 2


def test_too_long_key_is_400(world_a):
    response = world_a.client.post("/api/v1/orders/", _order_body(world_a), format="json",
                                   HTTP_IDEMPOTENCY_KEY="k" * 256)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_create_one_withdrawal():
    seller_user = SellerUserFactory()
    seller = seller_user.seller
    account = BankAccountFactory(seller=seller)
    from finance.services import ledger_post

    ledger_post(seller=seller, entry_type="cod_credit", amount=Decimal("100000"), posting_key="t:cod")
    token = Token.objects.create(user=seller_user.user)
    barrier = threading.Barrier(4)
    results = []

    def call():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        barrier.wait()
        try:
            response = client.post("/api/v1/withdrawals/", {"bank_account": account.pk, "amount": "30000"},
                                   format="json", HTTP_IDEMPOTENCY_KEY="same")
            results.append((response.status_code, response.json().get("id")))
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [code for code, _id in results] == [201] * 4
    assert len({wid for _code, wid in results}) == 1
    assert Withdrawal.objects.filter(seller=seller).count() == 1
    balance = SellerBalance.objects.get(seller=seller)
    assert (balance.available, balance.held) == (Decimal("70000"), Decimal("30000"))
