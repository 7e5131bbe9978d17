import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import OrderFactory, SellerFactory, ShipmentFactory


@pytest.fixture
def seller(db):
    return SellerFactory()


@pytest.fixture
def ready_order(seller):
    """An order of `seller` whose shipment has an AWB: what a pickup can take."""
    order = OrderFactory(seller=seller)
    ShipmentFactory(order=order)
    return order


@pytest.fixture
def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)
