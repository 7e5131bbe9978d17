from decimal import Decimal

import pytest

from finance.models import Withdrawal
from finance.selectors import bank_account_list, withdrawal_list, withdrawal_totals_by_status
from finance.services import withdrawal_request, withdrawal_review
from tests.factories import BankAccountFactory, SellerFactory, StaffAssignmentFactory
from tests.finance.conftest import fund

pytestmark = pytest.mark.django_db


def test_withdrawal_totals_count_and_sum_what_awaits_staff(funded_seller, bank_account, finance_user,
                                                           superuser):
    first = withdrawal_request(seller=funded_seller, bank_account=bank_account, amount=Decimal("100000"),
                               acting_user=finance_user)
    withdrawal_request(seller=funded_seller, bank_account=bank_account, amount=Decimal("50000"),
                       acting_user=finance_user)
    withdrawal_review(withdrawal=first, acting_user=finance_user)
    totals = withdrawal_totals_by_status(user=superuser)
    assert totals[Withdrawal.Status.REQUESTED] == {"count": 1, "amount": Decimal("50000")}
    assert totals[Withdrawal.Status.ON_REVIEW] == {"count": 1, "amount": Decimal("100000")}
    assert totals[Withdrawal.Status.APPROVED] == {"count": 0, "amount": Decimal("0")}


def test_withdrawal_list_is_scoped_to_assigned_sellers(funded_seller, bank_account, finance_user):
    mine = withdrawal_request(seller=funded_seller, bank_account=bank_account, amount=Decimal("1000"),
                              acting_user=finance_user)
    other = SellerFactory()
    fund(other, "5000")
    withdrawal_request(seller=other, bank_account=BankAccountFactory(seller=other), amount=Decimal("1000"),
                       acting_user=finance_user)
    StaffAssignmentFactory(seller=funded_seller, user=finance_user)
    assert list(withdrawal_list(user=finance_user)) == [mine]


def test_bank_account_list_puts_the_default_first_and_hides_inactive(seller):
    inactive = BankAccountFactory(seller=seller, is_active=False)
    other = BankAccountFactory(seller=seller)
    default = BankAccountFactory(seller=seller, is_default=True)
    assert list(bank_account_list(seller=seller)) == [default, other]
    assert inactive in bank_account_list(seller=seller, active_only=False)
