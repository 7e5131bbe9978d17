"""The order admin's "Send to platform…" action (intermediate page, per-order report) and the status push
after the transition actions, against the sandboxes over real HTTP."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from integrations.models import PlatformAccount, SyncRun
from integrations.registry import adapter_for
from orders.models import Order, OrderStatus
from orders.push import order_push
from orders.services import order_transition
from tests.factories import OrderFactory, OrderItemFactory, SellerFactory
from tests.integrations.engine_support import reset_sandbox, sandbox_account
from tests.orders.push_support import listed_variant, local_order, platform_order_ids

live = pytest.mark.django_db(transaction=True)
CHANGELIST = "admin:orders_order_changelist"


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _post_action(client, action: str, orders, **extra):
    return client.post(reverse(CHANGELIST), {"action": action, "_selected_action": [o.pk for o in orders],
                                             **extra}, follow=True)


def _pushed(platform, live_server, superuser):
    reset_sandbox(platform, orders=4, products=3)
    account = sandbox_account(platform, live_server.url)
    order = local_order(account, listed_variant(account))
    order_push(order=order, account=account, acting_user=superuser)
    order.refresh_from_db()
    return account, order


# ------------------------------------------------------------------------------------- intermediate page


@pytest.mark.django_db
def test_send_to_platform_asks_which_of_the_sellers_enabled_accounts(admin_client_logged_in):
    seller = SellerFactory()
    mine = PlatformAccount.objects.create(platform="scalev", name="toko-scalev", seller=seller,
                                          base_url="http://x.test")
    PlatformAccount.objects.create(platform="ngorder", name="switched-off", seller=seller, is_enabled=False,
                                   base_url="http://x.test")
    PlatformAccount.objects.create(platform="komship", name="someone-else", seller=SellerFactory(),
                                   base_url="http://x.test")
    orders = [OrderFactory(seller=seller), OrderFactory(seller=seller)]

    response = _post_action(admin_client_logged_in, "send_to_platform", orders)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Send 2 orders of" in page
    assert str(mine) in page and "switched-off" not in page and "someone-else" not in page
    assert all(o.order_no in page for o in orders)
    assert 'name="apply"' in page and 'value="send_to_platform"' in page
    assert not SyncRun.objects.exists()


@pytest.mark.django_db
def test_send_to_platform_refuses_orders_of_two_sellers_and_sellers_without_accounts(admin_client_logged_in):
    mixed = [OrderFactory(), OrderFactory()]
    lonely = OrderFactory()

    messages = _messages(_post_action(admin_client_logged_in, "send_to_platform", mixed))
    assert any("Select orders of one seller" in m for m in messages)

    messages = _messages(_post_action(admin_client_logged_in, "send_to_platform", [lonely]))
    assert any("has no enabled platform account" in m for m in messages)


@pytest.mark.django_db
def test_an_account_of_another_seller_posted_to_the_form_is_refused_and_nothing_is_sent(admin_client_logged_in):
    order = OrderFactory()
    OrderItemFactory(order=order)
    PlatformAccount.objects.create(platform="scalev", name="own", seller=order.seller, base_url="http://x.test")
    foreign = PlatformAccount.objects.create(platform="scalev", name="foreign", seller=SellerFactory(),
                                             base_url="http://x.test")

    response = _post_action(admin_client_logged_in, "send_to_platform", [order], apply="yes",
                            account=foreign.pk)

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    order.refresh_from_db()
    assert order.account is None and not SyncRun.objects.exists()


# ---------------------------------------------------------------------------------------------- pushing


@live
def test_send_to_platform_pushes_the_selected_orders_and_reports_each(
        admin_client_logged_in, live_server, status_vocabulary):
    reset_sandbox("mitrabunso", orders=4)
    account = sandbox_account("mitrabunso", live_server.url)
    variant = listed_variant(account)
    orders = [local_order(account, variant), local_order(account, variant)]
    before = platform_order_ids(account)

    response = _post_action(admin_client_logged_in, "send_to_platform", orders, apply="yes", account=account.pk)

    messages = _messages(response)
    assert response.redirect_chain and response.status_code == 200
    for order in orders:
        order.refresh_from_db()
        assert order.account == account and order.external_id
        assert f"Order {order.order_no} sent to Mitrabunso as {order.external_id}." in messages
    assert len(platform_order_ids(account)) == len(before) + 2
    run = SyncRun.objects.get(account=account, kind=SyncRun.Kind.ORDERS_PUSH)
    assert (run.created, run.status) == (2, SyncRun.Status.SUCCEEDED)


@live
def test_send_to_platform_reports_an_order_already_on_a_platform_and_sends_the_rest(
        admin_client_logged_in, superuser, live_server, status_vocabulary):
    account, already = _pushed("scalev", live_server, superuser)
    fresh = local_order(account, listed_variant(account))
    before = platform_order_ids(account)

    messages = _messages(_post_action(admin_client_logged_in, "send_to_platform", [already, fresh],
                                      apply="yes", account=account.pk))

    assert f"Order {already.order_no} is already on Scalev as {already.external_id}; it is not sent again." \
        in messages
    fresh.refresh_from_db()
    assert f"Order {fresh.order_no} sent to Scalev as {fresh.external_id}." in messages
    assert len(platform_order_ids(account)) == len(before) + 1


# ------------------------------------------------------------------------------------ status after a move


@live
def test_mark_processing_sends_the_new_state_to_scalev(admin_client_logged_in, superuser, live_server,
                                                       status_vocabulary):
    account, order = _pushed("scalev", live_server, superuser)

    messages = _messages(_post_action(admin_client_logged_in, "mark_processing", [order]))

    assert "1 order(s) marked processing." in messages
    assert "1 platform order updated." in messages
    assert adapter_for(account).get_order(order.external_id).status == "in_process"


@live
def test_cancel_refused_by_komship_is_a_warning_and_the_order_stays_canceled_here(
        admin_client_logged_in, superuser, live_server, status_vocabulary):
    from integrations.sandbox_urls import sandbox_for

    _account, order = _pushed("komship", live_server, superuser)
    sandbox_for("komship").by_id[int(order.external_id)]["order_status"] = "Dikirim"

    messages = _messages(_post_action(admin_client_logged_in, "cancel_orders", [order]))

    assert "1 order(s) canceled." in messages
    assert any("Komship (Komerce) refused to set order" in m and "Dikirim" in m for m in messages), messages
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELED


@live
def test_a_move_mitrabunso_cannot_take_is_reported_as_kept_here(admin_client_logged_in, superuser, live_server,
                                                                status_vocabulary):
    _account, order = _pushed("mitrabunso", live_server, superuser)
    local = local_order(_account, listed_variant(_account))

    messages = _messages(_post_action(admin_client_logged_in, "mark_processing", [order, local]))

    assert "2 order(s) marked processing." in messages
    assert any("Mitrabunso has no documented way to take “Processing”" in m for m in messages)
    assert not any("platform order updated" in m for m in messages)
    assert set(Order.objects.filter(pk__in=[order.pk, local.pk]).values_list("status", flat=True)) == {
        OrderStatus.PROCESSING}


@pytest.mark.django_db
def test_moves_of_local_orders_talk_to_no_platform(admin_client_logged_in, superuser):
    order = OrderFactory()
    order_transition(order=order, to_status=OrderStatus.PROCESSING, acting_user=superuser)

    messages = _messages(_post_action(admin_client_logged_in, "mark_ready_to_ship", [order]))

    assert messages == ["1 order(s) marked ready to ship."]
    assert not SyncRun.objects.exists()
