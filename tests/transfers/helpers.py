"""Running imports the way the admin does: upload (dry run) -> confirm."""

from __future__ import annotations

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from transfers.models import ImportJob
from transfers.services import import_job_confirm, import_job_create

PRODUCT_HEADER = ["seller", "sku", "product_name", "variant_name", "price", "weight_grams"]


def csv_bytes(rows: list[list], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode(encoding)


def upload(user, kind: str, data: bytes, *, name: str = "file.csv",
           policy: str = ImportJob.Policy.ALL_OR_NOTHING) -> ImportJob:
    return import_job_create(kind=kind, policy=policy, upload=SimpleUploadedFile(name, data), user=user)


def import_file(user, kind: str, data: bytes, *, name: str = "file.csv",
                policy: str = ImportJob.Policy.ALL_OR_NOTHING) -> ImportJob:
    job = upload(user, kind, data, name=name, policy=policy)
    assert job.status == ImportJob.Status.PREVIEWED, (job.status, job.file_error, job.errors)
    return import_job_confirm(job=job, user=user)


def errors_by_row(job: ImportJob) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = {}
    for error in job.errors:
        found.setdefault(error["row"], []).append(error)
    return found
