"""Tickets and claims against the Komship sandbox over real HTTP: the pull (complete, idempotent, exact under
injected faults), every push (ticket with attachment, reply, cancel, priority, claim retur with evidence),
an accepted claim credited once, and bad input refused with nothing written or sent."""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings

from common.exceptions import TransitionNotAllowed
from finance.models import LedgerEntry, SellerBalance
from integrations.komship.sandbox import sandbox as komship_sandbox
from integrations.models import SyncRun
from integrations.sandbox_kit import FaultPlan, SeedPlan
from integrations.syncing import SyncRequest, kinds_for, sync_run_execute
from logistics import services, ticket_sync
from logistics.models import Claim, ClaimEvent, Ticket, TicketEvent, TicketMessage
from logistics.tasks import ticket_push_task
from tests.factories import OrderFactory, ShipmentFactory, UserFactory
from tests.integrations.engine_support import sandbox_account, whole_history

pytestmark = pytest.mark.django_db(transaction=True)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
FAST_RETRIES = {
    "INTEGRATIONS_HTTP_TIMEOUT": (2.0, 0.5),
    "INTEGRATIONS_HTTP_MAX_ATTEMPTS": 10,
    "INTEGRATIONS_HTTP_BACKOFF_BASE": 0.01,
    "INTEGRATIONS_HTTP_BACKOFF_CAP": 0.05,
}


@pytest.fixture
def sandbox():
    komship_sandbox.set_faults(FaultPlan(error_rate=0.0))
    komship_sandbox.reset(SeedPlan(orders=80, products=5, seed=2026, extra={"tickets": 18}))
    yield komship_sandbox
    komship_sandbox.set_faults(FaultPlan(error_rate=0.0))


@pytest.fixture
def account(sandbox, live_server):
    return sandbox_account("komship", live_server.url)


@pytest.fixture
def pushes(monkeypatch):
    """The on_commit hooks hand pushes to Celery; here each one runs at once in this process (the task's own
    code, without the broker) and is recorded."""
    calls = []

    def run_now(*, args, **options):
        calls.append((tuple(args), options))
        ticket_push_task.run(*args)

    monkeypatch.setattr(ticket_push_task, "apply_async", run_now)
    return calls


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


def pull(account, **kwargs):
    since, until = whole_history()
    return sync_run_execute(account=account, kind=SyncRun.Kind.TICKETS,
                            request=SyncRequest(since=kwargs.get("since", since), until=until))


def snapshot(account):
    return (
        sorted(Ticket.objects.filter(account=account).values_list("external_id", "status", "priority",
                                                                  "payload_hash")),
        sorted(TicketMessage.objects.filter(ticket__account=account).values_list("external_id", "body")),
        TicketEvent.objects.filter(ticket__account=account).count(),
        sorted(Claim.objects.filter(ticket__account=account).values_list("external_id", "status")),
    )


def parcel(sandbox, *, cod=True, status="Retur"):
    return next(o for o in sandbox.orders if (o["payment_method"] == "COD") == cod and o["order_status"] == status
                and o["airway_bill"] and not any(t["no_resi"] == o["airway_bill"] for t in sandbox.tickets.values()))


def local_order(account, sandbox_order, **fields):
    fields.setdefault("status", "returned" if sandbox_order["order_status"] == "Retur" else "delivered")
    fields.setdefault("payment_method", "cod" if sandbox_order["payment_method"] == "COD" else "bank_transfer")
    order = OrderFactory(seller=account.seller, **fields)
    ShipmentFactory(order=order, awb=sandbox_order["airway_bill"])
    return order


def png(name="bukti.png", size=None):
    return SimpleUploadedFile(name, PNG if size is None else PNG + b"\x00" * size, content_type="image/png")


# --- pull ----------------------------------------------------------------------------------------------------


def test_ticket_pull_mirrors_every_ticket_with_its_thread_once_and_a_second_pull_changes_nothing(account, sandbox):
    first = pull(account)

    assert first.status == SyncRun.Status.SUCCEEDED, first.error
    assert first.created == 18 and first.failed == 0
    tickets = {t.external_id: t for t in Ticket.objects.filter(account=account)}
    assert set(tickets) == {str(i) for i in sandbox.tickets}
    for ticket_id, stored in sandbox.tickets.items():
        ours = tickets[str(ticket_id)]
        assert ours.number == stored["ticket_no"] and ours.awb == stored["no_resi"]
        assert ours.seller_id == account.seller_id and ours.sla_due_at is not None
        expected_messages = len(stored["history"]) + 1  # the description is the first message
        assert ours.messages.count() == expected_messages
    before = snapshot(account)

    second = pull(account)

    assert second.status == SyncRun.Status.SUCCEEDED, second.error
    assert (second.created, second.updated, second.unchanged) == (0, 0, 18)
    assert snapshot(account) == before


def test_ticket_pull_under_twenty_percent_faults_loses_and_doubles_nothing(account, sandbox):
    sandbox.stats.clear()
    sandbox.set_faults(FaultPlan(error_rate=0.2, slow_seconds=1.0, retry_after=0, seed=31))

    with override_settings(**FAST_RETRIES):
        run = pull(account)

    sandbox.set_faults(FaultPlan(error_rate=0.0))
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    mirrored = list(Ticket.objects.filter(account=account).values_list("external_id", flat=True))
    assert len(mirrored) == len(set(mirrored)) == len(sandbox.tickets)
    message_ids = list(TicketMessage.objects.filter(ticket__account=account).values_list("external_id", flat=True))
    assert len(message_ids) == len(set(message_ids)) == sum(len(t["history"]) + 1 for t in sandbox.tickets.values())
    assert sandbox.stats["faults"] > 0
    assert {k for k in ("500", "429", "slow", "reset") if sandbox.stats[f"fault_{k}"]}, dict(sandbox.stats)
    before = snapshot(account)
    assert pull(account).unchanged == len(sandbox.tickets)
    assert snapshot(account) == before


def test_a_run_that_died_half_way_is_completed_by_the_next_without_duplicates(account, sandbox):
    sandbox.set_faults(FaultPlan(error_rate=1.0, kinds=("500",)))
    with override_settings(**{**FAST_RETRIES, "INTEGRATIONS_HTTP_MAX_ATTEMPTS": 1}):
        failed = pull(account)
    sandbox.set_faults(FaultPlan(error_rate=0.0))
    assert failed.status == SyncRun.Status.FAILED and failed.retryable

    done = pull(account)

    assert done.status == SyncRun.Status.SUCCEEDED
    assert Ticket.objects.filter(account=account).count() == len(sandbox.tickets)


def test_komship_reply_status_and_priority_changes_reach_our_ticket(account, sandbox):
    ticket_id = next(i for i, t in sandbox.tickets.items() if t["ticket_status"] == 1)
    pull(account)
    ticket = Ticket.objects.get(account=account, external_id=str(ticket_id))
    services.ticket_mark_read(ticket=ticket)
    assert ticket.status == Ticket.Status.OPEN

    sandbox.ticket_admin_reply(ticket_id, "Paket sudah ditemukan di hub Bandung.")
    sandbox.ticket_set_status(ticket_id, 2)
    with sandbox.lock:
        sandbox.tickets[ticket_id]["status_priority"] = 1
    run = pull(account)

    ticket.refresh_from_db()
    assert run.updated == 1
    assert (ticket.status, ticket.priority, ticket.unread_by_staff) == ("in_progress", "high", True)
    assert ticket.messages.filter(body="Paket sudah ditemukan di hub Bandung.", is_from_staff=False).count() == 1
    event = ticket.events.filter(source="sync", from_status="open", to_status="in_progress").get()
    assert event.note == "Komship: 2"
    assert ticket.events.filter(source="sync", note__contains="priority").count() == 1


def test_sync_command_runs_tickets_and_all_includes_them(account, sandbox):
    assert SyncRun.Kind.TICKETS in kinds_for(account, "all")
    assert kinds_for(account, "tickets") == (SyncRun.Kind.TICKETS,)

    call_command("sync", "tickets", "--account", str(account.pk))

    run = SyncRun.objects.get(account=account, kind=SyncRun.Kind.TICKETS)
    assert run.status == SyncRun.Status.SUCCEEDED and run.created == len(sandbox.tickets)


# --- push ----------------------------------------------------------------------------------------------------


def test_ticket_create_pushes_the_ticket_with_its_attachment_once(account, sandbox, pushes, staff):
    order = local_order(account, parcel(sandbox, status="Dikirim"))

    ticket = services.ticket_create(seller=account.seller, subject="Paket belum sampai",
                                    message="Sudah 5 hari belum diterima pembeli.", attachment=png(),
                                    order=order, category="delivery", priority="high", acting_user=staff)

    ticket.refresh_from_db()
    assert [args for args, _ in pushes] == [("ticket", ticket.pk)]
    assert pushes[0][1]["queue"] == "komship"
    assert ticket.external_id and ticket.push_error == ""
    stored = sandbox.tickets[int(ticket.external_id)]
    assert stored["no_resi"] == ticket.awb and stored["ticket_type"] == 1
    assert f"[{ticket.number}]" in stored["description"] and "Sudah 5 hari" in stored["description"]
    assert len(stored["file"]) == 1 and stored["status_priority"] == 1
    assert ticket.messages.get().external_id == f"d{ticket.external_id}"

    ticket_sync.ticket_push(ticket=ticket)  # a retry changes nothing
    assert sum(1 for t in sandbox.tickets.values() if f"[{ticket.number}]" in t["description"]) == 1
    assert pull(account).status == SyncRun.Status.SUCCEEDED
    assert Ticket.objects.filter(account=account, external_id=ticket.external_id).count() == 1
    assert ticket.messages.count() == 1


def test_a_reply_with_attachment_is_pushed_and_the_next_pull_does_not_add_it_again(account, sandbox, pushes, staff):
    ticket_id = next(i for i, t in sandbox.tickets.items() if t["ticket_status"] in (0, 1, 2))
    pull(account)
    ticket = Ticket.objects.get(account=account, external_id=str(ticket_id))
    count = ticket.messages.count()

    message = services.ticket_reply(ticket=ticket, body="Mohon bantu cek ke kurir ya.", attachment=png("foto.png"),
                                    acting_user=staff)

    message.refresh_from_db()
    sent = sandbox.tickets[ticket_id]["history"][-1]
    assert (sent["sender"], sent["message"]) == ("partner", "Mohon bantu cek ke kurir ya.")
    assert len(sent["file"]) == 1 and re.search(r"/\d+-foto(_\w+)?\.png$", sent["file"][0])
    assert message.external_id == str(sent["id"])
    pull(account)
    assert ticket.messages.count() == count + 1


def test_cancel_and_priority_changes_are_pushed(account, sandbox, pushes, staff):
    ticket_id = next(i for i, t in sandbox.tickets.items() if t["ticket_status"] == 1 and not t["status_priority"])
    pull(account)
    ticket = Ticket.objects.get(account=account, external_id=str(ticket_id))

    services.ticket_set_priority(ticket=ticket, priority="urgent", acting_user=staff)
    assert sandbox.tickets[ticket_id]["status_priority"] == 1
    services.ticket_change_status(ticket=ticket, to_status="canceled", acting_user=staff, note="salah input")

    assert sandbox.tickets[ticket_id]["ticket_status"] == 4
    assert [a[0] for a, _ in pushes] == ["priority", "status"]
    pull(account)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority) == ("canceled", "urgent")


def test_a_refused_push_is_written_on_the_ticket_and_nothing_is_retried_behind_staffs_back(account, sandbox,
                                                                                          pushes, staff):
    order = local_order(account, parcel(sandbox, status="Dikirim"))
    ticket = services.ticket_create(seller=account.seller, subject="x", message="y", order=order, acting_user=staff)
    ticket.refresh_from_db()
    with sandbox.lock:
        sandbox.tickets[int(ticket.external_id)]["ticket_status"] = 3
    services.ticket_change_status(ticket=ticket, to_status="canceled", acting_user=staff)

    ticket.refresh_from_db()
    assert "Tiket tidak dapat dibatalkan" in ticket.push_error


# --- claims --------------------------------------------------------------------------------------------------


def test_claim_retur_is_pushed_with_evidence_and_an_accepted_claim_credits_the_seller_once(account, sandbox,
                                                                                           pushes, staff):
    returned = parcel(sandbox, cod=True, status="Retur")
    order = local_order(account, returned)

    claim = services.claim_create(seller=account.seller, order=order, kind="return", amount="150000",
                                  description="Barang retur rusak", evidence=[png("a.png"), png("b.png")],
                                  acting_user=staff)

    claim.refresh_from_db()
    assert claim.ticket is not None and claim.ticket.external_id and claim.external_id
    stored = sandbox.tickets[int(claim.ticket.external_id)]["claim_retur"]
    names = [i["url"].rsplit("/", 1)[-1] for i in stored["images"]]  # storage may add a suffix to a taken name
    assert stored["submitted"] and [re.sub(r"_\w{7}\.", ".", n) for n in names] == ["a.png", "b.png"]
    assert stored["notes"] == "Barang retur rusak"
    assert claim.evidence_files.get().uploaded_at is not None

    sandbox.claim_decide(int(claim.ticket.external_id), 1)
    pull(account)
    pull(account)

    claim.refresh_from_db()
    assert claim.status == Claim.Status.ACCEPTED and claim.platform_status == "1"
    entries = LedgerEntry.objects.filter(posting_key=f"claim:{claim.pk}:payout")
    assert entries.count() == 1 and entries.get().entry_type == "claim_payout"
    assert entries.get().amount == Decimal("150000")
    assert SellerBalance.objects.get(seller=account.seller).available == Decimal("150000")
    with pytest.raises(TransitionNotAllowed):
        services.claim_accept(claim=claim, acting_user=staff)
    assert LedgerEntry.objects.filter(seller=account.seller).count() == 1


def test_a_claim_komship_rejects_is_rejected_here_without_credit(account, sandbox, pushes, staff):
    order = local_order(account, parcel(sandbox, cod=True, status="Retur"))
    claim = services.claim_create(seller=account.seller, order=order, kind="return", amount=90000,
                                  acting_user=staff)
    claim.refresh_from_db()
    sandbox.claim_decide(int(claim.ticket.external_id), 2)

    pull(account)

    claim.refresh_from_db()
    assert claim.status == Claim.Status.REJECTED
    assert not LedgerEntry.objects.filter(seller=account.seller).exists()
    assert ClaimEvent.objects.filter(claim=claim, source="sync", to_status="rejected").count() == 1


# --- bad input: a clear error and nothing written or sent --------------------------------------------------


def _nothing_written(account, sandbox, tickets_before):
    assert Ticket.objects.count() == 0 and TicketMessage.objects.count() == 0 and Claim.objects.count() == 0
    assert len(sandbox.tickets) == tickets_before


def test_an_attachment_over_the_size_limit_is_refused(account, sandbox, pushes, staff, settings):
    settings.TICKET_ATTACHMENT_MAX_BYTES = 1024
    order = local_order(account, parcel(sandbox, status="Dikirim"))
    before = len(sandbox.tickets)

    with pytest.raises(services.TicketRefused, match="the limit is") as refused:
        services.ticket_create(seller=account.seller, subject="x", message="y", attachment=png(size=4096),
                               order=order, acting_user=staff)

    assert refused.value.extra["field"] == "attachment"
    _nothing_written(account, sandbox, before)
    assert pushes == []


@pytest.mark.parametrize(("name", "content"), [("virus.exe", b"MZ\x90\x00"), ("palsu.png", b"GIF89a....")])
def test_an_attachment_of_a_type_not_allowed_is_refused(account, sandbox, pushes, staff, name, content):
    order = local_order(account, parcel(sandbox, status="Dikirim"))
    before = len(sandbox.tickets)

    with pytest.raises(services.TicketRefused, match="only those can be attached"):
        services.ticket_create(seller=account.seller, subject="x", message="y",
                               attachment=SimpleUploadedFile(name, content), order=order, acting_user=staff)

    _nothing_written(account, sandbox, before)
    assert pushes == []


def test_a_return_claim_on_an_order_that_is_not_cod_is_refused(account, sandbox, pushes, staff):
    order = local_order(account, parcel(sandbox, cod=False, status="Retur"))
    before = len(sandbox.tickets)

    with pytest.raises(services.ClaimRefused, match="not a COD order") as refused:
        services.claim_create(seller=account.seller, order=order, kind="return", amount=50000, acting_user=staff)

    assert refused.value.extra["field"] == "order"
    _nothing_written(account, sandbox, before)


def test_a_return_claim_on_an_order_that_is_not_a_return_is_refused(account, sandbox, pushes, staff):
    order = local_order(account, parcel(sandbox, cod=True, status="Diterima"))
    before = len(sandbox.tickets)

    with pytest.raises(services.ClaimRefused, match="is not a return"):
        services.claim_create(seller=account.seller, order=order, kind="return", amount=50000, acting_user=staff)

    _nothing_written(account, sandbox, before)
    assert pushes == []


def test_evidence_of_a_type_not_allowed_refuses_the_claim(account, sandbox, pushes, staff):
    order = local_order(account, parcel(sandbox, cod=True, status="Retur"))
    before = len(sandbox.tickets)

    with pytest.raises(services.ClaimRefused, match="only those can be attached"):
        services.claim_create(seller=account.seller, order=order, kind="return", amount=50000,
                              evidence=[png(), SimpleUploadedFile("video.mp4", b"\x00\x00\x00\x18ftyp")],
                              acting_user=staff)

    _nothing_written(account, sandbox, before)


# --- other roles ---------------------------------------------------------------------------------------------


def test_an_admin_account_files_each_ticket_under_the_seller_whose_parcel_it_is(sandbox, live_server):
    from integrations.models import PlatformAccount
    from tests.factories import SellerFactory

    admin_account = PlatformAccount.objects.create(
        platform="komship", name="komship-admin", seller=None, base_url=f"{live_server.url}/sandbox/komship",
        credentials={"token": "demo-komship-token"}, options={"ticket_role": "admin"},
        rate_limit_per_minute=60000)
    ticket_id, stored = next(iter(sandbox.tickets.items()))
    seller = SellerFactory()
    order = OrderFactory(seller=seller)
    ShipmentFactory(order=order, awb=stored["no_resi"])

    run = pull(admin_account)

    ticket = Ticket.objects.get(account=admin_account)
    assert (ticket.external_id, ticket.seller, ticket.order) == (str(ticket_id), seller, order)
    # The others are about parcels we do not know: no seller to file them under, counted as failed.
    assert run.status == SyncRun.Status.PARTIAL and run.failed == len(sandbox.tickets) - 1


def test_a_mitra_account_sends_status_changes_with_a_message(sandbox, live_server, pushes, staff):
    account = sandbox_account("komship", live_server.url)
    account.options = {"ticket_role": "mitra"}
    account.save(update_fields=["options"])
    ticket_id = next(i for i, t in sandbox.tickets.items() if t["ticket_status"] == 1)
    pull(account)
    ticket = Ticket.objects.get(account=account, external_id=str(ticket_id))

    services.ticket_change_status(ticket=ticket, to_status="in_progress", acting_user=staff)

    assert sandbox.tickets[ticket_id]["ticket_status"] == 2
    last = sandbox.tickets[ticket_id]["history"][-1]
    assert (last["sender"], last["message"]) == ("mitra", "In progress")
    assert [a for a, _ in pushes] == [("status", ticket.pk)]
