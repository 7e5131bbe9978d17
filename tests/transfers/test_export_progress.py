"""The export job's progress: its page shows the bar, the JSON it polls follows the job from queued to done
(with the download), and another person's export stays hidden."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from tests.factories import UserFactory
from transfers.models import ExportJob

pytestmark = pytest.mark.django_db


def test_progress_follows_the_job_from_queued_to_done_with_the_download(client, superuser):
    job = ExportJob.objects.create(model_label="orders.Order", created_by=superuser, file_format="csv")
    client.force_login(superuser)
    url = reverse("admin:transfers_exportjob_progress", args=[job.pk])

    queued = client.get(url).json()
    assert queued["status"] == "queued" and queued["running"] is True and queued["percent"] == 5
    assert queued["download_url"] == ""
    page = client.get(reverse("admin:transfers_exportjob_change", args=[job.pk]))
    assert page.status_code == 200
    assert b'id="export-progress"' in page.content and b'data-running="1"' in page.content

    job.file.save("orders.csv", ContentFile(b"order_no\nORD-1\n"), save=False)
    job.status, job.row_count = ExportJob.Status.DONE, 1
    job.save()
    done = client.get(url).json()
    assert done["running"] is False and done["percent"] == 100 and done["rows"] == 1
    assert done["download_url"] == reverse("admin:transfers_exportjob_download", args=[job.pk])


def test_failed_export_ends_the_bar_with_the_error_and_no_download(client, superuser):
    job = ExportJob.objects.create(model_label="orders.Order", created_by=superuser, file_format="csv",
                                   status=ExportJob.Status.FAILED, error="connection lost")
    client.force_login(superuser)
    data = client.get(reverse("admin:transfers_exportjob_progress", args=[job.pk])).json()
    assert data["running"] is False and data["error"] == "connection lost" and data["download_url"] == ""


def test_progress_of_another_persons_export_is_not_found(client, superuser):
    job = ExportJob.objects.create(model_label="orders.Order", created_by=superuser, file_format="csv")
    client.force_login(UserFactory(username="cs2"))
    assert client.get(reverse("admin:transfers_exportjob_progress", args=[job.pk])).status_code in (403, 404)
