"""Every database constraint of the finance app refuses what it should."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection

from finance.models import (
    BankAccount,
    CodRemittance,
    CodRemittanceLine,
    LedgerEntry,
    SellerBalance,
    Withdrawal,
)
from tests.factories import (
    BankAccountFactory,
    PlatformAccountFactory,
    SellerFactory,
    UserFactory,
    WithdrawalFactory,
)

pytestmark = pytest.mark.django_db


def _entry(seller, **overrides):
    values = {"seller": seller, "entry_type": LedgerEntry.Type.ADJUSTMENT, "amount": Decimal("10"),
              "held_amount": Decimal("0"), "posting_key": "k1", "balance_after": Decimal("10"),
              "held_after": Decimal("0")}
    values.update(overrides)
    return LedgerEntry.objects.create(**values)


def test_one_default_bank_account_per_seller():
    seller = SellerFactory()
    BankAccountFactory(seller=seller, is_default=True)
    BankAccountFactory(seller=seller, is_default=False)
    with pytest.raises(IntegrityError, match="finance_bankaccount_one_default_per_seller"):
        BankAccountFactory(seller=seller, is_default=True)


def test_bank_account_number_is_not_stored_in_plaintext():
    account = BankAccountFactory(account_number="8800123456789")
    with connection.cursor() as cursor:
        cursor.execute("SELECT account_number FROM finance_bankaccount WHERE id = %s", [account.pk])
        raw = cursor.fetchone()[0]
    assert "8800123456789" not in raw
    assert raw.startswith("fernet:")
    assert BankAccount.objects.get(pk=account.pk).account_number == "8800123456789"


def test_ledger_entry_must_change_something():
    with pytest.raises(IntegrityError, match="finance_ledgerentry_not_empty"):
        _entry(SellerFactory(), amount=0, held_amount=0)


@pytest.mark.parametrize("field", ["balance_after", "held_after"])
def test_ledger_entry_balances_after_cannot_be_negative(field):
    with pytest.raises(IntegrityError, match="finance_ledgerentry_after_not_negative"):
        _entry(SellerFactory(), **{field: Decimal("-1")})


def test_ledger_posting_key_is_unique():
    seller = SellerFactory()
    _entry(seller, posting_key="shipment:1:cod")
    with pytest.raises(IntegrityError):
        _entry(seller, posting_key="shipment:1:cod")


def test_an_entry_is_reversed_by_at_most_one_entry():
    seller = SellerFactory()
    original = _entry(seller, posting_key="a")
    _entry(seller, posting_key="b", amount=Decimal("-10"), balance_after=0, reverses=original)
    with pytest.raises(IntegrityError):
        _entry(seller, posting_key="c", amount=Decimal("-10"), balance_after=0, reverses=original)


@pytest.mark.parametrize(("field", "name"), [("available", "finance_balance_available_not_negative"),
                                             ("held", "finance_balance_held_not_negative")])
def test_seller_balance_cannot_be_negative(field, name):
    with pytest.raises(IntegrityError, match=name):
        SellerBalance.objects.create(seller=SellerFactory(), **{field: Decimal("-0.01")})


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5")])
def test_withdrawal_amount_must_be_positive(amount):
    with pytest.raises(IntegrityError, match="finance_withdrawal_amount_positive"):
        WithdrawalFactory(amount=amount)


def test_withdrawal_external_id_is_unique_per_platform_account():
    account = PlatformAccountFactory()
    WithdrawalFactory(account=account, external_id="WD-77")
    WithdrawalFactory(external_id="WD-77")  # no account: allowed
    WithdrawalFactory(account=PlatformAccountFactory(), external_id="WD-77")  # another account: allowed
    with pytest.raises(IntegrityError, match="finance_withdrawal_unique_external"):
        WithdrawalFactory(account=account, external_id="WD-77")


def test_the_approver_cannot_be_the_payer_in_the_database():
    user = UserFactory()
    withdrawal = WithdrawalFactory(status=Withdrawal.Status.APPROVED, approved_by=user)
    withdrawal.paid_by = user
    withdrawal.status = Withdrawal.Status.COMPLETED
    with pytest.raises(IntegrityError, match="finance_withdrawal_maker_checker"):
        withdrawal.save()


def test_cod_remittance_total_cannot_be_negative():
    CodRemittance.objects.create(reference="R-1", remitted_on=date(2026, 1, 5), total_amount=Decimal("0"))
    with pytest.raises(IntegrityError, match="finance_remittance_total_not_negative"):
        CodRemittance.objects.create(reference="R-2", remitted_on=date(2026, 1, 5),
                                     total_amount=Decimal("-1"))


def test_cod_remittance_reference_is_unique():
    CodRemittance.objects.create(reference="R-1", remitted_on=date(2026, 1, 5), total_amount=Decimal("1"))
    with pytest.raises(IntegrityError):
        CodRemittance.objects.create(reference="R-1", remitted_on=date(2026, 1, 6), total_amount=Decimal("1"))


def test_cod_remittance_line_awb_is_unique_per_remittance():
    remittance = CodRemittance.objects.create(reference="R-1", remitted_on=date(2026, 1, 5),
                                              total_amount=Decimal("100"))
    CodRemittanceLine.objects.create(remittance=remittance, awb="JNE1", amount=Decimal("100"))
    with pytest.raises(IntegrityError, match="finance_remittanceline_unique_awb"):
        CodRemittanceLine.objects.create(remittance=remittance, awb="JNE1", amount=Decimal("5"))


def test_cod_remittance_line_amount_cannot_be_negative():
    remittance = CodRemittance.objects.create(reference="R-1", remitted_on=date(2026, 1, 5),
                                              total_amount=Decimal("100"))
    with pytest.raises(IntegrityError, match="finance_remittanceline_amount_not_negative"):
        CodRemittanceLine.objects.create(remittance=remittance, awb="JNE2", amount=Decimal("-1"))
