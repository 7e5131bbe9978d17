"""Importing a product file again: the database decides which rows can change nothing (those are counted as
unchanged without a look in Python); every other row, and every row of a product such a row touches, goes
through the same comparison as before, so the outcomes and the values written stay the same."""

from decimal import Decimal

import pytest

from catalog.models import Product, Variant
from tests.factories import ProductFactory, SellerFactory, VariantFactory
from tests.transfers.helpers import PRODUCT_HEADER, csv_bytes, import_file

pytestmark = pytest.mark.django_db

HEADER = [*PRODUCT_HEADER, "brand"]


@pytest.fixture
def seller(db):
    return SellerFactory(code="TOKO01")


@pytest.fixture
def kaos(seller):
    product = ProductFactory(seller=seller, name="Kaos", brand="Lama")
    VariantFactory(product=product, sku="K-L", name="L", price=Decimal("85000"), weight_grams=250)
    VariantFactory(product=product, sku="K-XL", name="XL", price=Decimal("90000"), weight_grams=270)
    return product


def counts(job):
    return job.new_rows, job.updated_rows, job.unchanged_rows, job.error_rows


def row_copy_path(monkeypatch, copy: bool) -> None:
    if not copy:
        from catalog.resources import ProductImporter

        monkeypatch.setattr(ProductImporter, "copy_available", staticmethod(lambda: False))


@pytest.mark.parametrize("copy", [True, False], ids=["copy", "row-by-row"])
def test_a_row_that_matches_the_database_is_still_weighed_with_the_other_rows_of_its_product(
        superuser, kaos, monkeypatch, copy):
    row_copy_path(monkeypatch, copy)
    data = csv_bytes([
        HEADER,
        ["TOKO01", "K-L", "Kaos", "L", "85000", "250", "Baru"],  # changes the product's brand
        ["TOKO01", "K-XL", "Kaos", "XL", "90000", "270", "Lama"],  # what the database holds: sets it back
    ])
    job = import_file(superuser, "products", data)

    assert counts(job) == (0, 2, 0, 0)
    kaos.refresh_from_db()
    assert kaos.brand == "Lama"


def test_a_new_sku_that_changes_an_existing_product_brings_in_the_product_s_other_rows(superuser, kaos):
    data = csv_bytes([
        HEADER,
        ["TOKO01", "K-XXL", "Kaos", "XXL", "95000", "290", "Baru"],  # new SKU of "Kaos": brand Baru
        ["TOKO01", "K-L", "Kaos", "L", "85000", "250", "Lama"],  # equal to the database, not to the row above
    ])
    job = import_file(superuser, "products", data)

    assert counts(job) == (1, 1, 0, 0)
    kaos.refresh_from_db()
    assert kaos.brand == "Lama"
    assert Variant.objects.get(sku="K-XXL").product == kaos


@pytest.mark.parametrize("copy", [True, False], ids=["copy", "row-by-row"])
def test_values_that_need_escaping_in_copy_survive_and_import_again_unchanged(superuser, seller, monkeypatch, copy):
    row_copy_path(monkeypatch, copy)
    data = csv_bytes([
        [*HEADER, "options", "description"],
        ["TOKO01", "A\\N", "Kaos\ttab", "back\\slash", "85000", "250", "\\N", "Warna=Merah\\Biru", "dua\nbaris"],
        ["TOKO01", "B-1", "Kaos \"kutip\"", "", "Rp 1.000", "1", "", '{"Bahan": "Katun, 100%"}', "\r\n"],
    ])
    first = import_file(superuser, "products", data)
    again = import_file(superuser, "products", data)

    assert counts(first) == (2, 0, 0, 0)
    assert counts(again) == (0, 0, 2, 0)
    odd = Variant.objects.select_related("product").get(sku="A\\N")
    assert (odd.name, odd.product.name, odd.product.brand) == ("back\\slash", "Kaos\ttab", "\\N")
    assert odd.option_values == {"Warna": "Merah\\Biru"} and odd.product.description == "dua\nbaris"
    assert Variant.objects.get(sku="B-1").option_values == {"Bahan": "Katun, 100%"}


def test_an_unchanged_file_writes_nothing_and_a_changed_cell_updates_only_its_row(superuser, seller):
    rows = [HEADER] + [["TOKO01", f"S-{n}", f"Produk {n // 3}", f"V{n}", "10.000", "100", "Merek"] for n in range(30)]
    import_file(superuser, "products", csv_bytes(rows))
    history = Variant.history.count() + Product.history.count()

    again = import_file(superuser, "products", csv_bytes(rows))
    assert counts(again) == (0, 0, 30, 0)
    assert Variant.history.count() + Product.history.count() == history

    rows[5][4] = "Rp 12.500"  # S-4's price
    rows[9][6] = "Merek Lain"  # Produk 2's brand on its last row (S-6, S-7 and S-8 are its rows)
    changed = import_file(superuser, "products", csv_bytes(rows))
    assert counts(changed) == (0, 2, 28, 0)  # S-4 and S-8; S-6 and S-7 come before the change
    assert Variant.objects.get(sku="S-4").price == Decimal("12500")
    assert Product.objects.get(name="Produk 2").brand == "Merek Lain"


def test_after_a_rename_later_batches_still_find_the_product_by_its_old_name(superuser, kaos, monkeypatch):
    from catalog.resources import ProductImporter

    monkeypatch.setattr(ProductImporter, "batch_size", 2)
    data = csv_bytes([
        HEADER,
        ["TOKO01", "K-NEW", "Kaos", "New", "1000", "10", "Lama"],  # looks "Kaos" up by name
        ["TOKO01", "K-L", "Kaos Baru", "L", "85000", "250", "Lama"],  # renames it
        ["TOKO01", "K-NEW2", "Kaos", "New 2", "1000", "10", "Merek 2"],  # next batch: still the renamed product
        ["TOKO01", "K-XL", "Kaos Baru", "XL", "90000", "270", "Lama"],  # sets the brand back
    ])
    job = import_file(superuser, "products", data)

    assert counts(job) == (2, 2, 0, 0)
    kaos.refresh_from_db()
    assert (kaos.name, kaos.brand) == ("Kaos Baru", "Lama")
    assert set(kaos.variants.values_list("sku", flat=True)) == {"K-L", "K-XL", "K-NEW", "K-NEW2"}
