import pytest
from django.db import connection

from finance.models import BankAccount
from finance.services import (
    BankAccountInvalid,
    BankAccountPermissionDenied,
    bank_account_add,
    bank_account_change_details,
    bank_account_set_active,
    bank_account_set_default,
    bank_account_verify,
)
from tests.factories import BankAccountFactory

pytestmark = pytest.mark.django_db


def test_bank_account_add_keeps_digits_only_and_the_last_four(seller):
    account = bank_account_add(seller=seller, bank_code="bca", account_number="123-456 7890",
                               holder_name="  Budi   Santoso ")
    account.refresh_from_db()
    assert account.account_number == "1234567890"
    assert account.account_number_last4 == "7890"
    assert account.holder_name == "Budi Santoso"
    assert not account.is_verified
    with connection.cursor() as cursor:
        cursor.execute("SELECT account_number FROM finance_bankaccount WHERE id = %s", [account.pk])
        assert "1234567890" not in cursor.fetchone()[0]


def test_the_first_bank_account_becomes_the_default_and_a_new_default_unsets_the_old(seller):
    first = bank_account_add(seller=seller, bank_code="bca", account_number="1111111111", holder_name="A")
    second = bank_account_add(seller=seller, bank_code="bni", account_number="2222222222", holder_name="A")
    assert first.is_default and not second.is_default
    third = bank_account_add(seller=seller, bank_code="bri", account_number="3333333333", holder_name="A",
                             is_default=True)
    defaults = list(BankAccount.objects.filter(seller=seller, is_default=True).values_list("pk", flat=True))
    assert defaults == [third.pk]


@pytest.mark.parametrize("number", ["12ab5678", "1234", "1" * 21, ""])
def test_bank_account_add_refuses_a_bad_number_and_saves_nothing(seller, number):
    with pytest.raises(BankAccountInvalid, match="5 to 20 digits"):
        bank_account_add(seller=seller, bank_code="bca", account_number=number, holder_name="Budi")
    assert not BankAccount.objects.exists()


def test_bank_account_add_refuses_a_blank_holder_and_an_unknown_bank(seller):
    with pytest.raises(BankAccountInvalid, match="holder"):
        bank_account_add(seller=seller, bank_code="bca", account_number="1234567890", holder_name="  ")
    with pytest.raises(BankAccountInvalid, match="bank"):
        bank_account_add(seller=seller, bank_code="xyz", account_number="1234567890", holder_name="Budi")
    assert not BankAccount.objects.exists()


def test_bank_account_verify_records_who_and_when(seller, finance_user):
    account = BankAccountFactory(seller=seller, is_verified=False)
    bank_account_verify(bank_account=account, acting_user=finance_user)
    account.refresh_from_db()
    assert account.is_verified and account.verified_by == finance_user and account.verified_at


def test_bank_account_verify_needs_the_change_permission(seller, approver):
    account = BankAccountFactory(seller=seller, is_verified=False)
    with pytest.raises(BankAccountPermissionDenied):
        bank_account_verify(bank_account=account, acting_user=approver)
    account.refresh_from_db()
    assert not account.is_verified


def test_bank_account_set_default_moves_the_default(seller):
    old = BankAccountFactory(seller=seller, is_default=True)
    new = BankAccountFactory(seller=seller, is_default=False)
    bank_account_set_default(bank_account=new)
    old.refresh_from_db(), new.refresh_from_db()
    assert new.is_default and not old.is_default


def test_an_inactive_account_cannot_become_the_default(seller):
    account = BankAccountFactory(seller=seller, is_default=True)
    bank_account_set_active(bank_account=account, is_active=False)
    assert not account.is_default
    with pytest.raises(BankAccountInvalid, match="inactive"):
        bank_account_set_default(bank_account=account)


def test_changing_details_unverifies_and_starts_the_cooling_off(seller, finance_user):
    account = BankAccountFactory(seller=seller, is_verified=True, verified_by=finance_user)
    bank_account_change_details(bank_account=account, account_number="9876 5432 10")
    account.refresh_from_db()
    assert account.account_number == "9876543210" and account.account_number_last4 == "3210"
    assert account.changed_at is not None
    assert not account.is_verified and account.verified_by is None


def test_changing_nothing_keeps_the_verification(seller):
    account = BankAccountFactory(seller=seller, is_verified=True, account_number="1234567890")
    bank_account_change_details(bank_account=account, account_number="1234567890", holder_name="Budi Santoso")
    account.refresh_from_db()
    assert account.is_verified and account.changed_at is None
