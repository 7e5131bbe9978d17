"""The orders list (filtered, searched), an order with its items and tracking, and "Sync orders now" bringing a
platform's orders into the list through a real Celery worker."""

import re

from integrations.models import PlatformAccount, SyncRun
from logistics.models import Shipment
from orders.models import Order
from tests.e2e.support import (
    E2E,
    apply_filter,
    assert_translated,
    assert_translated_in_both_languages,
    change_url,
    expect,
    follow,
    log_in,
    open_changelist,
    result_rows,
    run_action,
    save_for_docs,
    search,
)
from tests.integrations.engine_support import reset_sandbox
from tests.integrations.worker import celery_worker, purge, wait_for

pytestmark = E2E


def test_orders_list_filtered_and_searched_then_an_order_with_its_items_and_tracking(page, demo):
    cs = demo.user("cs")
    shipment = (Shipment.objects.filter(order__seller__staff_assignments__user=cs, status="delivered",
                                        order__status="completed", tracking_events__isnull=False)
                .select_related("order").order_by("id").first())
    order = shipment.order
    item = order.items.order_by("id").first()
    log_in(page, "cs", demo.password)

    open_changelist(page, "orders.order")
    apply_filter(page, "Completed")

    expect(page).to_have_url(re.compile(r"status__exact=completed"))
    expect(result_rows(page).first).to_be_visible()
    statuses = result_rows(page).locator("td.field-status").all_inner_texts()
    assert statuses and set(statuses) == {"Completed"}
    save_for_docs(page, "admin-orders")
    assert_translated_in_both_languages(page)

    search(page, shipment.awb)  # the AWB, as a customer reads it out on the phone

    expect(result_rows(page)).to_have_count(1)
    expect(result_rows(page).first).to_contain_text(order.order_no)
    follow(page, order.order_no)

    expect(page.locator("h1, #content-main, main").first).to_contain_text(order.order_no)
    expect(page.get_by_text(item.sku, exact=True).first).to_be_visible()
    expect(page.get_by_text(shipment.awb, exact=True).first).to_be_visible()
    # The platform's own status word ("Diterima" on Komship) is data, shown as the platform sent it.
    assert_translated_in_both_languages(page, allow=[order.platform_status])

    # Its tracking: Shipments in the menu, the same AWB, the shipment.
    follow(page, "Shipments")
    search(page, shipment.awb)
    expect(result_rows(page)).to_have_count(1)
    follow(page, result_rows(page).first.locator(f"a[href^='{change_url(shipment)}']").first)

    event = shipment.tracking_events.order_by("-occurred_at", "-id").first()
    expect(page.get_by_text(event.description, exact=True).first).to_be_visible()
    platform_words = {shipment.platform_status, *shipment.tracking_events.values_list("status_code", flat=True),
                      *shipment.tracking_events.values_list("description", flat=True)}
    assert_translated(page, "en", allow=platform_words)


def test_sync_orders_now_brings_the_platform_orders_into_the_list(page, demo):
    reset_sandbox("mitrabunso", orders=12)
    account = PlatformAccount.objects.get(name="demo-mitrabunso")
    before = set(Order.objects.filter(account=account).values_list("external_id", flat=True))
    purge(["mitrabunso"])
    log_in(page, "admin", demo.password)
    open_changelist(page, "integrations.platformaccount")

    with celery_worker(["mitrabunso"], name="e2e-sync-now"):
        run_action(page, "sync_orders_now", [account])
        expect(page.get_by_text("1 sync(s) queued. Follow them in Sync runs.")).to_be_visible()
        run = SyncRun.objects.filter(account=account, kind=SyncRun.Kind.ORDERS_PULL).latest("id")
        wait_for(lambda: SyncRun.objects.filter(pk=run.pk).exclude(status__in=["queued", "running"]).exists(),
                 timeout=90, what="the worker to finish the sync")

    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    arrived = list(Order.objects.filter(account=account).exclude(external_id__in=before)
                   .order_by("id").values_list("order_no", "external_id"))
    assert len(arrived) == 12

    open_changelist(page, "integrations.syncrun")
    expect(result_rows(page).first).to_contain_text("Succeeded")
    open_changelist(page, "orders.order", account__id__exact=account.pk)
    order_no, external_id = arrived[-1]
    search(page, external_id)
    expect(result_rows(page)).to_have_count(1)
    expect(result_rows(page).first).to_contain_text(order_no)
    assert_translated(page, "en")
