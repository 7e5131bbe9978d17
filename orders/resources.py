"""Import of new orders (one row per item; rows with the same order number form one order, created by
orders.services.order_create and, when a platform account is named, sent to that platform after the import
committed, as the admin's "Send to platform" does) and the export resource of the order list."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from catalog.models import Warehouse
from catalog.resources import lookup_seller, seller_map
from common.exceptions import ApplicationError
from integrations.models import PlatformAccount
from logistics.models import Courier
from orders.models import Order
from orders.services import order_create
from transfers import importing as imp
from transfers.importing import Column, Importer, Report, Row

PAYMENT_METHODS = {"cod": "cod", "bank_transfer": "bank_transfer", "transfer": "bank_transfer",
                   "transfer_bank": "bank_transfer", "e_payment": "e_payment", "epayment": "e_payment",
                   "e-payment": "e_payment"}
_ORDER_COLUMNS = ("seller", "customer_name", "customer_phone", "customer_address", "customer_district",
                  "customer_city", "customer_province", "customer_postal_code", "payment_method", "shipping_cost",
                  "cod_fee", "discount", "warehouse", "courier", "courier_service", "notes", "platform_account")


class OrderImporter(Importer):
    kind = "orders"
    title = gettext_lazy("New orders")
    permissions = ("orders.add_order",)
    batch_size = None  # the items of one order may be anywhere in the file
    columns = [
        Column("order_no", "no_pesanan", gettext_lazy("Order number, new for the seller; rows with the same number "
                                                      "are the items of one order."), True, ("INV-001", "INV-001")),
        Column("seller", "penjual", gettext_lazy("Seller code."), True, ("TOKO01", "TOKO01")),
        Column("customer_name", "nama_pembeli", gettext_lazy("Customer name."), True, ("Siti Aminah", "Siti Aminah")),
        Column("customer_phone", "telepon_pembeli", gettext_lazy("Customer phone (08…, 62… or +62…)."), False,
               ("081234567890", "081234567890")),
        Column("customer_address", "alamat_pembeli", gettext_lazy("Street address."), False,
               ("Jl. Merdeka No. 5", "Jl. Merdeka No. 5")),
        Column("customer_district", "kecamatan", gettext_lazy("District (kecamatan)."), False, ("Coblong", "Coblong")),
        Column("customer_city", "kota", gettext_lazy("City."), False, ("Bandung", "Bandung")),
        Column("customer_province", "provinsi", gettext_lazy("Province."), False, ("Jawa Barat", "Jawa Barat")),
        Column("customer_postal_code", "kode_pos", gettext_lazy("Postal code."), False, ("40132", "40132")),
        Column("payment_method", "metode_bayar", gettext_lazy("cod, bank_transfer or e_payment."), True,
               ("cod", "cod")),
        Column("sku", "sku", gettext_lazy("SKU of the item."), True, ("KAOS-M-L", "KAOS-M-XL")),
        Column("quantity", "jumlah", gettext_lazy("Quantity, 1 or more."), True, ("2", "1")),
        Column("unit_price", "harga_satuan", gettext_lazy("Unit price; empty takes the catalog price."), False,
               ("85.000", "")),
        Column("shipping_cost", "ongkir", gettext_lazy("Shipping cost of the order."), False, ("15.000", "")),
        Column("cod_fee", "biaya_cod", gettext_lazy("COD fee of the order."), False, ("3.000", "")),
        Column("discount", "diskon", gettext_lazy("Discount on the order."), False, ("0", "")),
        Column("warehouse", "gudang", gettext_lazy("Warehouse code to ship from (reserves the stock)."), False,
               ("WH-JKT", "")),
        Column("courier", "kurir", gettext_lazy("Courier code (jne, jnt, sicepat, …)."), False, ("jne", "")),
        Column("courier_service", "layanan_kurir", gettext_lazy("Courier service (REG, YES, …)."), False,
               ("REG", "")),
        Column("notes", "catatan", gettext_lazy("Notes."), False, ("", "")),
        Column("platform_account", "akun_platform", gettext_lazy("Name or id of the seller's platform account to "
                                                                 "send the order to after the import."), False,
               ("", "")),
    ]

    def begin(self) -> None:
        self.sellers = seller_map(self.user)
        self.warehouses = {w.code.upper(): w for w in Warehouse.objects.filter(is_active=True)}
        self.couriers = {c.code.lower(): c for c in Courier.objects.filter(is_active=True)}
        self.accounts = {}
        for account in PlatformAccount.objects.filter(is_enabled=True).select_related("seller"):
            self.accounts[str(account.pk)] = account
            self.accounts[account.name.lower()] = account
        self.to_push: dict[int, list[Order]] = {}

    def _order_fields(self, row: Row, problems: list) -> dict:
        seller_id = lookup_seller(self.sellers, row, problems)
        values = {"seller_id": seller_id,
                  "payment_method": imp.choice(row, "payment_method", choices=PAYMENT_METHODS, problems=problems)}
        if values["payment_method"] is None and not any(p[0] == "payment_method" for p in problems):
            problems.append(("payment_method", row.get("payment_method"), _("is required")))
        for key in ("shipping_cost", "cod_fee", "discount"):
            values[key] = imp.amount(row, key, problems=problems) or 0
        code = imp.text(row, "warehouse", problems=problems)
        values["warehouse"] = self.warehouses.get(code.upper()) if code else None
        if code and values["warehouse"] is None:
            problems.append(("warehouse", code, _("no active warehouse with this code")))
        code = imp.text(row, "courier", problems=problems)
        values["courier"] = self.couriers.get(code.lower()) if code else None
        if code and values["courier"] is None:
            problems.append(("courier", code, _("no active courier with this code")))
        values["courier_service"] = imp.text(row, "courier_service", max_length=40, problems=problems)
        values["notes"] = imp.text(row, "notes", problems=problems)
        name = imp.text(row, "platform_account", problems=problems)
        values["account"] = self.accounts.get(name.lower()) if name else None
        if name and values["account"] is None:
            problems.append(("platform_account", name, _("no enabled platform account with this name or id")))
        elif values["account"] is not None and values["account"].seller_id not in (None, seller_id):
            problems.append(("platform_account", name, _("belongs to another seller")))
        values["customer"] = {
            "name": imp.text(row, "customer_name", required=True, max_length=200, problems=problems),
            "phone": imp.text(row, "customer_phone", problems=problems),
            "address": imp.text(row, "customer_address", problems=problems),
            "district": imp.text(row, "customer_district", max_length=100, problems=problems),
            "city": imp.text(row, "customer_city", max_length=100, problems=problems),
            "province": imp.text(row, "customer_province", max_length=100, problems=problems),
            "postal_code": imp.text(row, "customer_postal_code", max_length=10, problems=problems),
        }
        return values

    def process_batch(self, rows: list[Row], report: Report) -> None:
        groups: dict[tuple[str, str], list[Row]] = {}
        for row in rows:
            order_no = imp.text(row, "order_no", required=False, max_length=64, problems=[])
            if not order_no:
                report.reject(row, [("order_no", "", _("is required"))])
                continue
            groups.setdefault((str(row.get("seller")).upper(), order_no), []).append(row)
        for (_seller, order_no), group in groups.items():
            self._create(order_no, group, report)

    def _create(self, order_no: str, group: list[Row], report: Report) -> None:
        problems: list = []
        head = self._order_fields(group[0], problems)
        items, item_problems = [], {}
        for row in group:
            row_problems: list = []
            sku = imp.text(row, "sku", required=True, max_length=64, problems=row_problems)
            quantity = imp.integer(row, "quantity", required=True, minimum=1, problems=row_problems)
            unit_price = imp.amount(row, "unit_price", problems=row_problems)
            item = {"sku": sku, "quantity": quantity}
            if unit_price is not None:
                item["unit_price"] = unit_price
            items.append(item)
            if row_problems:
                item_problems[row.number] = row_problems
        if problems or item_problems:
            for row in group:
                mine = (problems if row is group[0] else []) + item_problems.get(row.number, [])
                report.reject(row, mine or [("order_no", order_no, _("another row of this order was rejected"))])
            return
        try:
            with transaction.atomic():
                from sellers.models import Seller

                order = order_create(
                    seller=Seller.objects.get(pk=head["seller_id"]), customer=head["customer"], items=items,
                    payment_method=head["payment_method"], shipping_cost=head["shipping_cost"],
                    cod_fee=head["cod_fee"], discount=head["discount"], acting_user=self.user, order_no=order_no,
                    warehouse=head["warehouse"], courier=head["courier"],
                    courier_service=head["courier_service"], notes=head["notes"],
                )
        except ApplicationError as exc:
            for row in group:
                report.reject(row, imp.error_problems(exc, default_column="order_no"))
            return
        if head["account"] is not None:
            self.to_push.setdefault(head["account"].pk, []).append(order)
        for index, row in enumerate(group):
            report.outcome(row, "new", note=order.order_no if index == 0 else "")

    def after_commit(self, report: Report) -> None:
        """Send the imported orders to their platform accounts, as the admin's "Send to platform" does
        (found on the platform first, so an order is never created there twice)."""
        from orders.push import orders_push_batch

        for account_id, orders in self.to_push.items():
            account = PlatformAccount.objects.get(pk=account_id)
            for outcome in orders_push_batch(orders=orders, account=account, acting_user=self.user):
                report.messages.append(
                    _("%(order)s → %(account)s: %(result)s %(message)s")
                    % {"order": outcome.order, "account": account, "result": outcome.result,
                       "message": outcome.message or ""}
                )


class OrderExportResource(resources.ModelResource):
    """Orders with the customer's name, phone and address: those columns are personal data and are only
    exported for staff with "Can export customers' personal data"."""

    personal_fields = ("customer_name", "customer_phone", "customer_address")

    seller = fields.Field(attribute="seller__code", column_name="seller")
    customer_name = fields.Field(attribute="customer__name", column_name="customer_name")
    customer_phone = fields.Field(attribute="customer__phone", column_name="customer_phone")
    customer_address = fields.Field(column_name="customer_address")
    customer_city = fields.Field(attribute="customer__city", column_name="customer_city")
    courier = fields.Field(attribute="courier__code", column_name="courier")
    warehouse = fields.Field(attribute="warehouse__code", column_name="warehouse")

    select_related = ("seller", "customer", "courier", "warehouse")

    class Meta:
        model = Order
        fields = ("order_no", "seller", "status", "payment_method", "payment_status", "customer_name",
                  "customer_phone", "customer_address", "customer_city", "subtotal", "discount", "shipping_cost",
                  "cod_fee", "grand_total", "courier", "courier_service", "warehouse", "external_id", "created_at")
        export_order = fields

    def dehydrate_customer_address(self, order) -> str:
        customer = order.customer
        return ", ".join(p for p in (customer.address, customer.district, customer.city, customer.province,
                                     customer.postal_code) if p)


__all__ = ["OrderExportResource", "OrderImporter"]
