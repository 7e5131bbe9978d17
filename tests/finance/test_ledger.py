from decimal import Decimal

import pytest
from django.db.models import Sum

from finance.models import LedgerEntry, SellerBalance
from finance.selectors import ledger_totals, seller_balance_get
from finance.services import (
    InsufficientBalance,
    LedgerPostingInvalid,
    LedgerReversalNotAllowed,
    ledger_adjust,
    ledger_post,
    ledger_reverse,
    withdrawal_request,
)
from tests.factories import BankAccountFactory, SellerFactory
from tests.finance.conftest import fund

pytestmark = pytest.mark.django_db
T = LedgerEntry.Type


def _assert_invariant(seller):
    balance = SellerBalance.objects.get(seller=seller)
    sums = LedgerEntry.objects.filter(seller=seller).aggregate(a=Sum("amount"), h=Sum("held_amount"))
    assert balance.available == sums["a"] and balance.held == sums["h"]
    assert balance.available >= 0 and balance.held >= 0
    last = LedgerEntry.objects.filter(seller=seller).order_by("-id").first()
    assert (last.balance_after, last.held_after) == (balance.available, balance.held)


def test_ledger_post_creates_the_balance_and_records_the_balance_after(seller):
    entry = ledger_post(seller=seller, entry_type=T.COD_CREDIT, amount=Decimal("193000"),
                        posting_key="shipment:1:cod")
    assert (entry.balance_after, entry.held_after) == (Decimal("193000"), Decimal("0"))
    fee = ledger_post(seller=seller, entry_type=T.SHIPPING_FEE, amount=Decimal("-18000"),
                      posting_key="shipment:1:fee")
    assert fee.balance_after == Decimal("175000")
    assert SellerBalance.objects.get(seller=seller).available == Decimal("175000")
    _assert_invariant(seller)


def test_ledger_post_is_idempotent_on_the_posting_key(seller):
    first = ledger_post(seller=seller, entry_type=T.COD_CREDIT, amount=Decimal("50000"),
                        posting_key="shipment:7:cod")
    again = ledger_post(seller=seller, entry_type=T.COD_CREDIT, amount=Decimal("50000"),
                        posting_key="shipment:7:cod")
    assert again.pk == first.pk
    assert LedgerEntry.objects.filter(posting_key="shipment:7:cod").count() == 1
    assert SellerBalance.objects.get(seller=seller).available == Decimal("50000")


def test_ledger_post_refuses_to_take_available_below_zero_and_changes_nothing(seller):
    fund(seller, "10000")
    with pytest.raises(InsufficientBalance, match="not enough"):
        ledger_post(seller=seller, entry_type=T.SHIPPING_FEE, amount=Decimal("-10000.01"),
                    posting_key="shipment:2:fee")
    assert not LedgerEntry.objects.filter(posting_key="shipment:2:fee").exists()
    assert SellerBalance.objects.get(seller=seller).available == Decimal("10000")
    _assert_invariant(seller)


def test_ledger_post_refuses_to_take_held_below_zero(seller):
    fund(seller, "10000")
    with pytest.raises(InsufficientBalance, match="held balance"):
        ledger_post(seller=seller, entry_type=T.WITHDRAWAL, amount=0, held_amount=Decimal("-1"),
                    posting_key="withdrawal:1:payout")
    assert SellerBalance.objects.get(seller=seller).held == 0


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"amount": 0, "held_amount": 0, "posting_key": "x", "entry_type": T.ADJUSTMENT}, "must change"),
    ({"amount": 1, "posting_key": "  ", "entry_type": T.ADJUSTMENT}, "posting key"),
    ({"amount": 1, "posting_key": "x", "entry_type": "gift"}, "not a ledger entry type"),
    ({"amount": "abc", "posting_key": "x", "entry_type": T.ADJUSTMENT}, "not an amount"),
])
def test_ledger_post_refuses_malformed_postings(seller, kwargs, message):
    with pytest.raises(LedgerPostingInvalid, match=message):
        ledger_post(seller=seller, **kwargs)
    assert not LedgerEntry.objects.exists()


def test_balance_equals_the_sum_of_entries_through_a_mixed_history(seller):
    bank = BankAccountFactory(seller=seller)
    fund(seller, "300000")
    ledger_post(seller=seller, entry_type=T.SHIPPING_FEE, amount=Decimal("-25000"),
                posting_key="shipment:9:fee")
    withdrawal_request(seller=seller, bank_account=bank, amount=Decimal("100000"), acting_user=None,
                       source="system")
    entry = ledger_post(seller=seller, entry_type=T.COMPENSATION, amount=Decimal("40000"),
                        posting_key="claim:3")
    ledger_reverse(entry=entry, acting_user=None)
    _assert_invariant(seller)
    assert ledger_totals(seller=seller) == {"available": Decimal("175000"), "held": Decimal("100000")}


def test_seller_balance_get_is_zero_for_a_seller_without_entries():
    balance = seller_balance_get(seller=SellerFactory())
    assert (balance.available, balance.held) == (0, 0)


def test_ledger_reverse_posts_the_opposite_once(seller):
    entry = fund(seller, "70000")
    reversal = ledger_reverse(entry=entry, acting_user=None, memo="salah input")
    assert reversal.posting_key == f"reversal:{entry.pk}"
    assert reversal.amount == Decimal("-70000") and reversal.reverses == entry
    with pytest.raises(LedgerReversalNotAllowed, match="already been reversed"):
        ledger_reverse(entry=entry, acting_user=None)
    assert SellerBalance.objects.get(seller=seller).available == 0
    _assert_invariant(seller)


def test_a_reversal_cannot_be_reversed(seller):
    reversal = ledger_reverse(entry=fund(seller, "1000"), acting_user=None)
    with pytest.raises(LedgerReversalNotAllowed):
        ledger_reverse(entry=reversal, acting_user=None)


def test_withdrawal_entries_cannot_be_reversed_by_hand(seller):
    fund(seller, "50000")
    withdrawal = withdrawal_request(seller=seller, bank_account=BankAccountFactory(seller=seller),
                                    amount=Decimal("10000"), acting_user=None, source="system")
    hold = LedgerEntry.objects.get(posting_key=f"withdrawal:{withdrawal.pk}:hold")
    with pytest.raises(LedgerReversalNotAllowed, match="withdrawal"):
        ledger_reverse(entry=hold, acting_user=None)


def test_reversing_a_credit_already_spent_is_refused(seller):
    credit = fund(seller, "10000")
    ledger_post(seller=seller, entry_type=T.SHIPPING_FEE, amount=Decimal("-8000"),
                posting_key="shipment:5:fee")
    with pytest.raises(InsufficientBalance):
        ledger_reverse(entry=credit, acting_user=None)
    assert not LedgerEntry.objects.filter(entry_type=T.REVERSAL).exists()


def test_ledger_adjust_needs_the_permission_and_a_memo(seller, finance_user, cs_user):
    with pytest.raises(LedgerPostingInvalid, match="permission"):
        ledger_adjust(seller=seller, amount=Decimal("5000"), memo="koreksi", acting_user=cs_user)
    with pytest.raises(LedgerPostingInvalid, match="memo"):
        ledger_adjust(seller=seller, amount=Decimal("5000"), memo=" ", acting_user=finance_user)
    entry = ledger_adjust(seller=seller, amount=Decimal("5000"), memo="koreksi ongkir",
                          acting_user=finance_user)
    assert entry.posting_key.startswith("adjustment:") and entry.created_by == finance_user
    assert LedgerEntry.objects.count() == 1
