"""Reads of the finance app, scoped to the sellers the asking user may see."""

from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from common.scoping import scope_to_user_sellers
from finance.models import BankAccount, LedgerEntry, SellerBalance, Withdrawal


def seller_balance_get(*, seller) -> SellerBalance:
    """The seller's balance; an unsaved zero balance when nothing was ever posted."""
    return SellerBalance.objects.filter(seller_id=seller.pk).first() or SellerBalance(seller=seller)


def ledger_entry_list(*, seller, entry_type: str | None = None) -> QuerySet[LedgerEntry]:
    entries = LedgerEntry.objects.filter(seller_id=seller.pk)
    if entry_type:
        entries = entries.filter(entry_type=entry_type)
    return entries.order_by("-id")


def ledger_totals(*, seller) -> dict[str, Decimal]:
    """Sum of the entries; equals the SellerBalance row (the ledger invariant)."""
    totals = LedgerEntry.objects.filter(seller_id=seller.pk).aggregate(available=Sum("amount"),
                                                                        held=Sum("held_amount"))
    return {"available": totals["available"] or Decimal("0"), "held": totals["held"] or Decimal("0")}


def bank_account_list(*, seller, active_only: bool = True) -> QuerySet[BankAccount]:
    accounts = BankAccount.objects.filter(seller_id=seller.pk)
    if active_only:
        accounts = accounts.filter(is_active=True)
    return accounts.order_by("-is_default", "id")


def withdrawal_list(*, user, status: str | None = None) -> QuerySet[Withdrawal]:
    withdrawals = scope_to_user_sellers(
        Withdrawal.objects.select_related("seller", "bank_account"), user=user, seller_path="seller"
    )
    if status:
        withdrawals = withdrawals.filter(status=status)
    return withdrawals.order_by("-id")


def withdrawal_totals_by_status(*, user, statuses=(Withdrawal.Status.REQUESTED, Withdrawal.Status.ON_REVIEW,
                                                   Withdrawal.Status.APPROVED)) -> dict[str, dict]:
    """{status: {"count": n, "amount": Decimal}} for the dashboard (awaiting review and payment)."""
    rows = (withdrawal_list(user=user).filter(status__in=statuses).order_by().values("status")
            .annotate(count=Count("id"), amount=Sum("amount")))
    result = {status: {"count": 0, "amount": Decimal("0")} for status in statuses}
    for row in rows:
        result[row["status"]] = {"count": row["count"], "amount": row["amount"] or Decimal("0")}
    return result
