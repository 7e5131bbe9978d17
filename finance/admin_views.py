"""The finance screens of the admin: dashboard, per-seller statement (and its CSV / XLSX / PDF export),
reconciliation of our ledger against the platforms' balances, COD variances with ageing, and the plain
COD remittance entry / upload form. Thin: the figures come from finance.reports, writes from services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exceptions import ApplicationError
from finance.forms import CodRemittanceEntryForm, StatementForm
from finance.reports import (
    AGE_BUCKETS,
    cod_variances,
    finance_dashboard,
    reconciliation_rows,
    seller_statement,
    statement_csv,
    statement_pdf,
    statement_xlsx,
)
from finance.services import cod_remittance_create, cod_remittance_match

EXPORTS = {
    "csv": ("text/csv; charset=utf-8", statement_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", statement_xlsx),
    "pdf": ("application/pdf", statement_pdf),
}


def _require(request, *perms: str) -> None:
    if not any(request.user.has_perm(perm) for perm in perms):
        raise PermissionDenied


def _context(model_admin, request, title: str, **extra) -> dict:
    return {**model_admin.admin_site.each_context(request), "title": title, "opts": model_admin.model._meta,
            **extra}


def dashboard_view(model_admin, request):
    _require(request, "finance.view_sellerbalance")
    data = finance_dashboard(user=request.user)
    return TemplateResponse(request, "admin/finance/dashboard.html",
                            _context(model_admin, request, _("Finance dashboard"), data=data))


def statement_view(model_admin, request):
    _require(request, "finance.view_ledgerentry")
    today = timezone.localdate()
    form = StatementForm(request.GET or None, user=request.user,
                         initial={"date_from": today.replace(day=1), "date_to": today})
    statement = None
    if form.is_bound and form.is_valid():
        statement = seller_statement(seller=form.cleaned_data["seller"], date_from=form.cleaned_data["date_from"],
                                     date_to=form.cleaned_data["date_to"])
        kind = request.GET.get("export", "")
        if kind in EXPORTS:
            content_type, render = EXPORTS[kind]
            response = HttpResponse(render(statement), content_type=content_type)
            name = f"statement-{statement.seller.code}-{statement.date_from:%Y%m%d}-{statement.date_to:%Y%m%d}"
            response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
            return response
    return TemplateResponse(request, "admin/finance/statement.html", _context(
        model_admin, request, _("Seller statement"), form=form, statement=statement,
        query=request.GET.urlencode(), exports=list(EXPORTS)))


def reconciliation_view(model_admin, request):
    _require(request, "finance.view_sellerbalance")
    only_differences = request.GET.get("differences") == "1"
    rows = reconciliation_rows(user=request.user, only_differences=only_differences)
    return TemplateResponse(request, "admin/finance/reconciliation.html", _context(
        model_admin, request, _("Ledger and platform balances"), rows=rows, only_differences=only_differences))


def cod_variances_view(model_admin, request):
    _require(request, "finance.view_codremittance")
    kind = request.GET.get("kind", "")
    data = cod_variances(user=request.user, kind=kind)
    kinds = [("", _("All")), ("missing", _("Missing")), ("short", _("Short")), ("over", _("Over")),
             ("unknown_awb", _("Unknown AWB"))]
    return TemplateResponse(request, "admin/finance/cod_variances.html", _context(
        model_admin, request, _("COD variances"), data=data, kinds=kinds, kind=kind,
        bucket_labels=[label for _low, _high, label in AGE_BUCKETS]))


def remittance_entry_view(model_admin, request):
    _require(request, "finance.add_codremittance")
    form = CodRemittanceEntryForm(request.POST or None, request.FILES or None)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            remittance = cod_remittance_create(
                reference=data["reference"], remitted_on=data["remitted_on"], lines=data["parsed_lines"],
                courier=data.get("courier"), source_file=data.get("file"), acting_user=request.user,
                allow_unknown=data.get("allow_unknown", False))
            if data.get("match_now"):
                cod_remittance_match(remittance=remittance, acting_user=request.user)
        except ApplicationError as exc:
            row_errors = exc.extra.get("rows") or []
            for name, message in (exc.extra.get("fields") or {}).items() if isinstance(
                    exc.extra.get("fields"), dict) else []:
                form.add_error(name if name in form.fields else None, message)
            if not form.errors:
                form.add_error(None, exc.message)
        else:
            model_admin.message_user(request, _("Remittance %(reference)s recorded with %(count)d lines.")
                                     % {"reference": remittance.reference, "count": remittance.lines.count()},
                                     messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:finance_codremittance_change", args=[remittance.pk]))
    return TemplateResponse(request, "admin/finance/remittance_entry.html", _context(
        model_admin, request, _("Enter or upload a COD remittance"), form=form, row_errors=row_errors))
