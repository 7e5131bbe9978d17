"""integrations tables: credentials encrypted at rest, constraints."""

import pytest
from django.db import IntegrityError, connection, transaction

from integrations.models import PlatformAccount
from tests.factories import PlatformAccountFactory

pytestmark = pytest.mark.django_db

SECRET = "tok-9f8e7d6c5b4a-very-secret"


def raw_credentials(account_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM integrations_platformaccount WHERE id = %s", [account_id])
        return cursor.fetchone()[0]


def test_credentials_are_encrypted_in_the_raw_column():
    account = PlatformAccountFactory(credentials={"token": SECRET, "username": "toko-budi"})
    raw = raw_credentials(account.pk)
    assert raw.startswith("fernet:")
    assert SECRET not in raw and "toko-budi" not in raw and "token" not in raw
    stored = PlatformAccount.objects.get(pk=account.pk)
    assert stored.credentials == {"token": SECRET, "username": "toko-budi"}


def test_account_name_is_unique_per_platform():
    PlatformAccountFactory(platform="komship", name="utama")
    PlatformAccountFactory(platform="scalev", name="utama")
    with pytest.raises(IntegrityError), transaction.atomic():
        PlatformAccountFactory(platform="komship", name="utama")
