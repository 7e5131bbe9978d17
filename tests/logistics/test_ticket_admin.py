"""Ticket and claim screens: new tickets and claims go through their services, priority / assignment /
cancel / claim decisions from the admin, and bad input refused with the field and nothing written."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from finance.models import LedgerEntry
from logistics.models import Claim, ClaimEvidence, Ticket, TicketEvent, TicketMessage
from tests.factories import ClaimFactory, OrderFactory, ReturnFactory, TicketFactory, UserFactory
from tests.logistics.helpers import change_form_post_data, messages_of

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def run_action(client, model, action, objects):
    return client.post(reverse(f"admin:logistics_{model}_changelist"),
                       {"action": action, "_selected_action": [str(o.pk) for o in objects]}, follow=True)


def ticket_add_post(seller, **overrides):
    values = {"seller": str(seller.pk), "type": "delivery", "subject": "Paket belum sampai", "priority": "high",
              "message": "Pembeli belum menerima paket sejak 5 hari.", "messages-TOTAL_FORMS": "0",
              "messages-INITIAL_FORMS": "0", "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0"}
    values.update(overrides)
    return values


def test_a_ticket_added_in_the_admin_goes_through_ticket_create(admin_client_logged_in, seller, superuser):
    response = admin_client_logged_in.post(reverse("admin:logistics_ticket_add"), ticket_add_post(
        seller, first_attachment=SimpleUploadedFile("bukti.png", PNG)))

    assert response.status_code == 302, response.context["adminform"].form.errors
    ticket = Ticket.objects.get()
    assert ticket.number.startswith("TCK") and ticket.sla_due_at is not None
    assert (ticket.priority, ticket.type, ticket.status) == ("high", "delivery", "open")
    message = ticket.messages.get()
    assert message.body.startswith("Pembeli belum") and message.attachment and message.author == superuser
    assert ticket.events.get().to_status == "open"


@pytest.mark.parametrize(("name", "content", "text"), [
    ("besar.png", PNG + b"\x00" * 4096, "the limit is"),
    ("virus.exe", b"MZ\x90\x00", "not a JPG, PNG or PDF"),
])
def test_a_new_ticket_with_a_bad_attachment_is_refused(admin_client_logged_in, seller, settings, name, content,
                                                       text):
    settings.TICKET_ATTACHMENT_MAX_BYTES = 1024
    response = admin_client_logged_in.post(reverse("admin:logistics_ticket_add"), ticket_add_post(
        seller, first_attachment=SimpleUploadedFile(name, content)))

    assert response.status_code == 200
    assert text in str(response.context["adminform"].form.errors["first_attachment"])
    assert not Ticket.objects.exists() and not TicketMessage.objects.exists()


def test_a_new_ticket_needs_a_message(admin_client_logged_in, seller):
    response = admin_client_logged_in.post(reverse("admin:logistics_ticket_add"), ticket_add_post(seller, message=""))
    assert response.status_code == 200
    assert "message" in response.context["adminform"].form.errors
    assert not Ticket.objects.exists()


def test_priority_actions_change_priority_and_sla_with_an_event(admin_client_logged_in):
    ticket = TicketFactory(priority="normal")
    ticket.sla_due_at = ticket.created_at
    ticket.save()

    texts = messages_of(run_action(admin_client_logged_in, "ticket", "priority_urgent", [ticket]))

    ticket.refresh_from_db()
    assert "1 tickets changed priority." in texts
    assert ticket.priority == "urgent" and ticket.sla_due_at > ticket.created_at
    assert "priority" in ticket.events.get().note


def test_cancel_action_and_refusal_for_a_closed_ticket(admin_client_logged_in):
    ticket = TicketFactory(status="open")
    closed = TicketFactory(status="closed")

    texts = messages_of(run_action(admin_client_logged_in, "ticket", "cancel", [ticket, closed]))

    ticket.refresh_from_db()
    closed.refresh_from_db()
    assert (ticket.status, closed.status) == ("canceled", "closed")
    assert "1 tickets canceled." in texts and any("cannot go from “Closed”" in t for t in texts)


def test_assigning_in_the_change_form_goes_through_ticket_assign(admin_client_logged_in):
    ticket = TicketFactory()
    agent = UserFactory(is_staff=True, username="agen")
    url = reverse("admin:logistics_ticket_change", args=[ticket.pk])
    post = change_form_post_data(admin_client_logged_in.get(url))
    post["assignee"] = str(agent.pk)

    response = admin_client_logged_in.post(url, post)

    assert response.status_code == 302, response.context["adminform"].form.errors
    ticket.refresh_from_db()
    assert ticket.assignee == agent
    assert TicketEvent.objects.get(ticket=ticket).note == "assigned to agen"


def test_unassign_action(admin_client_logged_in, superuser):
    ticket = TicketFactory(assignee=superuser)
    run_action(admin_client_logged_in, "ticket", "unassign", [ticket])
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_push_filter_and_push_again_without_an_account_is_refused(admin_client_logged_in):
    failed = TicketFactory(push_error="HTTP 500")
    TicketFactory()
    url = reverse("admin:logistics_ticket_changelist")
    assert list(admin_client_logged_in.get(url + "?pushed=failed").context["cl"].result_list) == [failed]

    texts = messages_of(run_action(admin_client_logged_in, "ticket", "push_again", [failed]))

    assert any("has no platform account" in t for t in texts)


def test_claim_accept_action_credits_the_seller_once(admin_client_logged_in):
    claim = ClaimFactory(kind="lost", amount=Decimal("85000"))

    first = messages_of(run_action(admin_client_logged_in, "claim", "accept", [claim]))
    second = messages_of(run_action(admin_client_logged_in, "claim", "accept", [claim]))

    claim.refresh_from_db()
    assert claim.status == "accepted" and "1 claims accepted and credited." in first
    assert any("cannot go from “Accepted”" in t for t in second)
    entry = LedgerEntry.objects.get(seller=claim.seller)
    assert (entry.entry_type, entry.amount, entry.posting_key) == ("compensation", Decimal("85000"),
                                                                   f"claim:{claim.pk}:payout")


def test_claim_reject_action_posts_nothing(admin_client_logged_in):
    claim = ClaimFactory()
    run_action(admin_client_logged_in, "claim", "reject", [claim])
    claim.refresh_from_db()
    assert claim.status == "rejected" and not LedgerEntry.objects.exists()


def claim_add_post(order, **overrides):
    values = {"seller": str(order.seller_id), "order": str(order.pk), "kind": "return", "amount": "120000",
              "description": "Barang retur rusak", "evidence_files-TOTAL_FORMS": "0",
              "evidence_files-INITIAL_FORMS": "0", "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0"}
    values.update(overrides)
    return values


def test_a_claim_added_in_the_admin_goes_through_claim_create(admin_client_logged_in):
    order = OrderFactory(payment_method="cod", status="returned")
    response = admin_client_logged_in.post(reverse("admin:logistics_claim_add"), claim_add_post(
        order, evidence=SimpleUploadedFile("foto.png", PNG), **{
            "evidence_files-TOTAL_FORMS": "1", "evidence_files-0-file": SimpleUploadedFile("foto2.pdf",
                                                                                          b"%PDF-1.4\n")}))

    assert response.status_code == 302, response.context["adminform"].form.errors
    claim = Claim.objects.get()
    assert (claim.status, claim.kind, claim.amount) == ("on_review", "return", Decimal("120000"))
    assert claim.evidence and ClaimEvidence.objects.get(claim=claim).file.name.endswith(".pdf")
    assert claim.events.get().to_status == "on_review"


@pytest.mark.parametrize(("order_fields", "text"), [
    ({"payment_method": "bank_transfer", "status": "returned"}, "not a COD order"),
    ({"payment_method": "cod", "status": "delivered"}, "is not a return"),
])
def test_a_return_claim_on_the_wrong_order_is_refused_on_the_order_field(admin_client_logged_in, order_fields,
                                                                          text):
    order = OrderFactory(**order_fields)
    response = admin_client_logged_in.post(reverse("admin:logistics_claim_add"), claim_add_post(order))

    assert response.status_code == 200
    assert text in str(response.context["adminform"].form.errors["order"])
    assert not Claim.objects.exists()


def test_a_return_claim_on_an_order_with_a_recorded_return_is_accepted(admin_client_logged_in):
    order = OrderFactory(payment_method="cod", status="shipped")
    ReturnFactory(order=order)
    response = admin_client_logged_in.post(reverse("admin:logistics_claim_add"), claim_add_post(order))
    assert response.status_code == 302, response.context["adminform"].form.errors


def test_bad_evidence_file_is_refused_in_the_inline(admin_client_logged_in):
    order = OrderFactory(payment_method="cod", status="returned")
    response = admin_client_logged_in.post(reverse("admin:logistics_claim_add"), claim_add_post(order, **{
        "evidence_files-TOTAL_FORMS": "1", "evidence_files-0-file": SimpleUploadedFile("v.mp4", b"\x00ftyp")}))
    assert response.status_code == 200
    assert not Claim.objects.exists()
