"""The finance screens through the admin: dashboard, statement and its exports, reconciliation, COD variances,
and the remittance entry / upload form."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from finance.models import CodRemittance, CodRemittanceLine, LedgerEntry, PlatformBalance
from finance.services import withdrawal_request
from integrations.models import PlatformAccount
from tests.factories import SellerFactory, ShipmentFactory
from tests.finance.conftest import fund

pytestmark = pytest.mark.django_db


def test_dashboard_shows_balances_and_queues(admin_client_logged_in, funded_seller, bank_account, finance_user):
    withdrawal_request(seller=funded_seller, bank_account=bank_account, amount="250000", acting_user=finance_user)
    response = admin_client_logged_in.get(reverse("admin:finance_sellerbalance_dashboard"))
    assert response.status_code == 200
    data = response.context["data"]
    assert (data["available"], data["held"]) == (Decimal("750000"), Decimal("250000"))
    review = data["queues"][0]
    assert (review["count"], review["amount"], review["oldest_days"]) == (1, Decimal("250000"), 0)
    assert "Rp 250.000" in response.content.decode()


def test_dashboard_needs_a_finance_permission(client, django_user_model):
    user = django_user_model.objects.create_user("nobody", "n@example.com", "pw", is_staff=True)
    client.force_login(user)
    assert client.get(reverse("admin:finance_sellerbalance_dashboard")).status_code == 403


def test_statement_screen_and_exports(admin_client_logged_in, seller):
    fund(seller, "500000")
    LedgerEntry.objects.update(created_at=timezone.now() - timedelta(days=40))  # before the period
    fund(seller, "120000")
    today = timezone.localdate()
    query = {"seller": seller.pk, "date_from": (today - timedelta(days=7)).isoformat(), "date_to": today.isoformat()}
    url = reverse("admin:finance_sellerbalance_statement")
    statement = admin_client_logged_in.get(url, query).context["statement"]
    assert (statement.opening_available, statement.credits, statement.closing_available) == (
        Decimal("500000"), Decimal("120000"), Decimal("620000"))
    assert len(statement.entries) == 1
    csv_response = admin_client_logged_in.get(url, {**query, "export": "csv"})
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert ["Closing available", "620000.00"] in rows and rows[-1][4] == "120000.00"
    xlsx = admin_client_logged_in.get(url, {**query, "export": "xlsx"})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[6]][:2] == ["Closing available", 620000.0]
    pdf = admin_client_logged_in.get(url, {**query, "export": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf["Content-Disposition"]


def test_statement_refuses_reversed_dates(admin_client_logged_in, seller):
    response = admin_client_logged_in.get(reverse("admin:finance_sellerbalance_statement"),
                                          {"seller": seller.pk, "date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert response.context["statement"] is None
    assert "before the start date" in response.context["form"].errors["date_to"][0]


def test_reconciliation_lists_differences(admin_client_logged_in):
    equal, differs = SellerFactory(), SellerFactory()
    for seller, platform_amount in ((equal, "100000"), (differs, "90000")):
        fund(seller, "100000")
        account = PlatformAccount.objects.create(platform="komship", name=f"k-{seller.pk}", seller=seller,
                                                 base_url="https://example.com/api")
        PlatformBalance.objects.create(account=account, seller=seller, available=Decimal(platform_amount),
                                       fetched_at=timezone.now())
    url = reverse("admin:finance_sellerbalance_reconciliation")
    rows = admin_client_logged_in.get(url).context["rows"]
    assert [(r["seller_id"], r["difference"], r["matches"]) for r in rows] == [
        (differs.pk, Decimal("10000"), False), (equal.pk, Decimal("0"), True)]
    only = admin_client_logged_in.get(url, {"differences": "1"}).context["rows"]
    assert [r["seller_id"] for r in only] == [differs.pk]


def test_cod_variances_with_ageing(admin_client_logged_in, seller, finance_user):
    from finance.services import cod_remittance_create, cod_remittance_match

    old = timezone.now() - timedelta(days=20)
    missing = ShipmentFactory(order__seller=seller, status="delivered", delivered_at=old, cod_amount=Decimal("50000"))
    short = ShipmentFactory(order__seller=seller, status="delivered", delivered_at=old, cod_amount=Decimal("80000"))
    ShipmentFactory(order__seller=seller, status="delivered", delivered_at=timezone.now(),
                    cod_amount=Decimal("70000"))  # within the grace days: not missing yet
    remittance = cod_remittance_create(
        reference="R-1", remitted_on=timezone.localdate() - timedelta(days=10), acting_user=finance_user,
        allow_unknown=True, lines=[{"awb": short.awb, "amount": "75000", "row": 2},
                                   {"awb": "ZZ999", "amount": "1000", "row": 3}])
    cod_remittance_match(remittance=remittance, acting_user=finance_user)
    data = admin_client_logged_in.get(reverse("admin:finance_sellerbalance_cod_variances")).context["data"]
    found = {(r["kind"], r["awb"], r["difference"], r["bucket"]) for r in data["rows"]}
    assert found == {("missing", missing.awb, Decimal("-50000"), "15–30"),
                     ("short", short.awb, Decimal("-5000"), "8–14"),
                     ("unknown_awb", "ZZ999", Decimal("1000"), "8–14")}
    assert data["buckets"]["8–14"]["count"] == 2
    only_missing = admin_client_logged_in.get(reverse("admin:finance_sellerbalance_cod_variances"),
                                              {"kind": "missing"}).context["data"]["rows"]
    assert [r["awb"] for r in only_missing] == [missing.awb]


def _entry(client, **data):
    payload = {"reference": "JNE-COD-01", "remitted_on": "2026-11-20", "match_now": "on", **data}
    return client.post(reverse("admin:finance_codremittance_entry"), payload)


def test_remittance_csv_upload_matches_and_posts(admin_client_logged_in, seller):
    a = ShipmentFactory(order__seller=seller, status="delivered", cod_amount=Decimal("193000"), shipping_fee=0)
    b = ShipmentFactory(order__seller=seller, status="delivered", cod_amount=Decimal("100000"), shipping_fee=0)
    upload = SimpleUploadedFile("cod.csv", f"No Resi;Nominal\n{a.awb};193.000\n{b.awb};90000\n".encode())
    response = _entry(admin_client_logged_in, file=upload)
    assert response.status_code == 302, response.context["form"].errors
    remittance = CodRemittance.objects.get()
    assert dict(remittance.lines.values_list("awb", "match")) == {a.awb: "matched", b.awb: "short"}
    assert LedgerEntry.objects.filter(entry_type="cod_credit").count() == 2


def test_remittance_xlsx_upload(admin_client_logged_in, seller):
    from openpyxl import Workbook

    a = ShipmentFactory(order__seller=seller, status="delivered", cod_amount=Decimal("50000"), shipping_fee=0)
    book = Workbook()
    book.active.append(["AWB", "Amount"])
    book.active.append([a.awb, 50000])
    out = io.BytesIO()
    book.save(out)
    response = _entry(admin_client_logged_in, file=SimpleUploadedFile("cod.xlsx", out.getvalue()))
    assert response.status_code == 302
    assert CodRemittanceLine.objects.get().match == "matched"


def test_remittance_upload_with_unknown_and_duplicate_awbs_saves_nothing(admin_client_logged_in, seller):
    a = ShipmentFactory(order__seller=seller, status="delivered", cod_amount=Decimal("50000"))
    upload = SimpleUploadedFile("cod.csv", f"awb,amount\n{a.awb},50000\nNOPE1,1000\n{a.awb},50000\n".encode())
    response = _entry(admin_client_logged_in, file=upload)
    assert response.status_code == 200
    problems = {(p["row"], p["field"]) for p in response.context["row_errors"]}
    assert problems == {(3, "awb"), (4, "awb")}
    assert "Row 3, awb" in response.content.decode()
    assert not CodRemittance.objects.exists() and not LedgerEntry.objects.exists()


def test_remittance_typed_lines_and_bad_file(admin_client_logged_in, seller):
    a = ShipmentFactory(order__seller=seller, status="delivered", cod_amount=Decimal("50000"))
    response = _entry(admin_client_logged_in, file=SimpleUploadedFile("x.csv", b"foo,bar\n1,2\n"))
    assert "awb" in response.context["form"].errors["file"][0]
    response = _entry(admin_client_logged_in, lines=f"{a.awb}, 50000", match_now="")
    assert response.status_code == 302
    assert CodRemittance.objects.get().status == "draft"


def test_holder_name_mismatch_warns_on_add(admin_client_logged_in):
    seller = SellerFactory(name="Toko Sinar Abadi", contact_name="Andi")
    url = reverse("admin:finance_bankaccount_add")
    response = admin_client_logged_in.post(url, {"seller": seller.pk, "bank_code": "bca",
                                                 "new_account_number": "1234567890", "holder_name": "Rina Wati"},
                                           follow=True)
    assert "does not match the seller" in response.content.decode()


def test_balance_list_links_to_the_finance_screens(admin_client_logged_in):
    page = admin_client_logged_in.get(reverse("admin:finance_sellerbalance_changelist")).content.decode()
    for name in ("dashboard", "statement", "reconciliation", "cod-variances"):
        url = reverse("admin:finance_sellerbalance_changelist") + f"open-{name}/"
        assert url in page
        target = admin_client_logged_in.get(url)
        assert target.status_code == 302 and admin_client_logged_in.get(target["Location"]).status_code == 200


def test_post_missing_postings_button(admin_client_logged_in, seller):
    shipment = ShipmentFactory(order__seller=seller, status="delivered", cod_amount=Decimal("60000"),
                               shipping_fee=Decimal("9000"))
    url = reverse("admin:finance_sellerbalance_changelist") + "post-missing/"
    response = admin_client_logged_in.get(url, follow=True)
    assert "Ledger postings made: 1" in response.content.decode()
    admin_client_logged_in.get(url)
    keys = set(LedgerEntry.objects.values_list("posting_key", flat=True))
    assert keys == {f"shipment:{shipment.pk}:cod", f"shipment:{shipment.pk}:fee"}
