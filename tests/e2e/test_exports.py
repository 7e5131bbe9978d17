"""An export too big to make while the person waits: the filtered orders list exported through the list's
action, a real Celery worker makes the file, the export job's progress bar runs to the end and the file
downloads with every row of the filter."""

import csv
import re

from orders.models import Order
from tests.e2e.support import (
    E2E,
    assert_translated_in_both_languages,
    download,
    expect,
    expect_message,
    follow,
    log_in,
    open_changelist,
    result_rows,
    submit,
)
from tests.integrations.worker import celery_worker, purge
from transfers.models import ExportJob

pytestmark = E2E

THRESHOLD = 10


def test_async_export_of_a_filtered_list_with_its_progress_bar(page, demo, settings):
    settings.EXPORT_ASYNC_THRESHOLD_ROWS = THRESHOLD  # the live server runs in this process: it sees the change
    cs = demo.user("cs")
    log_in(page, "cs", demo.password)
    open_changelist(page, "orders.order", status__exact="completed")
    on_screen = result_rows(page).count()
    assert on_screen > THRESHOLD, "the demo has too few completed orders of cs's sellers for this flow"
    before = ExportJob.objects.filter(created_by=cs).count()
    purge(["default"])

    with celery_worker(["default"], name="e2e-export"):
        page.locator("#action-toggle").check()
        page.locator("select[name=action]").select_option("export_csv")
        submit(page, page.locator("#changelist-actions button[name=index]"))

        expect_message(page, re.compile(r"The export runs in the background"))
        assert ExportJob.objects.filter(created_by=cs).count() == before + 1
        job = ExportJob.objects.filter(created_by=cs).latest("id")
        follow(page, page.get_by_role("link", name=f"export job #{job.pk}"))

        expect(page.locator("#export-progress [role=progressbar]")).to_be_visible()
        expect(page.locator("#export-status")).to_have_attribute("data-status", "done", timeout=90_000)

    expect(page.locator("#export-bar")).to_have_attribute("style", re.compile(r"width: 100%"))
    expect(page.locator("#export-bar-box")).to_have_attribute("aria-valuenow", "100")
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.row_count == on_screen
    expect(page.locator("#export-rows")).to_have_text(str(on_screen))
    assert_translated_in_both_languages(page, allow=[job.model_label, job.filter_querystring, *job.columns])

    exported = download(page, page.locator("#export-download a"))
    with exported.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    assert len(body) == on_screen
    assert {row[header.index("order_no")] for row in body} == set(
        Order.objects.filter(pk__in=job.selected_ids).values_list("order_no", flat=True))
    assert {row[header.index("status")] for row in body} == {"completed"}
