"""Random sequences of ledger operations (credits, debits, retries, reversals, withdrawals through their
whole flow) keep: balance == sum of entries, never negative, one payout per withdrawal, and the balance a
simple model of the operations predicts."""

import itertools
from decimal import Decimal

import pytest
from django.db.models import Count, Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from common.exceptions import ApplicationError
from finance.models import LedgerEntry, SellerBalance, Withdrawal
from finance.services import (
    InsufficientBalance,
    WithdrawalInvalid,
    ledger_post,
    ledger_reverse,
    withdrawal_approve,
    withdrawal_cancel,
    withdrawal_pay,
    withdrawal_reject,
    withdrawal_request,
    withdrawal_review,
)
from tests.conftest import user_in_role
from tests.factories import BankAccountFactory, SellerFactory

amounts = st.integers(min_value=-5, max_value=400_000).map(lambda n: Decimal(n * 250) / 100)
W = Withdrawal.Status
_serial = itertools.count()


class LedgerMachine(RuleBasedStateMachine):
    payer = approver = None  # set by the test

    @initialize()
    def start(self):
        self.seller = SellerFactory()
        self.account = BankAccountFactory(seller=self.seller, is_default=True)
        self.available = Decimal("0")
        self.held = Decimal("0")
        self.keys: list[str] = []
        self.withdrawals: dict[int, Decimal] = {}

    def _key(self, kind: str) -> str:
        key = f"{kind}:{self.seller.pk}:{next(_serial)}"
        self.keys.append(key)
        return key

    @rule(amount=amounts)
    def credit(self, amount):
        if amount <= 0:
            return
        ledger_post(seller=self.seller, entry_type=LedgerEntry.Type.COD_CREDIT, amount=amount,
                    posting_key=self._key("cod"))
        self.available += amount

    @rule(amount=amounts)
    def debit(self, amount):
        if amount <= 0:
            return
        try:
            ledger_post(seller=self.seller, entry_type=LedgerEntry.Type.SHIPPING_FEE, amount=-amount,
                        posting_key=self._key("fee"))
        except InsufficientBalance:
            assert amount > self.available
        else:
            assert amount <= self.available
            self.available -= amount

    @precondition(lambda self: self.keys)
    @rule(data=st.data())
    def retry_posting(self, data):
        """Posting an already-posted key again changes nothing."""
        key = data.draw(st.sampled_from(self.keys))
        entry = LedgerEntry.objects.filter(posting_key=key).first()
        if entry is None:
            return
        again = ledger_post(seller=self.seller, entry_type=entry.entry_type, amount=entry.amount,
                            held_amount=entry.held_amount, posting_key=key)
        assert again.pk == entry.pk

    @rule(data=st.data())
    def reverse(self, data):
        entries = list(LedgerEntry.objects.filter(
            seller=self.seller, entry_type__in=[LedgerEntry.Type.COD_CREDIT, LedgerEntry.Type.SHIPPING_FEE]))
        if not entries:
            return
        entry = data.draw(st.sampled_from(entries))
        try:
            ledger_reverse(entry=entry, acting_user=self.payer)
        except ApplicationError:
            return
        self.available -= entry.amount

    @rule(amount=amounts)
    def request(self, amount):
        try:
            withdrawal = withdrawal_request(seller=self.seller, bank_account=self.account, amount=amount,
                                            acting_user=self.payer)
        except (InsufficientBalance, WithdrawalInvalid):
            assert amount <= 0 or amount > self.available
            return
        assert 0 < amount <= self.available
        self.withdrawals[withdrawal.pk] = amount
        self.available -= amount
        self.held += amount

    @precondition(lambda self: self.withdrawals)
    @rule(data=st.data(), action=st.sampled_from(["review", "approve", "pay", "reject", "cancel"]))
    def move(self, data, action):
        pk = data.draw(st.sampled_from(sorted(self.withdrawals)))
        withdrawal = Withdrawal.objects.get(pk=pk)
        before = withdrawal.status
        try:
            if action == "review":
                withdrawal_review(withdrawal=withdrawal, acting_user=self.approver)
            elif action == "approve":
                withdrawal_approve(withdrawal=withdrawal, acting_user=self.approver)
            elif action == "pay":
                withdrawal_pay(withdrawal=withdrawal, acting_user=self.payer, transfer_reference=f"T{pk}")
            elif action == "reject":
                withdrawal_reject(withdrawal=withdrawal, acting_user=self.approver)
            else:
                withdrawal_cancel(withdrawal=withdrawal, acting_user=self.payer)
        except ApplicationError:
            assert Withdrawal.objects.get(pk=pk).status == before
            return
        amount = self.withdrawals[pk]
        if action == "pay":
            self.held -= amount
        elif action in ("reject", "cancel"):
            self.held -= amount
            self.available += amount

    @invariant()
    def balance_is_sum_of_entries_and_never_negative(self):
        if not hasattr(self, "seller"):
            return
        balance = SellerBalance.objects.filter(seller=self.seller).first()
        available = balance.available if balance else Decimal("0")
        held = balance.held if balance else Decimal("0")
        sums = LedgerEntry.objects.filter(seller=self.seller).aggregate(a=Sum("amount"), h=Sum("held_amount"))
        assert (available, held) == (sums["a"] or 0, sums["h"] or 0)
        assert available >= 0 and held >= 0
        assert (available, held) == (self.available, self.held)

    @invariant()
    def one_payout_per_withdrawal(self):
        if not hasattr(self, "seller"):
            return
        rows = (LedgerEntry.objects.filter(seller=self.seller, entry_type=LedgerEntry.Type.WITHDRAWAL)
                .values("posting_key").annotate(n=Count("id")))
        assert all(row["n"] == 1 for row in rows)
        completed = Withdrawal.objects.filter(seller=self.seller, status=W.COMPLETED).count()
        assert len(rows) == completed


@pytest.mark.django_db
def test_random_ledger_operations_keep_the_invariants(django_user_model):
    LedgerMachine.payer = user_in_role(django_user_model, "payer", "Finance")
    LedgerMachine.approver = user_in_role(django_user_model, "approver", "Finance Approver")
    run_state_machine_as_test(LedgerMachine, settings=settings(
        max_examples=15, stateful_step_count=25, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    ))
