"""The platform status vocabularies are seeded by migration and looked up without guessing."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from orders.models import StatusMapping
from orders.selectors import map_platform_status, status_mapping_table
from orders.status_vocabulary import STATUS_VOCABULARY, our_states_for_kind, status_vocabulary_seed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("status_vocabulary")]


def test_migration_0002_seeds_an_empty_table():
    from tests.orders.conftest import SEED_MIGRATION

    StatusMapping.objects.all().delete()
    state = MigrationExecutor(connection).loader.project_state(("orders", "0002_seed_status_mappings"))
    SEED_MIGRATION.seed(state.apps, None)
    assert StatusMapping.objects.count() == len(STATUS_VOCABULARY)
    batal = StatusMapping.objects.get(platform="komship", kind="order", platform_status="Batal")
    assert batal.our_status == "canceled"


@pytest.mark.parametrize(("platform", "kind", "word", "ours"), [
    ("komship", "order", "0", "new"),
    ("komship", "order", "4", "canceled"),
    ("komship", "order", "Dipacking", "processing"),
    ("komship", "order", "Hilang", "shipped"),
    ("komship", "shipment", "Hilang", "lost"),
    ("komship", "shipment", "Dijemput", "picked_up"),
    ("mitrabunso", "order", "DRAFT", "draft"),
    ("mitrabunso", "order", "SENT", "shipped"),
    ("ngorder", "order", "REJECTED", "canceled"),
    ("ngorder", "progress", "NO AWB", "processing"),
    ("ngorder", "payment", "WAITING PAYMENT", "unpaid"),
    ("ngorder", "payment", "INSTALLMENT", "partially_paid"),
    ("ngorder", "shipment", "SHIPMENT_PROBLEM", "problem"),
    ("scalev", "order", "shipped_rts", "returning"),
    ("scalev", "order", "closed", "completed"),
    ("scalev", "payment", "settled", "paid"),
])
def test_documented_statuses_are_seeded_after_migrate(platform, kind, word, ours):
    row = StatusMapping.objects.get(platform=platform, kind=kind, platform_status=word)
    assert row.our_status == ours


def test_every_vocabulary_row_is_seeded_once_and_points_at_one_of_our_states():
    assert StatusMapping.objects.count() == len(STATUS_VOCABULARY)
    for platform, kind, word, ours, _description in STATUS_VOCABULARY:
        assert str(ours) in our_states_for_kind(kind), (platform, kind, word)
        assert StatusMapping.objects.filter(platform=platform, kind=kind, platform_status=word).count() == 1


def test_every_komship_label_and_code_is_present():
    words = set(StatusMapping.objects.filter(platform="komship", kind="order")
                .values_list("platform_status", flat=True))
    assert {"0", "1", "2", "3", "4", "Diajukan", "Dipacking", "Dikirim", "Diterima", "Retur", "Batal",
            "Hilang"} <= words


def test_every_scalev_order_and_payment_status_is_present():
    orders = set(StatusMapping.objects.filter(platform="scalev", kind="order")
                 .values_list("platform_status", flat=True))
    payments = set(StatusMapping.objects.filter(platform="scalev", kind="payment")
                   .values_list("platform_status", flat=True))
    assert orders >= {"draft", "pending", "confirmed", "in_process", "ready", "canceled", "shipped",
                      "shipped_rts", "completed", "rts", "closed"}
    assert payments >= {"unpaid", "paid", "conflict", "settled"}


def test_seeding_again_changes_no_row_count():
    before = StatusMapping.objects.count()
    created, updated = status_vocabulary_seed(mapping_model=StatusMapping)
    assert (created, updated) == (0, len(STATUS_VOCABULARY))
    assert StatusMapping.objects.count() == before


def test_lookup_ignores_case_and_surrounding_spaces_and_accepts_integer_codes():
    assert map_platform_status(platform="komship", kind="order", platform_status="  dikirim ") == "shipped"
    assert map_platform_status(platform="komship", kind="order", platform_status=2) == "delivered"
    assert map_platform_status(platform="ngorder", kind="progress", platform_status="on process") == "shipped"


def test_unknown_status_returns_none():
    assert map_platform_status(platform="komship", kind="order", platform_status="Dimakan Tuyul") is None
    assert map_platform_status(platform="komship", kind="order", platform_status="") is None
    assert map_platform_status(platform="komship", kind="order", platform_status=None) is None
    # a word known for one platform or kind is not borrowed by another
    assert map_platform_status(platform="mitrabunso", kind="order", platform_status="Dikirim") is None
    assert map_platform_status(platform="komship", kind="payment", platform_status="Dikirim") is None


def test_mapping_table_for_batch_sync():
    table = status_mapping_table(platform="mitrabunso")
    assert table[("order", "processed")] == "processing"
