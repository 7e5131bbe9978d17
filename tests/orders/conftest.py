import importlib

import pytest

SEED_MIGRATION = importlib.import_module("orders.migrations.0002_seed_status_mappings")


@pytest.fixture
def status_vocabulary(db):
    """The rows migration 0002 seeds. Re-applied here (it is idempotent) because a transactional test
    elsewhere in the run flushes every table, seeded rows included, and --reuse-db keeps that state."""
    from django.apps import apps

    SEED_MIGRATION.seed(apps, None)
