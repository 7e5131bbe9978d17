"""Bulk "Request pickup…" on the orders list: orders of one seller and warehouse with their AWBs picked up on
a date, in a time window, by a vehicle, with a contact; and a pickup refused because one order has no AWB yet,
with the reason on the form and nothing created."""

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from logistics.models import PickupRequest, Shipment
from logistics.services import PICKUP_ACTIVE_STATUSES
from logistics.sync import PICKUP_PLATFORMS
from orders.models import Order
from tests.e2e.support import (
    E2E,
    assert_translated,
    assert_translated_in_both_languages,
    expect,
    expect_message,
    log_in,
    open_change_page,
    open_changelist,
    run_action,
    submit,
)

pytestmark = E2E


def _busy_order_ids():
    return PickupRequest.orders.through.objects.filter(
        pickuprequest__status__in=PICKUP_ACTIVE_STATUSES).values_list("order_id", flat=True)


def orders_ready_for_pickup(user, *, count: int) -> list[Order]:
    """`count` orders of one of `user`'s sellers, one warehouse and one account, each with an AWB and in no
    pickup yet; on an account whose platform takes no pickups (the request stays ours), or on none."""
    shipments = (Shipment.objects.filter(status=Shipment.Status.AWB_CREATED,
                                         order__seller__staff_assignments__user=user)
                 .exclude(awb="").exclude(order_id__in=_busy_order_ids())
                 .exclude(order__account__platform__in=PICKUP_PLATFORMS)
                 .select_related("order").order_by("order_id").distinct())
    groups = defaultdict(list)
    for shipment in shipments:
        order = shipment.order
        groups[(order.seller_id, order.warehouse_id, order.account_id)].append(order)
    group = max(groups.values(), key=len)
    assert len(group) >= count, "the demo has too few orders ready for a pickup"
    return group[:count]


def fill_pickup_form(page, *, day: dt.date, warehouse_id) -> None:
    page.locator("input[name=pickup_date]").fill(day.strftime("%Y-%m-%d"))
    page.locator("input[name=time_from]").fill("13:00")
    page.locator("input[name=time_to]").fill("15:00")
    page.locator("select[name=vehicle]").select_option(PickupRequest.Vehicle.values[-1])
    page.locator("input[name=contact_name]").fill("Bayu Gudang")
    page.locator("input[name=contact_phone]").fill("0812-3456-7890")
    page.locator("select[name=warehouse]").select_option(str(warehouse_id))


def open_orders(page, orders) -> None:
    open_changelist(page, "orders.order", id__in=",".join(str(o.pk) for o in orders))


def test_bulk_request_pickup_of_orders_with_their_awbs(page, demo):
    cs = demo.user("cs")
    orders = orders_ready_for_pickup(cs, count=2)
    day = timezone.localdate() + dt.timedelta(days=1)
    before = set(PickupRequest.objects.values_list("id", flat=True))
    log_in(page, "cs", demo.password)
    open_orders(page, orders)

    run_action(page, "request_pickup", orders)

    expect(page.get_by_text(f"Request a pickup of 2 orders of {orders[0].seller}.").first).to_be_visible()
    for order in orders:
        expect(page.get_by_text(order.order_no, exact=False).first).to_be_visible()
    fill_pickup_form(page, day=day, warehouse_id=orders[0].warehouse_id)
    submit(page, "Request pickup")

    created = PickupRequest.objects.exclude(id__in=before)
    assert created.count() == 1
    pickup = created.get()
    expect_message(page, f"Pickup request #{pickup.pk} for 2 orders: {pickup.get_status_display()}.")
    assert pickup.status == PickupRequest.Status.REQUESTED
    assert set(pickup.orders.values_list("id", flat=True)) == {o.pk for o in orders}
    assert (pickup.pickup_date, pickup.time_from, pickup.time_to) == (day, dt.time(13), dt.time(15))
    assert pickup.contact_name == "Bayu Gudang" and pickup.contact_phone == "+6281234567890"
    assert pickup.vehicle == PickupRequest.Vehicle.values[-1] and pickup.seller_id == orders[0].seller_id
    assert pickup.warehouse_id == orders[0].warehouse_id
    assert set(Shipment.objects.filter(order__in=orders).values_list("status", flat=True)) == {
        Shipment.Status.PICKUP_REQUESTED}

    # The pickup, where the logistics team follows it.
    open_change_page(page, pickup)
    expect(page.locator("input[name=contact_name]")).to_have_value("Bayu Gudang")
    expect(page.get_by_text(pickup.get_status_display(), exact=True).first).to_be_visible()
    assert_translated_in_both_languages(page, allow=[str(pickup.seller), *(o.order_no for o in orders),
                                                     "Bayu Gudang", "+6281234567890"])


def test_request_pickup_refused_for_an_order_without_awb(page, demo):
    cs = demo.user("cs")
    ready = orders_ready_for_pickup(cs, count=1)[0]
    no_awb = (Order.objects.filter(seller_id=ready.seller_id, warehouse_id=ready.warehouse_id,
                                   account_id=ready.account_id)
              .exclude(shipments__awb__gt="").exclude(id__in=_busy_order_ids()).order_by("id").first())
    assert no_awb is not None, "the demo has no order without an AWB next to the ready ones"
    orders = sorted([ready, no_awb], key=lambda o: o.pk)
    before = PickupRequest.objects.count()
    statuses = dict(Shipment.objects.filter(order__in=orders).values_list("id", "status"))
    log_in(page, "cs", demo.password)
    open_orders(page, orders)
    assert_translated_in_both_languages(page, allow=_order_words(orders))

    run_action(page, "request_pickup", orders)
    fill_pickup_form(page, day=timezone.localdate() + dt.timedelta(days=1), warehouse_id=ready.warehouse_id)
    submit(page, "Request pickup")

    expect(page.get_by_text(f"Orders {no_awb.order_no} have no AWB yet; create the AWB before requesting a pickup.")
           ).to_be_visible()
    expect(page.get_by_role("button", name="Request pickup")).to_be_visible()  # still on the form, to fix it
    assert PickupRequest.objects.count() == before
    assert dict(Shipment.objects.filter(order__in=orders).values_list("id", "status")) == statuses
    assert_translated(page, "en", allow=_order_words(orders))


def _order_words(orders) -> list[str]:
    """Order numbers, customers, sellers and the platform's status words are data, shown as they are."""
    words = []
    for order in orders:
        words += [order.order_no, str(order.customer), f"{order.order_no} · {order.customer}", str(order.seller),
                  order.platform_status]
    return [w for w in words if w]
