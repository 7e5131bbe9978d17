"""A pull does not map again a list row it already mirrored from the very same row (its listing digest), and
the rows it skips that way are listed exactly where, and only where, a mapped row would have been."""

from datetime import timedelta

import pytest

from integrations import base
from integrations.komship import mappers as komship_mappers
from integrations.mitrabunso import mappers as mitrabunso_mappers
from integrations.models import SyncRun
from integrations.ngorder import mappers as ngorder_mappers
from integrations.registry import adapter_for
from integrations.syncing import SyncRequest, sync_run_execute
from orders.models import Order
from tests.integrations.engine_support import reset_sandbox, sandbox_account, whole_history

pytestmark = pytest.mark.django_db(transaction=True)

ROW_MAPPERS = {  # platform -> (module, the function that maps one list row)
    "ngorder": (ngorder_mappers, "order_from_json"),
    "komship": (komship_mappers, "order_from_row"),
    "mitrabunso": (mitrabunso_mappers, "order_from_document"),
}
PLATFORMS = tuple(ROW_MAPPERS)


def counting_mapper(monkeypatch, platform) -> list[str]:
    module, name = ROW_MAPPERS[platform]
    original, mapped = getattr(module, name), []

    def counted(row, *args, **kwargs):
        order = original(row, *args, **kwargs)
        mapped.append(order.external_id)
        return order

    monkeypatch.setattr(module, name, counted)
    return mapped


def pull(account):
    since, until = whole_history()
    run = sync_run_execute(account=account, kind=SyncRun.Kind.ORDERS_PULL,
                           request=SyncRequest(since=since, until=until))
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    return run


def mirror(account):
    return sorted(Order.objects.filter(account=account).values_list("external_id", "payload_hash", "listing_digest",
                                                                    "updated_at"))


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_second_pull_maps_no_row_it_already_holds_and_writes_nothing(platform, live_server, monkeypatch):
    reset_sandbox(platform, orders=60)
    account = sandbox_account(platform, live_server.url)
    pull(account)
    assert not Order.objects.filter(account=account, listing_digest="").exists()
    before = mirror(account)
    mapped = counting_mapper(monkeypatch, platform)

    second = pull(account)

    assert mapped == []
    assert second.fetched == second.unchanged == 60 and second.created == second.updated == 0
    assert mirror(account) == before


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_row_whose_digest_differs_is_mapped_and_compared_by_its_payload(platform, live_server, monkeypatch):
    reset_sandbox(platform, orders=30)
    account = sandbox_account(platform, live_server.url)
    pull(account)
    stale = Order.objects.filter(account=account).order_by("external_id").first()
    Order.objects.filter(pk=stale.pk).update(listing_digest="0" * 32)
    before = {row[0]: row for row in mirror(account)}
    mapped = counting_mapper(monkeypatch, platform)

    second = pull(account)

    assert mapped == [stale.external_id]
    assert second.unchanged == 30 and second.updated == 0  # same payload: nothing rewritten, digest kept
    assert {row[0]: row for row in mirror(account)} == before


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_changed_mapper_maps_every_row_again(platform, live_server, monkeypatch):
    reset_sandbox(platform, orders=20)
    account = sandbox_account(platform, live_server.url)
    pull(account)
    monkeypatch.setattr(base, "mapper_fingerprint", lambda module: b"another version of the mapper")
    mapped = counting_mapper(monkeypatch, platform)

    second = pull(account)

    assert sorted(mapped) == sorted(Order.objects.filter(account=account).values_list("external_id", flat=True))
    assert second.unchanged == 20


@pytest.mark.parametrize("platform", PLATFORMS)
def test_rows_skipped_by_digest_follow_the_same_window_and_paging(platform, live_server):
    reset_sandbox(platform, orders=80)
    account = sandbox_account(platform, live_server.url)
    account.options = {**account.options, "page_size": 7}
    account.save(update_fields=["options"])
    since, until = whole_history()
    since = until - timedelta(days=40)  # a window that cuts the seeded history
    adapter = adapter_for(account, rate_limited=False)

    mapped = [o.external_id for page in adapter.iter_order_pages(since=since, until=until) for o in page.orders]
    skipped = [eid for page in adapter.iter_order_pages(since=since, until=until, known_listings=set)
               for eid in page.unchanged]
    all_known = [page for page in adapter.iter_order_pages(since=since, until=until, known_listings=set)]

    assert 0 < len(mapped) < 80
    assert skipped == mapped
    assert all(page.orders == () for page in all_known)
