"""Tickets and claims between our database and Komship (the Support protocol of integrations.base).

Pull (`manage.py sync tickets`, SyncRun kind "tickets"): the account's ticket lists, updated since the last
pull (with TICKET_PULL_OVERLAP_HOURS of overlap); a row whose fingerprint did not change is skipped, any
other is read in full (detail: thread and claim retur) and upserted on (account, external_id) — tickets,
their messages and the claim — so a re-run, or a run that died half way, never duplicates anything. The
platform's status moves ours through TICKET_SYNC_TRANSITIONS (an event row per move, source "sync"); a
word we do not know is counted as flagged and leaves our status alone. A claim the platform accepted is
accepted here through claims_accept, which credits the seller once (posting key claim:<id>:payout).

Push (after the commit of the service that changed something; logistics.tasks.ticket_push_task): a new
ticket with its first message and attachment, later replies, a cancellation, a priority change and a return
claim with its evidence. A push that fails records why on the record (`push_error`); a temporary failure is
raised again so Celery retries it."""

import hashlib
import mimetypes
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common.models import EventSource
from common.transitions import transition
from integrations.base import Attachment, ExternalTicket, TicketPayload
from integrations.exceptions import IntegrationError, ProviderContractChanged, ProviderUnavailable
from integrations.models import PlatformAccount, SyncRun
from logistics import services
from logistics.models import Claim, Shipment, Ticket, TicketEvent, TicketMessage

T = Ticket.Status
# What a pull may do to our status: the platform is the reference for a mirrored ticket, so every move
# between the live states and to resolved / canceled is allowed, and a resolved ticket may be reopened.
# Closed and canceled are final here as they are on the platform.
_LIVE = {T.OPEN, T.IN_PROGRESS, T.WAITING}
TICKET_SYNC_TRANSITIONS: dict[str, set[str]] = {
    T.OPEN: {T.IN_PROGRESS, T.WAITING, T.RESOLVED, T.CANCELED},
    T.IN_PROGRESS: {T.OPEN, T.WAITING, T.RESOLVED, T.CANCELED},
    T.WAITING: {T.OPEN, T.IN_PROGRESS, T.RESOLVED, T.CANCELED},
    T.RESOLVED: {*_LIVE, T.CLOSED, T.CANCELED},
    T.CLOSED: set(),
    T.CANCELED: set(),
}
COUNT_NAMES = ("fetched", "created", "updated", "unchanged", "failed")
DESCRIPTION_PREFIX = "d"  # a pulled ticket's description is its first message, external id "d<ticket id>"
SENT_PREFIX = "sent:"  # a reply sent whose id the platform did not show yet: "sent:<our id>" until a pull


@dataclass
class TicketCounts:
    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    flagged: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNT_NAMES}


def row_fingerprint(ticket: ExternalTicket) -> str:
    """What a list row says about a ticket; when it did not change, neither did the ticket."""
    text = repr((ticket.number, ticket.platform_status, ticket.type, ticket.priority, ticket.awb, ticket.unread,
                 ticket.updated_at))
    return hashlib.sha256(text.encode()).hexdigest()


def tickets_pull_window(*, account: PlatformAccount, since: datetime | None = None,
                        until: datetime | None = None) -> tuple[datetime, datetime]:
    until = until or timezone.now()
    if since is None:
        last = (SyncRun.objects.filter(account=account, kind=SyncRun.Kind.TICKETS,
                                       status__in=[SyncRun.Status.SUCCEEDED, SyncRun.Status.PARTIAL])
                .exclude(started_at=None).order_by("-started_at").values_list("started_at", flat=True).first())
        if last is not None:
            since = last - timedelta(hours=settings.TICKET_PULL_OVERLAP_HOURS)
        else:
            since = until - timedelta(days=account.history_days)
    return since, until


# --- pull ------------------------------------------------------------------------------------------------


class _Context:
    """Per-pull lookups: sellers of the partner ids seen on admin / mitra lists."""

    def __init__(self, account: PlatformAccount) -> None:
        self.account = account
        self.partner_sellers: dict[str, object] = {}

    def seller_for(self, ext: ExternalTicket, order):
        if self.account.seller_id:
            return self.account.seller
        if order is not None:
            return order.seller
        if ext.partner_ref:
            if ext.partner_ref not in self.partner_sellers:
                owner = (PlatformAccount.objects.select_related("seller")
                         .filter(platform=self.account.platform, external_account_id=ext.partner_ref,
                                 seller__isnull=False).order_by("id").first())
                self.partner_sellers[ext.partner_ref] = owner.seller if owner else None
            return self.partner_sellers[ext.partner_ref]
        return None


def _order_for(account: PlatformAccount, ext: ExternalTicket):
    from orders.models import Order

    order_id = ext.raw.get("order_id") if ext.raw else None
    if order_id:
        order = Order.objects.filter(account=account, external_id=str(order_id)).first()
        if order is not None:
            return order
    if ext.awb:
        shipment = Shipment.objects.select_related("order__seller").filter(awb=ext.awb).order_by("-id").first()
        if shipment is not None:
            return shipment.order
    return None


def tickets_pull(*, account: PlatformAccount, adapter, since: datetime, until: datetime,
                 on_page=None) -> TicketCounts:
    totals = TicketCounts()
    context = _Context(account)
    for page in adapter.iter_ticket_pages(since=since, until=until):
        counts = TicketCounts()
        known = {t.external_id: t for t in Ticket.objects.filter(
            account=account, external_id__in=[e.external_id for e in page.tickets])}
        for row in page.tickets:
            counts.fetched += 1
            fingerprint = row_fingerprint(row)
            current = known.get(row.external_id)
            if current is not None and current.payload_hash == fingerprint:
                counts.unchanged += 1
                continue
            try:
                detail = adapter.get_ticket(row.external_id)
                outcome = ticket_upsert(account=account, ext=detail, fingerprint=fingerprint, context=context)
            except ProviderContractChanged:
                counts.failed += 1
                continue
            if outcome is None:
                counts.failed += 1
                continue
            setattr(counts, outcome[0], getattr(counts, outcome[0]) + 1)
            if outcome[1]:
                counts.flagged.append(row.external_id)
        for name in COUNT_NAMES:
            setattr(totals, name, getattr(totals, name) + getattr(counts, name))
        totals.flagged.extend(counts.flagged)
        if on_page is not None:
            on_page(counts, page.cursor, page.total)
    return totals


def ticket_upsert(*, account: PlatformAccount, ext: ExternalTicket, fingerprint: str = "",
                  context: _Context | None = None) -> tuple[str, bool] | None:
    """Mirror one complete ticket (detail). Returns ("created" | "updated" | "unchanged", flagged), or None
    when no seller can be told (an admin list's ticket about a parcel we do not know)."""
    context = context or _Context(account)
    order = _order_for(account, ext)
    seller = context.seller_for(ext, order)
    if seller is None:
        return None
    if order is not None and order.seller_id != seller.pk:
        order = None
    flagged = not ext.status
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().filter(account=account, external_id=ext.external_id).first()
        created = ticket is None
        if created:
            ticket = _ticket_new(account=account, ext=ext, seller=seller, order=order)
        changed = _ticket_apply(ticket=ticket, ext=ext, order=order, fingerprint=fingerprint) or created
        changed |= _messages_apply(account=account, ticket=ticket, ext=ext)
        changed |= _claim_apply(account=account, ticket=ticket, ext=ext)
    return ("created" if created else "updated" if changed else "unchanged"), flagged


def _ticket_number(ext: ExternalTicket, account: PlatformAccount) -> str:
    number = (ext.number or f"KS{ext.external_id}")[:40]
    if Ticket.objects.filter(number=number).exists():
        number = f"{number}-{account.pk}"[:40]
    return number


def _ticket_new(*, account, ext: ExternalTicket, seller, order) -> Ticket:
    opened = ext.created_at or timezone.now()
    status = ext.status or T.OPEN
    subject = (ext.description.splitlines()[0] if ext.description else "") or _("Komship ticket %(number)s") % {
        "number": ext.number or ext.external_id}
    ticket = Ticket.objects.create(
        account=account, external_id=ext.external_id, number=_ticket_number(ext, account), seller=seller,
        order=order, awb=ext.awb[:64], type=ext.type, subject=subject[:255], priority=ext.priority, status=status,
        platform_status=ext.platform_status[:32], created_at=opened,
        sla_due_at=services.ticket_sla_due(priority=ext.priority, opened_at=opened),
    )
    TicketEvent.objects.create(ticket=ticket, source=EventSource.SYNC, from_status="", to_status=status,
                               note=_("pulled from Komship"))
    if ext.description:
        TicketMessage.objects.create(
            account=account, external_id=f"{DESCRIPTION_PREFIX}{ext.external_id}", ticket=ticket,
            author_name=ext.customer_name[:200], is_from_staff=True, body=ext.description,
            attachment_url=(ext.attachment_urls[0] if ext.attachment_urls else "")[:500], created_at=opened,
        )
    return ticket


def _ticket_apply(*, ticket: Ticket, ext: ExternalTicket, order, fingerprint: str) -> bool:
    changed = False
    if ext.status and ext.status != ticket.status and ext.status in TICKET_SYNC_TRANSITIONS.get(ticket.status, ()):
        transition(instance=ticket, to_status=ext.status, allowed=TICKET_SYNC_TRANSITIONS,
                   event_model=TicketEvent, event_field="ticket", source=EventSource.SYNC,
                   note=_("Komship: %(status)s") % {"status": ext.platform_status})
        changed = True
    high_here = ticket.priority in (Ticket.Priority.HIGH, Ticket.Priority.URGENT)
    if (ext.priority == Ticket.Priority.HIGH) != high_here and ticket.status in services.TICKET_ACTIVE_STATUSES:
        services.ticket_set_priority(ticket=ticket, priority=ext.priority, source=EventSource.SYNC)
        changed = True
    updates = {"platform_status": ext.platform_status[:32], "payload_hash": fingerprint or ticket.payload_hash,
               "awb": ticket.awb or ext.awb[:64]}
    if ticket.order_id is None and order is not None:
        updates["order"] = order
    dirty = [name for name, value in updates.items() if getattr(ticket, name) != value]
    if dirty:
        changed |= any(name != "payload_hash" for name in dirty)
        for name in dirty:
            setattr(ticket, name, updates[name])
        ticket.save(update_fields=[*dirty, "updated_at"])
    return changed


def _messages_apply(*, account, ticket: Ticket, ext: ExternalTicket) -> bool:
    """New messages of the thread are added; our own pushed replies whose answer was lost are matched by
    text instead of being added twice. A new message from the other side marks the ticket unread."""
    if not ext.messages:
        return False
    have = set(TicketMessage.objects.filter(ticket=ticket).exclude(external_id="")
               .values_list("external_id", flat=True))
    unsent = {m.body: m for m in TicketMessage.objects.filter(ticket=ticket).filter(
        Q(external_id="") | Q(external_id__startswith=SENT_PREFIX)).order_by("-id")}
    new_rows, unread, last = [], False, ticket.last_message_at
    for message in ext.messages:
        if message.external_id in have:
            continue
        mine = unsent.pop(message.body, None) if message.from_us else None
        if mine is not None:
            TicketMessage.objects.filter(pk=mine.pk).update(account=account, external_id=message.external_id)
            continue
        new_rows.append(TicketMessage(
            account=account, external_id=message.external_id, ticket=ticket, author_name=message.author_name,
            is_from_staff=message.from_us, body=message.body or "—",
            attachment_url=(message.attachment_urls[0] if message.attachment_urls else "")[:500],
            created_at=message.created_at or timezone.now(),
        ))
        unread |= not message.from_us
        if message.created_at and (last is None or message.created_at > last):
            last = message.created_at
    if not new_rows:
        return False
    TicketMessage.objects.bulk_create(new_rows)
    fields = {"last_message_at": last}
    if unread:
        fields["unread_by_staff"] = True
    Ticket.objects.filter(pk=ticket.pk).update(**fields)
    for name, value in fields.items():
        setattr(ticket, name, value)
    return True


def _claim_apply(*, account, ticket: Ticket, ext: ExternalTicket) -> bool:
    """The ticket's claim retur: created here when the platform has one we do not (amount: the order's total,
    which a COD return claim is about), and its decision applied once."""
    if ext.claim is None or not ext.claim.external_id:
        return False
    claim = (Claim.objects.filter(account=account, external_id=ext.claim.external_id).first()
             or Claim.objects.filter(ticket=ticket, kind=Claim.Kind.RETURN).exclude(status=Claim.Status.REJECTED)
             .first())
    changed = False
    if claim is None:
        if ticket.order_id is None or ticket.order.grand_total <= 0:
            return False
        claim = Claim.objects.create(
            account=account, external_id=ext.claim.external_id, seller=ticket.seller, order=ticket.order,
            ticket=ticket, kind=Claim.Kind.RETURN, amount=ticket.order.grand_total,
            description=ext.claim.notes, platform_status=ext.claim.platform_status[:32],
            shipment=Shipment.objects.filter(order=ticket.order).exclude(awb="").order_by("-id").first(),
        )
        claim.events.create(source=EventSource.SYNC, from_status="", to_status=Claim.Status.ON_REVIEW,
                            note=_("pulled from Komship"))
        changed = True
    elif claim.external_id != ext.claim.external_id or claim.platform_status != ext.claim.platform_status:
        Claim.objects.filter(pk=claim.pk).update(account=account, external_id=ext.claim.external_id,
                                                 platform_status=ext.claim.platform_status[:32])
        changed = True
    if claim.status == Claim.Status.ON_REVIEW:
        note = _("Komship: %(status)s") % {"status": ext.claim.platform_status}
        if ext.claim.status == Claim.Status.ACCEPTED:
            services.claim_accept(claim=claim, source=EventSource.SYNC, note=note)
            changed = True
        elif ext.claim.status == Claim.Status.REJECTED:
            services.claim_reject(claim=claim, source=EventSource.SYNC, note=note)
            changed = True
    return changed


# --- push ------------------------------------------------------------------------------------------------


def _attachment(file_field) -> Attachment | None:
    if not file_field:
        return None
    file_field.open("rb")
    try:
        content = file_field.read()
    finally:
        file_field.close()
    name = file_field.name.rsplit("/", 1)[-1]
    return Attachment(name=name, content=content,
                      content_type=mimetypes.guess_type(name)[0] or "application/octet-stream")


def _adapter(account: PlatformAccount):
    from integrations.registry import adapter_for

    return adapter_for(account)


def ticket_push(*, ticket: Ticket, adapter=None) -> Ticket:
    """Create the ticket on Komship (once: a ticket found by its reference is not sent again), then send
    the replies written before it existed there."""
    if not ticket.account_id:
        return ticket
    adapter = adapter or _adapter(ticket.account)
    created = False
    with transaction.atomic():
        # Locked while it is created on the platform, so that a reply's push running at the same time waits
        # for the id instead of creating the ticket a second time.
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        ticket.external_id = locked.external_id
        if not ticket.external_id:
            _ticket_create_remote(ticket=ticket, adapter=adapter)
            created = True
    if created and ticket.priority in (Ticket.Priority.HIGH, Ticket.Priority.URGENT):
        adapter.set_ticket_priority(ticket.external_id, ticket.priority)
    for message in ticket.messages.filter(external_id="").order_by("created_at", "id"):
        message_push(message=message, adapter=adapter)
    return ticket


def _ticket_create_remote(*, ticket: Ticket, adapter) -> None:
    first = ticket.messages.order_by("created_at", "id").first()
    attachments = tuple(a for a in [_attachment(first.attachment if first else None)] if a)
    external_id = adapter.create_ticket(TicketPayload(
        reference=ticket.number, awb=ticket.awb, type=ticket.type,
        description=f"{ticket.subject}\n\n{first.body}" if first else ticket.subject,
        customer_name=ticket.order.customer.name if ticket.order_id and ticket.order.customer_id else "",
        partner_name=ticket.seller.name, attachments=attachments,
    ))
    Ticket.objects.filter(pk=ticket.pk).update(external_id=external_id, push_error="")
    if first is not None:
        TicketMessage.objects.filter(pk=first.pk).update(
            account=ticket.account, external_id=f"{DESCRIPTION_PREFIX}{external_id}", push_error="")
    ticket.external_id, ticket.push_error = external_id, ""


def message_push(*, message: TicketMessage, adapter=None) -> TicketMessage:
    ticket = message.ticket
    if message.external_id or not ticket.account_id:
        return message
    adapter = adapter or _adapter(ticket.account)
    if not ticket.external_id:
        ticket_push(ticket=ticket, adapter=adapter)  # sends this message too, after the ticket
        message.refresh_from_db()
        return message
    with transaction.atomic():
        locked = TicketMessage.objects.select_for_update().get(pk=message.pk)
        if locked.external_id:  # another push sent it meanwhile
            return locked
        attachments = tuple(a for a in [_attachment(message.attachment)] if a)
        external_id = (adapter.reply_ticket(ticket.external_id, message.body, attachments)
                       or f"{SENT_PREFIX}{message.pk}")
        # The chat answers no id: when the thread does not show it yet, the next pull matches it by text.
        TicketMessage.objects.filter(pk=message.pk).update(account=ticket.account, external_id=external_id,
                                                           push_error="")
    message.external_id, message.push_error = external_id, ""
    return message


def status_push(*, ticket: Ticket, adapter=None) -> Ticket:
    if not (ticket.account_id and ticket.external_id):
        return ticket
    adapter = adapter or _adapter(ticket.account)
    if ticket.status == T.CANCELED:
        adapter.cancel_ticket(ticket.external_id)
    elif str((ticket.account.options or {}).get("ticket_role") or "") == "mitra":
        code = {T.WAITING: 0, T.OPEN: 1, T.IN_PROGRESS: 2, T.RESOLVED: 3, T.CLOSED: 3}.get(ticket.status)
        if code is not None:
            adapter.set_ticket_status(ticket.external_id, code, ticket.get_status_display())
    Ticket.objects.filter(pk=ticket.pk).update(push_error="")
    return ticket


def priority_push(*, ticket: Ticket, adapter=None) -> Ticket:
    if ticket.account_id and ticket.external_id:
        (adapter or _adapter(ticket.account)).set_ticket_priority(ticket.external_id, ticket.priority)
        Ticket.objects.filter(pk=ticket.pk).update(push_error="")
    return ticket


def claim_push(*, claim: Claim, adapter=None) -> Claim:
    """A return claim: its ticket first, then Komship's claim retur with every evidence file."""
    if claim.external_id or claim.kind != Claim.Kind.RETURN or claim.ticket_id is None:
        return claim
    ticket = claim.ticket
    adapter = adapter or _adapter(ticket.account)
    ticket_push(ticket=ticket, adapter=adapter)
    files = [claim.evidence, *(e.file for e in claim.evidence_files.all())]
    evidence = tuple(a for a in (_attachment(f) for f in files) if a)
    result = adapter.submit_claim(ticket.external_id, claim.description or claim.get_kind_display(), evidence)
    now = timezone.now()
    Claim.objects.filter(pk=claim.pk).update(account=ticket.account, external_id=result.external_id,
                                             platform_status=result.platform_status[:32], push_error="")
    claim.evidence_files.filter(uploaded_at=None).update(uploaded_at=now)
    claim.external_id, claim.platform_status = result.external_id, result.platform_status
    return claim


PUSHES = {
    "ticket": (Ticket, ticket_push, "ticket"),
    "message": (TicketMessage, message_push, "message"),
    "status": (Ticket, status_push, "ticket"),
    "priority": (Ticket, priority_push, "ticket"),
    "claim": (Claim, claim_push, "claim"),
}


def push_one(*, what: str, pk: int, adapter=None):
    """Run one queued push; a refusal is written on the record (push_error) and not raised, a temporary
    failure is written and raised (the task retries it)."""
    model, push, arg = PUSHES[what]
    record = model.objects.filter(pk=pk).first()
    if record is None:
        return None
    try:
        return push(**{arg: record}, adapter=adapter)
    except IntegrationError as exc:
        model.objects.filter(pk=pk).update(push_error=str(exc)[:2000] or type(exc).__name__)
        if isinstance(exc, ProviderUnavailable):
            raise
        return record


def pending_pushes(*, account: PlatformAccount) -> list[tuple[str, int]]:
    """What still has to go to the platform: tickets never created there and replies not sent."""
    items = [("ticket", pk) for pk in Ticket.objects.filter(account=account, external_id="")
             .exclude(status__in=[T.CLOSED, T.CANCELED]).values_list("pk", flat=True)]
    items += [("message", pk) for pk in TicketMessage.objects.filter(
        ticket__account=account, ticket__external_id__gt="", external_id="").values_list("pk", flat=True)]
    items += [("claim", pk) for pk in Claim.objects.filter(
        ticket__account=account, kind=Claim.Kind.RETURN, external_id="", status=Claim.Status.ON_REVIEW)
        .values_list("pk", flat=True)]
    return items
