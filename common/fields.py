"""Model fields whose values are encrypted at rest with keys of their own (FIELD_ENCRYPTION_KEYS)."""

import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

TOKEN_PREFIX = "fernet:"


@lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: set at least one Fernet key.")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def cipher() -> MultiFernet:
    return _cipher(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_text(plaintext: str) -> str:
    return TOKEN_PREFIX + cipher().encrypt(plaintext.encode()).decode()


def decrypt_text(stored: str) -> str:
    if not stored.startswith(TOKEN_PREFIX):
        raise ValueError("The stored value is not an encrypted token.")
    try:
        return cipher().decrypt(stored[len(TOKEN_PREFIX):].encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "An encrypted value cannot be read with any key in FIELD_ENCRYPTION_KEYS."
        ) from exc


def rotate_token(stored: str) -> str:
    """Re-encrypt a stored token with the first (current) key."""
    return TOKEN_PREFIX + cipher().rotate(stored[len(TOKEN_PREFIX):].encode()).decode()


class EncryptedTextField(models.TextField):
    """Plain `str` in Python, a Fernet token in the column. Not searchable: keep a hint (e.g. last 4
    digits) in another column where lists need one."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(value)


class EncryptedJSONField(EncryptedTextField):
    """A dict in Python, an encrypted JSON document in the column (platform credentials)."""

    def from_db_value(self, value, expression, connection):
        text = super().from_db_value(value, expression, connection)
        return json.loads(text) if text else {}

    def to_python(self, value):
        if isinstance(value, dict):
            return value
        return json.loads(value) if value else {}

    def get_prep_value(self, value):
        if isinstance(value, dict):
            value = json.dumps(value, sort_keys=True) if value else ""
        if value is None or value == "":
            return value
        return encrypt_text(value)

    def value_to_string(self, obj):
        return ""  # never serialised (dumpdata, admin history)
