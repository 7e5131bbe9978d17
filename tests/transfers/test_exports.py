import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import OrderFactory, ProductFactory, SellerFactory, VariantFactory
from transfers.exporting import escape_formula
from transfers.models import ExportJob

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content)))


def _export(client, url: str, action: str, pks, *, query: str = "", select_across: bool = False):
    data = {"action": action, "_selected_action": [str(pk) for pk in pks], "index": 0,
            "select_across": "1" if select_across else "0"}
    return client.post(f"{url}{query}", data)


def test_cells_starting_with_a_formula_character_are_escaped_on_export(admin_client_logged_in):
    seller = SellerFactory(code="TOKO01")
    product = ProductFactory(seller=seller, name="=HYPERLINK(\"http://evil\",\"klik\")")
    VariantFactory(product=product, sku="+SKU-1", name="@SUM(A1)", price=-1 + 2)
    response = _export(admin_client_logged_in, reverse("admin:catalog_variant_changelist"), "export_csv",
                       [product.variants.get().pk])

    assert response.status_code == 200
    header, row = _rows(response)
    values = dict(zip(header, row, strict=True))
    assert values["product_name"] == "'=HYPERLINK(\"http://evil\",\"klik\")"
    assert values["sku"] == "'+SKU-1" and values["variant_name"] == "'@SUM(A1)"
    assert values["price"] == "1.00"  # numbers stay numbers
    assert escape_formula("-2+3") == "'-2+3" and escape_formula(5) == 5


def test_xlsx_export_of_a_filtered_changelist_is_audited(admin_client_logged_in, superuser):
    seller = SellerFactory(code="TOKO01")
    new = OrderFactory(seller=seller, status="new", order_no="INV-NEW")
    OrderFactory(seller=seller, status="canceled", order_no="INV-CANCELED")
    url = reverse("admin:orders_order_changelist")
    response = _export(admin_client_logged_in, url, "export_xlsx", [new.pk], query="?status__exact=new",
                       select_across=True)

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["INV-NEW"]
    job = ExportJob.objects.get()
    assert (job.created_by, job.model_label, job.row_count, job.file_format) == (superuser, "orders.Order", 1, "xlsx")
    assert job.filter_querystring == "status__exact=new" and job.selected_ids is None
    assert job.contains_personal_data is True  # a superuser holds every permission


def test_personal_data_columns_need_their_own_permission(client, django_user_model):
    seller = SellerFactory(code="TOKO01")
    order = OrderFactory(seller=seller, order_no="INV-1")
    staff = django_user_model.objects.create_user("cs", "cs@example.com", "pw", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_order", "view_all_sellers"]))
    client.force_login(staff)
    url = reverse("admin:orders_order_changelist")

    header, row = _rows(_export(client, url, "export_csv", [order.pk]))
    assert "customer_phone" not in header and "customer_name" not in header
    assert ExportJob.objects.get().contains_personal_data is False

    staff.user_permissions.add(Permission.objects.get(codename="export_personal_data"))
    staff = django_user_model.objects.get(pk=staff.pk)
    client.force_login(staff)
    header, row = _rows(_export(client, url, "export_csv", [order.pk]))
    # E.164 starts with "+", which a spreadsheet would read as a formula: escaped like any other such cell.
    assert dict(zip(header, row, strict=True))["customer_phone"] == "'" + order.customer.phone
    audit = ExportJob.objects.order_by("-id").first()
    assert (audit.contains_personal_data, audit.row_count, audit.created_by) == (True, 1, staff)


def test_big_exports_run_as_jobs_and_are_downloaded_when_done(admin_client_logged_in, settings, superuser):
    from transfers.tasks import export_job_task

    settings.EXPORT_ASYNC_THRESHOLD_ROWS = 1
    seller = SellerFactory(code="TOKO01")
    orders = [OrderFactory(seller=seller, order_no=f"INV-{number}") for number in range(3)]
    response = _export(admin_client_logged_in, reverse("admin:orders_order_changelist"), "export_csv", [orders[0].pk],
                       select_across=True)
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.QUEUED and not job.file

    export_job_task(job.pk)  # what the worker runs
    job.refresh_from_db()
    assert (job.status, job.row_count) == (ExportJob.Status.DONE, 3)
    download = admin_client_logged_in.get(reverse("admin:transfers_exportjob_download", args=[job.pk]))
    assert len(_rows(download)) == 4


def test_every_listed_changelist_has_the_export_actions(admin_client_logged_in):
    for name in ("orders_order", "catalog_product", "catalog_stocklevel", "finance_ledgerentry",
                 "finance_withdrawal", "logistics_ticket"):
        response = admin_client_logged_in.get(reverse(f"admin:{name}_changelist"))
        assert response.status_code == 200
        actions = [choice[0] for choice in response.context["action_form"].fields["action"].choices]
        assert "export_csv" in actions and "export_xlsx" in actions, name
