"""orders_pull writes its pages in batches: one transaction per batch, progress reported after each commit."""

import time
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from integrations.base import OrderPage
from integrations.exceptions import ProviderUnavailable
from orders import sync
from orders.models import Customer, Order, OrderEvent, OrderItem
from orders.sync import IDLE, orders_pull, prefetched
from tests.factories import PlatformAccountFactory, SellerFactory
from tests.orders.test_sync import external_order

pytestmark = pytest.mark.django_db

SINCE = UNTIL = None  # the fake adapter ignores the window


class PagesAdapter:
    """Serves the given pages; `fail_after` pages, raises a fetch error; `pause` seconds before each page
    but the first; `details` answers get_order."""

    def __init__(self, pages, *, fail_after=None, pause=0.0, details=None):
        self.pages, self.fail_after, self.pause, self.details = pages, fail_after, pause, details or {}

    def iter_order_pages(self, *, since, until, known_listings=None):
        for n, orders in enumerate(self.pages, start=1):
            if self.fail_after is not None and n > self.fail_after:
                raise ProviderUnavailable("the platform is down")
            if n > 1 and self.pause:
                time.sleep(self.pause)
            yield OrderPage(orders=tuple(orders), cursor=str(n), total=sum(map(len, self.pages)))

    def get_order(self, external_id):
        try:
            return self.details[external_id]
        except KeyError:
            raise ProviderUnavailable(f"order {external_id} not served") from None


def pages_of(per_page, pages, *, start=0):
    return [[external_order(start + p * per_page + n) for n in range(per_page)] for p in range(pages)]


def pull(account, adapter):
    reports = []
    total = orders_pull(account=account, adapter=adapter, since=SINCE, until=UNTIL,
                        on_page=lambda counts, cursor, total=None: reports.append((counts, cursor)))
    return total, reports


@pytest.fixture
def account():
    return PlatformAccountFactory(platform="ngorder", seller=SellerFactory())


def test_pages_are_written_in_batches_and_progress_names_the_last_page_of_each(account, monkeypatch):
    monkeypatch.setattr(sync, "BATCH_ORDERS", 100)

    total, reports = pull(account, PagesAdapter(pages_of(25, 10)))

    assert [(c.fetched, c.created, cursor) for c, cursor in reports] == [(100, 100, "4"), (100, 100, "8"),
                                                                          (50, 50, "10")]
    assert (total.fetched, total.created) == (250, 250)
    assert Order.objects.filter(account=account).count() == 250


def test_queries_per_batch_do_not_grow_with_its_pages_or_orders(account, monkeypatch):
    monkeypatch.setattr(sync, "BATCH_ORDERS", 10_000)
    pull(account, PagesAdapter(pages_of(1, 1, start=9000)))  # couriers and mappings known

    with CaptureQueriesContext(connection) as small:
        pull(account, PagesAdapter(pages_of(5, 2)))
    with CaptureQueriesContext(connection) as large:
        pull(account, PagesAdapter(pages_of(25, 8, start=100)))

    assert Order.objects.filter(account=account).count() == 1 + 10 + 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_an_order_on_two_pages_of_one_batch_is_written_once_as_the_later_page_has_it(account):
    first = external_order(1)
    later = replace(first, status="CANCELED", notes="dibatalkan pembeli")

    total, reports = pull(account, PagesAdapter([[first, external_order(2)], [later]]))

    order = Order.objects.get(account=account, external_id=first.external_id)
    assert order.status == "canceled" and order.notes == "dibatalkan pembeli"
    assert order.items.count() == 1 and OrderEvent.objects.filter(order=order).count() == 1
    assert (total.fetched, total.created, total.updated) == (3, 2, 0) and len(reports) == 1


def test_a_second_pull_of_the_same_pages_writes_nothing(account, monkeypatch):
    monkeypatch.setattr(sync, "BATCH_ORDERS", 40)
    pull(account, PagesAdapter(pages_of(20, 5)))
    before = (Order.objects.count(), OrderItem.objects.count(), OrderEvent.objects.count())

    with CaptureQueriesContext(connection) as ctx:
        total, reports = pull(account, PagesAdapter(pages_of(20, 5)))

    assert (total.fetched, total.unchanged, total.created, total.updated) == (100, 100, 0, 0)
    assert [cursor for _counts, cursor in reports] == ["2", "4", "5"]
    assert before == (Order.objects.count(), OrderItem.objects.count(), OrderEvent.objects.count())
    assert not [q for q in ctx.captured_queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]


def test_a_fetch_error_writes_the_pages_fetched_before_it_then_ends_the_pull(account, monkeypatch):
    monkeypatch.setattr(sync, "BATCH_ORDERS", 1000)
    reports = []

    with pytest.raises(ProviderUnavailable):
        orders_pull(account=account, adapter=PagesAdapter(pages_of(10, 5), fail_after=3), since=SINCE,
                    until=UNTIL, on_page=lambda counts, cursor, total=None: reports.append((counts, cursor)))

    assert Order.objects.filter(account=account).count() == 30
    assert [(c.created, cursor) for c, cursor in reports] == [(30, "3")]


def test_a_batch_that_fails_before_its_write_leaves_nothing_of_it(account, monkeypatch):
    monkeypatch.setattr(sync, "BATCH_ORDERS", 20)
    pages = pages_of(10, 4)
    pages[3][5] = replace(pages[3][5], items=(), items_complete=False)  # its detail call fails

    reports = []
    with pytest.raises(ProviderUnavailable):
        orders_pull(account=account, adapter=PagesAdapter(pages), since=SINCE, until=UNTIL,
                    on_page=lambda counts, cursor, total=None: reports.append((counts, cursor)))

    assert Order.objects.filter(account=account).count() == 20  # the second batch: none of its 20
    assert [cursor for _counts, cursor in reports] == ["2"]


def test_a_slow_platform_gets_its_pages_written_without_waiting_for_a_full_batch(account, monkeypatch):
    monkeypatch.setattr(sync, "BATCH_ORDERS", 1000)
    monkeypatch.setattr(sync, "BATCH_SECONDS", 0.05)

    _total, reports = pull(account, PagesAdapter(pages_of(5, 3), pause=0.5))

    assert [cursor for _counts, cursor in reports] == ["1", "2", "3"]


def test_prefetched_says_when_no_page_came_in_time():
    def slow():
        yield "a"
        time.sleep(0.3)
        yield "b"

    seen = list(prefetched(slow(), idle_after=0.05))

    assert seen[0] == "a" and seen[-1] == "b" and IDLE in seen[1:-1]
    assert list(prefetched(iter("abc"), depth=2)) == ["a", "b", "c"]


def test_a_later_batch_finds_the_customers_of_earlier_ones_by_phone(account, monkeypatch):
    monkeypatch.setattr(sync, "BATCH_ORDERS", 2)
    shared, other = "+6281299990000", "+6281299990001"
    pages = [[external_order(1, phone=shared), external_order(2, phone="")],
             [external_order(3, phone=shared), external_order(4, phone=other), external_order(5, phone="")],
             [external_order(6, phone=other), external_order(7, phone=shared)]]

    _total, reports = pull(account, PagesAdapter(pages))

    customers = dict(Order.objects.filter(account=account).values_list("external_id", "customer_id"))
    assert len(reports) == 3
    assert customers["1001"] == customers["1003"] == customers["1007"]
    assert customers["1004"] == customers["1006"]
    assert len({customers["1001"], customers["1002"], customers["1004"], customers["1005"]}) == 4
    assert Customer.objects.filter(seller=account.seller).count() == 4


def test_list_rows_without_items_get_a_detail_call_only_when_their_update_time_moved(account):
    from datetime import UTC, datetime

    stamp, later = datetime(2026, 11, 2, 3, 0, tzinfo=UTC), datetime(2026, 11, 3, 3, 0, tzinfo=UTC)
    full = [replace(external_order(n), updated_at=stamp) for n in range(3)]
    pull(account, PagesAdapter([full]))
    listed = [replace(o, items=(), items_complete=False) for o in full]
    listed[1] = replace(listed[1], updated_at=later)
    details = {full[1].external_id: replace(full[1], updated_at=later, notes="diubah")}

    total, _reports = pull(account, PagesAdapter([listed[:2], listed[2:]], details=details))

    assert (total.fetched, total.unchanged, total.updated) == (3, 2, 1)
    assert Order.objects.get(account=account, external_id=full[1].external_id).notes == "diubah"


def test_after_a_batch_listed_as_unchanged_rows_without_items_are_still_checked_by_update_time(account,
                                                                                                monkeypatch):
    monkeypatch.setattr(sync, "BATCH_ORDERS", 1)  # one page per batch
    listed_at = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    complete = external_order(1)
    detailed = replace(external_order(2), updated_at=listed_at)
    bare = replace(detailed, items=(), items_complete=False)  # its list row has no items: detail call
    pull(account, PagesAdapter([[complete], [bare]], details={bare.external_id: detailed}))
    assert Order.objects.filter(account=account).count() == 2

    class Repull(PagesAdapter):
        def iter_order_pages(self, *, since, until, known_listings=None):
            yield OrderPage(orders=(), cursor="1", unchanged=(complete.external_id,))
            yield OrderPage(orders=(bare,), cursor="2")

    total, _ = pull(account, Repull([], details={}))  # a detail call would raise: none is served

    assert (total.fetched, total.unchanged, total.failed) == (2, 2, 0)
