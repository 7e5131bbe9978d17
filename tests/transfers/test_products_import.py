from decimal import Decimal

import pytest

from catalog.models import Product, Variant
from tests.factories import CategoryFactory, ProductFactory, SellerFactory, VariantFactory
from tests.transfers.helpers import PRODUCT_HEADER, csv_bytes, errors_by_row, import_file, upload
from transfers.models import ImportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(db):
    return SellerFactory(code="TOKO01")


def test_products_import_creates_products_with_variants_and_history(superuser, seller):
    category = CategoryFactory(slug="kaos")
    data = csv_bytes([
        [*PRODUCT_HEADER, "category", "options", "active"],
        ["TOKO01", "KAOS-L", "Kaos Polos", "Merah / L", "85.000", "250", "kaos", "Warna=Merah; Ukuran=L", "ya"],
        ["TOKO01", "KAOS-XL", "Kaos Polos", "Merah / XL", "Rp 90.000", "1.000", "kaos", "Warna=Merah; Ukuran=XL",
         "tidak"],
        ["TOKO01", "TOPI-1", "Topi", "", "25000", "100", "", "", ""],
    ])
    job = import_file(superuser, "products", data)

    assert job.status == ImportJob.Status.DONE
    assert (job.new_rows, job.updated_rows, job.unchanged_rows, job.error_rows) == (3, 0, 0, 0)
    kaos = Product.objects.get(seller=seller, name="Kaos Polos")
    assert kaos.category == category
    assert sorted(kaos.variants.values_list("sku", flat=True)) == ["KAOS-L", "KAOS-XL"]
    xl = Variant.objects.get(seller=seller, sku="KAOS-XL")
    assert xl.price == Decimal("90000") and xl.weight_grams == 1000 and xl.is_active is False
    assert xl.option_values == {"Warna": "Merah", "Ukuran": "XL"}
    assert Variant.objects.get(sku="TOPI-1").product.name == "Topi"
    assert xl.history.count() == 1 and xl.history.first().history_user == superuser
    assert kaos.history.count() == 1


def test_products_import_updates_changed_rows_and_leaves_unchanged_ones(superuser, seller):
    product = ProductFactory(seller=seller, name="Kaos Polos")
    VariantFactory(product=product, sku="KAOS-L", name="Merah / L", price=Decimal("85000"), weight_grams=250)
    VariantFactory(product=product, sku="KAOS-XL", name="Merah / XL", price=Decimal("90000"), weight_grams=270)
    data = csv_bytes([
        PRODUCT_HEADER,
        ["TOKO01", "KAOS-L", "Kaos Polos", "Merah / L", "85000", "250"],
        ["TOKO01", "KAOS-XL", "Kaos Polos", "Merah / XL", "95.000", "270"],
        ["TOKO01", "KAOS-XXL", "Kaos Polos", "Merah / XXL", "99.000", "290"],
    ])
    job = import_file(superuser, "products", data)

    assert (job.new_rows, job.updated_rows, job.unchanged_rows) == (1, 1, 1)
    assert Variant.objects.get(sku="KAOS-XL").price == Decimal("95000")
    assert Variant.objects.get(sku="KAOS-XXL").product == product  # joins the product of that name
    unchanged = Variant.objects.get(sku="KAOS-L")
    assert unchanged.history.count() == 1  # its creation only: the import wrote nothing for it
    # Columns missing from the file keep their values.
    assert unchanged.option_values == {"Warna": "Merah", "Ukuran": "L"}

    again = import_file(superuser, "products", data)
    assert (again.new_rows, again.updated_rows, again.unchanged_rows) == (0, 0, 3)


def test_dry_run_preview_writes_nothing_and_counts_what_would_happen(superuser, seller):
    data = csv_bytes([PRODUCT_HEADER, ["TOKO01", "A-1", "Produk A", "", "10.000", "100"],
                      ["TOKO01", "A-2", "Produk A", "", "abc", "100"]])
    job = upload(superuser, "products", data, policy=ImportJob.Policy.VALID_ROWS)

    assert job.status == ImportJob.Status.PREVIEWED
    assert (job.total_rows, job.new_rows, job.error_rows) == (2, 1, 1)
    assert [row["outcome"] for row in job.preview["rows"]] == ["new", "error"]
    assert not Variant.objects.exists() and not Product.objects.exists()


def test_unparseable_numbers_are_rejected_with_row_column_value_and_reason(superuser, seller):
    data = csv_bytes([PRODUCT_HEADER,
                      ["TOKO01", "N-1", "Produk", "", "10.000", "100"],
                      ["TOKO01", "N-2", "Produk", "", "Rp 10.000", "100"],
                      ["TOKO01", "N-3", "Produk", "", "abc", "100"]])
    job = upload(superuser, "products", data)

    assert errors_by_row(job) == {4: [{"row": 4, "column": "price", "value": "abc", "reason": "is not a number"}]}
    assert job.new_rows == 2


def test_policy_all_or_nothing_writes_nothing_when_a_row_fails(superuser, seller):
    data = csv_bytes([PRODUCT_HEADER, ["TOKO01", "OK-1", "Produk", "", "1000", "100"],
                      ["TOKO01", "BAD-1", "Produk", "", "1000", "-5"]])
    from transfers.services import import_job_confirm

    job = upload(superuser, "products", data, policy=ImportJob.Policy.ALL_OR_NOTHING)
    job = import_job_confirm(job=job, user=superuser)

    assert job.status == ImportJob.Status.REJECTED
    assert "nothing was imported" in job.file_error
    assert not Variant.objects.exists()
    assert errors_by_row(job)[3][0]["column"] == "weight_grams"


def test_policy_valid_rows_imports_the_valid_rows_and_keeps_an_error_file(superuser, seller):
    data = csv_bytes([PRODUCT_HEADER, ["TOKO01", "OK-1", "Produk", "", "1000", "100"],
                      ["TOKO01", "BAD-1", "Produk", "", "1000", "0"]])
    job = import_file(superuser, "products", data, policy=ImportJob.Policy.VALID_ROWS)

    assert job.status == ImportJob.Status.DONE
    assert list(Variant.objects.values_list("sku", flat=True)) == ["OK-1"]
    content = job.error_file.open("rb").read().decode("utf-8-sig").splitlines()
    assert content[0] == "row,seller,sku,product_name,variant_name,price,weight_grams,error"
    assert content[1].startswith("3,TOKO01,BAD-1,Produk,,1000,0,weight_grams: must be at least 1")


def test_duplicate_skus_in_the_file_are_rejected(superuser, seller):
    data = csv_bytes([PRODUCT_HEADER, ["TOKO01", "DUP", "Produk", "", "1000", "100"],
                      ["TOKO01", "DUP", "Produk", "", "2000", "100"]])
    job = upload(superuser, "products", data)

    assert errors_by_row(job)[3][0]["column"] == "sku"
    assert "more than once" in errors_by_row(job)[3][0]["reason"]


def test_unknown_seller_is_rejected_and_sellers_of_other_staff_are_unknown(django_user_model, seller):
    from django.contrib.auth.models import Permission

    from tests.factories import StaffAssignmentFactory

    staff = django_user_model.objects.create_user("cat", "cat@example.com", "pw", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(
        codename__in=["add_product", "change_product", "add_variant", "change_variant"]))
    other = SellerFactory(code="LAIN")
    StaffAssignmentFactory(user=staff, seller=seller)
    data = csv_bytes([PRODUCT_HEADER, ["NOPE", "X-1", "Produk", "", "1000", "100"],
                      ["LAIN", "X-2", "Produk", "", "1000", "100"],
                      ["TOKO01", "X-3", "Produk", "", "1000", "100"]])
    job = upload(staff, "products", data)

    errors = errors_by_row(job)
    assert errors[2][0]["column"] == "seller" and errors[2][0]["value"] == "NOPE"
    assert errors[3][0]["value"] == "LAIN"
    assert job.new_rows == 1
    assert other.products.count() == 0


def test_user_without_catalog_permissions_cannot_import_products(db, django_user_model, seller):
    from transfers.services import ImportNotAllowed

    staff = django_user_model.objects.create_user("cs", "cs@example.com", "pw", is_staff=True)
    with pytest.raises(ImportNotAllowed):
        upload(staff, "products", csv_bytes([PRODUCT_HEADER, ["TOKO01", "X", "P", "", "1", "1"]]))
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("test", [test_products_import_creates_products_with_variants_and_history,
                                  test_products_import_updates_changed_rows_and_leaves_unchanged_ones])
def test_the_row_by_row_path_without_copy_gives_the_same_results(test, superuser, seller, monkeypatch):
    """Where the database has no COPY (the SQLite demo of `make run`), rows are written one by one through the
    ORM: the same outcomes, values and history rows."""
    from catalog.resources import ProductImporter

    monkeypatch.setattr(ProductImporter, "copy_available", staticmethod(lambda: False))
    test(superuser, seller)


@pytest.mark.parametrize("policy", [ImportJob.Policy.ALL_OR_NOTHING, ImportJob.Policy.VALID_ROWS])
def test_a_sku_created_by_someone_else_during_the_import_stops_it_whole(superuser, seller, monkeypatch, policy):
    from catalog.resources import ProductImporter
    from transfers.services import import_job_confirm

    VariantFactory(product=ProductFactory(seller=seller, name="Kaos Polos"), sku="KAOS-L")
    data = csv_bytes([PRODUCT_HEADER, ["TOKO01", "TOPI-1", "Topi", "", "25000", "100"],
                      ["TOKO01", "KAOS-L", "Kaos Polos", "Merah / L", "85000", "250"]])
    job = upload(superuser, "products", data, policy=policy)
    # The look-up misses KAOS-L, as it would when another import commits it between the look-up and the insert.
    looked = ProductImporter._needing_a_look

    def look_missing_every_variant(self, cursor, valid, copy_text):
        _existing, _look = looked(self, cursor, valid, copy_text)
        return {}, set(range(len(valid)))

    monkeypatch.setattr(ProductImporter, "_needing_a_look", look_missing_every_variant)
    job = import_job_confirm(job=job, user=superuser)

    assert job.status == ImportJob.Status.FAILED
    assert "created by someone else during the import" in job.file_error
    assert not Product.objects.filter(name="Topi").exists() and Variant.objects.count() == 1
