import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.bulk import build, bulk_insert, key_sequence
from integrations.models import PlatformAccount
from orders.models import Customer
from tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


def test_bulk_insert_sets_keys_and_stores_every_value_as_the_orm_would():
    seller = SellerFactory()
    customers = [Customer(seller=seller, name=f"Siti {i}", phone=f"+62812000000{i:02d}", address="Jl. Mawar")
                 for i in range(30)]
    with connection.cursor() as cursor:
        key_sequence(cursor, Customer)  # the sequence's name is looked up once per process, maybe not yet
    with CaptureQueriesContext(connection) as queries:
        bulk_insert(customers)
    assert len(queries) == 1  # the keys, whatever the number of rows (the COPY is not logged by Django)
    assert all(c.pk for c in customers) and len({c.pk for c in customers}) == 30
    stored = Customer.objects.get(pk=customers[7].pk)
    assert (stored.name, stored.phone, stored.seller_id) == ("Siti 7", "+6281200000007", seller.pk)
    assert stored.created_at is not None and stored.updated_at is not None
    # The sequence moved past the drawn keys: a later ORM insert does not collide.
    assert Customer.objects.create(seller=seller, name="Budi").pk > max(c.pk for c in customers)


def test_bulk_insert_prepares_json_and_encrypted_fields():
    account = PlatformAccount(platform="komship", name="k", seller=SellerFactory(),
                              credentials={"token": "rahasia"}, options={"warehouse_code": "JKT", "n": 2},
                              rate_limit_per_minute=60)
    bulk_insert([account])
    stored = PlatformAccount.objects.get(pk=account.pk)
    assert stored.credentials == {"token": "rahasia"}
    assert stored.options == {"warehouse_code": "JKT", "n": 2}
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials::text FROM integrations_platformaccount WHERE id = %s", [account.pk])
        assert "rahasia" not in cursor.fetchone()[0]  # encrypted at rest, as a save() would store it


def test_build_matches_the_model_constructor():
    seller = SellerFactory()
    built = build(Customer, seller=seller, name="Siti", phone="+6281234567890")
    plain = Customer(seller=seller, name="Siti", phone="+6281234567890")
    assert {k: v for k, v in built.__dict__.items() if k not in ("_state", "created_at")} == {
        k: v for k, v in plain.__dict__.items() if k not in ("_state", "created_at")}
    assert built.seller_id == seller.pk and built.pk is None and built.created_at is not None
    with pytest.raises(TypeError, match="nmae"):
        build(Customer, seller=seller, nmae="typo")


def test_bulk_insert_without_keys_lets_the_table_number_the_rows():
    seller = SellerFactory()
    customers = [Customer(seller=seller, name=f"Rina {i}") for i in range(5)]
    with CaptureQueriesContext(connection) as queries:
        bulk_insert(customers, set_pks=False)
    assert len(queries) == 0  # no key draw: the COPY alone (which Django does not log)
    assert all(c.pk is None for c in customers)
    assert sorted(Customer.objects.filter(seller=seller).values_list("name", flat=True)) == [
        f"Rina {i}" for i in range(5)]
    with pytest.raises(ValueError):
        bulk_insert([Customer.objects.first()], set_pks=False)
