"""Orders made here, pushed to each platform's sandbox over real HTTP: one platform order per local order,
found again after a lost answer, batches, status changes sent back, and refusals that change nothing."""

from decimal import Decimal

import pytest
from django.test import override_settings

from integrations.exceptions import ProviderRejected
from integrations.models import PlatformAccount, SyncRun
from integrations.registry import adapter_for
from integrations.syncing import SyncRequest, sync_run_execute
from orders.models import Order, OrderEvent, OrderStatus
from orders.push import (
    OrderPushRefused,
    OrderPushUncertain,
    PushOutcome,
    StatusPushOutcome,
    order_payload,
    order_push,
    order_push_status,
    orders_push_batch,
)
from orders.services import order_cancel, order_transition
from tests.factories import OrderFactory, OrderItemFactory, SellerFactory, VariantFactory
from tests.integrations.engine_support import PLATFORMS, reset_sandbox, sandbox_account, whole_history
from tests.orders.push_support import (
    BATCH_CALLS,
    CREATE_CALLS,
    listed_variant,
    local_order,
    lose_answers,
    platform_order_ids,
    wait_for,
)

live = pytest.mark.django_db(transaction=True)
SHORT_READ_TIMEOUT = {"INTEGRATIONS_HTTP_TIMEOUT": (2, 0.5)}


def pushes(account):
    return SyncRun.objects.filter(account=account, kind=SyncRun.Kind.ORDERS_PUSH)


def setup_platform(platform, live_server, *, orders=6):
    sandbox = reset_sandbox(platform, orders=orders, products=4)
    account = sandbox_account(platform, live_server.url)
    return sandbox, account, listed_variant(account)


def counting(adapter, method: str) -> list:
    """Record the calls of adapter.client.<method> (still made)."""
    calls, original = [], getattr(adapter.client, method)

    def call(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    setattr(adapter.client, method, call)
    return calls


# ------------------------------------------------------------------------------------------- single push


@live
@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_pushed_order_exists_once_on_the_platform_and_a_pull_updates_the_same_local_order(
        platform, live_server, superuser, status_vocabulary):
    _sandbox, account, variant = setup_platform(platform, live_server)
    order = local_order(account, variant)
    before = platform_order_ids(account)

    order_push(order=order, account=account, acting_user=superuser)

    order.refresh_from_db()
    assert order.account == account and order.external_id
    after = platform_order_ids(account)
    assert len(after) == len(before) + 1 and after.count(order.external_id) == 1
    assert adapter_for(account).get_order(order.external_id).customer.name == "Siti Rahmawati"
    run = pushes(account).get()
    assert (run.status, run.created, run.failed) == (SyncRun.Status.SUCCEEDED, 1, 0), run.error
    assert OrderEvent.objects.filter(order=order, note__startswith="Sent to").count() == 1

    since, until = whole_history()
    pull = sync_run_execute(account=account, kind=SyncRun.Kind.ORDERS_PULL,
                            request=SyncRequest(since=since, until=until))

    assert pull.status == SyncRun.Status.SUCCEEDED, pull.error
    mirrored = Order.objects.filter(account=account, external_id=order.external_id)
    assert list(mirrored.values_list("pk", flat=True)) == [order.pk], "the pull updated the pushed order"
    assert Order.objects.filter(account=account).count() == len(after)
    assert Order.objects.filter(seller=account.seller).count() == len(after), "no local duplicate"
    assert pull.created == len(before)
    assert order.items.exists()


@live
@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_create_whose_answer_is_lost_is_found_on_the_platform_and_not_created_twice(
        platform, live_server, superuser, status_vocabulary):
    sandbox, account, variant = setup_platform(platform, live_server)
    order = local_order(account, variant)
    before = platform_order_ids(account)
    sandbox.stats.clear()

    with override_settings(**SHORT_READ_TIMEOUT):
        adapter = adapter_for(account, rate_limited=False)
        creates = counting(adapter, CREATE_CALLS[platform])
        lose_answers(adapter, sandbox, CREATE_CALLS[platform], slow_seconds=1.0)
        order_push(order=order, account=account, acting_user=superuser, adapter=adapter)

    assert sandbox.stats["fault_slow"] == 1, "the create's answer really came too late"
    assert len(creates) == 1
    order.refresh_from_db()
    after = platform_order_ids(account)
    assert len(after) == len(before) + 1
    assert order.account == account and after.count(order.external_id) == 1
    run = pushes(account).get()
    assert (run.status, run.created, run.unchanged) == (SyncRun.Status.SUCCEEDED, 0, 1), run.error
    assert OrderEvent.objects.filter(order=order, note__startswith="Found on").exists()


@live
@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_lost_create_not_visible_yet_is_reported_uncertain_and_the_retry_adopts_it(
        platform, live_server, superuser, status_vocabulary):
    sandbox, account, variant = setup_platform(platform, live_server)
    order = local_order(account, variant)
    before = platform_order_ids(account)

    with override_settings(**SHORT_READ_TIMEOUT, ORDERS_PUSH_FIND_DELAYS=(0,)):
        adapter = adapter_for(account, rate_limited=False)
        lose_answers(adapter, sandbox, CREATE_CALLS[platform], slow_seconds=1.5)
        with pytest.raises(OrderPushUncertain, match="never creates it twice"):
            order_push(order=order, account=account, acting_user=superuser, adapter=adapter)

    order.refresh_from_db()
    assert order.account is None and order.external_id == ""
    assert pushes(account).get().status == SyncRun.Status.FAILED
    assert wait_for(lambda: len(platform_order_ids(account)) == len(before) + 1), "the sandbox finished it"

    order_push(order=order, account=account, acting_user=superuser)  # the retry, answers fine now

    order.refresh_from_db()
    after = platform_order_ids(account)
    assert len(after) == len(before) + 1, "the retry created nothing"
    assert after.count(order.external_id) == 1
    assert pushes(account).order_by("-id").first().unchanged == 1


# ------------------------------------------------------------------------------------------------ batch


@live
@pytest.mark.parametrize("platform", sorted(BATCH_CALLS))
def test_a_batch_push_uses_the_platforms_batch_call_once_and_links_every_order(
        platform, live_server, superuser, status_vocabulary):
    _sandbox, account, variant = setup_platform(platform, live_server)
    orders = [local_order(account, variant, quantity=q) for q in (1, 2, 3)]
    before = platform_order_ids(account)
    adapter = adapter_for(account, rate_limited=False)
    batch_calls = counting(adapter, BATCH_CALLS[platform])
    single_calls = counting(adapter, CREATE_CALLS[platform])

    outcomes = orders_push_batch(orders=orders, account=account, acting_user=superuser, adapter=adapter)

    assert [o.result for o in outcomes] == [PushOutcome.CREATED] * 3, [o.message for o in outcomes]
    assert (len(batch_calls), len(single_calls)) == (1, 0)
    ids = [o.external_id for o in outcomes]
    assert len(set(ids)) == 3
    after = platform_order_ids(account)
    assert len(after) == len(before) + 3 and all(after.count(i) == 1 for i in ids)
    for order, external_id in zip(orders, ids, strict=True):
        order.refresh_from_db()
        assert (order.account, order.external_id) == (account, external_id)
        assert adapter.get_order(external_id).items[0].quantity == order.items.get().quantity
    run = pushes(account).get()
    assert (run.fetched, run.created, run.failed) == (3, 3, 0)


@live
@pytest.mark.parametrize("platform", sorted(BATCH_CALLS))
def test_a_batch_whose_answer_is_lost_is_found_order_by_order_and_not_created_twice(
        platform, live_server, superuser, status_vocabulary):
    sandbox, account, variant = setup_platform(platform, live_server)
    orders = [local_order(account, variant, quantity=q) for q in (1, 2)]
    before = platform_order_ids(account)

    with override_settings(**SHORT_READ_TIMEOUT):
        adapter = adapter_for(account, rate_limited=False)
        lose_answers(adapter, sandbox, BATCH_CALLS[platform], slow_seconds=1.0)
        outcomes = orders_push_batch(orders=orders, account=account, acting_user=superuser, adapter=adapter)

    assert [o.result for o in outcomes] == [PushOutcome.ADOPTED] * 2, [o.message for o in outcomes]
    assert sandbox.stats["fault_slow"] == 1
    assert len(platform_order_ids(account)) == len(before) + 2


@live
def test_a_batch_reports_each_order_and_sends_only_those_that_may_go(live_server, superuser, status_vocabulary):
    _sandbox, account, variant = setup_platform("mitrabunso", live_server)
    sent_before = local_order(account, variant)
    order_push(order=sent_before, account=account, acting_user=superuser)
    canceled = local_order(account, variant)
    order_cancel(order=canceled, acting_user=superuser)
    fresh = [local_order(account, variant), local_order(account, variant)]
    before = platform_order_ids(account)

    outcomes = orders_push_batch(orders=[sent_before, canceled, *fresh], account=account, acting_user=superuser)

    assert [o.result for o in outcomes] == ["refused", "refused", "created", "created"]
    assert "already on Mitrabunso as" in outcomes[0].message
    assert "only new, processing and ready-to-ship orders are sent" in outcomes[1].message
    assert len(platform_order_ids(account)) == len(before) + 2
    canceled.refresh_from_db()
    assert canceled.account is None


# ----------------------------------------------------------------------------------------------- refusals


@live
def test_pushing_an_order_that_is_already_on_a_platform_is_refused_and_changes_nothing(
        live_server, superuser, status_vocabulary):
    _sandbox, account, variant = setup_platform("scalev", live_server)
    order = local_order(account, variant)
    order_push(order=order, account=account, acting_user=superuser)
    order.refresh_from_db()
    external_id = order.external_id
    other = sandbox_account("ngorder", live_server.url, seller=account.seller)
    before, runs, events = platform_order_ids(account), SyncRun.objects.count(), OrderEvent.objects.count()

    for target in (account, other):
        with pytest.raises(OrderPushRefused, match=f"already on Scalev as {external_id}"):
            order_push(order=order, account=target, acting_user=superuser)

    order.refresh_from_db()
    assert (order.account, order.external_id) == (account, external_id)
    assert platform_order_ids(account) == before
    assert SyncRun.objects.count() == runs and OrderEvent.objects.count() == events


@pytest.mark.django_db
def test_our_own_rules_refuse_before_any_platform_is_asked(superuser):
    seller = SellerFactory()
    account = PlatformAccount.objects.create(platform="mitrabunso", name="m", seller=seller,
                                             base_url="http://127.0.0.1:9/nothing-listens")
    foreign = PlatformAccount.objects.create(platform="mitrabunso", name="f", seller=SellerFactory(),
                                             base_url="http://127.0.0.1:9/nothing-listens")
    disabled = PlatformAccount.objects.create(platform="mitrabunso", name="d", seller=seller, is_enabled=False,
                                              base_url="http://127.0.0.1:9/nothing-listens")
    order = OrderFactory(seller=seller)
    OrderItemFactory(order=order)
    empty = OrderFactory(seller=seller)
    draft = OrderFactory(seller=seller, status=OrderStatus.DRAFT)
    OrderItemFactory(order=draft)

    cases = [(order, foreign, "is not an account of seller"), (order, disabled, "is disabled"),
             (empty, account, "has no items"), (draft, account, "only new, processing and ready-to-ship")]
    for target_order, target_account, message in cases:
        with pytest.raises(OrderPushRefused, match=message):
            order_push(order=target_order, account=target_account, acting_user=superuser)

    assert not SyncRun.objects.exists()
    assert not Order.objects.filter(account__isnull=False).exists()


@live
def test_a_platform_refusal_is_reported_recorded_and_leaves_the_order_local(live_server, superuser, status_vocabulary):
    reset_sandbox("komship", orders=4, products=2)
    account = sandbox_account("komship", live_server.url)
    unlisted = VariantFactory(product__seller=account.seller, sku="NOT-ON-KOMSHIP")
    order = local_order(account, unlisted)

    with pytest.raises(OrderPushRefused, match=r"Komship .*refused order .*push the product first"):
        order_push(order=order, account=account, acting_user=superuser)

    order.refresh_from_db()
    assert order.account is None and order.external_id == ""
    run = pushes(account).get()
    assert (run.status, run.failed) == (SyncRun.Status.FAILED, 1)
    assert "push the product first" in run.error


@pytest.mark.django_db
def test_the_payload_carries_the_listings_ids_and_folds_item_discounts_into_the_order_discount():
    from catalog.models import Listing

    seller = SellerFactory()
    account = PlatformAccount.objects.create(platform="komship", name="k", seller=seller, base_url="http://x.test")
    variant = VariantFactory(product__seller=seller, weight_grams=300)
    Listing.objects.create(account=account, product=variant.product, external_id="5001")
    Listing.objects.create(account=account, product=variant.product, variant=variant, external_id="90001",
                           external_variant_id="90001")
    order = OrderFactory(seller=seller, subtotal=Decimal("160000"), discount=Decimal("0"),
                         grand_total=Decimal("183000"))
    OrderItemFactory(order=order, variant=variant, sku=variant.sku, quantity=2, unit_price=Decimal("85000"),
                     discount=Decimal("10000"), line_total=Decimal("160000"))

    payload = order_payload(order=order, account=account)

    (item,) = payload.items
    assert (item.external_product_id, item.external_variant_id, item.weight_grams) == ("5001", "90001", 300)
    assert (payload.subtotal, payload.discount) == (Decimal("170000"), Decimal("10000"))
    assert payload.subtotal - payload.discount + payload.shipping_cost + payload.cod_fee == payload.grand_total
    assert payload.customer.phone == order.customer.phone and payload.order_no == order.order_no


# ---------------------------------------------------------------------------------------------- statuses


@live
@pytest.mark.parametrize(("platform", "word"), [("ngorder", "CANCELED"), ("scalev", "canceled")])
def test_a_cancellation_reaches_the_platform(platform, word, live_server, superuser, status_vocabulary):
    _sandbox, account, variant = setup_platform(platform, live_server)
    order = local_order(account, variant)
    order_push(order=order, account=account, acting_user=superuser)
    order_cancel(order=order, acting_user=superuser)

    outcome = order_push_status(order=order, acting_user=superuser)

    assert outcome.result == StatusPushOutcome.SENT, outcome.message
    assert adapter_for(account).get_order(order.external_id).status == word
    assert OrderEvent.objects.filter(order=order, to_status=OrderStatus.CANCELED, from_status=OrderStatus.CANCELED,
                                     note=outcome.message).exists()
    assert pushes(account).order_by("-id").first().updated == 1


@live
def test_scalev_takes_each_staff_step(live_server, superuser, status_vocabulary):
    _sandbox, account, variant = setup_platform("scalev", live_server)
    order = local_order(account, variant)
    order_push(order=order, account=account, acting_user=superuser)
    adapter = adapter_for(account)

    for ours, theirs in ((OrderStatus.PROCESSING, "in_process"), (OrderStatus.READY_TO_SHIP, "ready")):
        order_transition(order=order, to_status=ours, acting_user=superuser)
        outcome = order_push_status(order=order, acting_user=superuser)
        assert outcome.result == StatusPushOutcome.SENT, outcome.message
        assert adapter.get_order(order.external_id).status == theirs


@live
def test_komship_deletes_a_canceled_order_not_yet_shipped(live_server, superuser, status_vocabulary):
    _sandbox, account, variant = setup_platform("komship", live_server)
    order = local_order(account, variant)
    order_push(order=order, account=account, acting_user=superuser)
    order_cancel(order=order, acting_user=superuser)

    outcome = order_push_status(order=order, acting_user=superuser)

    assert outcome.result == StatusPushOutcome.SENT, outcome.message
    assert order.external_id not in platform_order_ids(account)
    with pytest.raises(ProviderRejected):
        adapter_for(account).get_order(order.external_id)


@live
def test_komship_refuses_to_delete_a_shipped_order_and_our_cancellation_stays(
        live_server, superuser, status_vocabulary):
    sandbox, account, variant = setup_platform("komship", live_server)
    order = local_order(account, variant)
    order_push(order=order, account=account, acting_user=superuser)
    sandbox.by_id[int(order.external_id)]["order_status"] = "Dikirim"  # the courier took it meanwhile
    order_cancel(order=order, acting_user=superuser)

    outcome = order_push_status(order=order, acting_user=superuser)

    assert outcome.result == StatusPushOutcome.REFUSED
    assert "Komship" in outcome.message and "refused" in outcome.message
    assert "Dikirim" in outcome.message and "stays “Canceled” here" in outcome.message
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELED
    assert OrderEvent.objects.filter(order=order, note=outcome.message).exists()
    assert adapter_for(account).get_order(order.external_id).status == "Dikirim"
    assert pushes(account).order_by("-id").first().failed == 1


@live
@pytest.mark.parametrize(("platform", "to_status"), [("mitrabunso", OrderStatus.CANCELED),
                                                     ("komship", OrderStatus.PROCESSING),
                                                     ("ngorder", OrderStatus.PROCESSING)])
def test_a_change_the_platform_cannot_take_is_skipped_with_a_note(
        platform, to_status, live_server, superuser, status_vocabulary):
    _sandbox, account, variant = setup_platform(platform, live_server)
    order = local_order(account, variant)
    order_push(order=order, account=account, acting_user=superuser)
    runs = SyncRun.objects.count()
    order_transition(order=order, to_status=to_status, acting_user=superuser)

    outcome = order_push_status(order=order, acting_user=superuser)

    assert outcome.result == StatusPushOutcome.SKIPPED
    assert "has no documented way" in outcome.message
    assert OrderEvent.objects.filter(order=order, note=outcome.message).exists()
    assert SyncRun.objects.count() == runs


@pytest.mark.django_db
def test_a_local_order_has_no_status_to_send(superuser):
    order = OrderFactory()

    outcome = order_push_status(order=order, acting_user=superuser)

    assert outcome.result == StatusPushOutcome.SKIPPED
    assert not OrderEvent.objects.filter(order=order).exists()
