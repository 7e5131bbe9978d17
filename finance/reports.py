"""Reads behind the finance screens (dashboard, statement, reconciliation, COD variances) and the statement
exports (CSV, XLSX, PDF). Everything is scoped to the sellers the asking user may see."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from common.money import format_rupiah
from common.scoping import scope_to_user_sellers
from finance.models import CodRemittanceLine, LedgerEntry, PlatformBalance, SellerBalance, Withdrawal

WIB = ZoneInfo("Asia/Jakarta")
ZERO = Decimal("0")
W = Withdrawal.Status
AGE_BUCKETS = ((0, 7, "0–7"), (8, 14, "8–14"), (15, 30, "15–30"), (31, None, "> 30"))


def age_bucket(days: int) -> str:
    for low, high, label in AGE_BUCKETS:
        if days >= low and (high is None or days <= high):
            return label
    return AGE_BUCKETS[0][2]


def _age_days(moment, now) -> int:
    if moment is None:
        return 0
    if isinstance(moment, datetime):
        return max(0, (now - moment).days)
    return max(0, (now.astimezone(WIB).date() - moment).days)


# --- dashboard --------------------------------------------------------------------------------------------

def finance_dashboard(*, user, now=None) -> dict:
    now = now or timezone.now()
    balances = scope_to_user_sellers(SellerBalance.objects.all(), user=user, seller_path="seller").aggregate(
        available=Sum("available"), held=Sum("held"), sellers=Count("seller"))
    withdrawals = scope_to_user_sellers(Withdrawal.objects.all(), user=user, seller_path="seller")
    queues = []
    for label, statuses in ((_("Awaiting review"), [W.REQUESTED, W.ON_REVIEW]),
                            (_("Awaiting payment"), [W.APPROVED])):
        row = withdrawals.filter(status__in=statuses).aggregate(count=Count("id"), amount=Sum("amount"),
                                                                oldest=Min("created_at"))
        queues.append({"label": label, "statuses": statuses, "count": row["count"],
                       "amount": row["amount"] or ZERO, "oldest_days": _age_days(row["oldest"], now)
                       if row["oldest"] else None})
    oldest = list(withdrawals.filter(status__in=[W.REQUESTED, W.ON_REVIEW, W.APPROVED])
                  .select_related("seller", "bank_account").order_by("created_at")[:10])
    for withdrawal in oldest:
        withdrawal.age_days = _age_days(withdrawal.created_at, now)
    largest_holds = list(scope_to_user_sellers(SellerBalance.objects.filter(held__gt=0), user=user,
                                               seller_path="seller").select_related("seller").order_by("-held")[:10])
    return {"available": balances["available"] or ZERO, "held": balances["held"] or ZERO,
            "sellers": balances["sellers"], "queues": queues, "oldest": oldest, "largest_holds": largest_holds,
            "duplicates": withdrawals.filter(possible_duplicate=True,
                                             status__in=[W.REQUESTED, W.ON_REVIEW, W.APPROVED]).count()}


# --- statement ----------------------------------------------------------------------------------------------

@dataclass
class Statement:
    seller: object
    date_from: date
    date_to: date
    opening_available: Decimal = ZERO
    opening_held: Decimal = ZERO
    closing_available: Decimal = ZERO
    closing_held: Decimal = ZERO
    credits: Decimal = ZERO
    debits: Decimal = ZERO
    entries: list = field(default_factory=list)


def _wib_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=WIB)


def seller_statement(*, seller, date_from: date, date_to: date) -> Statement:
    """Opening balance, every entry of the WIB days [date_from, date_to], closing balance."""
    start, end = _wib_start(date_from), _wib_start(date_to + timedelta(days=1))
    entries = LedgerEntry.objects.filter(seller=seller)
    before = entries.filter(created_at__lt=start).aggregate(a=Sum("amount"), h=Sum("held_amount"))
    rows = list(entries.filter(created_at__gte=start, created_at__lt=end).order_by("id"))
    statement = Statement(seller=seller, date_from=date_from, date_to=date_to,
                          opening_available=before["a"] or ZERO, opening_held=before["h"] or ZERO, entries=rows)
    statement.credits = sum((e.amount for e in rows if e.amount > 0), ZERO)
    statement.debits = sum((e.amount for e in rows if e.amount < 0), ZERO)
    statement.closing_available = statement.opening_available + sum((e.amount for e in rows), ZERO)
    statement.closing_held = statement.opening_held + sum((e.held_amount for e in rows), ZERO)
    return statement


def _statement_table(statement: Statement) -> tuple[list[str], list[list]]:
    header = [_("Date"), _("Type"), _("Reference"), _("Memo"), _("Amount"), _("Held change"),
              _("Available after"), _("Held after")]
    rows = [[timezone.localtime(e.created_at, WIB).strftime("%d-%m-%Y %H:%M"), e.get_entry_type_display(),
             e.reference or e.posting_key, e.memo, e.amount, e.held_amount, e.balance_after, e.held_after]
            for e in statement.entries]
    return header, rows


def _statement_title(statement: Statement) -> str:
    return _("Statement of %(seller)s, %(from)s to %(to)s") % {
        "seller": statement.seller, "from": statement.date_from.strftime("%d-%m-%Y"),
        "to": statement.date_to.strftime("%d-%m-%Y")}


def _summary_rows(statement: Statement) -> list[list]:
    return [[_("Opening available"), statement.opening_available], [_("Opening held"), statement.opening_held],
            [_("Credits"), statement.credits], [_("Debits"), statement.debits],
            [_("Closing available"), statement.closing_available], [_("Closing held"), statement.closing_held]]


def statement_csv(statement: Statement) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_statement_title(statement)])
    for label, value in _summary_rows(statement):
        writer.writerow([label, f"{value:.2f}"])
    header, rows = _statement_table(statement)
    writer.writerow([])
    writer.writerow(header)
    for row in rows:
        writer.writerow([f"{v:.2f}" if isinstance(v, Decimal) else v for v in row])
    return buffer.getvalue().encode("utf-8-sig")  # BOM: Excel opens it as UTF-8


def statement_xlsx(statement: Statement) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Statement")[:31]
    sheet.append([_statement_title(statement)])
    sheet["A1"].font = Font(bold=True)
    for label, value in _summary_rows(statement):
        sheet.append([label, float(value)])
    sheet.append([])
    header, rows = _statement_table(statement)
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    for column in "EFGH":
        for cell in sheet[column]:
            if isinstance(cell.value, float):
                cell.number_format = "#,##0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def statement_pdf(statement: Statement) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=_statement_title(statement))
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    story = [Paragraph(_statement_title(statement), styles["Heading2"])]
    summary = Table([[label, format_rupiah(value)] for label, value in _summary_rows(statement)],
                    hAlign="LEFT")
    summary.setStyle(TableStyle([("FONTSIZE", (0, 0), (-1, -1), 9), ("ALIGN", (1, 0), (1, -1), "RIGHT")]))
    story += [summary, Spacer(1, 6 * mm)]
    header, rows = _statement_table(statement)
    data = [header] + [[Paragraph(str(v), small) if i in (1, 2, 3) else
                        (format_rupiah(v) if isinstance(v, Decimal) else v) for i, v in enumerate(row)]
                       for row in rows]
    table = Table(data, repeatRows=1, colWidths=[28 * mm, 38 * mm, 45 * mm, 55 * mm, 28 * mm, 28 * mm,
                                                 28 * mm, 28 * mm])
    table.setStyle(TableStyle([
        ("FONTSIZE", (0, 0), (-1, -1), 8), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e5e7eb")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#9ca3af")), ("ALIGN", (4, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    story.append(table)
    doc.build(story)
    return out.getvalue()


# --- reconciliation ---------------------------------------------------------------------------------------

def reconciliation_rows(*, user, only_differences: bool = False) -> list[dict]:
    """Per seller with a platform balance: our ledger (available, held) against what the platforms report
    (available, pending), and mirrored withdrawals whose platform status disagrees with ours."""
    platform = (scope_to_user_sellers(PlatformBalance.objects.filter(seller__isnull=False), user=user,
                                      seller_path="seller")
                .values("seller_id", "seller__code", "seller__name")
                .annotate(available=Sum("available"), pending=Sum("pending"), fetched_at=Max("fetched_at"),
                          accounts=Count("account")))
    ours = {b.seller_id: b for b in SellerBalance.objects.filter(seller_id__in=[p["seller_id"] for p in platform])}
    disagree = dict(
        Withdrawal.objects.filter(account__isnull=False).exclude(platform_status="")
        .filter(~Q(platform_status=models_status_expr()))
        .values_list("seller_id").annotate(n=Count("id")).values_list("seller_id", "n"))
    rows = []
    for p in platform:
        balance = ours.get(p["seller_id"])
        available = balance.available if balance else ZERO
        held = balance.held if balance else ZERO
        row = {"seller_id": p["seller_id"], "seller": f"{p['seller__code']} · {p['seller__name']}",
               "ledger_available": available, "ledger_held": held, "platform_available": p["available"],
               "platform_pending": p["pending"], "difference": available - p["available"],
               "fetched_at": p["fetched_at"], "accounts": p["accounts"],
               "withdrawals_disagree": disagree.get(p["seller_id"], 0)}
        row["matches"] = row["difference"] == 0 and not row["withdrawals_disagree"]
        if not (only_differences and row["matches"]):
            rows.append(row)
    rows.sort(key=lambda r: (r["matches"], -abs(r["difference"])))
    return rows


def models_status_expr():
    """Withdrawals agree with the platform when platform_status is our status (approved shows as on_review
    on Komship; an Ngorder "requested"/"sending" is the push state, not a disagreement)."""
    from django.db.models import Case, F, Value, When

    return Case(When(status=W.APPROVED, then=Value("on_review")),
                When(platform_status__in=["requested", "sending"], then=F("platform_status")),
                default=F("status"))


# --- COD variances ------------------------------------------------------------------------------------------

def cod_variances(*, user, now=None, kind: str = "") -> dict:
    """Short, over and unknown-AWB remittance lines, and COD parcels delivered more than
    COD_REMITTANCE_GRACE_DAYS ago with no remittance line ("missing"), each with its age bucket."""
    from logistics.models import Shipment, ShipmentStatus

    now = now or timezone.now()
    M = CodRemittanceLine.Match
    rows = []
    lines = (CodRemittanceLine.objects.filter(match__in=[M.SHORT, M.OVER, M.UNKNOWN_AWB])
             .select_related("remittance", "shipment__order__seller").order_by("remittance__remitted_on", "id"))
    lines = scope_to_user_sellers(lines, user=user, seller_path="shipment__order__seller")
    for line in lines:
        days = _age_days(line.remittance.remitted_on, now)
        expected = line.expected_amount
        rows.append({"kind": line.match, "kind_label": line.get_match_display(), "awb": line.awb,
                     "seller": line.shipment.order.seller if line.shipment_id else None,
                     "remittance": line.remittance, "amount": line.amount, "expected": expected,
                     "difference": line.amount - (expected or ZERO), "since": line.remittance.remitted_on,
                     "age_days": days, "bucket": age_bucket(days)})
    grace = timezone.now() - timedelta(days=int(settings.COD_REMITTANCE_GRACE_DAYS))
    remitted = CodRemittanceLine.objects.filter(shipment=OuterRef("pk")).exclude(match=M.UNKNOWN_AWB)
    missing = scope_to_user_sellers(
        Shipment.objects.filter(status=ShipmentStatus.DELIVERED, cod_amount__gt=0, delivered_at__lt=grace)
        .annotate(remitted=Exists(remitted)).filter(remitted=False).select_related("order__seller", "courier"),
        user=user, seller_path="order__seller").order_by("delivered_at")[:2000]
    for shipment in missing:
        days = _age_days(shipment.delivered_at, now)
        rows.append({"kind": "missing", "kind_label": _("Missing"), "awb": shipment.awb,
                     "seller": shipment.order.seller, "remittance": None, "amount": ZERO,
                     "expected": shipment.cod_amount, "difference": -shipment.cod_amount,
                     "since": timezone.localtime(shipment.delivered_at, WIB).date(), "age_days": days,
                     "bucket": age_bucket(days)})
    if kind:
        rows = [r for r in rows if r["kind"] == kind]
    buckets = {label: {"count": 0, "amount": ZERO} for _, _, label in AGE_BUCKETS}
    by_kind: dict[str, dict] = {}
    for row in rows:
        buckets[row["bucket"]]["count"] += 1
        buckets[row["bucket"]]["amount"] += row["difference"]
        entry = by_kind.setdefault(row["kind"], {"label": row["kind_label"], "count": 0, "amount": ZERO})
        entry["count"] += 1
        entry["amount"] += row["difference"]
    rows.sort(key=lambda r: -r["age_days"])
    return {"rows": rows, "buckets": buckets, "by_kind": by_kind}
