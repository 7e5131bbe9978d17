"""Shipping screens: quote, pickup request and labels on the order list; AWB, tracking and the stuck filter
on shipments; cancel on pickups; the pickup monitor."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from logistics.models import LabelPrint, PickupRequest, Shipment
from tests.factories import (
    CustomerFactory,
    OrderFactory,
    OrderItemFactory,
    PickupRequestFactory,
    ShipmentFactory,
)
from tests.integrations.engine_support import reset_sandbox, sandbox_account
from tests.logistics.helpers import messages_of

ORDERS = reverse("admin:orders_order_changelist")
SHIPMENTS = reverse("admin:logistics_shipment_changelist")


def action(client, url, name, objects, **extra):
    data = {"action": name, "_selected_action": [o.pk for o in objects], **extra}
    return client.post(url, data, follow="apply" in extra)


@pytest.mark.django_db
def test_pickup_monitor_lists_due_late_failed_waiting_and_stuck(admin_client_logged_in):
    today = timezone.localdate()
    PickupRequestFactory(pickup_date=today, time_from=dt.time(23), time_to=dt.time(23, 59))
    PickupRequestFactory(pickup_date=today - dt.timedelta(days=2), status=PickupRequest.Status.SCHEDULED)
    PickupRequestFactory(pickup_date=today, status=PickupRequest.Status.FAILED, failure_reason="Kurir tidak datang")
    ShipmentFactory()  # AWB created, in no pickup
    ShipmentFactory(status=Shipment.Status.IN_TRANSIT, last_movement_at=timezone.now() - dt.timedelta(days=9))

    response = admin_client_logged_in.get(reverse("admin:logistics_pickupmonitor_changelist"))

    assert response.status_code == 200
    counts = {s["key"]: s["count"] for s in response.context["sections"]}
    assert counts == {"due": 1, "late": 1, "failed": 1, "waiting": 1, "stuck": 1}
    assert "Kurir tidak datang" in response.content.decode()


@pytest.mark.django_db
def test_stuck_filter_on_shipments(admin_client_logged_in):
    stuck = ShipmentFactory(status=Shipment.Status.IN_TRANSIT, last_movement_at=timezone.now() - dt.timedelta(days=9))
    ShipmentFactory(status=Shipment.Status.IN_TRANSIT, last_movement_at=timezone.now())
    response = admin_client_logged_in.get(SHIPMENTS, {"stuck": "yes"})
    assert [s.pk for s in response.context["cl"].result_list] == [stuck.pk]


@pytest.mark.django_db
def test_order_action_prints_labels_and_audits_them(admin_client_logged_in, superuser):
    shipments = [ShipmentFactory() for _ in range(2)]
    response = action(admin_client_logged_in, ORDERS, "print_order_labels", [s.order for s in shipments])
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert LabelPrint.objects.filter(printed_by=superuser).count() == 2


@pytest.mark.django_db
def test_labels_of_an_order_without_awb_are_refused_with_a_message(admin_client_logged_in):
    shipment = ShipmentFactory(awb="", status=Shipment.Status.PENDING)
    response = action(admin_client_logged_in, ORDERS, "print_order_labels", [shipment.order])
    assert response.status_code == 302
    assert not LabelPrint.objects.exists()


@pytest.mark.django_db
def test_request_pickup_form_refuses_then_creates(admin_client_logged_in, seller):
    order = OrderFactory(seller=seller)
    ShipmentFactory(order=order)
    page = action(admin_client_logged_in, ORDERS, "request_pickup", [order])
    assert page.status_code == 200 and "pickup_date" in page.context["form"].fields

    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    fields = {"apply": "yes", "pickup_date": yesterday, "time_from": "09:00", "time_to": "12:00",
              "vehicle": "motor", "contact_name": "Andi", "contact_phone": "081298765432",
              "address": "Jl. Gatot Subroto No. 5"}
    refused = admin_client_logged_in.post(ORDERS, {"action": "request_pickup", "_selected_action": [order.pk],
                                                   **fields})
    assert "is in the past" in str(refused.context["form"].errors["pickup_date"])
    assert not PickupRequest.objects.exists()

    fields["pickup_date"] = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    done = action(admin_client_logged_in, ORDERS, "request_pickup", [order], **{k: v for k, v in fields.items()
                                                                                 if k != "apply"}, apply="yes")
    pickup = PickupRequest.objects.get()
    assert list(pickup.orders.all()) == [order]
    assert any(f"Pickup request #{pickup.pk}" in m for m in messages_of(done))


@pytest.mark.django_db(transaction=True)
def test_shipping_quote_action_shows_the_komship_options(admin_client_logged_in, live_server):
    reset_sandbox("komship", orders=1)
    account = sandbox_account("komship", live_server.url)
    customer = CustomerFactory(seller=account.seller, subdistrict="Dago", district="Coblong", city="Kota Bandung")
    order = OrderFactory(seller=account.seller, customer=customer, account=account)
    OrderItemFactory(order=order, weight_grams=500)

    response = action(admin_client_logged_in, ORDERS, "shipping_quote", [order])

    assert response.status_code == 200 and not response.context["error"]
    assert len(response.context["options"]) >= 3
    assert 'id="quote-options"' in response.content.decode()

    adhoc = admin_client_logged_in.post(ORDERS, {
        "action": "shipping_quote", "_selected_action": [order.pk], "apply": "yes", "account": account.pk,
        "destination": "Coblong", "weight_grams": "0"})
    assert "weight_grams" in adhoc.context["form"].errors


@pytest.mark.django_db
def test_cancel_pickup_action_asks_for_the_reason(admin_client_logged_in):
    pickup = PickupRequestFactory()
    page = action(admin_client_logged_in, reverse("admin:logistics_pickuprequest_changelist"), "cancel_pickup",
                  [pickup])
    assert page.status_code == 200 and "reason" in page.context["form"].fields
    action(admin_client_logged_in, reverse("admin:logistics_pickuprequest_changelist"), "cancel_pickup", [pickup],
           apply="yes", reason="Toko tutup")
    pickup.refresh_from_db()
    assert pickup.status == PickupRequest.Status.CANCELED and pickup.failure_reason == "Toko tutup"


@pytest.mark.django_db(transaction=True)
def test_mitrabunso_batches_page_lists_and_prints_a_batch(admin_client_logged_in, live_server):
    from integrations.models import SyncRun
    from integrations.syncing import SyncRequest, sync_run_execute
    from orders.models import Order
    from tests.factories import CourierFactory
    from tests.integrations.engine_support import whole_history

    reset_sandbox("mitrabunso", orders=60)
    account = sandbox_account("mitrabunso", live_server.url)
    since, until = whole_history()
    sync_run_execute(account=account, kind=SyncRun.Kind.ORDERS_PULL, request=SyncRequest(since=since, until=until))
    courier = CourierFactory()
    for index, order in enumerate(Order.objects.filter(account=account)):
        ShipmentFactory(order=order, courier=courier, awb=f"MBA{index:06d}")
    url = reverse("admin:logistics_pickupmonitor_mitrabunso")

    page = admin_client_logged_in.get(url)
    [row] = page.context["accounts"]
    assert row["batches"] and not row["error"]
    batch = row["batches"][0]
    printed = admin_client_logged_in.post(url, {"account": account.pk, "processed": batch.processed,
                                                "print_status": batch.print_status})
    if printed["Content-Type"] == "application/pdf":
        assert printed.content.startswith(b"%PDF") and LabelPrint.objects.exists()
    else:  # the batch lists orders outside what was pulled: refused with a message, nothing printed
        assert not LabelPrint.objects.exists()
    again = admin_client_logged_in.get(url).context["accounts"][0]["batches"]
    assert next(b for b in again if b.processed == batch.processed).print_status == batch.print_status + 1


@pytest.mark.django_db
def test_dashboard_shows_the_shipping_card(admin_client_logged_in):
    ShipmentFactory(status=Shipment.Status.IN_TRANSIT, last_movement_at=timezone.now() - dt.timedelta(days=9))
    ShipmentFactory()
    response = admin_client_logged_in.get(reverse("admin:index"))
    shipping = response.context["dashboard"]["shipping"]
    assert (shipping["stuck"], shipping["waiting"], shipping["late"]) == (1, 1, 0)
    assert 'id="dashboard-shipping"' in response.content.decode()


@pytest.mark.parametrize(("role", "offered"), [("Warehouse", True), ("Customer Service", True), ("Finance", False)])
def test_request_pickup_is_offered_to_who_may_add_pickups(client, django_user_model, role, offered):
    from tests.conftest import user_in_role

    client.force_login(user_in_role(django_user_model, "staf", role))
    page = client.get(ORDERS)
    assert page.status_code == 200
    assert ('value="request_pickup"' in page.content.decode()) is offered
