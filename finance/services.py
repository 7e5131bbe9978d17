"""Writes of the finance app: the seller ledger, bank accounts and withdrawals.

Ledger convention (the demo data and every other app post the same way):
- `LedgerEntry.amount` is the signed change of `SellerBalance.available`, `held_amount` the signed change
  of `SellerBalance.held`; `balance_after` / `held_after` are the balances after the entry.
- available == sum(amount) and held == sum(held_amount) per seller; neither is ever negative.
- Posting keys: `withdrawal:<id>:hold` (amount -X, held +X), `withdrawal:<id>:payout` (amount 0, held -X),
  `withdrawal:<id>:release` (amount +X, held -X), `shipment:<id>:cod` (+), `shipment:<id>:fee` (-),
  `adjustment:<uuid>`, `reversal:<entry id>`. A key posts once; a retry returns the first entry.
"""

import re
import uuid
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exceptions import ApplicationError
from common.models import EventSource
from common.money import format_rupiah
from common.transitions import transition
from finance.models import (
    Bank,
    BankAccount,
    CodRemittance,
    CodRemittanceLine,
    LedgerEntry,
    SellerBalance,
    Withdrawal,
    WithdrawalEvent,
)

WIB = ZoneInfo("Asia/Jakarta")
CENT = Decimal("0.01")

W = Withdrawal.Status
WITHDRAWAL_TRANSITIONS: dict[str, set[str]] = {
    W.REQUESTED: {W.ON_REVIEW, W.REJECTED, W.CANCELED},
    W.ON_REVIEW: {W.APPROVED, W.REJECTED, W.CANCELED},
    W.APPROVED: {W.COMPLETED},
    W.COMPLETED: set(),
    W.REJECTED: set(),
    W.CANCELED: set(),
}

# Entries that belong to a withdrawal's state machine: only the withdrawal services move them.
_WITHDRAWAL_ENTRY_TYPES = {
    LedgerEntry.Type.WITHDRAWAL_HOLD, LedgerEntry.Type.WITHDRAWAL_RELEASE, LedgerEntry.Type.WITHDRAWAL,
}


# --- errors ---------------------------------------------------------------------------------------------

class InsufficientBalance(ApplicationError):
    code = "insufficient_balance"
    http_status = 409


class LedgerPostingInvalid(ApplicationError):
    code = "ledger_posting_invalid"


class LedgerReversalNotAllowed(ApplicationError):
    code = "ledger_reversal_not_allowed"
    http_status = 409


class BankAccountInvalid(ApplicationError):
    code = "bank_account_invalid"


class WithdrawalInvalid(ApplicationError):
    code = "withdrawal_invalid"


class WithdrawalPermissionDenied(ApplicationError):
    code = "withdrawal_permission_denied"
    http_status = 403


class BankAccountPermissionDenied(ApplicationError):
    code = "bank_account_permission_denied"
    http_status = 403


class MakerCheckerViolation(ApplicationError):
    code = "maker_checker"
    http_status = 403


class BankAccountCoolingOff(ApplicationError):
    code = "bank_account_cooling_off"
    http_status = 409


# --- helpers --------------------------------------------------------------------------------------------

def _money(value, *, field: str = "amount") -> Decimal:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise LedgerPostingInvalid(_("%(field)s: “%(value)s” is not an amount.")
                                   % {"field": field, "value": value}, extra={"field": field}) from exc
    if not amount.is_finite():
        raise LedgerPostingInvalid(_("%(field)s: “%(value)s” is not an amount.")
                                   % {"field": field, "value": value}, extra={"field": field})
    return amount.quantize(CENT)


def _require_perm(user, perm: str, error_class, message) -> None:
    if user is None or not user.is_active or not user.has_perm(perm):
        raise error_class(message)


def _user_acts_for_seller(user, seller_id: int) -> bool:
    seller_user = getattr(user, "seller_user", None) if user is not None else None
    return bool(seller_user and seller_user.is_active and seller_user.seller_id == seller_id)


# --- ledger ---------------------------------------------------------------------------------------------

def seller_balance_lock(*, seller) -> SellerBalance:
    """The seller's balance row, created if missing (INSERT … ON CONFLICT DO NOTHING), locked FOR UPDATE.
    Must run inside a transaction."""
    SellerBalance.objects.bulk_create([SellerBalance(seller_id=seller.pk)], ignore_conflicts=True)
    return SellerBalance.objects.select_for_update().get(seller_id=seller.pk)


def ledger_post(
    *, seller, entry_type: str, amount, held_amount=0, posting_key: str, reference: str = "", memo: str = "",
    acting_user=None, reverses: LedgerEntry | None = None,
) -> LedgerEntry:
    """Post one entry and move the seller's balance with it, in one transaction.

    Idempotent on `posting_key`: when the key was already posted the existing entry is returned and
    nothing changes. Refuses (InsufficientBalance) when available or held would go below zero."""
    amount = _money(amount)
    held_amount = _money(held_amount, field="held_amount")
    posting_key = (posting_key or "").strip()
    if not posting_key:
        raise LedgerPostingInvalid(_("A ledger entry needs a posting key."))
    if entry_type not in LedgerEntry.Type.values:
        raise LedgerPostingInvalid(_("“%(type)s” is not a ledger entry type.") % {"type": entry_type})
    if amount == 0 and held_amount == 0:
        raise LedgerPostingInvalid(_("A ledger entry must change the available or the held balance."))

    with transaction.atomic():
        balance = seller_balance_lock(seller=seller)
        existing = LedgerEntry.objects.filter(posting_key=posting_key).first()
        if existing is not None:
            return existing
        new_available = balance.available + amount
        new_held = balance.held + held_amount
        if new_available < 0:
            raise InsufficientBalance(
                _("The available balance (%(available)s) is not enough for %(amount)s.")
                % {"available": format_rupiah(balance.available), "amount": format_rupiah(-amount)},
                extra={"available": str(balance.available), "amount": str(amount)},
            )
        if new_held < 0:
            raise InsufficientBalance(
                _("The held balance (%(held)s) is not enough to release %(amount)s.")
                % {"held": format_rupiah(balance.held), "amount": format_rupiah(-held_amount)},
                extra={"held": str(balance.held), "held_amount": str(held_amount)},
            )
        try:
            with transaction.atomic():
                entry = LedgerEntry.objects.create(
                    seller_id=seller.pk, entry_type=entry_type, amount=amount, held_amount=held_amount,
                    posting_key=posting_key, reference=reference[:100], memo=memo[:255],
                    balance_after=new_available, held_after=new_held, reverses=reverses,
                    created_by=acting_user if acting_user is not None and acting_user.pk else None,
                )
        except IntegrityError:
            # The same key was posted concurrently for another seller's balance row: hand back that entry.
            existing = LedgerEntry.objects.filter(posting_key=posting_key).first()
            if existing is None:
                raise
            return existing
        balance.available = new_available
        balance.held = new_held
        balance.save(update_fields=["available", "held", "updated_at"])
    return entry


def ledger_reverse(*, entry: LedgerEntry, acting_user, memo: str = "") -> LedgerEntry:
    """Post the opposite of `entry` (key `reversal:<id>`); an entry is reversed at most once."""
    if entry.entry_type == LedgerEntry.Type.REVERSAL or entry.reverses_id:
        raise LedgerReversalNotAllowed(_("A reversal cannot itself be reversed; post an adjustment instead."))
    if entry.entry_type in _WITHDRAWAL_ENTRY_TYPES:
        raise LedgerReversalNotAllowed(
            _("Withdrawal entries follow the withdrawal; reject or cancel the withdrawal instead.")
        )
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise LedgerReversalNotAllowed(_("Entry %(key)s has already been reversed.")
                                       % {"key": entry.posting_key})
    return ledger_post(
        seller=entry.seller, entry_type=LedgerEntry.Type.REVERSAL, amount=-entry.amount,
        held_amount=-entry.held_amount, posting_key=f"reversal:{entry.pk}", reference=entry.posting_key[:100],
        memo=memo or _("Reversal of %(key)s") % {"key": entry.posting_key}, acting_user=acting_user,
        reverses=entry,
    )


def ledger_adjust(*, seller, amount, memo: str, acting_user, posting_key: str | None = None,
                  reference: str = "") -> LedgerEntry:
    """A manual correction by staff (needs finance.add_ledgerentry and a memo saying why)."""
    _require_perm(acting_user, "finance.add_ledgerentry", LedgerPostingInvalid,
                  _("You do not have permission to post ledger adjustments."))
    if not (memo or "").strip():
        raise LedgerPostingInvalid(_("memo: say why the balance is adjusted."), extra={"field": "memo"})
    amount = _money(amount)
    if amount == 0:
        raise LedgerPostingInvalid(_("amount: an adjustment cannot be zero."), extra={"field": "amount"})
    return ledger_post(
        seller=seller, entry_type=LedgerEntry.Type.ADJUSTMENT, amount=amount,
        posting_key=posting_key or f"adjustment:{uuid.uuid4()}", reference=reference, memo=memo.strip(),
        acting_user=acting_user,
    )


# --- bank accounts --------------------------------------------------------------------------------------

_ACCOUNT_NUMBER_RE = re.compile(r"^[0-9]{5,20}$")


def bank_account_number_clean(value: str | None) -> str:
    """Digits only, 5–20 of them; spaces, dots and dashes people type are dropped."""
    text = re.sub(r"[\s.\-]", "", value or "")
    if not _ACCOUNT_NUMBER_RE.match(text):
        raise BankAccountInvalid(
            _("account number: use 5 to 20 digits only (got “%(value)s”).") % {"value": value or ""},
            extra={"field": "account_number"},
        )
    return text


def bank_account_holder_clean(value: str | None) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise BankAccountInvalid(_("account holder: the name on the account is required."),
                                 extra={"field": "holder_name"})
    return text


def _bank_code_clean(value: str) -> str:
    if value not in Bank.values:
        raise BankAccountInvalid(_("bank: “%(value)s” is not a known bank.") % {"value": value},
                                 extra={"field": "bank_code"})
    return value


def _bank_account_unset_other_defaults(bank_account: BankAccount) -> None:
    BankAccount.objects.filter(seller_id=bank_account.seller_id, is_default=True).exclude(
        pk=bank_account.pk
    ).update(is_default=False, updated_at=timezone.now())


@transaction.atomic
def bank_account_add(*, seller, bank_code: str, account_number: str, holder_name: str, acting_user=None,
                     is_default: bool = False) -> BankAccount:
    """Add an unverified bank account; the first account of a seller becomes the default."""
    number = bank_account_number_clean(account_number)
    account = BankAccount(
        seller=seller, bank_code=_bank_code_clean(bank_code), account_number=number,
        account_number_last4=number[-4:], holder_name=bank_account_holder_clean(holder_name),
    )
    # Lock the seller's accounts so two "add default" calls cannot both win.
    list(BankAccount.objects.select_for_update().filter(seller_id=seller.pk).values_list("pk", flat=True))
    has_default = BankAccount.objects.filter(seller_id=seller.pk, is_default=True).exists()
    account.is_default = bool(is_default or not has_default)
    if account.is_default:
        _bank_account_unset_other_defaults(account)
    account.save()
    return account


def bank_account_verify(*, bank_account: BankAccount, acting_user) -> BankAccount:
    _require_perm(acting_user, "finance.change_bankaccount", BankAccountPermissionDenied,
                  _("You do not have permission to verify bank accounts."))
    with transaction.atomic():
        locked = BankAccount.objects.select_for_update().get(pk=bank_account.pk)
        if not locked.is_active:
            raise BankAccountInvalid(_("%(account)s is inactive and cannot be verified.")
                                     % {"account": locked})
        if locked.is_verified:
            return locked
        locked.is_verified = True
        locked.verified_by = acting_user
        locked.verified_at = timezone.now()
        locked.save(update_fields=["is_verified", "verified_by", "verified_at", "updated_at"])
    bank_account.is_verified, bank_account.verified_by, bank_account.verified_at = (
        locked.is_verified, locked.verified_by, locked.verified_at)
    return locked


def bank_account_set_default(*, bank_account: BankAccount, acting_user=None) -> BankAccount:
    with transaction.atomic():
        list(BankAccount.objects.select_for_update().filter(seller_id=bank_account.seller_id)
             .values_list("pk", flat=True))
        locked = BankAccount.objects.get(pk=bank_account.pk)
        if not locked.is_active:
            raise BankAccountInvalid(_("%(account)s is inactive and cannot be the default.")
                                     % {"account": locked})
        _bank_account_unset_other_defaults(locked)
        locked.is_default = True
        locked.save(update_fields=["is_default", "updated_at"])
    bank_account.is_default = True
    return locked


def bank_account_change_details(
    *, bank_account: BankAccount, acting_user=None, bank_code: str | None = None,
    account_number: str | None = None, holder_name: str | None = None,
) -> BankAccount:
    """Change bank, number or holder. The account is unverified again and a payout cooling-off starts."""
    changes: dict[str, object] = {}
    if bank_code is not None and bank_code != bank_account.bank_code:
        changes["bank_code"] = _bank_code_clean(bank_code)
    if account_number is not None:
        number = bank_account_number_clean(account_number)
        if number != bank_account.account_number:
            changes["account_number"] = number
            changes["account_number_last4"] = number[-4:]
    if holder_name is not None:
        name = bank_account_holder_clean(holder_name)
        if name != bank_account.holder_name:
            changes["holder_name"] = name
    if not changes:
        return bank_account
    changes.update(changed_at=timezone.now(), is_verified=False, verified_by=None, verified_at=None)
    with transaction.atomic():
        locked = BankAccount.objects.select_for_update().get(pk=bank_account.pk)
        for name, value in changes.items():
            setattr(locked, name, value)
            setattr(bank_account, name, value)
        locked.save(update_fields=[*changes, "updated_at"])
    return locked


def bank_account_set_active(*, bank_account: BankAccount, is_active: bool, acting_user=None) -> BankAccount:
    """Deactivate (or reactivate) an account; a deactivated account stops being the default."""
    with transaction.atomic():
        locked = BankAccount.objects.select_for_update().get(pk=bank_account.pk)
        locked.is_active = is_active
        if not is_active:
            locked.is_default = False
        locked.save(update_fields=["is_active", "is_default", "updated_at"])
    bank_account.is_active, bank_account.is_default = locked.is_active, locked.is_default
    return locked


# --- withdrawals ----------------------------------------------------------------------------------------

def _wib_day_bounds(moment: datetime) -> tuple[datetime, datetime]:
    day = moment.astimezone(WIB).date()
    start = datetime.combine(day, time.min, tzinfo=WIB)
    return start, start + timedelta(days=1)


def withdrawal_request_check(*, seller, bank_account: BankAccount, amount, require_verified: bool = True) -> Decimal:
    """The checks of a new withdrawal that need no lock; returns the amount as Decimal."""
    try:
        amount = _money(amount)
    except LedgerPostingInvalid as exc:
        raise WithdrawalInvalid(exc.message, extra={"field": "amount"}) from exc
    if amount <= 0:
        raise WithdrawalInvalid(_("amount: a withdrawal must be more than Rp 0."), extra={"field": "amount"})
    if bank_account.seller_id != seller.pk:
        raise WithdrawalInvalid(_("bank account: %(account)s does not belong to %(seller)s.")
                                % {"account": bank_account, "seller": seller},
                                extra={"field": "bank_account"})
    if not bank_account.is_active:
        raise WithdrawalInvalid(_("bank account: %(account)s is inactive.") % {"account": bank_account},
                                extra={"field": "bank_account"})
    if require_verified and not bank_account.is_verified:
        raise WithdrawalInvalid(_("bank account: %(account)s is not verified yet.")
                                % {"account": bank_account},
                                extra={"field": "bank_account"})
    balance = SellerBalance.objects.filter(seller_id=seller.pk).first()
    available = balance.available if balance else Decimal("0")
    if amount > available:
        raise InsufficientBalance(
            _("amount: %(amount)s is more than the available balance of %(available)s.")
            % {"amount": format_rupiah(amount), "available": format_rupiah(available)},
            extra={"field": "amount", "available": str(available)},
        )
    return amount


def withdrawal_request(
    *, seller, bank_account: BankAccount, amount, acting_user, source: str = EventSource.STAFF,
    notes: str = "", account=None, external_id: str = "", platform_status: str = "",
) -> Withdrawal:
    """Ask to pay `amount` out to `bank_account`; the amount is held on the ledger in the same transaction.

    Allowed for staff with finance.add_withdrawal and for the seller's own mobile-app users."""
    if source == EventSource.STAFF or acting_user is not None:
        allowed = acting_user is not None and (
            acting_user.has_perm("finance.add_withdrawal") or _user_acts_for_seller(acting_user, seller.pk)
        )
        if not allowed:
            raise WithdrawalPermissionDenied(
                _("You do not have permission to request withdrawals for this seller.")
            )
    # A withdrawal asked for on a platform (pulled by the sync) may name an account we have not verified
    # yet: it is mirrored and held, and withdrawal_pay_check still refuses to pay it until it is verified.
    amount = withdrawal_request_check(seller=seller, bank_account=bank_account, amount=amount,
                                      require_verified=source != EventSource.SYNC)
    with transaction.atomic():
        seller_balance_lock(seller=seller)  # serialises requests of one seller
        now = timezone.now()
        day_start, day_end = _wib_day_bounds(now)
        duplicate = Withdrawal.objects.filter(
            seller_id=seller.pk, bank_account_id=bank_account.pk, amount=amount,
            created_at__gte=day_start, created_at__lt=day_end,
        ).exists()
        withdrawal = Withdrawal.objects.create(
            seller=seller, bank_account=bank_account, amount=amount, status=W.REQUESTED, notes=notes,
            possible_duplicate=duplicate, requested_by=acting_user, created_at=now,
            account=account, external_id=external_id, platform_status=platform_status,
        )
        ledger_post(
            seller=seller, entry_type=LedgerEntry.Type.WITHDRAWAL_HOLD, amount=-amount, held_amount=amount,
            posting_key=f"withdrawal:{withdrawal.pk}:hold", reference=f"WD-{withdrawal.pk}",
            memo=_("Withdrawal requested"), acting_user=acting_user,
        )
        WithdrawalEvent.objects.create(withdrawal=withdrawal, actor=acting_user, source=source,
                                       from_status="", to_status=W.REQUESTED)
    return withdrawal


def _move(withdrawal: Withdrawal, to_status: str, *, acting_user, source: str, note: str = "",
          updates: dict | None = None) -> Withdrawal:
    return transition(
        instance=withdrawal, to_status=to_status, allowed=WITHDRAWAL_TRANSITIONS, event_model=WithdrawalEvent,
        event_field="withdrawal", actor=acting_user, source=source, note=note, updates=updates,
    )


def withdrawal_review(*, withdrawal: Withdrawal, acting_user, source: str = EventSource.STAFF,
                      note: str = "") -> Withdrawal:
    _require_perm(acting_user, "finance.review_withdrawal", WithdrawalPermissionDenied,
                  _("You do not have permission to put withdrawals on review."))
    return _move(withdrawal, W.ON_REVIEW, acting_user=acting_user, source=source, note=note,
                 updates={"reviewed_by": acting_user})


def withdrawal_approve(*, withdrawal: Withdrawal, acting_user, source: str = EventSource.STAFF,
                       note: str = "") -> Withdrawal:
    _require_perm(acting_user, "finance.approve_withdrawal", WithdrawalPermissionDenied,
                  _("You do not have permission to approve withdrawals."))
    return _move(withdrawal, W.APPROVED, acting_user=acting_user, source=source, note=note,
                 updates={"approved_by": acting_user, "approved_at": timezone.now()})


def withdrawal_pay_check(*, withdrawal: Withdrawal, acting_user, transfer_reference: str,
                         transfer_proof=None) -> None:
    """The refusals of a payout, in the order staff should read them; raises the first that applies."""
    _require_perm(acting_user, "finance.pay_withdrawal", WithdrawalPermissionDenied,
                  _("You do not have permission to mark withdrawals paid."))
    if not (transfer_reference or "").strip():
        raise WithdrawalInvalid(_("transfer reference: enter the bank's reference of the transfer."),
                                extra={"field": "transfer_reference"})
    if transfer_proof:
        transfer_proof_validate(transfer_proof)
    if withdrawal.approved_by_id is not None and withdrawal.approved_by_id == acting_user.pk:
        raise MakerCheckerViolation(
            _("You approved this withdrawal, so someone else must pay it (maker-checker rule).")
        )
    bank_account = BankAccount.objects.get(pk=withdrawal.bank_account_id)
    hours = settings.WITHDRAWAL_BANK_COOLING_OFF_HOURS
    if bank_account.changed_at and timezone.now() < bank_account.changed_at + timedelta(hours=hours):
        until = timezone.localtime(bank_account.changed_at + timedelta(hours=hours))
        raise BankAccountCoolingOff(
            _("The bank account details changed recently; payouts to it are blocked until %(until)s.")
            % {"until": until.strftime("%d-%m-%Y %H:%M")},
        )
    if not bank_account.is_active or not bank_account.is_verified:
        raise WithdrawalInvalid(_("bank account: %(account)s is not active and verified.")
                                % {"account": bank_account})


def withdrawal_pay(*, withdrawal: Withdrawal, acting_user, transfer_reference: str, transfer_proof=None,
                   source: str = EventSource.STAFF, note: str = "") -> Withdrawal:
    """Record that the money was transferred: approved → completed and the held amount leaves the ledger."""
    with transaction.atomic():
        locked = Withdrawal.objects.select_for_update().get(pk=withdrawal.pk)
        withdrawal_pay_check(withdrawal=locked, acting_user=acting_user,
                             transfer_reference=transfer_reference, transfer_proof=transfer_proof)
        updates: dict[str, object] = {
            "paid_by": acting_user, "paid_at": timezone.now(),
            "transfer_reference": transfer_reference.strip(),
        }
        if transfer_proof:
            updates["transfer_proof"] = transfer_proof
        moved = _move(locked, W.COMPLETED, acting_user=acting_user, source=source, note=note, updates=updates)
        ledger_post(
            seller=moved.seller, entry_type=LedgerEntry.Type.WITHDRAWAL, amount=0, held_amount=-moved.amount,
            posting_key=f"withdrawal:{moved.pk}:payout", reference=transfer_reference.strip(),
            memo=_("Withdrawal paid"), acting_user=acting_user,
        )
    for name in ("status", *updates):
        setattr(withdrawal, name, getattr(moved, name))
    return moved


def _release(withdrawal: Withdrawal, *, acting_user) -> None:
    ledger_post(
        seller=withdrawal.seller, entry_type=LedgerEntry.Type.WITHDRAWAL_RELEASE, amount=withdrawal.amount,
        held_amount=-withdrawal.amount, posting_key=f"withdrawal:{withdrawal.pk}:release",
        reference=f"WD-{withdrawal.pk}", memo=_("Withdrawal hold released"), acting_user=acting_user,
    )


def withdrawal_reject(*, withdrawal: Withdrawal, acting_user, source: str = EventSource.STAFF,
                      note: str = "") -> Withdrawal:
    _require_perm(acting_user, "finance.approve_withdrawal", WithdrawalPermissionDenied,
                  _("You do not have permission to reject withdrawals."))
    with transaction.atomic():
        moved = _move(withdrawal, W.REJECTED, acting_user=acting_user, source=source, note=note)
        _release(moved, acting_user=acting_user)
    return moved


def withdrawal_cancel(*, withdrawal: Withdrawal, acting_user, source: str = EventSource.STAFF,
                      note: str = "") -> Withdrawal:
    """Cancel before approval: staff with finance.change_withdrawal, or the seller's own user."""
    if acting_user is not None or source == EventSource.STAFF:
        allowed = acting_user is not None and (
            acting_user.has_perm("finance.change_withdrawal")
            or _user_acts_for_seller(acting_user, withdrawal.seller_id)
        )
        if not allowed:
            raise WithdrawalPermissionDenied(_("You do not have permission to cancel this withdrawal."))
    with transaction.atomic():
        moved = _move(withdrawal, W.CANCELED, acting_user=acting_user, source=source, note=note)
        _release(moved, acting_user=acting_user)
    return moved


# --- transfer proofs and holder names -------------------------------------------------------------------

class TransferProofInvalid(ApplicationError):
    code = "transfer_proof_invalid"


_PROOF_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def transfer_proof_content_type(head: bytes) -> str | None:
    """The content type a proof's first bytes show (PDF, PNG, JPEG, GIF, WebP), or None."""
    for signature, content_type in _PROOF_SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def transfer_proof_validate(proof) -> str:
    """A transfer proof must be an image or a PDF (read from its bytes, not its name) and at most
    WITHDRAWAL_PROOF_MAX_BYTES; returns its content type."""
    limit = int(settings.WITHDRAWAL_PROOF_MAX_BYTES)
    size = getattr(proof, "size", None)
    if size is None:
        proof.seek(0, 2)
        size = proof.tell()
    if size > limit:
        raise TransferProofInvalid(
            _("transfer proof: the file is %(size)s MB; at most %(limit)s MB is accepted.")
            % {"size": f"{size / 1_048_576:.1f}", "limit": f"{limit / 1_048_576:.1f}"},
            extra={"field": "transfer_proof"},
        )
    proof.seek(0)
    head = proof.read(16)
    proof.seek(0)
    content_type = transfer_proof_content_type(head or b"")
    if content_type is None or size == 0:
        raise TransferProofInvalid(
            _("transfer proof: “%(name)s” is not an image (PNG, JPEG, GIF, WebP) or a PDF.")
            % {"name": getattr(proof, "name", "") or "-"},
            extra={"field": "transfer_proof"},
        )
    return content_type


def _name_tokens(value: str) -> set[str]:
    stop = {"pt", "cv", "ud", "tbk", "toko", "bpk", "ibu", "bapak", "sdr", "an", "a.n", "a/n"}
    words = re.sub(r"[^0-9a-z ]", " ", (value or "").lower()).split()
    return {word for word in words if word not in stop and len(word) > 1}


def bank_account_holder_warning(*, bank_account: BankAccount) -> str:
    """A warning (not a refusal) when the holder's name shares no word with the seller's name or contact
    person; empty when the names match."""
    seller = bank_account.seller
    holder = _name_tokens(bank_account.holder_name)
    known = _name_tokens(seller.name) | _name_tokens(getattr(seller, "contact_name", ""))
    if not holder or holder & known:
        return ""
    return (_("The account holder “%(holder)s” does not match the seller “%(seller)s”; check that the money "
              "goes to the right person.") % {"holder": bank_account.holder_name, "seller": seller.name})


# --- COD remittances ------------------------------------------------------------------------------------

class CodRemittanceInvalid(ApplicationError):
    code = "cod_remittance_invalid"


def _remittance_lines_clean(lines, *, courier=None, allow_unknown: bool = False) -> list[dict]:
    """Every line checked before anything is written; all problems are reported together, by row."""
    from logistics.models import Shipment

    problems: list[dict] = []
    cleaned: list[dict] = []
    first_row_of: dict[str, int] = {}
    for index, line in enumerate(lines or [], start=1):
        row = line.get("row") or index
        awb = str(line.get("awb") or "").strip().upper()
        if not awb:
            problems.append({"row": row, "field": "awb", "message": _("the AWB is empty")})
        elif awb in first_row_of:
            problems.append({"row": row, "field": "awb",
                             "message": _("AWB %(awb)s is already on row %(first)s")
                             % {"awb": awb, "first": first_row_of[awb]}})
        else:
            first_row_of[awb] = row
        raw_amount = line.get("amount")
        amount = None
        try:
            amount = _money(raw_amount if raw_amount not in (None, "") else "x")
        except LedgerPostingInvalid:
            problems.append({"row": row, "field": "amount",
                             "message": _("“%(value)s” is not an amount") % {"value": raw_amount}})
        else:
            if amount <= 0:
                problems.append({"row": row, "field": "amount", "message": _("the amount must be more than 0")})
        cleaned.append({"row": row, "awb": awb, "amount": amount})
    if awbs := [line["awb"] for line in cleaned if line["awb"]]:
        shipments = Shipment.objects.filter(awb__in=awbs)
        if courier is not None:
            shipments = shipments.filter(courier=courier)
        known = set(shipments.values_list("awb", flat=True))
        if not allow_unknown:
            for line in cleaned:
                if line["awb"] and line["awb"] not in known and first_row_of.get(line["awb"]) == line["row"]:
                    problems.append({"row": line["row"], "field": "awb",
                                     "message": _("AWB %(awb)s is not one of our shipments") % {"awb": line["awb"]}})
    if problems:
        problems.sort(key=lambda p: (p["row"], p["field"]))
        shown = "; ".join(_("row %(row)s, %(field)s: %(message)s") % p for p in problems[:10])
        more = len(problems) - 10
        if more > 0:
            shown += " " + _("(and %(count)s more)") % {"count": more}
        raise CodRemittanceInvalid(
            _("The remittance has %(count)s bad line(s): %(lines)s.") % {"count": len(problems), "lines": shown},
            extra={"rows": problems, "fields": sorted({p["field"] for p in problems})},
        )
    return cleaned


def cod_remittance_create(
    *, reference: str, remitted_on, lines: list[dict], courier=None, account=None, source_file=None,
    acting_user, allow_unknown: bool = False,
) -> CodRemittance:
    """Record a courier's or platform's COD payout. Every line is checked first (AWB present, not repeated,
    known unless `allow_unknown`; amount a positive number); any bad line refuses the whole remittance with
    extra["rows"] = [{"row", "field", "message"}] and nothing is written."""
    field_errors: dict[str, str] = {}
    reference = (reference or "").strip()
    if not reference:
        field_errors["reference"] = _("enter the remittance reference")
    elif CodRemittance.objects.filter(reference=reference).exists():
        field_errors["reference"] = _("remittance %(reference)s is already recorded") % {"reference": reference}
    if remitted_on is None or not hasattr(remitted_on, "isoformat"):
        field_errors["remitted_on"] = _("enter the date of the remittance")
    if not lines:
        field_errors["lines"] = _("the remittance has no lines")
    if field_errors:
        raise CodRemittanceInvalid(
            "; ".join(f"{name}: {message}" for name, message in field_errors.items()),
            extra={"fields": field_errors, "rows": []},
        )
    cleaned = _remittance_lines_clean(lines, courier=courier, allow_unknown=allow_unknown)
    try:
        with transaction.atomic():
            remittance = CodRemittance(
                reference=reference, remitted_on=remitted_on, courier=courier, account=account,
                total_amount=sum((line["amount"] for line in cleaned), Decimal("0")),
                created_by=acting_user if acting_user is not None and acting_user.pk else None,
            )
            if source_file:
                remittance.source_file = source_file
            remittance.save()
            CodRemittanceLine.objects.bulk_create(
                CodRemittanceLine(remittance=remittance, awb=line["awb"], amount=line["amount"])
                for line in cleaned
            )
    except IntegrityError as exc:  # the same reference saved concurrently
        raise CodRemittanceInvalid(
            _("reference: remittance %(reference)s is already recorded") % {"reference": reference},
            extra={"fields": {"reference": "duplicate"}, "rows": []},
        ) from exc
    return remittance


def cod_remittance_match(*, remittance, acting_user) -> CodRemittance:
    """Match each line to its shipment and post the shipment's COD credit once (key `shipment:<id>:cod`,
    the same key the delivery posts, so a parcel is credited once whichever comes first). Lines become
    matched / short / over (paid more than expected, or the parcel was already remitted elsewhere) /
    unknown AWB. Running it again re-matches and posts nothing twice."""
    from finance.postings import cod_credit_post
    from logistics.models import Shipment

    Match = CodRemittanceLine.Match
    with transaction.atomic():
        locked = CodRemittance.objects.select_for_update().get(pk=remittance.pk)
        lines = list(locked.lines.select_for_update().order_by("id"))
        shipments = Shipment.objects.filter(awb__in=[line.awb for line in lines]).select_related("order")
        if locked.courier_id:
            shipments = shipments.filter(courier_id=locked.courier_id)
        by_awb: dict[str, list] = {}
        for shipment in shipments:
            by_awb.setdefault(shipment.awb, []).append(shipment)
        for line in lines:
            found = by_awb.get(line.awb, [])
            if len(found) != 1:
                line.shipment, line.match, line.expected_amount = None, Match.UNKNOWN_AWB, None
                continue
            shipment = found[0]
            line.shipment = shipment
            elsewhere = (CodRemittanceLine.objects.filter(shipment=shipment)
                         .exclude(remittance_id=locked.pk)
                         .exclude(match__in=[Match.PENDING, Match.UNKNOWN_AWB]).exists())
            if elsewhere:
                line.match, line.expected_amount = Match.OVER, Decimal("0")
                continue
            expected = shipment.cod_amount
            line.expected_amount = expected
            if line.amount == expected:
                line.match = Match.MATCHED
            elif line.amount < expected:
                line.match = Match.SHORT
            else:
                line.match = Match.OVER
            if expected > 0:
                cod_credit_post(shipment=shipment, acting_user=acting_user,
                                reference=locked.reference)
        CodRemittanceLine.objects.bulk_update(lines, ["shipment", "match", "expected_amount"])
        locked.status = CodRemittance.Status.POSTED
        locked.save(update_fields=["status", "updated_at"])
    remittance.status = locked.status
    return locked



# --- platform withdrawal statuses (finance/sync.py) ----------------------------------------------------

def withdrawal_apply_platform_status(*, withdrawal: Withdrawal, platform_status: str) -> Withdrawal:
    """Follow what the platform says happened to a mirrored withdrawal. Cancel and reject there close it
    here (the hold is released); on_review moves a requested one on review. A completion seen only on the
    platform is recorded in platform_status and NOT paid here: a payout needs staff and maker-checker, and
    the reconciliation screen lists the difference."""
    status = (platform_status or "").strip().lower()
    with transaction.atomic():
        locked = Withdrawal.objects.select_for_update().get(pk=withdrawal.pk)
        open_statuses = (W.REQUESTED, W.ON_REVIEW)
        note = _("Platform status: %(status)s") % {"status": status}
        if status in (W.CANCELED, W.REJECTED) and locked.status in open_statuses:
            locked = _move(locked, status, acting_user=None, source=EventSource.SYNC, note=note)
            _release(locked, acting_user=None)
        elif status == W.ON_REVIEW and locked.status == W.REQUESTED:
            locked = _move(locked, W.ON_REVIEW, acting_user=None, source=EventSource.SYNC, note=note)
        if locked.platform_status != status:
            Withdrawal.objects.filter(pk=locked.pk).update(platform_status=status, updated_at=timezone.now())
            locked.platform_status = status
    return locked
