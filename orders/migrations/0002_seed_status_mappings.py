"""Seed StatusMapping with every status vocabulary the platform documents list (orders/status_vocabulary.py).
Idempotent: re-running updates the rows instead of duplicating them."""

from django.db import migrations


def seed(apps, schema_editor):
    from orders.status_vocabulary import status_vocabulary_seed

    status_vocabulary_seed(mapping_model=apps.get_model("orders", "StatusMapping"))


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
