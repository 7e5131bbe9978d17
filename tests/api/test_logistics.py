import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from logistics.models import PickupRequest, Shipment, Ticket, TicketMessage
from tests.factories import OrderFactory, ShipmentFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _pickup_body(order_ids, **overrides):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    return {"orders": order_ids, "pickup_date": tomorrow.isoformat(), "time_from": "09:00", "time_to": "12:00",
            "vehicle": "motor", "contact_name": "Andi", "contact_phone": "0812-9876-5432",
            "address": "Jl. Mawar No. 1, Jakarta", **overrides}


@pytest.fixture
def ready_order(world_a, courier):
    order = OrderFactory(seller=world_a.seller)
    ShipmentFactory(order=order, courier=courier)
    return order


def test_pickup_create_moves_shipments(world_a, ready_order):
    response = world_a.client.post("/api/v1/pickups/", _pickup_body([ready_order.pk]), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["orders"] == [ready_order.pk]
    assert body["contact_phone"] == "+6281298765432"
    assert Shipment.objects.get(order=ready_order).status == "pickup_requested"


def test_pickup_bad_input_is_400_with_field_errors_and_creates_nothing(world_a, ready_order):
    before = PickupRequest.objects.count()
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    cases = [
        (_pickup_body([]), "orders"),
        (_pickup_body(["x"]), "orders"),
        (_pickup_body([ready_order.pk], pickup_date="besok"), "pickup_date"),
        (_pickup_body([ready_order.pk], vehicle="sepeda"), "vehicle"),
        (_pickup_body([ready_order.pk], pickup_date=yesterday), "pickup_date"),
        (_pickup_body([ready_order.pk], time_from="13:00", time_to="11:00"), "time_to"),
        (_pickup_body([ready_order.pk], contact_phone="12"), "contact_phone"),
        (_pickup_body([world_a.objects["order"].pk]), "orders"),  # already in an active pickup
    ]
    for body, field in cases:
        response = world_a.client.post("/api/v1/pickups/", body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert field in response.json()["error"]["fields"], (body, response.json())
    assert PickupRequest.objects.count() == before
    assert Shipment.objects.get(order=ready_order).status == "awb_created"


def test_pickup_cancel(world_a):
    pickup = world_a.objects["pickup"]
    response = world_a.client.post(f"/api/v1/pickups/{pickup.pk}/cancel/", {"note": "libur"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "canceled"
    assert world_a.client.post(f"/api/v1/pickups/{pickup.pk}/cancel/", {}, format="json").status_code == 409


def test_pickup_list_filter(world_a):
    pickup = world_a.objects["pickup"]
    assert [r["id"] for r in world_a.client.get("/api/v1/pickups/", {"status": "requested"}).json()["results"]] \
        == [pickup.pk]
    assert world_a.client.get("/api/v1/pickups/", {"status": "failed"}).json()["results"] == []
    assert world_a.client.get(f"/api/v1/pickups/{pickup.pk}/").json()["orders"] == [world_a.objects["order"].pk]


def test_ticket_list_and_detail(world_a):
    ticket = world_a.objects["ticket"]
    rows = world_a.client.get("/api/v1/tickets/", {"status": "open"}).json()["results"]
    assert [r["id"] for r in rows] == [ticket.pk]
    detail = world_a.client.get(f"/api/v1/tickets/{ticket.pk}/").json()
    assert detail["order_no"] == world_a.objects["order"].order_no
    assert len(detail["messages"]) == 1


def test_ticket_reply_with_attachment(world_a):
    ticket = world_a.objects["ticket"]
    upload = SimpleUploadedFile("bukti.png", PNG, content_type="image/png")
    response = world_a.client.post(f"/api/v1/tickets/{ticket.pk}/reply/",
                                   {"message": "Ini fotonya", "attachment": upload}, format="multipart")
    assert response.status_code == 201, response.content
    last = response.json()["messages"][-1]
    assert last["body"] == "Ini fotonya"
    assert last["attachment"].endswith(".png")
    assert Ticket.objects.get(pk=ticket.pk).unread_by_staff is True


def test_ticket_reply_refuses_a_fake_image_and_writes_nothing(world_a):
    ticket = world_a.objects["ticket"]
    upload = SimpleUploadedFile("bukti.png", b"MZ not an image", content_type="image/png")
    response = world_a.client.post(f"/api/v1/tickets/{ticket.pk}/reply/", {"message": "x", "attachment": upload},
                                   format="multipart")
    assert response.status_code == 400
    assert TicketMessage.objects.filter(ticket=ticket).count() == 1
    empty = world_a.client.post(f"/api/v1/tickets/{ticket.pk}/reply/", {}, format="json")
    assert empty.status_code == 400
    assert "message" in empty.json()["error"]["fields"]


def test_ticket_close_cancels_an_open_one_and_closes_a_resolved_one(world_a, world_b):
    ticket = world_a.objects["ticket"]
    response = world_a.client.post(f"/api/v1/tickets/{ticket.pk}/close/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "canceled"
    assert world_a.client.post(f"/api/v1/tickets/{ticket.pk}/close/", {}, format="json").status_code == 409
    resolved = world_b.objects["ticket"]
    Ticket.objects.filter(pk=resolved.pk).update(status="resolved")
    assert world_b.client.post(f"/api/v1/tickets/{resolved.pk}/close/", {}, format="json").json()["status"] == "closed"


def test_ticket_create_with_attachment(world_a):
    upload = SimpleUploadedFile("resi.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = world_a.client.post("/api/v1/tickets/", {
        "subject": "Paket rusak", "message": "Kardus penyok", "attachment": upload, "category": "damaged",
        "order": world_a.objects["order"].pk}, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get(pk=body["id"])
    assert ticket.seller == world_a.seller
    assert body["messages"][0]["attachment"].endswith(".pdf")


def test_ticket_create_bad_input_is_400_and_creates_nothing(world_a, world_b):
    before = Ticket.objects.count()
    for body, field in [({"message": "x"}, "subject"), ({"subject": "x"}, "message"),
                        ({"subject": "x", "message": "y", "order": world_b.objects["order"].pk}, "order"),
                        ({"subject": "x", "message": "y", "category": "gosip"}, "category")]:
        response = world_a.client.post("/api/v1/tickets/", body, format="multipart")
        assert response.status_code == 400, response.content
        assert field in response.json()["error"]["fields"]
    assert Ticket.objects.count() == before


def test_shipping_quote_validates_input(world_a):
    response = world_a.client.post("/api/v1/shipping/quote/", {"origin": "40115"}, format="json")
    assert response.status_code == 400
    assert {"destination", "weight_grams"} == set(response.json()["error"]["fields"])


def test_shipping_quote_of_another_sellers_order_is_400(world_a, world_b):
    response = world_a.client.post("/api/v1/shipping/quote/", {"order": world_b.objects["order"].pk}, format="json")
    assert response.status_code == 400
    assert "order" in response.json()["error"]["fields"]




def test_shipping_quote_asks_the_sellers_platform_over_http(world_a, live_server):
    from tests.integrations.engine_support import reset_sandbox, sandbox_account

    reset_sandbox("komship", orders=2)
    account = sandbox_account("komship", live_server.url, seller=world_a.seller)
    response = world_a.client.post("/api/v1/shipping/quote/", {
        "account": account.pk, "destination": "Coblong", "weight_grams": 1200, "cod_value": "150000"},
        format="json")
    assert response.status_code == 200, response.content
    options = response.json()["options"]
    assert options and all(o["platform"] == "komship" and Decimal(o["cost"]) > 0 for o in options)
    assert all(Decimal(o["cod_fee"]) > 0 for o in options)
