"""A big upload is checked and imported by a real Celery worker (RabbitMQ), with progress visible."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import Variant
from tests.factories import SellerFactory
from tests.integrations.worker import celery_worker, purge, wait_for
from tests.transfers.helpers import PRODUCT_HEADER, csv_bytes
from transfers.models import ImportJob
from transfers.services import import_job_confirm, import_job_create

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("celery-worker")]


def _job_in(job_id: int, statuses) -> ImportJob | None:
    job = ImportJob.objects.get(pk=job_id)
    return job if job.status in statuses else None


def test_big_imports_run_on_the_worker(superuser, settings):
    settings.IMPORT_ASYNC_THRESHOLD_BYTES = 100
    SellerFactory(code="TOKO01")
    data = csv_bytes([PRODUCT_HEADER] + [["TOKO01", f"W-{n}", f"Produk {n // 3}", "", "1000", "100"]
                                         for n in range(3000)])
    purge(["default"])
    with celery_worker(["default"], name="imports"):
        job = import_job_create(kind="products", policy="all_or_nothing",
                                upload=SimpleUploadedFile("big.csv", data), user=superuser)
        assert job.run_async and job.status == ImportJob.Status.UPLOADED
        checked = wait_for(lambda: _job_in(job.pk, {"previewed", "rejected", "failed"}), timeout=120,
                           what="the dry run")
        assert (checked.status, checked.new_rows) == (ImportJob.Status.PREVIEWED, 3000), checked.file_error
        assert not Variant.objects.exists()
        import_job_confirm(job=checked, user=superuser)
        done = wait_for(lambda: _job_in(job.pk, {"done", "rejected", "failed"}), timeout=120, what="the import")
    assert (done.status, done.processed_rows, done.new_rows) == (ImportJob.Status.DONE, 3000, 3000), done.file_error
    assert Variant.objects.count() == 3000
