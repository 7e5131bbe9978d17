"""Shipping labels: one PDF for many shipments, built here with ReportLab from what we hold (the
platforms that return label *data* rather than a file: Mitrabunso's print order, Ngorder, Scalev), with a
print status on each shipment and an audit row per print (who, when, reprint or not).

Komship returns a label file (print-label, base64 PDF): `shipment_label_fetch` stores it on the shipment.
Mitrabunso prints by processed batch: `mitrabunso_batch_print` fetches the batch with its print status and
builds the labels of the orders it lists."""

import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exceptions import ApplicationError
from integrations.exceptions import IntegrationError
from logistics.models import LabelPrint, Shipment

LABEL_PAGE_SIZE = (100 * 72 / 25.4, 150 * 72 / 25.4)  # 100 × 150 mm thermal label
MAX_LABELS_PER_PDF = 500


class LabelRefused(ApplicationError):
    code = "label_refused"


@dataclass(frozen=True)
class LabelBatch:
    pdf: bytes
    printed: int
    reprinted: int

    @property
    def filename(self) -> str:
        return f"labels-{timezone.localtime():%Y%m%d-%H%M%S}.pdf"


def _rupiah(value) -> str:
    return "Rp " + f"{int(value or 0):,}".replace(",", ".")


def labels_pdf(*, shipments) -> bytes:
    """One page per shipment: courier and service, AWB with its barcode, sender, receiver, COD, items."""
    from reportlab.graphics.barcode import code128
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=LABEL_PAGE_SIZE, pageCompression=1)
    sheet.setTitle(_("Shipping labels"))
    width, height = LABEL_PAGE_SIZE
    for shipment in shipments:
        order, customer = shipment.order, shipment.order.customer
        top = height - 8 * mm
        sheet.setFont("Helvetica-Bold", 14)
        sheet.drawString(6 * mm, top, f"{shipment.courier.name} {shipment.service}".strip())
        sheet.setFont("Helvetica", 8)
        sheet.drawRightString(width - 6 * mm, top, order.order_no)
        barcode = code128.Code128(shipment.awb, barHeight=16 * mm, barWidth=0.35 * mm)
        barcode.drawOn(sheet, 6 * mm, top - 24 * mm)
        sheet.setFont("Helvetica-Bold", 12)
        sheet.drawString(6 * mm, top - 30 * mm, f"AWB {shipment.awb}")
        y = top - 40 * mm
        sheet.setFont("Helvetica-Bold", 9)
        sheet.drawString(6 * mm, y, _("To:") + f" {customer.name}  {customer.phone}")
        sheet.setFont("Helvetica", 8)
        for line in _wrap(", ".join(p for p in (customer.address, customer.subdistrict, customer.district,
                                                 customer.city, customer.province, customer.postal_code) if p)):
            y -= 4 * mm
            sheet.drawString(6 * mm, y, line)
        y -= 7 * mm
        sheet.setFont("Helvetica-Bold", 9)
        sender = order.seller.name
        sheet.drawString(6 * mm, y, _("From:") + f" {sender}  {order.seller.phone or ''}".rstrip())
        y -= 8 * mm
        if shipment.cod_amount:
            sheet.setFont("Helvetica-Bold", 13)
            sheet.drawString(6 * mm, y, _("COD") + f" {_rupiah(shipment.cod_amount)}")
            y -= 7 * mm
        sheet.setFont("Helvetica", 8)
        weight = shipment.weight_grams or sum(i.weight_grams * i.quantity for i in order.items.all())
        sheet.drawString(6 * mm, y, _("Weight: %(grams)s g") % {"grams": weight})
        for item in list(order.items.all())[:8]:
            y -= 4 * mm
            sheet.drawString(6 * mm, y, f"{item.quantity} × {item.sku} {item.name}"[:70])
        sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def _wrap(text: str, width: int = 60) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line][:4] if line else lines[:4]


def labels_print(*, shipments, acting_user=None) -> LabelBatch:
    """Print the labels of `shipments` into one PDF; each gets a LabelPrint row (a reprint when it was
    printed before) and its print count and time move on. Shipments without an AWB are refused (all or
    nothing)."""
    shipments = list(
        Shipment.objects.filter(pk__in=[s.pk for s in shipments])
        .select_related("order__customer", "order__seller", "courier").prefetch_related("order__items")
        .order_by("courier__code", "id")
    )
    if not shipments:
        raise LabelRefused(_("Choose at least one shipment to print."))
    if len(shipments) > MAX_LABELS_PER_PDF:
        raise LabelRefused(_("Print at most %(max)d labels at a time.") % {"max": MAX_LABELS_PER_PDF})
    missing = [s.order.order_no for s in shipments if not s.awb]
    if missing:
        raise LabelRefused(_("Orders %(orders)s have no AWB yet; a label needs one.")
                           % {"orders": ", ".join(missing[:20])}, extra={"orders": missing})
    canceled = [s.order.order_no for s in shipments if s.status == Shipment.Status.CANCELED]
    if canceled:
        raise LabelRefused(_("Shipments of %(orders)s are canceled.") % {"orders": ", ".join(canceled[:20])})
    pdf = labels_pdf(shipments=shipments)
    now = timezone.now()
    with transaction.atomic():
        locked = {s.pk: s for s in Shipment.objects.select_for_update().filter(pk__in=[s.pk for s in shipments])}
        reprints = {pk for pk, s in locked.items() if s.print_count > 0}
        LabelPrint.objects.bulk_create([
            LabelPrint(shipment_id=pk, printed_by=acting_user if acting_user is not None and acting_user.pk else None,
                       is_reprint=pk in reprints)
            for pk in locked
        ])
        Shipment.objects.filter(pk__in=list(locked)).update(print_count=F("print_count") + 1, printed_at=now)
    return LabelBatch(pdf=pdf, printed=len(locked) - len(reprints), reprinted=len(reprints))


def shipment_label_fetch(*, shipment: Shipment, adapter=None) -> Shipment:
    """Komship print-label: store the platform's label PDF on the shipment."""
    from integrations.registry import adapter_for

    account = shipment.account or shipment.order.account
    if account is None or account.platform != "komship" or not shipment.order.external_id:
        raise LabelRefused(_("Only Komship orders have a label file on the platform."))
    try:
        label = (adapter or adapter_for(account)).print_label([shipment.order.external_id])
    except IntegrationError as exc:
        raise LabelRefused(_("Komship could not make the label: %(error)s") % {"error": exc.message}) from exc
    shipment.label.save(label.filename, ContentFile(label.content), save=False)
    Shipment.objects.filter(pk=shipment.pk).update(label=shipment.label.name)
    return shipment


def mitrabunso_batches(*, account, adapter=None) -> list:
    """Mitrabunso's processed batches waiting to be sent, with their print status."""
    from integrations.registry import adapter_for

    try:
        return (adapter or adapter_for(account)).processed_batches()
    except IntegrationError as exc:
        raise LabelRefused(str(exc)) from exc


def mitrabunso_batch_print(*, account, batch, acting_user=None, adapter=None) -> LabelBatch:
    """Fetch one processed batch from Mitrabunso (its print status goes up by one there) and print the
    labels of our shipments of the orders it lists."""
    from integrations.registry import adapter_for

    try:
        orders = (adapter or adapter_for(account)).print_batch(batch, print_status=batch.print_status + 1)
    except IntegrationError as exc:
        raise LabelRefused(str(exc)) from exc
    ids = [o.external_id for o in orders]
    shipments = Shipment.objects.filter(order__account=account, order__external_id__in=ids).exclude(
        status=Shipment.Status.CANCELED)
    if not shipments.exists():
        raise LabelRefused(_("None of the %(count)d orders of this batch has a shipment here yet; pull orders "
                             "first.") % {"count": len(ids)})
    return labels_print(shipments=shipments, acting_user=acting_user)
