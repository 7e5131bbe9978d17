"""Import of AWB / receipt numbers (order number -> AWB and courier, through logistics.services) and the
export resource of the ticket list."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from catalog.resources import seller_map
from common.exceptions import ApplicationError
from logistics.models import Courier, Shipment, ShipmentStatus, Ticket
from logistics.services import shipment_create_for_order, shipment_set_awb
from orders.models import Order
from transfers import importing as imp
from transfers.importing import Column, Importer, Report, Row

_OPEN_SHIPMENT = (ShipmentStatus.PENDING, ShipmentStatus.AWB_CREATED)


class AwbImporter(Importer):
    """One row per order: its AWB (receipt number) and courier. The order's open shipment with that
    courier gets the AWB (shipment_set_awb: pending -> AWB created, or a correction before pickup); an
    order without a shipment gets one. The same AWB again is "unchanged"."""

    kind = "awb"
    title = gettext_lazy("AWB / receipt numbers")
    permissions = ("logistics.change_shipment",)
    batch_size = 500
    columns = [
        Column("order_no", "no_pesanan", gettext_lazy("Order number."), True, ("INV-001", "INV-002")),
        Column("awb", "resi", gettext_lazy("AWB (receipt number)."), True, ("JNE0012345678", "JT0098765432")),
        Column("courier", "kurir", gettext_lazy("Courier code (jne, jnt, sicepat, …)."), True, ("jne", "jnt")),
        Column("seller", "penjual", gettext_lazy("Seller code, when two sellers use the same order number."),
               False, ("", "")),
        Column("service", "layanan", gettext_lazy("Courier service for a new shipment (REG, YES, …)."), False,
               ("REG", "")),
    ]

    def begin(self) -> None:
        self.sellers = seller_map(self.user)
        self.seller_ids = set(self.sellers.values())
        self.couriers = {c.code.lower(): c for c in Courier.objects.all()}
        self.seen: set[str] = set()

    def process_batch(self, rows: list[Row], report: Report) -> None:
        numbers = {str(r.get("order_no")) for r in rows}
        orders: dict[str, list[Order]] = {}
        for order in Order.objects.filter(order_no__in=numbers, seller_id__in=self.seller_ids).select_related(
                "seller"):
            orders.setdefault(order.order_no, []).append(order)
        shipments: dict[int, list[Shipment]] = {}
        order_ids = [o.pk for found in orders.values() for o in found]
        for shipment in Shipment.objects.filter(order_id__in=order_ids).select_related("courier", "order"):
            shipments.setdefault(shipment.order_id, []).append(shipment)
        for row in rows:
            problems: list = []
            order_no = imp.text(row, "order_no", required=True, problems=problems)
            awb = imp.text(row, "awb", required=True, max_length=64, problems=problems)
            code = imp.text(row, "courier", required=True, problems=problems)
            courier = self.couriers.get(code.lower()) if code else None
            if code and courier is None:
                problems.append(("courier", code, _("no courier with this code")))
            seller_code = imp.text(row, "seller", problems=problems)
            candidates = orders.get(order_no, [])
            if seller_code:
                seller_id = self.sellers.get(seller_code) or self.sellers.get(seller_code.upper())
                if seller_id is None:
                    problems.append(("seller", seller_code, _("no seller with this code (or not one you work for)")))
                candidates = [o for o in candidates if o.seller_id == seller_id]
            if order_no and not candidates:
                problems.append(("order_no", order_no, _("no order with this number (or not one you work for)")))
            elif len(candidates) > 1:
                problems.append(("order_no", order_no, _("several sellers have an order with this number; fill in "
                                                         "the seller column")))
            if order_no in self.seen:
                problems.append(("order_no", order_no, _("this order appears more than once in the file")))
            self.seen.add(order_no)
            if problems:
                report.reject(row, problems)
                continue
            self._apply(row, candidates[0], courier, awb, shipments.get(candidates[0].pk, []), report)

    def _apply(self, row: Row, order: Order, courier: Courier, awb: str, shipments: list[Shipment],
               report: Report) -> None:
        same = [s for s in shipments if s.courier_id == courier.pk and s.status != ShipmentStatus.CANCELED]
        if any(s.awb == awb for s in same):
            report.outcome(row, "unchanged")
            return
        open_ones = [s for s in same if s.status in _OPEN_SHIPMENT]
        other = [s for s in shipments if s.courier_id != courier.pk and s.status in _OPEN_SHIPMENT]
        if not open_ones and other:
            report.reject(row, [("courier", courier.code, _("order %(order)s ships with %(courier)s, not with this "
                                                            "courier") % {"order": order,
                                                                           "courier": other[0].courier.code})])
            return
        try:
            with transaction.atomic():
                if open_ones:
                    shipment, created = sorted(open_ones, key=lambda s: s.pk)[-1], False
                else:
                    shipment, created = shipment_create_for_order(
                        order=order, courier=courier, service=imp.text(row, "service", problems=[]),
                        acting_user=self.user), True
                had_awb = bool(shipment.awb)
                shipment_set_awb(shipment=shipment, awb=awb, acting_user=self.user)
        except ApplicationError as exc:
            report.reject(row, imp.error_problems(exc, default_column="awb"))
            return
        report.outcome(row, "updated" if had_awb and not created else "new", note=str(order))


class TicketExportResource(resources.ModelResource):
    seller = fields.Field(attribute="seller__code", column_name="seller")
    order = fields.Field(attribute="order__order_no", column_name="order_no")
    assignee = fields.Field(attribute="assignee__username", column_name="assignee")

    select_related = ("seller", "order", "assignee")

    class Meta:
        model = Ticket
        fields = ("number", "seller", "order", "awb", "type", "subject", "priority", "status", "assignee",
                  "sla_due_at", "last_message_at", "created_at")
        export_order = fields
