from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from finance.models import BankAccount
from integrations.models import PlatformAccount
from tests.factories import BankAccountFactory, PlatformAccountFactory

pytestmark = pytest.mark.django_db


def raw_column(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_bank_account_number_is_not_stored_in_plaintext():
    account = BankAccountFactory(account_number="8730012345678")

    stored = raw_column("finance_bankaccount", "account_number", account.pk)

    assert "8730012345678" not in stored
    assert stored.startswith("fernet:")
    assert BankAccount.objects.get(pk=account.pk).account_number == "8730012345678"


def test_platform_credentials_are_not_stored_in_plaintext():
    account = PlatformAccountFactory(credentials={"token": "sk-live-VERY-SECRET", "password": "rahasia123"})

    stored = raw_column("integrations_platformaccount", "credentials", account.pk)

    assert "sk-live-VERY-SECRET" not in stored
    assert "rahasia123" not in stored
    assert "token" not in stored  # not even the keys of the document
    assert PlatformAccount.objects.get(pk=account.pk).credentials == {
        "token": "sk-live-VERY-SECRET", "password": "rahasia123",
    }


def test_the_encryption_key_is_not_the_secret_key():
    assert settings.FIELD_ENCRYPTION_KEYS
    assert settings.SECRET_KEY not in settings.FIELD_ENCRYPTION_KEYS
    account = BankAccountFactory(account_number="1112223334")
    stored = raw_column("finance_bankaccount", "account_number", account.pk)

    # A cipher made from SECRET_KEY (as Fernet would need it) cannot read the stored value.
    import base64
    import hashlib

    from cryptography.fernet import InvalidToken

    secret_based = Fernet(base64.urlsafe_b64encode(hashlib.sha256(settings.SECRET_KEY.encode()).digest()))
    with pytest.raises(InvalidToken):
        secret_based.decrypt(stored.removeprefix("fernet:").encode())


def test_rotation_re_encrypts_every_row_with_the_new_key():
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    bank = BankAccountFactory(account_number="0987654321")
    other_bank = BankAccountFactory(account_number="1231231234")
    platform = PlatformAccountFactory(credentials={"api_key": "abc-123"})
    before = raw_column("finance_bankaccount", "account_number", bank.pk)

    out = StringIO()
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
        call_command("rotate_encryption_keys", batch_size=1, stdout=out)  # one row per batch

    assert "finance.BankAccount: 2 value(s) re-encrypted" in out.getvalue()
    assert "integrations.PlatformAccount: 1 value(s) re-encrypted" in out.getvalue()
    assert raw_column("finance_bankaccount", "account_number", bank.pk) != before
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key]):
        assert BankAccount.objects.get(pk=bank.pk).account_number == "0987654321"
        assert BankAccount.objects.get(pk=other_bank.pk).account_number == "1231231234"
        assert PlatformAccount.objects.get(pk=platform.pk).credentials == {"api_key": "abc-123"}
    # The old key alone can no longer read the rows.
    from django.core.exceptions import ImproperlyConfigured

    with override_settings(FIELD_ENCRYPTION_KEYS=[old_key]), pytest.raises(ImproperlyConfigured):
        BankAccount.objects.get(pk=bank.pk)


def test_rotation_without_the_old_key_refuses_and_changes_nothing():
    bank = BankAccountFactory(account_number="5550001111")
    before = raw_column("finance_bankaccount", "account_number", bank.pk)

    with override_settings(FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]), \
            pytest.raises(CommandError, match="cannot be read"):
        call_command("rotate_encryption_keys", stdout=StringIO())

    assert raw_column("finance_bankaccount", "account_number", bank.pk) == before
