"""Finance against the platforms: the `withdrawals` and `balances` sync kinds (integrations/syncing.py).

withdrawals (Komship admin desk):
- pull the admin withdrawal list (status and date filters) and mirror each open row (requested, on review)
  as a Withdrawal of the partner's seller (account + external_id), held on our ledger like one asked for
  here (rows already closed when first seen are history and are not mirrored); the platform's later
  cancel / reject / review is followed (finance.services.withdrawal_apply_platform_status);
- push our review, completion (with the transfer proof) and rejection (with the notes) back through
  withdrawal-update; repeating the platform's current status changes nothing there, so a retried push
  is safe.
withdrawals (Ngorder): push an approved withdrawal of an Ngorder account as POST /payment/withdraw. Ngorder
  answers no id and the call cannot be repeated safely: the withdrawal is marked "sending" (committed)
  before the call, "requested" after Ngorder accepted it, and left "sending" when the answer was lost, for
  staff to check on Ngorder; it is never sent twice.
balances: pull the platform's balance (Komship #107, Ngorder OrderPay) into PlatformBalance and Komship's
  balance transactions (#160) into PlatformTransaction; the reconciliation screen compares them with our
  ledger.
"""

import logging
import re
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from common.models import EventSource
from finance.models import Bank, BankAccount, PlatformBalance, PlatformTransaction, Withdrawal
from finance.services import (
    InsufficientBalance,
    bank_account_add,
    withdrawal_apply_platform_status,
    withdrawal_request,
)
from integrations.exceptions import ProviderRejected, ProviderUnavailable
from integrations.models import PlatformAccount
from orders.sync import UpsertCounts

logger = logging.getLogger(__name__)
W = Withdrawal.Status
OnPage = Callable[[UpsertCounts, str], None] | None

# Our status -> the status withdrawal-update is sent (Komship has no "approved": it stays on review there).
KOMSHIP_PUSH_STATUS = {W.ON_REVIEW: "on_review", W.APPROVED: "on_review", W.COMPLETED: "completed",
                       W.REJECTED: "rejected", W.CANCELED: "canceled"}
NGORDER_SENDING = "sending"
NGORDER_REQUESTED = "requested"

_BANK_WORDS = (("central asia", Bank.BCA), ("rakyat", Bank.BRI), ("negara", Bank.BNI), ("syariah", Bank.BSI),
               ("niaga", Bank.CIMB), ("tabungan negara", Bank.BTN))


def bank_code_for(name: str) -> str:
    """Our bank code for a platform's bank name ("BCA", "Bank Central Asia", "MANDIRI")."""
    text = re.sub(r"[^a-z ]", "", (name or "").lower()).strip()
    compact = text.replace("bank", "").replace(" ", "")
    if compact in Bank.values:
        return compact
    for word, code in _BANK_WORDS:
        if word in text:
            return code
    for code in Bank.values:
        if code != Bank.OTHER and code in text.split():
            return code
    return Bank.OTHER


def _seller_for_partner(account: PlatformAccount, partner_id: str):
    if (not partner_id or partner_id == account.external_account_id) and account.seller_id:
        return account.seller
    owner = (PlatformAccount.objects.filter(platform=account.platform, external_account_id=partner_id,
                                            seller__isnull=False).select_related("seller").first())
    return owner.seller if owner else None


def _bank_account_for(seller, ext) -> BankAccount:
    number = re.sub(r"\D", "", ext.account_number)
    code = bank_code_for(ext.bank_name)
    for candidate in BankAccount.objects.filter(seller=seller, account_number_last4=number[-4:], bank_code=code):
        if candidate.account_number == number:
            return candidate
    return bank_account_add(seller=seller, bank_code=code, account_number=number,
                            holder_name=ext.account_name or seller.name)


def withdrawals_pull(*, account: PlatformAccount, adapter, since: datetime, until: datetime, status: str = "",
                     on_page: OnPage = None) -> UpsertCounts:
    """Mirror the platform's withdrawal requests of [since, until] (optionally of one status)."""
    total = UpsertCounts()
    for page in adapter.iter_withdrawal_pages(since=since, until=until, status=status):
        counts = UpsertCounts(fetched=len(page.withdrawals))
        known = {w.external_id: w for w in Withdrawal.objects.filter(
            account=account, external_id__in=[e.external_id for e in page.withdrawals])}
        for ext in page.withdrawals:
            mirror = known.get(ext.external_id)
            try:
                if mirror is None and ext.status not in ("requested", "on_review"):
                    counts.unchanged += 1  # closed before we first saw it: history, nothing to hold or do
                    continue
                if mirror is None:
                    mirror = _withdrawal_mirror_create(account, ext, counts)
                    if mirror is None:
                        continue
                    counts.created += 1
                    withdrawal_apply_platform_status(withdrawal=mirror, platform_status=ext.status)
                    continue
                before = (mirror.status, mirror.platform_status)
                moved = withdrawal_apply_platform_status(withdrawal=mirror, platform_status=ext.status)
                if (moved.status, moved.platform_status) != before:
                    counts.updated += 1
                else:
                    counts.unchanged += 1
            except InsufficientBalance as exc:
                logger.warning("withdrawal %s of %s not mirrored: %s", ext.external_id, account, exc.message)
                counts.failed += 1
                counts.flagged.append(ext.external_id)
        total.add(counts)
        if on_page is not None:
            on_page(counts, page.cursor, page.total)
    return total


def _withdrawal_mirror_create(account: PlatformAccount, ext, counts: UpsertCounts) -> Withdrawal | None:
    seller = _seller_for_partner(account, ext.partner_id)
    if seller is None:
        counts.failed += 1
        counts.flagged.append(f"partner:{ext.partner_id}")
        return None
    if ext.amount <= 0 or not re.sub(r"\D", "", ext.account_number):
        counts.failed += 1
        counts.flagged.append(ext.external_id)
        return None
    with transaction.atomic():
        bank_account = _bank_account_for(seller, ext)
        return withdrawal_request(
            seller=seller, bank_account=bank_account, amount=ext.amount, acting_user=None,
            source=EventSource.SYNC, notes=ext.notes, account=account, external_id=ext.external_id,
            platform_status="requested",
        )


def _proof_upload(withdrawal: Withdrawal) -> tuple[str, bytes, str] | None:
    if not withdrawal.transfer_proof:
        return None
    from finance.services import transfer_proof_content_type

    with withdrawal.transfer_proof.open("rb") as handle:
        content = handle.read()
    name = withdrawal.transfer_proof.name.rsplit("/", 1)[-1]
    return name, content, transfer_proof_content_type(content[:16]) or "application/octet-stream"


def _last_note(withdrawal: Withdrawal) -> str:
    event = withdrawal.events.exclude(note="").order_by("-id").first()
    return "\n".join(filter(None, [withdrawal.notes.strip(), event.note if event else ""]))[:2000]


def komship_withdrawals_push(*, account: PlatformAccount, adapter) -> UpsertCounts:
    """Send our review, completion and rejection of mirrored withdrawals to withdrawal-update."""
    counts = UpsertCounts()
    mirrors = (Withdrawal.objects.filter(account=account).exclude(external_id="")
               .exclude(platform_status__in=["completed", "rejected", "canceled"]).order_by("id"))
    for withdrawal in mirrors:
        target = KOMSHIP_PUSH_STATUS.get(withdrawal.status)
        if target is None or target == withdrawal.platform_status:
            continue
        counts.fetched += 1
        proof = _proof_upload(withdrawal) if target == "completed" else None
        if target == "completed" and proof is None:
            counts.failed += 1  # Komship needs the transfer proof to complete; staff must attach it
            counts.flagged.append(withdrawal.external_id)
            continue
        # Komship completes only what is on review: a withdrawal still "requested" there goes on review first.
        steps = ["on_review", target] if target == "completed" and withdrawal.platform_status != "on_review" \
            else [target]
        try:
            for step in steps:
                result = adapter.update_withdrawal(withdrawal.external_id, status=step,
                                                   notes=_last_note(withdrawal),
                                                   transfer_proof=proof if step == "completed" else None)
        except ProviderRejected as exc:
            logger.warning("withdrawal %s push refused: %s", withdrawal.external_id, exc)
            counts.failed += 1
            counts.flagged.append(withdrawal.external_id)
            continue
        Withdrawal.objects.filter(pk=withdrawal.pk).update(platform_status=result.status or target,
                                                           updated_at=timezone.now())
        counts.updated += 1
    return counts


def ngorder_withdrawals_push(*, account: PlatformAccount, adapter) -> UpsertCounts:
    """POST /payment/withdraw once per approved withdrawal of this Ngorder account (see the module doc)."""
    counts = UpsertCounts()
    waiting = Withdrawal.objects.filter(account=account, status=W.APPROVED, platform_status="").order_by("id")
    for withdrawal in waiting:
        claimed = Withdrawal.objects.filter(pk=withdrawal.pk, platform_status="").update(
            platform_status=NGORDER_SENDING, updated_at=timezone.now())
        if not claimed:
            continue  # another run took it
        counts.fetched += 1
        bank = BankAccount.objects.get(pk=withdrawal.bank_account_id)
        try:
            adapter.request_withdraw(bank_code=bank.bank_code, nominal=int(withdrawal.amount),
                                     holder_name=bank.holder_name, account_number=bank.account_number)
        except ProviderRejected as exc:  # Ngorder answered "no": nothing was sent, it may be tried again
            Withdrawal.objects.filter(pk=withdrawal.pk).update(platform_status="", updated_at=timezone.now())
            logger.warning("Ngorder withdraw of WD-%s refused: %s", withdrawal.pk, exc)
            counts.failed += 1
            counts.flagged.append(f"WD-{withdrawal.pk}")
            continue
        except ProviderUnavailable:
            # The answer was lost: Ngorder may have accepted it. Stays "sending" for staff; never resent.
            counts.failed += 1
            counts.flagged.append(f"WD-{withdrawal.pk}")
            raise
        Withdrawal.objects.filter(pk=withdrawal.pk).update(platform_status=NGORDER_REQUESTED,
                                                           updated_at=timezone.now())
        counts.updated += 1
    return counts


def withdrawals_sync(*, account: PlatformAccount, adapter, since: datetime | None = None,
                     until: datetime | None = None, on_page: OnPage = None) -> UpsertCounts:
    until = until or timezone.now()
    since = since or until - timedelta(days=account.history_days)
    total = UpsertCounts()
    if account.platform == "komship":
        total.add(withdrawals_pull(account=account, adapter=adapter, since=since, until=until, on_page=on_page))
        pushed = komship_withdrawals_push(account=account, adapter=adapter)
    else:
        pushed = ngorder_withdrawals_push(account=account, adapter=adapter)
    total.add(pushed)
    if on_page is not None and pushed.fetched:
        on_page(pushed, "push")
    return total


def balances_pull(*, account: PlatformAccount, adapter, since: datetime | None = None,
                  until: datetime | None = None, on_page: OnPage = None) -> UpsertCounts:
    """The platform's balance now, and (Komship) its balance transactions of [since, until]."""
    balance = adapter.get_balance()
    PlatformBalance.objects.update_or_create(
        account=account, defaults={"seller_id": account.seller_id, "available": balance.available,
                                   "pending": balance.pending, "fetched_at": timezone.now()})
    total = UpsertCounts(fetched=1, updated=1)
    if on_page is not None:
        on_page(UpsertCounts(fetched=1, updated=1), "balance")
    if not hasattr(adapter, "iter_transaction_pages"):
        return total
    until = until or timezone.now()
    since = since or until - timedelta(days=account.history_days)
    for page in adapter.iter_transaction_pages(since=since, until=until):
        ids = [t.external_id for t in page.transactions]
        existing = set(PlatformTransaction.objects.filter(account=account, external_id__in=ids)
                       .values_list("external_id", flat=True))
        PlatformTransaction.objects.bulk_create(
            [PlatformTransaction(account=account, external_id=t.external_id, seller_id=account.seller_id,
                                 entry_type=t.entry_type, platform_type=t.platform_type, amount=t.amount,
                                 occurred_at=t.occurred_at, description=t.description, reference=t.reference)
             for t in page.transactions],
            update_conflicts=True, unique_fields=["account", "external_id"],
            update_fields=["entry_type", "platform_type", "amount", "occurred_at", "description", "reference"],
        )
        counts = UpsertCounts(fetched=len(ids), created=len(set(ids) - existing), unchanged=len(existing & set(ids)))
        total.add(counts)
        if on_page is not None:
            on_page(counts, page.cursor, page.total)
    return total
