"""Two staff pressing the same button at the same moment, on real PostgreSQL connections."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from common.exceptions import ApplicationError
from finance.models import LedgerEntry, SellerBalance, Withdrawal
from finance.services import withdrawal_approve, withdrawal_pay, withdrawal_request, withdrawal_review
from tests.conftest import user_in_role
from tests.factories import BankAccountFactory, SellerFactory
from tests.finance.conftest import fund

pytestmark = pytest.mark.django_db(transaction=True)


def _race(*calls):
    """Run each call in its own thread (so its own database connection), released together."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except ApplicationError as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture
def setup(django_user_model):
    seller = SellerFactory()
    fund(seller, "500000")
    bank = BankAccountFactory(seller=seller)
    payer_a = user_in_role(django_user_model, "payer_a", "Finance")
    payer_b = user_in_role(django_user_model, "payer_b", "Finance")
    approver_a = user_in_role(django_user_model, "approver_a", "Finance Approver")
    approver_b = user_in_role(django_user_model, "approver_b", "Finance Approver")
    withdrawal = withdrawal_request(seller=seller, bank_account=bank, amount=Decimal("200000"),
                                    acting_user=payer_a)
    withdrawal_review(withdrawal=withdrawal, acting_user=payer_a)
    return withdrawal, (payer_a, payer_b), (approver_a, approver_b)


def test_two_approvers_at_once_approve_once(setup):
    withdrawal, _payers, (approver_a, approver_b) = setup
    results = _race(
        lambda: withdrawal_approve(withdrawal=Withdrawal.objects.get(pk=withdrawal.pk),
                                   acting_user=approver_a),
        lambda: withdrawal_approve(withdrawal=Withdrawal.objects.get(pk=withdrawal.pk),
                                   acting_user=approver_b),
    )
    assert sum(isinstance(r, Withdrawal) for r in results) == 1
    assert sum(isinstance(r, ApplicationError) for r in results) == 1
    assert withdrawal.events.filter(to_status="approved").count() == 1


def test_two_payers_at_once_pay_out_once(setup):
    withdrawal, (payer_a, payer_b), (approver_a, _approver_b) = setup
    withdrawal_approve(withdrawal=withdrawal, acting_user=approver_a)
    results = _race(
        lambda: withdrawal_pay(withdrawal=Withdrawal.objects.get(pk=withdrawal.pk), acting_user=payer_a,
                               transfer_reference="TRF-A"),
        lambda: withdrawal_pay(withdrawal=Withdrawal.objects.get(pk=withdrawal.pk), acting_user=payer_b,
                               transfer_reference="TRF-B"),
    )
    assert sum(isinstance(r, Withdrawal) for r in results) == 1
    assert sum(isinstance(r, ApplicationError) for r in results) == 1
    assert LedgerEntry.objects.filter(entry_type="withdrawal", seller=withdrawal.seller).count() == 1
    balance = SellerBalance.objects.get(seller=withdrawal.seller)
    assert (balance.available, balance.held) == (Decimal("300000"), Decimal("0"))
    assert withdrawal.events.filter(to_status="completed").count() == 1


def test_two_requests_at_once_cannot_overdraw(django_user_model):
    seller = SellerFactory()
    fund(seller, "100000")
    bank = BankAccountFactory(seller=seller)
    user = user_in_role(django_user_model, "fin", "Finance")
    results = _race(*[
        (lambda: withdrawal_request(seller=seller, bank_account=bank, amount=Decimal("60000"),
                                    acting_user=user))
        for _ in range(2)
    ])
    assert sum(isinstance(r, Withdrawal) for r in results) == 1
    balance = SellerBalance.objects.get(seller=seller)
    assert (balance.available, balance.held) == (Decimal("40000"), Decimal("60000"))
    assert Withdrawal.objects.filter(seller=seller).count() == 1
