"""Stock, orders, AWB, withdrawal and COD remittance imports go through their apps' services."""

from decimal import Decimal

import pytest

from catalog.models import StockLevel, StockMovement
from finance.models import Withdrawal
from logistics.models import Shipment
from orders.models import Order
from tests.factories import (
    CourierFactory,
    OrderFactory,
    ProductFactory,
    SellerFactory,
    ShipmentFactory,
    StaffAssignmentFactory,
    VariantFactory,
    WarehouseFactory,
)
from tests.transfers.helpers import csv_bytes, errors_by_row, import_file, upload
from transfers.models import ImportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(db):
    return SellerFactory(code="TOKO01")


def test_stock_import_sets_on_hand_through_stock_movements(superuser, seller):
    variant = VariantFactory(product=ProductFactory(seller=seller), sku="A")
    other = VariantFactory(product=ProductFactory(seller=seller), sku="B")
    warehouse = WarehouseFactory(code="WH1")
    StockLevel.objects.create(variant=other, warehouse=warehouse, on_hand=7)
    data = csv_bytes([["seller", "sku", "warehouse", "on_hand", "note"],
                      ["TOKO01", "A", "wh1", "1.000", "opname"], ["TOKO01", "B", "WH1", "7", ""]])
    job = import_file(superuser, "stock", data)

    assert (job.new_rows, job.updated_rows, job.unchanged_rows) == (1, 0, 1)
    assert StockLevel.objects.get(variant=variant, warehouse=warehouse).on_hand == 1000
    movement = StockMovement.objects.get(variant=variant)
    assert (movement.on_hand_delta, movement.reason, movement.actor, movement.note) == (1000, "import", superuser,
                                                                                        "opname")
    assert movement.reference == f"IMP-{job.pk}"
    assert not StockMovement.objects.filter(variant=other).exists()


def test_stock_import_refuses_unknown_sku_and_duplicates(superuser, seller):
    VariantFactory(product=ProductFactory(seller=seller), sku="A")
    WarehouseFactory(code="WH1")
    data = csv_bytes([["seller", "sku", "warehouse", "on_hand"], ["TOKO01", "NOPE", "WH1", "1"],
                      ["TOKO01", "A", "WH1", "1"], ["TOKO01", "A", "WH1", "2"]])
    job = upload(superuser, "stock", data)
    errors = errors_by_row(job)
    assert errors[2][0]["reason"] == "the seller has no variant with this SKU"
    assert "more than once" in errors[4][0]["reason"]
    assert not StockMovement.objects.exists()


def test_orders_import_groups_items_by_order_number_and_reserves_stock(superuser, seller):
    warehouse = WarehouseFactory(code="WH1")
    a = VariantFactory(product=ProductFactory(seller=seller), sku="A", price=Decimal("50000"))
    b = VariantFactory(product=ProductFactory(seller=seller), sku="B", price=Decimal("20000"))
    StockLevel.objects.create(variant=a, warehouse=warehouse, on_hand=10)
    StockLevel.objects.create(variant=b, warehouse=warehouse, on_hand=10)
    header = ["order_no", "seller", "customer_name", "customer_phone", "payment_method", "sku", "quantity",
              "unit_price", "shipping_cost", "warehouse", "courier"]
    CourierFactory(code="jne")
    data = csv_bytes([header,
                      ["INV-1", "TOKO01", "Siti", "081234567890", "cod", "A", "2", "", "15.000", "WH1", "jne"],
                      ["INV-2", "TOKO01", "Budi", "", "transfer", "B", "1", "Rp 25.000", "", "", ""],
                      ["INV-1", "TOKO01", "Siti", "081234567890", "cod", "B", "1", "", "", "", ""]])
    job = import_file(superuser, "orders", data)

    assert (job.new_rows, job.error_rows) == (3, 0), job.errors
    order = Order.objects.get(order_no="INV-1")
    assert order.items.count() == 2 and order.subtotal == Decimal("120000")
    assert order.grand_total == Decimal("135000") and order.customer.phone == "+6281234567890"
    assert StockLevel.objects.get(variant=a, warehouse=warehouse).reserved == 2
    assert Order.objects.get(order_no="INV-2").payment_method == "bank_transfer"


def test_orders_import_rejects_every_row_of_an_order_with_a_bad_row(superuser, seller):
    VariantFactory(product=ProductFactory(seller=seller), sku="A")
    header = ["order_no", "seller", "customer_name", "payment_method", "sku", "quantity"]
    data = csv_bytes([header, ["INV-1", "TOKO01", "Siti", "cod", "A", "1"],
                      ["INV-1", "TOKO01", "Siti", "cod", "A", "abc"],
                      ["INV-2", "NOPE", "Budi", "cod", "A", "1"]])
    job = upload(superuser, "orders", data, policy=ImportJob.Policy.VALID_ROWS)
    errors = errors_by_row(job)
    assert errors[3][0] == {"row": 3, "column": "quantity", "value": "abc", "reason": "is not a whole number"}
    assert "another row of this order" in errors[2][0]["reason"]
    assert errors[4][0]["column"] == "seller"
    assert not Order.objects.exists()


def test_awb_import_sets_awbs_creates_missing_shipments_and_is_idempotent(superuser, seller):
    jne = CourierFactory(code="jne")
    pending = ShipmentFactory(order=OrderFactory(seller=seller, order_no="INV-1"), courier=jne, awb="",
                              status=Shipment.Status.PENDING)
    bare = OrderFactory(seller=seller, order_no="INV-2")
    data = csv_bytes([["order_no", "awb", "courier"], ["INV-1", "JNE0001", "jne"], ["INV-2", "JNE0002", "JNE"]])
    job = import_file(superuser, "awb", data)

    assert (job.new_rows, job.error_rows) == (2, 0)
    pending.refresh_from_db()
    assert (pending.awb, pending.status) == ("JNE0001", Shipment.Status.AWB_CREATED)
    assert bare.shipments.get().awb == "JNE0002"
    again = import_file(superuser, "awb", data)
    assert (again.unchanged_rows, again.new_rows) == (2, 0)


def test_awb_import_refuses_an_awb_taken_by_another_order(superuser, seller):
    jne = CourierFactory(code="jne")
    ShipmentFactory(order=OrderFactory(seller=seller, order_no="INV-1"), courier=jne, awb="JNE0001")
    ShipmentFactory(order=OrderFactory(seller=seller, order_no="INV-2"), courier=jne, awb="",
                    status=Shipment.Status.PENDING)
    job = upload(superuser, "awb", csv_bytes([["order_no", "awb", "courier"], ["INV-2", "JNE0001", "jne"]]))
    assert errors_by_row(job)[2][0]["column"] == "awb"


def test_withdrawal_import_moves_withdrawals_through_the_finance_services(db, django_user_model, seller):
    from finance.services import withdrawal_request
    from tests.conftest import user_in_role
    from tests.factories import BankAccountFactory
    from tests.finance.conftest import fund

    fund(seller, "1000000")
    bank = BankAccountFactory(seller=seller, is_default=True)
    finance = user_in_role(django_user_model, "fin", "Finance")
    approver = user_in_role(django_user_model, "appr", "Finance Approver")
    StaffAssignmentFactory(user=finance, seller=seller)
    StaffAssignmentFactory(user=approver, seller=seller)
    first = withdrawal_request(seller=seller, bank_account=bank, amount=Decimal("100000"), acting_user=finance)
    second = withdrawal_request(seller=seller, bank_account=bank, amount=Decimal("200000"), acting_user=finance)
    job = import_file(approver, "withdrawals", csv_bytes([["withdrawal", "status", "note"],
                                                         [f"WD-{first.pk}", "disetujui", ""],
                                                         [str(second.pk), "rejected", "Rekening salah"]]))
    assert (job.updated_rows, job.error_rows) == (2, 0), job.errors
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Withdrawal.Status.APPROVED, Withdrawal.Status.REJECTED)

    # Paying needs the transfer reference and someone else than the approver (maker-checker).
    job = upload(approver, "withdrawals", csv_bytes([["withdrawal", "status", "transfer_reference"],
                                                    [str(first.pk), "completed", "TRF-1"]]))
    assert "permission" in errors_by_row(job)[2][0]["reason"] or "someone else" in errors_by_row(job)[2][0]["reason"]
    job = import_file(finance, "withdrawals", csv_bytes([["withdrawal", "status", "transfer_reference"],
                                                        [str(first.pk), "completed", "TRF-1"]]))
    first.refresh_from_db()
    assert (first.status, first.transfer_reference) == (Withdrawal.Status.COMPLETED, "TRF-1")


def test_withdrawal_import_needs_finance_permission(db, django_user_model):
    from tests.conftest import user_in_role
    from transfers.services import ImportNotAllowed

    warehouse = user_in_role(django_user_model, "gudang", "Warehouse")
    with pytest.raises(ImportNotAllowed):
        upload(warehouse, "withdrawals", csv_bytes([["withdrawal", "status"], ["1", "approved"]]))


def test_cod_remittance_import_creates_and_matches_the_remittance(superuser, seller):
    from finance.models import CodRemittance, LedgerEntry

    jne = CourierFactory(code="jne")
    order = OrderFactory(seller=seller, grand_total=Decimal("193000"))
    ShipmentFactory(order=order, courier=jne, awb="JNE0001", status=Shipment.Status.DELIVERED,
                    cod_amount=Decimal("193000"))
    data = csv_bytes([["reference", "remitted_on", "awb", "amount", "courier"],
                      ["RMT-1", "05/01/2026", "JNE0001", "Rp 193.000", "jne"]])
    job = import_file(superuser, "cod_remittances", data)
    assert (job.status, job.new_rows) == (ImportJob.Status.DONE, 1), job.errors
    remittance = CodRemittance.objects.get(reference="RMT-1")
    assert remittance.lines.count() == 1
    assert LedgerEntry.objects.filter(seller=seller).exists()
    again = upload(superuser, "cod_remittances", data)
    assert "imported before" in errors_by_row(again)[2][0]["reason"]
