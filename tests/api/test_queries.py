"""Every list endpoint answers in a constant number of queries (≤ 4), whatever the page size."""

import pytest

from tests.factories import (
    BankAccountFactory,
    OrderFactory,
    PickupRequestFactory,
    ProductFactory,
    StockLevelFactory,
    TicketFactory,
    VariantFactory,
    WarehouseFactory,
    WithdrawalFactory,
)

LISTS = ["/api/v1/products/", "/api/v1/variants/", "/api/v1/orders/", "/api/v1/pickups/", "/api/v1/tickets/",
         "/api/v1/ledger/", "/api/v1/bank-accounts/", "/api/v1/withdrawals/"]


@pytest.fixture
def busy_seller(world_a, courier):
    from finance.services import ledger_post

    seller = world_a.seller
    warehouses = [WarehouseFactory() for _ in range(2)]
    for n in range(55):
        product = ProductFactory(seller=seller)
        for _ in range(2):
            variant = VariantFactory(product=product)
            for warehouse in warehouses:
                StockLevelFactory(variant=variant, warehouse=warehouse)
        order = OrderFactory(seller=seller)
        pickup = PickupRequestFactory(seller=seller)
        pickup.orders.add(order)
        TicketFactory(seller=seller, order=order)
        account = BankAccountFactory(seller=seller, account_number=f"55500{n:04d}")
        WithdrawalFactory(seller=seller, bank_account=account)
        ledger_post(seller=seller, entry_type="cod_credit", amount=1000, posting_key=f"q:{n}")
    return world_a


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("page_size", [1, 50])
def test_list_query_count_is_constant(busy_seller, django_assert_max_num_queries, url, page_size):
    with django_assert_max_num_queries(4):
        response = busy_seller.client.get(url, {"page_size": page_size})
    assert response.status_code == 200
    assert len(response.json()["results"]) == page_size


@pytest.mark.parametrize("url", ["/api/v1/orders/", "/api/v1/products/"])
def test_next_page_by_cursor_costs_the_same(busy_seller, django_assert_max_num_queries, url):
    next_url = busy_seller.client.get(url, {"page_size": 50}).json()["next"]
    with django_assert_max_num_queries(4):
        response = busy_seller.client.get(next_url)
    assert response.status_code == 200
    assert response.json()["results"]
