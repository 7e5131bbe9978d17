"""Two sellers, each with an app user, a token and one of everything the API shows."""

from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from finance.services import ledger_post
from tests.factories import (
    BankAccountFactory,
    CourierFactory,
    OrderFactory,
    OrderItemFactory,
    PickupRequestFactory,
    ProductFactory,
    SellerFactory,
    SellerUserFactory,
    ShipmentFactory,
    StockLevelFactory,
    TicketFactory,
    TicketMessageFactory,
    TrackingEventFactory,
    VariantFactory,
    WarehouseFactory,
)


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()  # throttle counters live in the cache; each test starts with none
    yield
    cache.clear()


@dataclass
class World:
    seller: object
    user: object
    token: str
    client: APIClient
    objects: dict = field(default_factory=dict)


def _world(*, courier, warehouse, balance: Decimal) -> World:
    seller = SellerFactory()
    seller_user = SellerUserFactory(seller=seller)
    token = Token.objects.create(user=seller_user.user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    product = ProductFactory(seller=seller)
    variant = VariantFactory(product=product)
    StockLevelFactory(variant=variant, warehouse=warehouse, on_hand=10)
    order = OrderFactory(seller=seller, warehouse=warehouse)
    OrderItemFactory(order=order, variant=variant, sku=variant.sku)
    shipment = ShipmentFactory(order=order, courier=courier)
    TrackingEventFactory(shipment=shipment)
    pickup = PickupRequestFactory(seller=seller)
    pickup.orders.add(order)
    ticket = TicketFactory(seller=seller, order=order)
    TicketMessageFactory(ticket=ticket)
    bank_account = BankAccountFactory(seller=seller, is_default=True)
    if balance:
        ledger_post(seller=seller, entry_type="cod_credit", amount=balance, posting_key=f"test:{seller.pk}:cod")
    from finance.services import withdrawal_request

    withdrawal = withdrawal_request(seller=seller, bank_account=bank_account, amount=Decimal("10000"),
                                    acting_user=seller_user.user, source="api")
    return World(seller=seller, user=seller_user.user, token=token.key, client=client, objects={
        "product": product, "variant": variant, "order": order, "shipment": shipment, "pickup": pickup,
        "ticket": ticket, "bank_account": bank_account, "withdrawal": withdrawal,
    })


@pytest.fixture
def courier(db):
    return CourierFactory()


@pytest.fixture
def warehouse(db):
    return WarehouseFactory()


@pytest.fixture
def world_a(db, courier, warehouse) -> World:
    return _world(courier=courier, warehouse=warehouse, balance=Decimal("500000"))


@pytest.fixture
def world_b(db, courier, warehouse) -> World:
    return _world(courier=courier, warehouse=warehouse, balance=Decimal("300000"))


@pytest.fixture
def anon_client() -> APIClient:
    return APIClient()
