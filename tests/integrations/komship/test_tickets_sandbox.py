"""Komship tickets and return claims: the sandbox's answers against the document's samples (every ticket and
claim operation that prints one), and the client + adapter against the sandbox over real HTTP."""

import pytest

from integrations.exceptions import ProviderRejected
from integrations.komship.endpoints import ENDPOINTS, TICKET_PAGE_SIZE_MAX
from integrations.komship.mappers import ticket_from
from integrations.sandbox_kit import SeedPlan
from tests.integrations.contract import assert_same_shape
from tests.integrations.komship.conftest import sample

pytestmark = pytest.mark.urls("tests.integrations.komship.urls")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def tickets_sandbox(sandbox):
    sandbox.reset(SeedPlan(orders=237, products=30, seed=11, extra={"tickets": 25}))
    return sandbox


def _cod_return_order(sandbox) -> dict:
    return next(o for o in sandbox.orders if o["payment_method"] == "COD" and o["order_status"] == "Retur"
                and o["airway_bill"])


def _ticket_id_for(client, awb) -> int:
    rows = client.list_tickets("partner", page=1, per_page=10, search=awb, search_type="no_resi")["data"]["data"]
    return rows[0]["id"]


# Envelopes against the seed's samples ------------------------------------------------------------------------


def test_ticket_create_and_chat_envelopes_match_samples(client, tickets_sandbox):
    order = _cod_return_order(tickets_sandbox)
    fields = {"no_resi": order["airway_bill"], "customer_name": order["customer_name"], "partner_name": "Toko",
              "ticket_type": "4", "description": "Paket retur belum sampai"}
    assert_same_shape(client.store_ticket(fields, [("paket.png", PNG, "image/png")]),
                      sample("ticket_store_response.json"))
    ticket_id = _ticket_id_for(client, order["airway_bill"])
    assert_same_shape(client.store_ticket_chat(str(ticket_id), "Mohon dicek", [("a.png", PNG, "image/png")]),
                      sample("ticket_chat_response.json"))
    assert_same_shape(client.store_ticket({**fields, "brand_name": "Berkah"}, mitra=True),
                      sample("ticket_mitra_store_response.json"))
    assert_same_shape(client.store_ticket_chat(str(ticket_id), "Sudah diproses", ticket_status="2"),
                      sample("ticket_mitra_chat_response.json"))
    assert tickets_sandbox.tickets[ticket_id]["ticket_status"] == 2


def test_claim_retur_envelopes_match_samples(client, tickets_sandbox):
    order = _cod_return_order(tickets_sandbox)
    client.store_ticket({"no_resi": order["airway_bill"], "ticket_type": "4", "description": "Klaim retur"})
    ticket_id = _ticket_id_for(client, order["airway_bill"])

    assert_same_shape(client.store_claim_retur(str(ticket_id), "Barang rusak"),
                      sample("claim_retur_store_response.json"))
    claim_id = tickets_sandbox.tickets[ticket_id]["claim_retur"]["id"]
    assert_same_shape(client.upload_claim_retur_image(str(claim_id), "bukti.png", PNG, "image/png"),
                      sample("claim_retur_upload_image_response.json"))
    image_id = tickets_sandbox.tickets[ticket_id]["claim_retur"]["images"][0]["id"]
    assert_same_shape(client.delete_claim_retur_image(str(image_id)), sample("claim_retur_delete_image_response.json"))
    assert_same_shape(client.update_claim_retur(str(ticket_id)), sample("claim_retur_update_response.json"))
    info = client.claim_retur_info(str(ticket_id))
    assert_same_shape(info, sample("claim_retur_info_response.json"), exact_keys=False)  # `data` collapsed
    assert set(info) == set(sample("claim_retur_info_response.json"))
    assert isinstance(info["data"]["status_claim"], int) and info["data"]["images"] == []


@pytest.mark.parametrize(("call", "sample_name"), [
    (lambda c: c.list_tickets("admin", page=1, per_page=5), "ticket_admin_list_response.json"),
    (lambda c: c.list_tickets("mitra", page=1, per_page=5), "ticket_mitra_list_response.json"),
    (lambda c: c.list_package_return_tickets(limit=5, offset=0), "ticket_package_return_response.json"),
])
def test_ticket_list_envelopes_match_samples(client, tickets_sandbox, call, sample_name):
    response = call(client)
    # #198 and #200 print `{}` (nothing to compare but the object); #201 prints the envelope with `data []`.
    assert_same_shape(response, sample(sample_name), exact_keys=bool(sample(sample_name)))
    assert {"status", "code", "data"} <= set(response)
    rows = response["data"] if isinstance(response["data"], list) else response["data"]["data"]
    assert rows, "the seeded sandbox lists tickets"
    for row in rows:
        assert isinstance(row["id"], int) and isinstance(row["ticket_status"], int)
        assert isinstance(row["ticket_no"], str) and isinstance(row["no_resi"], str)
        assert isinstance(row["date_updated"], str) and isinstance(row["partner_id"], int)


def test_partner_list_is_a_laravel_paginator_capped_at_the_page_maximum(client, tickets_sandbox):
    data = client.list_tickets("partner", page=1, per_page=TICKET_PAGE_SIZE_MAX + 50)["data"]
    assert data["per_page"] == TICKET_PAGE_SIZE_MAX and data["total"] == 25
    assert {"current_page", "data", "last_page", "total", "next_page_url", "links"} <= set(data)
    second = client.list_tickets("partner", page=2, per_page=10)["data"]
    first = client.list_tickets("partner", page=1, per_page=10)["data"]
    assert not {r["id"] for r in first["data"]} & {r["id"] for r in second["data"]}


def test_detail_is_served_on_the_seeds_v2_path_and_the_dashboards_v1_path(client, tickets_sandbox):
    ticket_id = next(iter(tickets_sandbox.tickets))
    assert ENDPOINTS["ticket_detail"].path.startswith("v2/")
    v2 = client.ticket_detail(str(ticket_id))
    v1 = client.get(f"v1/ticket-partner/detail/{ticket_id}")
    assert v1 == v2
    ticket = ticket_from(v2["data"], complete=True)
    assert ticket.external_id == str(ticket_id) and ticket.complete


# Rules the sandbox enforces ----------------------------------------------------------------------------------


def test_claim_retur_on_a_non_cod_order_is_refused(client, tickets_sandbox):
    order = next(o for o in tickets_sandbox.orders if o["payment_method"] != "COD" and o["airway_bill"])
    client.store_ticket({"no_resi": order["airway_bill"], "ticket_type": "4", "description": "Klaim"})
    ticket_id = _ticket_id_for(client, order["airway_bill"])
    with pytest.raises(ProviderRejected, match="COD"):
        client.store_claim_retur(str(ticket_id), "Klaim")
    assert tickets_sandbox.tickets[ticket_id]["claim_retur"] is None


def test_ticket_create_without_awb_is_refused_with_the_field(client, tickets_sandbox):
    before = len(tickets_sandbox.tickets)
    with pytest.raises(ProviderRejected, match="no_resi"):
        client.store_ticket({"ticket_type": "1", "description": "x"})
    assert len(tickets_sandbox.tickets) == before


def test_cancel_twice_is_refused_and_the_adapter_treats_it_as_done(client, adapter, tickets_sandbox):
    ticket_id = next(t["id"] for t in tickets_sandbox.tickets.values() if t["ticket_status"] in (0, 1, 2))
    adapter.cancel_ticket(str(ticket_id))
    assert tickets_sandbox.tickets[ticket_id]["ticket_status"] == 4
    with pytest.raises(ProviderRejected):
        client.cancel_ticket(str(ticket_id))
    adapter.cancel_ticket(str(ticket_id))  # a retry after a lost answer: no error


# Adapter ---------------------------------------------------------------------------------------------------------


def test_adapter_creates_once_and_finds_the_ticket_again_by_its_reference(adapter, tickets_sandbox):
    from integrations.base import Attachment, TicketPayload

    order = _cod_return_order(tickets_sandbox)
    payload = TicketPayload(reference="TCK261129ABC123", awb=order["airway_bill"], type="return",
                            description="Paket retur belum kembali", customer_name=order["customer_name"],
                            attachments=(Attachment("bukti.png", PNG, "image/png"),))
    external_id = adapter.create_ticket(payload)
    again = adapter.create_ticket(payload)  # e.g. the task retried after a timeout

    assert again == external_id
    stored = tickets_sandbox.tickets[int(external_id)]
    assert stored["ticket_type"] == 4 and "[TCK261129ABC123]" in stored["description"]
    assert len(stored["file"]) == 1 and stored["file"][0].endswith("bukti.png")
    assert sum(1 for t in tickets_sandbox.tickets.values() if "[TCK261129ABC123]" in t["description"]) == 1


def test_adapter_pages_every_list_of_a_mitra_account_once(make_adapter, tickets_sandbox):
    from datetime import timedelta

    from django.utils import timezone

    adapter = make_adapter(options={"ticket_role": "mitra"})
    now = timezone.now()
    ids = [t.external_id for page in adapter.iter_ticket_pages(since=now - timedelta(days=200), until=now)
           for t in page.tickets]
    assert len(ids) == len(set(ids)) == len(tickets_sandbox.tickets)
