"""The admin import flow: upload -> preview -> confirm, progress, error file, templates; big files as jobs."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from catalog.models import Variant
from tests.factories import SellerFactory
from tests.transfers.helpers import PRODUCT_HEADER, csv_bytes
from transfers.models import ImportJob

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def seller(db):
    return SellerFactory(code="TOKO01")


def _post_upload(client, data: bytes, *, name="produk.csv", policy="valid_rows", kind="products"):
    return client.post(reverse("admin:transfers_importjob_add"),
                       {"kind": kind, "policy": policy, "file": SimpleUploadedFile(name, data)})


def test_upload_preview_confirm_and_error_file(admin_client_logged_in):
    client = admin_client_logged_in
    assert client.get(reverse("admin:transfers_importjob_add")).status_code == 200
    data = csv_bytes([PRODUCT_HEADER, ["TOKO01", "A-1", "Produk", "", "10.000", "100"],
                      ["TOKO01", "A-2", "Produk", "", "sepuluh", "100"]])
    response = _post_upload(client, data)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("admin:transfers_importjob_change", args=[job.pk])

    page = client.get(response.url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "sepuluh" in text and "is not a number" in text and "Confirm and import" in text
    assert not Variant.objects.exists()
    progress = client.get(reverse("admin:transfers_importjob_progress", args=[job.pk])).json()
    assert (progress["status"], progress["running"], progress["new"], progress["rejected"]) == ("previewed", False,
                                                                                                1, 1)

    response = client.post(reverse("admin:transfers_importjob_confirm", args=[job.pk]), {"policy": "valid_rows"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert list(Variant.objects.values_list("sku", flat=True)) == ["A-1"]
    errors = client.get(reverse("admin:transfers_importjob_errors", args=[job.pk]))
    content = b"".join(errors.streaming_content).decode("utf-8-sig")
    assert "A-2" in content and "price: is not a number" in content
    # A second confirm is refused: the job is done.
    client.post(reverse("admin:transfers_importjob_confirm", args=[job.pk]))
    assert Variant.objects.count() == 1


def test_upload_form_shows_file_problems(admin_client_logged_in):
    response = _post_upload(admin_client_logged_in, b"", name="kosong.csv")
    assert response.status_code == 200
    assert "The submitted file is empty" in response.content.decode() or "empty" in response.content.decode()
    response = _post_upload(admin_client_logged_in, b"x", name="data.pdf")
    assert "CSV, TSV, JSON or XLSX" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("language", ["en", "id"])
def test_templates_have_example_rows_and_a_legend_and_import_cleanly(admin_client_logged_in, language):
    client = admin_client_logged_in
    url = reverse("admin:transfers_importjob_template", args=["products", language, "xlsx"])
    response = client.get(url)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    data, legend = workbook.worksheets
    rows = list(data.iter_rows(values_only=True))
    assert rows[0][:3] == (("seller", "sku", "product_name") if language == "en" else ("penjual", "sku", "nama_produk"))
    assert len(rows) == 3
    assert legend.title == ("Legend" if language == "en" else "Keterangan")
    assert len(list(legend.iter_rows())) == 1 + len(rows[0])

    csv_template = client.get(reverse("admin:transfers_importjob_template", args=["products", language, "csv"]))
    _post_upload(client, csv_template.content, name=f"template-{language}.csv")
    job = ImportJob.objects.get()
    assert (job.status, job.new_rows, job.error_rows) == (ImportJob.Status.PREVIEWED, 2, 0), job.errors


def test_big_files_are_checked_and_imported_as_celery_jobs(admin_client_logged_in, settings, superuser):
    from transfers.services import import_job_confirm
    from transfers.tasks import import_job_task

    settings.IMPORT_ASYNC_THRESHOLD_BYTES = 10
    data = csv_bytes([PRODUCT_HEADER] + [["TOKO01", f"B-{n}", "Produk", "", "1000", "100"] for n in range(50)])
    _post_upload(admin_client_logged_in, data)
    job = ImportJob.objects.get()
    assert (job.status, job.run_async) == (ImportJob.Status.UPLOADED, True)
    page = admin_client_logged_in.get(reverse("admin:transfers_importjob_change", args=[job.pk]))
    assert b"job-progress" in page.content and b'data-running="1"' in page.content

    import_job_task(job.pk, True)  # what the worker runs
    job.refresh_from_db()
    assert (job.status, job.new_rows) == (ImportJob.Status.PREVIEWED, 50)
    job = import_job_confirm(job=job, user=superuser)
    assert job.status == ImportJob.Status.IMPORTING
    progress = admin_client_logged_in.get(reverse("admin:transfers_importjob_progress", args=[job.pk])).json()
    assert progress["running"] is True and progress["total_rows"] == 50
    import_job_task(job.pk, False)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and Variant.objects.count() == 50
    import_job_task(job.pk, False)  # a redelivered task does nothing twice
    assert Variant.objects.count() == 50


def test_staff_see_only_their_own_import_jobs(client, django_user_model, superuser):
    from tests.transfers.helpers import upload

    job = upload(superuser, "products", csv_bytes([PRODUCT_HEADER, ["TOKO01", "A", "P", "", "1", "1"]]))
    other = django_user_model.objects.create_user("other", "o@example.com", "pw", is_staff=True)
    client.force_login(other)
    assert client.get(reverse("admin:transfers_importjob_change", args=[job.pk])).status_code == 404
    assert client.get(reverse("admin:transfers_importjob_progress", args=[job.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_to_other_connections_while_the_import_transaction_is_open(superuser):
    from django.db import transaction

    from transfers.importing import progress_writer

    job = ImportJob.objects.create(kind="products", file="imports/x.csv", original_name="x.csv",
                                   created_by=superuser, status=ImportJob.Status.IMPORTING)
    write = progress_writer(job.pk)
    try:
        with transaction.atomic():  # as import_run holds one
            Variant.objects.exists()
            write(1234)
            import psycopg
            from django.db import connection

            params = connection.get_connection_params()
            params.pop("cursor_factory", None)
            params.pop("context", None)
            with psycopg.connect(**params) as other:
                seen = other.execute("SELECT processed_rows FROM transfers_importjob WHERE id = %s",
                                     (job.pk,)).fetchone()[0]
    finally:
        write.close()
    assert seen == 1234
