"""Imports of finance: withdrawal status updates (each through the finance services, which check the
staff member's finance permissions and the maker-checker rule) and COD remittances (created and matched by
finance.services.cod_remittance_create / cod_remittance_match); export resources of the ledger and the
withdrawal list."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from common.exceptions import ApplicationError
from common.scoping import scope_to_user_sellers
from finance import services as finance_services
from finance.models import CodRemittance, LedgerEntry, Withdrawal
from logistics.models import Courier
from transfers import importing as imp
from transfers.importing import Column, Importer, Report, Row

W = Withdrawal.Status
WITHDRAWAL_STATUSES = {
    "on_review": W.ON_REVIEW, "review": W.ON_REVIEW, "ditinjau": W.ON_REVIEW,
    "approved": W.APPROVED, "disetujui": W.APPROVED,
    "completed": W.COMPLETED, "paid": W.COMPLETED, "selesai": W.COMPLETED, "dibayar": W.COMPLETED,
    "rejected": W.REJECTED, "ditolak": W.REJECTED,
    "canceled": W.CANCELED, "cancelled": W.CANCELED, "dibatalkan": W.CANCELED,
}


class WithdrawalStatusImporter(Importer):
    """Moves withdrawals along their states from a file (e.g. the bank's transfer report): on review,
    approved (a requested one is put on review first), completed (needs the transfer reference), rejected or
    canceled. Each row calls the service
    of that step, so the finance permissions and the maker-checker rule apply row by row; a row whose
    withdrawal already has that status is "unchanged"."""

    kind = "withdrawals"
    title = gettext_lazy("Withdrawal status updates")
    permissions = ("finance.change_withdrawal",)
    batch_size = 500
    columns = [
        Column("withdrawal", "penarikan", gettext_lazy("Withdrawal number: 42 or WD-42."), True, ("WD-42", "43")),
        Column("status", "status", gettext_lazy("on_review, approved, completed, rejected or canceled."), True,
               ("completed", "rejected")),
        Column("transfer_reference", "referensi_transfer", gettext_lazy("Bank reference; required for completed."),
               False, ("TRF-20260101-001", "")),
        Column("note", "catatan", gettext_lazy("Note kept on the withdrawal's history."), False,
               ("", "Rekening tidak valid")),
    ]

    def begin(self) -> None:
        self.seen: set[int] = set()

    def process_batch(self, rows: list[Row], report: Report) -> None:
        ids = {}
        for row in rows:
            word = str(row.get("withdrawal") or "").strip().upper().removeprefix("WD-").removeprefix("WD")
            ids[row.number] = int(word) if word.isdigit() else None
        visible = scope_to_user_sellers(Withdrawal.objects.all(), user=self.user, seller_path="seller")
        withdrawals = visible.select_related("seller").in_bulk([i for i in ids.values() if i])
        for row in rows:
            problems: list = []
            pk = ids[row.number]
            withdrawal = withdrawals.get(pk) if pk else None
            if pk is None:
                problems.append(("withdrawal", row.get("withdrawal"), _("is not a withdrawal number")))
            elif withdrawal is None:
                problems.append(("withdrawal", row.get("withdrawal"),
                                 _("no withdrawal with this number (or not one you may see)")))
            elif pk in self.seen:
                problems.append(("withdrawal", row.get("withdrawal"),
                                 _("this withdrawal appears more than once in the file")))
            if pk:
                self.seen.add(pk)
            status = imp.choice(row, "status", choices=WITHDRAWAL_STATUSES, problems=problems)
            if status is None and not any(p[0] == "status" for p in problems):
                problems.append(("status", "", _("is required")))
            reference = imp.text(row, "transfer_reference", max_length=100, problems=problems)
            note = imp.text(row, "note", problems=problems)
            if status == W.COMPLETED and not reference and not (withdrawal and withdrawal.status == W.COMPLETED):
                problems.append(("transfer_reference", "", _("is required to mark a withdrawal completed")))
            if problems:
                report.reject(row, problems)
                continue
            if withdrawal.status == status:
                report.outcome(row, "unchanged")
                continue
            before = withdrawal.status
            try:
                with transaction.atomic():
                    self._move(withdrawal, status, reference=reference, note=note)
            except ApplicationError as exc:
                report.reject(row, imp.error_problems(exc, default_column="status"))
                continue
            report.outcome(row, "updated", note=f"{before} → {status}")

    def _move(self, withdrawal: Withdrawal, status: str, *, reference: str, note: str) -> None:
        user = self.user
        if status == W.ON_REVIEW:
            finance_services.withdrawal_review(withdrawal=withdrawal, acting_user=user, note=note)
        elif status == W.APPROVED:
            if withdrawal.status == W.REQUESTED:  # a file says "approved": review and approve, in that order
                withdrawal = finance_services.withdrawal_review(withdrawal=withdrawal, acting_user=user, note=note)
            finance_services.withdrawal_approve(withdrawal=withdrawal, acting_user=user, note=note)
        elif status == W.COMPLETED:
            finance_services.withdrawal_pay(withdrawal=withdrawal, acting_user=user, transfer_reference=reference,
                                            note=note)
        elif status == W.REJECTED:
            finance_services.withdrawal_reject(withdrawal=withdrawal, acting_user=user, note=note)
        elif status == W.CANCELED:
            finance_services.withdrawal_cancel(withdrawal=withdrawal, acting_user=user, note=note)


class CodRemittanceImporter(Importer):
    """A courier's COD remittance report: one row per AWB. Rows with the same reference form one
    remittance, created with finance.services.cod_remittance_create (which validates every line first
    and names the bad row and field) and then matched with cod_remittance_match (which posts each COD
    credit to the seller's ledger once). A reference already imported is refused."""

    kind = "cod_remittances"
    title = gettext_lazy("COD remittances")
    permissions = ("finance.add_codremittance", "finance.change_codremittance")
    batch_size = None  # the lines of one remittance may be anywhere in the file
    columns = [
        Column("reference", "referensi", gettext_lazy("Remittance reference of the courier's report."), True,
               ("JNE-COD-20260105", "JNE-COD-20260105")),
        Column("remitted_on", "tanggal_transfer", gettext_lazy("Date the money was remitted (YYYY-MM-DD or "
                                                               "DD/MM/YYYY)."), True, ("2026-01-05", "2026-01-05")),
        Column("awb", "resi", gettext_lazy("AWB of the COD shipment."), True, ("JNE0012345678", "JNE0012345679")),
        Column("amount", "jumlah", gettext_lazy("Amount remitted for this AWB."), True, ("Rp 150.000", "98.500")),
        Column("courier", "kurir", gettext_lazy("Courier code."), False, ("jne", "jne")),
    ]

    @classmethod
    def available(cls) -> bool:
        return hasattr(finance_services, "cod_remittance_create") and hasattr(finance_services,
                                                                              "cod_remittance_match")

    def begin(self) -> None:
        if not self.available():
            raise ApplicationError(_("COD remittance import is not available in this installation."))
        self.couriers = {c.code.lower(): c for c in Courier.objects.all()}

    def process_batch(self, rows: list[Row], report: Report) -> None:
        groups: dict[str, list[tuple[Row, dict]]] = {}
        for row in rows:
            problems: list = []
            reference = imp.text(row, "reference", required=True, max_length=100, problems=problems)
            remitted_on = imp.date(row, "remitted_on", required=True, problems=problems)
            awb = imp.text(row, "awb", required=True, max_length=64, problems=problems)
            amount = imp.amount(row, "amount", required=True, problems=problems)
            code = imp.text(row, "courier", problems=problems)
            courier = self.couriers.get(code.lower()) if code else None
            if code and courier is None:
                problems.append(("courier", code, _("no courier with this code")))
            if problems:
                report.reject(row, problems)
                continue
            groups.setdefault(reference, []).append((row, {"remitted_on": remitted_on, "awb": awb, "amount": amount,
                                                           "courier": courier}))
        existing = set(CodRemittance.objects.filter(reference__in=list(groups)).values_list("reference", flat=True))
        for reference, lines in groups.items():
            self._remittance(reference, lines, report, exists=reference in existing)

    def _remittance(self, reference: str, lines: list[tuple[Row, dict]], report: Report, *, exists: bool) -> None:
        rows = [row for row, _v in lines]
        if exists:
            for row in rows:
                report.reject(row, [("reference", reference, _("this remittance was imported before"))])
            return
        dates = {v["remitted_on"] for _r, v in lines}
        if len(dates) > 1:
            for row in rows:
                report.reject(row, [("remitted_on", row.get("remitted_on"),
                                     _("the rows of one remittance must have the same date"))])
            return
        try:
            with transaction.atomic():
                remittance = finance_services.cod_remittance_create(
                    reference=reference, remitted_on=lines[0][1]["remitted_on"],
                    lines=[{"awb": v["awb"], "amount": v["amount"], "row": row.number} for row, v in lines],
                    courier=lines[0][1]["courier"], account=None, source_file=None, acting_user=self.user,
                )
                finance_services.cod_remittance_match(remittance=remittance, acting_user=self.user)
        except ApplicationError as exc:
            self._reject_lines(rows, exc, report)
            return
        for index, row in enumerate(rows):
            report.outcome(row, "new", note=reference if index == 0 else "")

    def _reject_lines(self, rows: list[Row], exc: ApplicationError, report: Report) -> None:
        """The service names the bad rows (extra["rows"]: row numbers, or {row: reason}) and fields
        (extra["fields"]); those rows carry its reason, the others say their remittance was refused."""
        named = exc.extra.get("rows") or []
        fields_ = exc.extra.get("fields") or {}
        if isinstance(named, dict):
            reasons = {int(k): v for k, v in named.items()}
        else:
            reasons = {}
            for item in named:
                if isinstance(item, dict):
                    reasons[int(item.get("row", 0))] = item.get("reason") or item.get("message") or exc.message
                else:
                    reasons[int(item)] = exc.message
        column = ""
        if isinstance(fields_, dict) and fields_:
            column = next(iter(fields_))
        elif isinstance(fields_, list | tuple) and fields_:
            column = str(fields_[0])
        for row in rows:
            if row.number in reasons or not reasons:
                report.reject(row, [(column or exc.extra.get("field", ""), "", reasons.get(row.number, exc.message))])
            else:
                report.reject(row, [("reference", row.get("reference"),
                                     _("the remittance was refused because of another row"))])


class LedgerEntryExportResource(resources.ModelResource):
    seller = fields.Field(attribute="seller__code", column_name="seller")

    select_related = ("seller",)

    class Meta:
        model = LedgerEntry
        fields = ("id", "seller", "entry_type", "amount", "held_amount", "balance_after", "posting_key", "reference",
                  "memo", "created_at")
        export_order = fields


class WithdrawalExportResource(resources.ModelResource):
    seller = fields.Field(attribute="seller__code", column_name="seller")
    bank = fields.Field(attribute="bank_account__bank_code", column_name="bank")
    holder = fields.Field(attribute="bank_account__holder_name", column_name="account_holder")

    select_related = ("seller", "bank_account")

    class Meta:
        model = Withdrawal
        fields = ("id", "seller", "amount", "status", "bank", "holder", "transfer_reference", "created_at",
                  "approved_at", "paid_at")
        export_order = fields
