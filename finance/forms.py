"""Admin forms of the finance app. They parse and pre-check input with the services' own checks, so a
refusal is shown on the form with a specific message and nothing is saved."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminTextInputWidget

from common.exceptions import ApplicationError
from finance.models import BankAccount, LedgerEntry, SellerBalance, Withdrawal
from finance.services import (
    LedgerPostingInvalid,
    bank_account_holder_clean,
    bank_account_number_clean,
    withdrawal_pay_check,
    withdrawal_request_check,
)

PAY_BUTTON = "finance_withdrawal_mark_paid"


def _add_service_error(form: forms.Form, exc: ApplicationError) -> None:
    field = exc.extra.get("field")
    form.add_error(field if field in form.fields else None, exc.message)


class BankAccountAdminForm(forms.ModelForm):
    """Staff type the full number here; it is stored encrypted and never shown back."""

    new_account_number = forms.CharField(
        label=_("account number"), required=False, max_length=40, widget=UnfoldAdminTextInputWidget,
        help_text=_("Digits only, 5 to 20. Stored encrypted; on an existing account leave blank to keep it."),
    )

    class Meta:
        model = BankAccount
        fields = ["seller", "bank_code", "holder_name", "is_default", "is_active"]

    def clean_new_account_number(self):
        value = self.cleaned_data.get("new_account_number", "")
        if not value:
            if self.instance.pk is None:
                raise forms.ValidationError(_("Enter the account number."), code="required")
            return ""
        try:
            return bank_account_number_clean(value)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message, code="invalid_account_number") from exc

    def clean_holder_name(self):
        try:
            return bank_account_holder_clean(self.cleaned_data.get("holder_name"))
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message, code="invalid_holder_name") from exc


class LedgerAdjustmentForm(forms.ModelForm):
    """A manual correction of a seller's available balance (positive credits, negative debits)."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    class Meta:
        model = LedgerEntry
        fields = ["seller", "amount", "memo", "reference"]
        help_texts = {"amount": _("Positive credits the seller, negative debits the seller."),
                      "memo": _("Why the balance is adjusted; shown to finance staff.")}

    def clean_amount(self):
        amount = self.cleaned_data.get("amount")
        if amount is not None and amount == 0:
            raise forms.ValidationError(_("An adjustment cannot be zero."), code="zero")
        return amount

    def clean_memo(self):
        memo = (self.cleaned_data.get("memo") or "").strip()
        if not memo:
            raise forms.ValidationError(_("Say why the balance is adjusted."), code="required")
        return memo

    def clean(self):
        data = super().clean()
        seller, amount = data.get("seller"), data.get("amount")
        if seller is not None and amount is not None and amount < 0:
            balance = SellerBalance.objects.filter(seller_id=seller.pk).first()
            available = balance.available if balance else 0
            if available + amount < 0:
                from common.money import format_rupiah

                _add_service_error(self, LedgerPostingInvalid(
                    _("The available balance of %(seller)s is %(available)s; it cannot go below zero.")
                    % {"seller": seller, "available": format_rupiah(available)}, extra={"field": "amount"}))
        return data


class WithdrawalRequestForm(forms.ModelForm):
    class Meta:
        model = Withdrawal
        fields = ["seller", "bank_account", "amount", "account", "notes"]
        help_texts = {"account": _("Optional: an Ngorder account pays this withdrawal out of its OrderPay balance "
                                   "once it is approved (sync “withdrawals”).")}

    def clean(self):
        data = super().clean()
        seller, bank_account, amount = data.get("seller"), data.get("bank_account"), data.get("amount")
        account = data.get("account")
        if account is not None and seller is not None and account.seller_id != seller.pk:
            self.add_error("account", _("This platform account belongs to another seller."))
        if seller is not None and bank_account is not None and amount is not None:
            try:
                withdrawal_request_check(seller=seller, bank_account=bank_account, amount=amount)
            except ApplicationError as exc:
                _add_service_error(self, exc)
        return data


class WithdrawalChangeForm(forms.ModelForm):
    """Notes are editable; on an approved withdrawal the payer fills the transfer reference (and proof)
    and presses "Mark paid". The checks of the payout run here so a refusal stays on the form."""

    request = None  # set by WithdrawalAdmin.get_form

    class Meta:
        model = Withdrawal
        fields = ["notes"]

    def clean(self):
        data = super().clean()
        paying = self.request is not None and PAY_BUTTON in self.request.POST
        reference = (data.get("transfer_reference") or "").strip()
        if paying:
            if self.instance.status != Withdrawal.Status.APPROVED:
                self.add_error(None, _("Only an approved withdrawal can be marked paid."))
                return data
            try:
                withdrawal_pay_check(withdrawal=self.instance, acting_user=self.request.user,
                                     transfer_reference=reference, transfer_proof=data.get("transfer_proof"))
            except ApplicationError as exc:
                _add_service_error(self, exc)
        elif reference or data.get("transfer_proof"):
            self.add_error("transfer_reference", _("Press “Mark paid” to record the transfer."))
        return data


# --- finance screens --------------------------------------------------------------------------------------

REMITTANCE_AWB_HEADERS = ("awb", "resi", "no resi", "nomor resi", "airway bill", "airway_bill")
REMITTANCE_AMOUNT_HEADERS = ("amount", "nominal", "jumlah", "cod", "nilai cod", "cod amount")
REMITTANCE_MAX_BYTES = 5 * 1024 * 1024


class RemittanceFileInvalid(ApplicationError):
    code = "remittance_file_invalid"


def _header_index(header: list[str], names: tuple[str, ...]) -> int | None:
    cleaned = [" ".join(str(h or "").strip().lower().replace("_", " ").split()) for h in header]
    for index, value in enumerate(cleaned):
        if value in names or value.replace(" ", "_") in names:
            return index
    return None


def remittance_lines_from_table(rows: list[list]) -> list[dict]:
    """Lines {"awb", "amount", "row"} from a table whose first row names the AWB and amount columns; "row" is
    the spreadsheet row number (the header is row 1)."""
    if not rows:
        raise RemittanceFileInvalid(_("The file is empty."), extra={"field": "file"})
    header = [str(v or "") for v in rows[0]]
    awb_col = _header_index(header, REMITTANCE_AWB_HEADERS)
    amount_col = _header_index(header, REMITTANCE_AMOUNT_HEADERS)
    if awb_col is None or amount_col is None:
        raise RemittanceFileInvalid(
            _("The first row must name the columns “awb” and “amount” (found: %(found)s).")
            % {"found": ", ".join(h for h in header if h) or "-"}, extra={"field": "file"})
    lines = []
    for number, row in enumerate(rows[1:], start=2):
        cells = list(row) + [None] * (max(awb_col, amount_col) + 1 - len(row))
        awb, amount = cells[awb_col], cells[amount_col]
        if (awb is None or str(awb).strip() == "") and (amount is None or str(amount).strip() == ""):
            continue  # a blank row
        if isinstance(amount, float) and amount.is_integer():
            amount = int(amount)
        text = str(amount).strip() if amount is not None else ""
        if text and not isinstance(amount, int | float):
            text = text.replace("Rp", "").replace(" ", "")
            if text.count(".") > 1 or (text.count(".") == 1 and len(text.rsplit(".", 1)[1]) == 3):
                text = text.replace(".", "")  # 150.000 (Indonesian thousands)
            text = text.replace(",", ".") if text.count(",") == 1 and "." not in text else text.replace(",", "")
        lines.append({"awb": str(awb or "").strip(), "amount": text, "row": number})
    return lines


def remittance_lines_from_upload(upload) -> list[dict]:
    """Parse an uploaded CSV (comma or semicolon, UTF-8) or XLSX remittance."""
    if upload.size > REMITTANCE_MAX_BYTES:
        raise RemittanceFileInvalid(_("The file is larger than 5 MB."), extra={"field": "file"})
    head = upload.read(4)
    upload.seek(0)
    if head.startswith(b"PK\x03\x04"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(upload, read_only=True, data_only=True).worksheets[0]
        except Exception as exc:
            raise RemittanceFileInvalid(_("The XLSX file cannot be read."), extra={"field": "file"}) from exc
        return remittance_lines_from_table([list(row) for row in sheet.iter_rows(values_only=True)])
    import csv
    import io

    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RemittanceFileInvalid(_("Upload a CSV (UTF-8) or an XLSX file."), extra={"field": "file"}) from exc
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    return remittance_lines_from_table(list(csv.reader(io.StringIO(text), delimiter=delimiter)))


def remittance_lines_from_text(text: str) -> list[dict]:
    """Lines typed as "AWB, amount" (or tab / semicolon separated), one per line; row = the line number."""
    lines = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        if not raw.strip():
            continue
        parts = [p.strip() for p in raw.replace("\t", ",").replace(";", ",").split(",", 1)]
        lines.append({"awb": parts[0], "amount": parts[1] if len(parts) > 1 else "", "row": number})
    return lines


class CodRemittanceEntryForm(forms.Form):
    """A plain form: the remittance header, and its lines as an uploaded CSV / XLSX or typed."""

    reference = forms.CharField(label=_("reference"), max_length=100)
    remitted_on = forms.DateField(label=_("remitted on"), widget=forms.DateInput(attrs={"type": "date"}))
    courier = forms.ModelChoiceField(label=_("courier"), queryset=None, required=False)
    file = forms.FileField(label=_("CSV or XLSX file"), required=False,
                           help_text=_("First row: column names, with “awb” and “amount”."))
    lines = forms.CharField(label=_("or type the lines"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
                            help_text=_("One “AWB, amount” per line."))
    allow_unknown = forms.BooleanField(
        label=_("Accept AWBs we do not know (listed as variances)"), required=False)
    match_now = forms.BooleanField(label=_("Match and post the COD credits now"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from logistics.models import Courier

        self.fields["courier"].queryset = Courier.objects.order_by("code")

    def clean(self):
        data = super().clean()
        upload, typed = data.get("file"), (data.get("lines") or "").strip()
        if bool(upload) == bool(typed):
            raise forms.ValidationError(_("Upload a file or type the lines (one of the two)."))
        try:
            data["parsed_lines"] = remittance_lines_from_upload(upload) if upload else remittance_lines_from_text(typed)
        except ApplicationError as exc:
            self.add_error("file" if upload else "lines", exc.message)
        return data


class StatementForm(forms.Form):
    seller = forms.ModelChoiceField(label=_("seller"), queryset=None)
    date_from = forms.DateField(label=_("from"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("to"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from common.scoping import scope_to_user_sellers
        from sellers.models import Seller

        self.fields["seller"].queryset = scope_to_user_sellers(Seller.objects.order_by("code"), user=user,
                                                               seller_path="pk")

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data
