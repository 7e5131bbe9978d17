"""Shipping quotes against the Komship, Ngorder and Scalev sandboxes over HTTP."""

from decimal import Decimal

import pytest

from integrations.sandbox_kit import FaultPlan
from logistics.quotes import (
    QuoteRefused,
    QuoteUnavailable,
    order_shipping_quote,
    quote_accounts_for,
    shipping_quote,
)
from tests.factories import CustomerFactory, OrderFactory, OrderItemFactory, SellerFactory
from tests.integrations.engine_support import reset_sandbox, sandbox_account

pytestmark = pytest.mark.django_db(transaction=True)

PLACES = {"komship": "Coblong, Kota Bandung", "ngorder": "Tebet", "scalev": "Coblong"}
ORIGINS = {"komship": "", "ngorder": "346", "scalev": "1"}


@pytest.mark.parametrize("platform", ["komship", "ngorder", "scalev"])
def test_quote_lists_courier_services_cheapest_first(platform, live_server):
    reset_sandbox(platform, orders=5)
    account = sandbox_account(platform, live_server.url)
    options = shipping_quote(account=account, origin=ORIGINS[platform], destination=PLACES[platform],
                             weight_grams=1500, item_value=Decimal("150000"))
    assert len(options) >= 3
    assert all(o.platform == platform and o.cost > 0 and o.courier_code and o.service_code for o in options)
    assert [o.total for o in options] == sorted(o.total for o in options)
    assert all(o.cod_fee == 0 for o in options)


def test_heavier_parcel_costs_more_and_cod_adds_the_fee_on_komship(live_server):
    reset_sandbox("komship", orders=5)
    account = sandbox_account("komship", live_server.url)
    light = shipping_quote(account=account, origin="", destination="Coblong", weight_grams=900)
    heavy = shipping_quote(account=account, origin="", destination="Coblong", weight_grams=4200)
    cod = shipping_quote(account=account, origin="", destination="Coblong", weight_grams=900,
                         cod_value=Decimal("200000"))
    by_service = {(o.courier_code, o.service_code): o for o in light}
    for option in heavy:
        assert option.cost > by_service[(option.courier_code, option.service_code)].cost
    assert all(o.cod_fee == Decimal("5600") for o in cod)  # 2.8% of the COD value


def test_scalev_cod_quote_leaves_out_services_without_cod(live_server):
    reset_sandbox("scalev", orders=5)
    account = sandbox_account("scalev", live_server.url)
    plain = shipping_quote(account=account, origin="1", destination="Coblong", weight_grams=800)
    cod = shipping_quote(account=account, origin="1", destination="Coblong", weight_grams=800,
                         cod_value=Decimal("90000"))
    assert "anteraja" in {o.courier_code for o in plain} or len(cod) < len(plain) + 1
    assert "anteraja" not in {o.courier_code for o in cod}


@pytest.mark.parametrize("kwargs, field", [
    ({"destination": ""}, "destination"),
    ({"weight_grams": 0}, "weight_grams"),
    ({"weight_grams": "berat"}, "weight_grams"),
    ({"cod_value": "-5"}, "cod_value"),
    ({"item_value": "sepuluh"}, "item_value"),
])
def test_bad_input_is_refused_before_any_call(kwargs, field, live_server):
    sandbox = reset_sandbox("komship", orders=1)
    account = sandbox_account("komship", live_server.url)
    arguments = {"account": account, "origin": "", "destination": "Coblong", "weight_grams": 1000, **kwargs}
    with pytest.raises(QuoteRefused) as caught:
        shipping_quote(**arguments)
    assert caught.value.extra["field"] == field
    assert sandbox.stats["requests"] == 0


def test_a_platform_without_quotes_is_refused(live_server):
    account = sandbox_account("mitrabunso", live_server.url)
    with pytest.raises(QuoteRefused, match="does not quote"):
        shipping_quote(account=account, origin="", destination="Coblong", weight_grams=1000)


def test_unknown_destination_and_platform_failure_are_quote_unavailable(live_server):
    reset_sandbox("ngorder", orders=1)
    account = sandbox_account("ngorder", live_server.url)
    with pytest.raises(QuoteUnavailable, match="no Ngorder region"):
        shipping_quote(account=account, origin="346", destination="Atlantis", weight_grams=1000)
    reset_sandbox("ngorder", orders=1, faults=FaultPlan(error_rate=1.0, kinds=("500",)))
    with pytest.raises(QuoteUnavailable) as caught:
        shipping_quote(account=account, origin="346", destination="2101", weight_grams=1000)
    assert caught.value.extra["retryable"] is True


def test_order_quote_uses_the_customer_place_items_weight_and_cod_value(live_server):
    reset_sandbox("komship", orders=1)
    seller = SellerFactory()
    account = sandbox_account("komship", live_server.url, seller=seller)
    customer = CustomerFactory(seller=seller, subdistrict="Dago", district="Coblong", city="Kota Bandung")
    order = OrderFactory(seller=seller, customer=customer, account=account)
    OrderItemFactory(order=order, weight_grams=700, quantity=2)
    options = order_shipping_quote(order=order)
    assert options and all(o.platform == "komship" for o in options)
    assert all(o.cod_fee == Decimal("5404") for o in options)  # 2.8% of the grand total 193,000
    assert list(quote_accounts_for(seller=seller)) == [account]


def test_order_without_weight_or_quoting_account_is_refused(db):
    order = OrderFactory()
    with pytest.raises(QuoteRefused, match="no Komship, Ngorder or Scalev account"):
        order_shipping_quote(order=order)
