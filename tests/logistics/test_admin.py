"""Logistics admin screens: every page opens with data present; actions report success and refusals;
forms refuse bad input with specific messages and change nothing."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from logistics.models import (
    Claim,
    ClaimEvent,
    Courier,
    PickupRequest,
    Return,
    Shipment,
    ShipmentEvent,
    Ticket,
    TicketMessage,
)
from tests.factories import (
    ClaimFactory,
    CourierFactory,
    OrderFactory,
    PickupRequestFactory,
    ReturnFactory,
    ShipmentFactory,
    TicketFactory,
    TicketMessageFactory,
    TrackingEventFactory,
)
from tests.logistics.helpers import change_form_post_data, messages_of

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def data(seller):
    """One row of every logistics model, linked as in real life."""
    courier = CourierFactory()
    courier.services.create(code="REG", name="Reguler")
    order = OrderFactory(seller=seller)
    shipment = ShipmentFactory(order=order, courier=courier)
    tracking = TrackingEventFactory(shipment=shipment)
    ShipmentEvent.objects.create(shipment=shipment, from_status="pending", to_status="awb_created")
    shipment.label_prints.create()
    pickup = PickupRequestFactory(seller=seller)
    pickup.orders.add(order)
    pickup.events.create(from_status="", to_status="requested")
    ret = ReturnFactory(order=order, shipment=shipment)
    ret.events.create(from_status="", to_status="returning")
    ticket = TicketFactory(seller=seller, order=order, awb=shipment.awb,
                           sla_due_at=timezone.now() + dt.timedelta(hours=1))
    TicketMessageFactory(ticket=ticket)
    ticket.events.create(from_status="open", to_status="in_progress")
    claim = ClaimFactory(seller=seller, order=order, shipment=shipment)
    claim.events.create(from_status="", to_status="on_review")
    return {"courier": courier, "shipment": shipment, "trackingevent": tracking, "pickuprequest": pickup,
            "return": ret, "ticket": ticket, "claim": claim}


EDITABLE = ["courier", "shipment", "pickuprequest", "return", "ticket", "claim"]


@pytest.mark.parametrize("model", [*EDITABLE, "trackingevent"])
def test_changelist_and_change_pages_open(admin_client_logged_in, data, model):
    obj = data[model]
    changelist = admin_client_logged_in.get(reverse(f"admin:logistics_{model}_changelist"))
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count >= 1
    for page in ("change", "history"):
        url = reverse(f"admin:logistics_{model}_{page}", args=[obj.pk])
        assert admin_client_logged_in.get(url).status_code == 200


@pytest.mark.parametrize("model", EDITABLE)
def test_add_pages_open(admin_client_logged_in, data, model):
    assert admin_client_logged_in.get(reverse(f"admin:logistics_{model}_add")).status_code == 200


def test_tracking_events_cannot_be_added_or_edited_here(admin_client_logged_in, data):
    assert admin_client_logged_in.get(reverse("admin:logistics_trackingevent_add")).status_code == 403
    event = data["trackingevent"]
    response = admin_client_logged_in.post(reverse("admin:logistics_trackingevent_change", args=[event.pk]),
                                           {"description": "changed"})
    assert response.status_code == 403


@pytest.mark.parametrize(("query", "model"), [
    ("status=awb_created&cod=yes&courier__id__exact={courier}", "shipment"),
    ("cod=no", "shipment"),
    ("q={awb}", "shipment"),
    ("q={order_no}", "shipment"),
    ("created_at_from_0=2020-01-01&created_at_to_0=2100-01-01", "shipment"),
    ("q={awb}", "trackingevent"),
    ("status=requested&pickup_date_from=2020-01-01&seller__id__exact={seller}", "pickuprequest"),
    ("sla=today", "ticket"),
    ("sla=overdue", "ticket"),
    ("assignee=none&status=open&priority=normal&type=other", "ticket"),
    ("q={ticket}", "ticket"),
    ("q={awb}", "ticket"),
    ("status=on_review&kind=lost", "claim"),
    ("status=returning&outcome=pending", "return"),
])
def test_filters_and_exact_searches_work(admin_client_logged_in, data, query, model, monkeypatch):
    shipment = data["shipment"]
    if query.startswith("sla="):
        # The SLA filters read the clock: fix it at 10:00 local time, with the ticket due an hour later, so
        # "today" does not turn into "tomorrow" when the suite runs just before midnight.
        clock = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
        Ticket.objects.filter(pk=data["ticket"].pk).update(sla_due_at=clock + dt.timedelta(hours=1))
        monkeypatch.setattr("logistics.selectors.timezone", SimpleNamespace(
            now=lambda: clock, localtime=timezone.localtime, localdate=timezone.localdate))
    query = query.format(courier=shipment.courier_id, awb=shipment.awb, order_no=shipment.order.order_no,
                         seller=shipment.order.seller_id, ticket=data["ticket"].number)
    response = admin_client_logged_in.get(reverse(f"admin:logistics_{model}_changelist") + "?" + query)
    assert response.status_code == 200
    expected = 0 if query == "sla=overdue" or query == "cod=no" else 1
    assert response.context["cl"].result_count == expected


def run_action(client, model, action, objects):
    return client.post(
        reverse(f"admin:logistics_{model}_changelist"),
        {"action": action, "_selected_action": [str(obj.pk) for obj in objects]},
        follow=True,
    )


def test_shipment_action_moves_allowed_rows_and_reports_refused_ones(admin_client_logged_in):
    movable = ShipmentFactory(status=Shipment.Status.AWB_CREATED)
    stuck = ShipmentFactory(status=Shipment.Status.DELIVERED)
    response = run_action(admin_client_logged_in, "shipment", "mark_picked_up", [movable, stuck])
    texts = messages_of(response)
    assert "1 shipments marked picked up." in texts
    assert any(text.startswith(f"{stuck}: ") and "cannot go from" in text for text in texts)
    movable.refresh_from_db()
    stuck.refresh_from_db()
    assert (movable.status, stuck.status) == (Shipment.Status.PICKED_UP, Shipment.Status.DELIVERED)


@pytest.mark.parametrize(("action", "start", "end"), [
    ("mark_in_transit", "picked_up", "in_transit"),
    ("mark_delivered", "in_transit", "delivered"),
    ("mark_problem", "in_transit", "problem"),
])
def test_other_shipment_actions(admin_client_logged_in, action, start, end):
    shipment = ShipmentFactory(status=start)
    run_action(admin_client_logged_in, "shipment", action, [shipment])
    shipment.refresh_from_db()
    assert shipment.status == end


@pytest.mark.parametrize(("action", "start", "end"), [
    ("schedule", "requested", "scheduled"),
    ("mark_picked_up", "scheduled", "picked_up"),
    ("mark_failed", "scheduled", "failed"),
    ("cancel", "requested", "canceled"),
])
def test_pickup_actions(admin_client_logged_in, action, start, end):
    pickup = PickupRequestFactory(status=start)
    response = run_action(admin_client_logged_in, "pickuprequest", action, [pickup])
    assert response.status_code == 200
    pickup.refresh_from_db()
    assert pickup.status == end
    assert pickup.events.get().to_status == end


def test_pickup_action_refusal_is_reported(admin_client_logged_in):
    pickup = PickupRequestFactory(status=PickupRequest.Status.CANCELED)
    texts = messages_of(run_action(admin_client_logged_in, "pickuprequest", "schedule", [pickup]))
    assert any("cannot go from “Canceled” to “Scheduled”" in text for text in texts)
    pickup.refresh_from_db()
    assert pickup.status == PickupRequest.Status.CANCELED


@pytest.mark.parametrize(("action", "start", "end"), [
    ("start", "open", "in_progress"),
    ("wait", "in_progress", "waiting"),
    ("resolve", "waiting", "resolved"),
    ("close", "resolved", "closed"),
])
def test_ticket_actions(admin_client_logged_in, action, start, end):
    ticket = TicketFactory(status=start)
    run_action(admin_client_logged_in, "ticket", action, [ticket])
    ticket.refresh_from_db()
    assert ticket.status == end


def test_ticket_close_is_refused_for_an_open_ticket(admin_client_logged_in):
    ticket = TicketFactory(status=Ticket.Status.OPEN)
    texts = messages_of(run_action(admin_client_logged_in, "ticket", "close", [ticket]))
    assert any("cannot go from “Open” to “Closed”" in text for text in texts)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN


def test_assign_to_me_and_mark_read(admin_client_logged_in, superuser):
    ticket = TicketFactory(unread_by_staff=True)
    closed = TicketFactory(status=Ticket.Status.CLOSED)
    texts = messages_of(run_action(admin_client_logged_in, "ticket", "assign_to_me", [ticket, closed]))
    assert "1 tickets assigned to you." in texts
    assert any("only open tickets can be assigned" in text for text in texts)
    run_action(admin_client_logged_in, "ticket", "mark_read", [ticket])
    ticket.refresh_from_db()
    closed.refresh_from_db()
    assert (ticket.assignee, ticket.unread_by_staff, closed.assignee) == (superuser, False, None)


@pytest.mark.parametrize(("action", "start", "end"), [
    ("accept", "on_review", "accepted"),
    ("reject", "on_review", "rejected"),
    ("mark_paid", "accepted", "paid"),
])
def test_claim_actions(admin_client_logged_in, action, start, end):
    claim = ClaimFactory(status=start)
    run_action(admin_client_logged_in, "claim", action, [claim])
    claim.refresh_from_db()
    assert claim.status == end
    assert ClaimEvent.objects.get(claim=claim).to_status == end


def test_claim_paid_before_acceptance_is_refused(admin_client_logged_in):
    claim = ClaimFactory()
    texts = messages_of(run_action(admin_client_logged_in, "claim", "mark_paid", [claim]))
    assert any("cannot go from “On review” to “Paid”" in text for text in texts)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.ON_REVIEW


def test_return_actions_receive_then_inspect(admin_client_logged_in, superuser):
    ret = ReturnFactory()
    assert "1 returns marked received." in messages_of(run_action(admin_client_logged_in, "return", "receive",
                                                                  [ret]))
    run_action(admin_client_logged_in, "return", "inspect_damaged", [ret])
    ret.refresh_from_db()
    assert (ret.status, ret.outcome, ret.inspected_by) == (Return.Status.INSPECTED, "damaged", superuser)


def test_return_inspected_as_sellable_before_arrival_is_refused(admin_client_logged_in):
    ret = ReturnFactory()
    texts = messages_of(run_action(admin_client_logged_in, "return", "inspect_sellable", [ret]))
    assert any("has not been received yet" in text for text in texts)
    ret.refresh_from_db()
    assert ret.status == Return.Status.RETURNING


def test_return_inspected_as_lost(admin_client_logged_in):
    ret = ReturnFactory()
    assert "1 returns recorded as lost." in messages_of(
        run_action(admin_client_logged_in, "return", "inspect_lost", [ret]))


def test_staff_without_change_permission_sees_no_transition_actions(client, django_user_model, data):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user("viewer", "v@example.com", "pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_shipment"),
                                Permission.objects.get(codename="view_all_sellers"))
    url = reverse("admin:logistics_shipment_changelist")
    client.force_login(viewer)
    assert "mark_picked_up" not in action_names(client.get(url))
    viewer.user_permissions.add(Permission.objects.get(codename="change_shipment"))
    viewer = django_user_model.objects.get(pk=viewer.pk)  # fresh permission cache
    client.force_login(viewer)
    assert "mark_picked_up" in action_names(client.get(url))


def action_names(response) -> list[str]:
    form = response.context["action_form"]
    return [] if form is None else [name for name, _label in form.fields["action"].choices]


def test_scoped_staff_sees_only_assigned_sellers_shipments(client, django_user_model, data):
    from django.contrib.auth.models import Permission

    from tests.factories import StaffAssignmentFactory

    user = django_user_model.objects.create_user("scoped", "s@example.com", "pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_shipment"))
    client.force_login(user)
    url = reverse("admin:logistics_shipment_changelist")
    assert client.get(url).context["cl"].result_count == 0
    StaffAssignmentFactory(user=user, seller=data["shipment"].order.seller)
    assert client.get(url).context["cl"].result_count == 1


# --- forms -------------------------------------------------------------------------------------------


def test_ticket_reply_added_in_the_admin_goes_through_ticket_reply(admin_client_logged_in, data, superuser):
    ticket = data["ticket"]
    ticket.unread_by_staff = True
    ticket.save()
    url = reverse("admin:logistics_ticket_change", args=[ticket.pk])
    post = change_form_post_data(admin_client_logged_in.get(url))
    post["messages-TOTAL_FORMS"] = str(int(post["messages-TOTAL_FORMS"]))
    extra_index = int(post["messages-INITIAL_FORMS"])
    post[f"messages-{extra_index}-body"] = "Sudah kami eskalasi ke kurir."
    post[f"messages-{extra_index}-attachment"] = SimpleUploadedFile("bukti.png", PNG)
    response = admin_client_logged_in.post(url, post)
    assert response.status_code == 302, response.context["adminform"].form.errors
    reply = TicketMessage.objects.filter(ticket=ticket).latest("id")
    assert (reply.body, reply.is_from_staff, reply.author) == (
        "Sudah kami eskalasi ke kurir.", True, superuser,
    )
    ticket.refresh_from_db()
    assert ticket.unread_by_staff is False and ticket.last_message_at is not None


@pytest.mark.parametrize(("name", "content", "message"), [
    ("besar.png", PNG + b"\x00" * 4096, "limit is"),
    ("virus.exe", b"MZ\x90\x00", "not a JPG, PNG or PDF"),
])
def test_ticket_reply_with_a_bad_attachment_is_refused_in_the_admin(admin_client_logged_in, data, settings,
                                                                     name, content, message):
    settings.TICKET_ATTACHMENT_MAX_BYTES = 1024
    ticket = data["ticket"]
    url = reverse("admin:logistics_ticket_change", args=[ticket.pk])
    post = change_form_post_data(admin_client_logged_in.get(url))
    extra_index = int(post["messages-INITIAL_FORMS"])
    post[f"messages-{extra_index}-body"] = "Lampiran"
    post[f"messages-{extra_index}-attachment"] = SimpleUploadedFile(name, content)
    response = admin_client_logged_in.post(url, post)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert TicketMessage.objects.filter(ticket=ticket).count() == 1


def pickup_post(seller, order, day, **overrides):
    values = {
        "seller": str(seller.pk), "orders": [str(order.pk)], "pickup_date": day.isoformat(),
        "time_from": "09:00", "time_to": "12:00", "vehicle": "motor", "contact_name": "Andi",
        "contact_phone": "081298765432", "address": "Jl. Gatot Subroto No. 5", "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0", "events-MIN_NUM_FORMS": "0", "events-MAX_NUM_FORMS": "1000",
    }
    values.update(overrides)
    return values


def test_pickup_added_in_the_admin_goes_through_pickup_request_create(admin_client_logged_in, seller,
                                                                       ready_order, tomorrow, superuser):
    response = admin_client_logged_in.post(reverse("admin:logistics_pickuprequest_add"),
                                           pickup_post(seller, ready_order, tomorrow))
    assert response.status_code == 302, response.context["adminform"].form.errors
    pickup = PickupRequest.objects.get()
    assert pickup.contact_phone == "+6281298765432"
    assert list(pickup.orders.all()) == [ready_order]
    assert pickup.events.get().actor == superuser
    assert ready_order.shipments.get().status == Shipment.Status.PICKUP_REQUESTED


@pytest.mark.parametrize(("overrides", "message"), [
    ({"time_from": "13:00", "time_to": "10:00"}, "inverted"),
    ({"time_from": "16:00", "time_to": "17:00"}, "start by 15:00"),
    ({"contact_phone": "12"}, "not a valid phone number"),
    ({"pickup_date": "2020-01-01"}, "in the past"),
])
def test_pickup_add_form_refuses_with_a_specific_message(admin_client_logged_in, seller, ready_order,
                                                         tomorrow, overrides, message):
    response = admin_client_logged_in.post(reverse("admin:logistics_pickuprequest_add"),
                                           pickup_post(seller, ready_order, tomorrow, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PickupRequest.objects.exists()


def test_shipment_form_refuses_an_awb_taken_by_another_order(admin_client_logged_in):
    taken = ShipmentFactory(awb="JNE-TAKEN", order=OrderFactory(order_no="INV/TAKEN/9"))
    shipment = ShipmentFactory(courier=taken.courier, status=Shipment.Status.PENDING, awb="")
    url = reverse("admin:logistics_shipment_change", args=[shipment.pk])
    post = change_form_post_data(admin_client_logged_in.get(url))
    post["awb"] = "JNE-TAKEN"
    response = admin_client_logged_in.post(url, post)
    assert response.status_code == 200
    assert "INV/TAKEN/9" in response.content.decode()
    shipment.refresh_from_db()
    assert shipment.awb == ""


def test_shipment_form_sets_the_awb_through_the_service(admin_client_logged_in):
    shipment = ShipmentFactory(status=Shipment.Status.PENDING, awb="")
    url = reverse("admin:logistics_shipment_change", args=[shipment.pk])
    post = change_form_post_data(admin_client_logged_in.get(url))
    post["awb"] = "JNE-NEW-1"
    response = admin_client_logged_in.post(url, post)
    assert response.status_code == 302
    shipment.refresh_from_db()
    assert (shipment.awb, shipment.status) == ("JNE-NEW-1", Shipment.Status.AWB_CREATED)
    assert shipment.events.get().to_status == "awb_created"


def test_claim_form_refuses_a_non_positive_amount(admin_client_logged_in, data):
    claim = data["claim"]
    url = reverse("admin:logistics_claim_change", args=[claim.pk])
    post = change_form_post_data(admin_client_logged_in.get(url))
    post["amount"] = "0"
    response = admin_client_logged_in.post(url, post)
    assert response.status_code == 200
    assert "The claim amount must be more than zero." in response.content.decode()


def test_return_added_in_the_admin_goes_through_return_record(admin_client_logged_in):
    shipment = ShipmentFactory(status=Shipment.Status.IN_TRANSIT)
    response = admin_client_logged_in.post(reverse("admin:logistics_return_add"), {
        "order": str(shipment.order_id), "shipment": str(shipment.pk), "reason": "Ditolak penerima",
        "rts_fee": "9000", "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    ret = Return.objects.get()
    assert ret.events.get().to_status == "returning"
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.RETURNING


def test_courier_with_services_is_saved(admin_client_logged_in):
    response = admin_client_logged_in.post(reverse("admin:logistics_courier_add"), {
        "code": "sicepat", "name": "SiCepat", "is_active": "on", "supports_cod": "on",
        "services-TOTAL_FORMS": "1", "services-INITIAL_FORMS": "0",
        "services-0-code": "REG", "services-0-name": "Reguler", "services-0-is_active": "on",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Courier.objects.get(code="sicepat").services.get().code == "REG"


def test_customer_service_can_work_a_ticket_of_an_assigned_seller(client, django_user_model, data):
    from tests.conftest import user_in_role
    from tests.factories import StaffAssignmentFactory

    agent = user_in_role(django_user_model, "agent", "Customer Service")
    ticket = data["ticket"]
    StaffAssignmentFactory(user=agent, seller=ticket.seller)
    client.force_login(agent)
    url = reverse("admin:logistics_ticket_change", args=[ticket.pk])
    post = change_form_post_data(client.get(url))
    post[f"messages-{post['messages-INITIAL_FORMS']}-body"] = "Kami bantu cek."
    assert client.post(url, post).status_code == 302
    assert ticket.messages.latest("id").author == agent
    run_action(client, "ticket", "start", [ticket])
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS
