"""Re-encrypt every encrypted column with the first key of FIELD_ENCRYPTION_KEYS.

Rotation: put the new key first in FIELD_ENCRYPTION_KEYS and keep the old ones after it, deploy, run
`manage.py rotate_encryption_keys`, then drop the old keys from the setting.
"""

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction

from common.fields import TOKEN_PREFIX, EncryptedTextField, rotate_token


def encrypted_columns():
    """(model, [fields]) for every concrete model with encrypted fields (historical copies included)."""
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            yield model, fields


class Command(BaseCommand):
    help = "Re-encrypts every EncryptedTextField / EncryptedJSONField value with the current (first) key."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--database", default="default")

    def handle(self, *args, batch_size: int, database: str, **options):
        connection = connections[database]
        total = 0
        with transaction.atomic(using=database):
            for model, fields in encrypted_columns():
                table = connection.ops.quote_name(model._meta.db_table)
                pk = connection.ops.quote_name(model._meta.pk.column)
                rows = 0
                for field in fields:
                    column = connection.ops.quote_name(field.column)
                    rows += self._rotate_column(connection, table, pk, column, batch_size)
                total += rows
                self.stdout.write(f"{model._meta.label}: {rows} value(s) re-encrypted "
                                  f"({', '.join(f.name for f in fields)})")
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {total} value(s) with the current key."))

    @staticmethod
    def _rotate_column(connection, table: str, pk: str, column: str, batch_size: int) -> int:
        """Raw SQL, so no model save() runs (no history rows, no auto_now), one batch at a time by pk."""
        done, last_pk = 0, None
        with connection.cursor() as cursor:
            while True:
                where = f"{column} LIKE %s" + (f" AND {pk} > %s" if last_pk is not None else "")
                params = [TOKEN_PREFIX + "%"] + ([last_pk] if last_pk is not None else [])
                cursor.execute(
                    f"SELECT {pk}, {column} FROM {table} WHERE {where} ORDER BY {pk} LIMIT %s FOR UPDATE",
                    [*params, batch_size],
                )
                batch = cursor.fetchall()
                if not batch:
                    return done
                try:
                    updates = [(rotate_token(value), key) for key, value in batch]
                except InvalidToken as exc:
                    raise CommandError(
                        f"A value in {table}.{column} cannot be read with any key of FIELD_ENCRYPTION_KEYS; "
                        "nothing was changed. Put the key it was written with back in the setting."
                    ) from exc
                cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE {pk} = %s", updates)
                done += len(batch)
                last_pk = batch[-1][0]
