"""A product import from the admin by the warehouse: a CSV with one bad row is checked (a dry run that writes
nothing), the preview shows the summary and the rejected row (row, column, value, reason), the error file
downloads with the original columns plus the error, and the import confirmed with "valid rows only" creates the
good rows' products."""

import csv
import re

from catalog.models import Variant
from sellers.models import Seller
from tests.e2e.support import (
    E2E,
    assert_translated,
    assert_translated_in_both_languages,
    download,
    expect,
    expect_message,
    goto,
    log_in,
    submit,
    upload,
)
from transfers.models import ImportJob
from transfers.registry import IMPORTERS, importer_class

pytestmark = E2E

HEADER = ["seller", "sku", "product_name", "variant_name", "price", "weight_grams"]


def test_product_import_with_a_rejected_row_then_the_valid_rows_only(page, demo, tmp_path):
    warehouse = demo.user("warehouse")
    seller = Seller.objects.filter(staff_assignments__user=warehouse).order_by("code").first()
    rows = [
        [seller.code, "E2E-TOTE-M", "Tas Tote Kanvas E2E", "Natural / M", "Rp 75.000", "300"],
        [seller.code, "E2E-TOTE-L", "Tas Tote Kanvas E2E", "Natural / L", "seratus ribu", "320"],
        [seller.code, "E2E-TOTE-XL", "Tas Tote Kanvas E2E", "Natural / XL", "85.000", "350"],
    ]
    source = tmp_path / "produk-baru.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    skus = [row[1] for row in rows]
    assert not Variant.objects.filter(seller=seller, sku__in=skus).exists()

    log_in(page, "warehouse", demo.password)
    goto(page, "/admin/transfers/importjob/add/?kind=products")
    expect(page.locator("select[name=kind]")).to_have_value("products")
    # The columns' names (English and Indonesian) are what a file may use as its header: shown as they are in
    # both languages.
    header_names = [name for kind in IMPORTERS for column in importer_class(kind).columns
                    for name in (column.key, column.label_id)]
    assert_translated_in_both_languages(page, allow=header_names)
    upload(page, "file", source)
    submit(page, "Upload and check")

    # The preview: a dry run, its summary and the rejected row.
    job = ImportJob.objects.filter(created_by=warehouse).latest("id")
    assert job.status == ImportJob.Status.PREVIEWED, job.file_error
    expect(page.get_by_text("This was a dry run: nothing is written yet.")).to_be_visible()
    expect(page.locator("#job-new")).to_have_text("2")
    expect(page.locator("#job-rejected")).to_have_text("1")
    rejected = page.locator("table").filter(has_text="reason").locator("tbody tr")
    expect(rejected).to_have_count(1)
    cells = rejected.first.locator("td")
    expect(cells.nth(0)).to_have_text("3")  # the file's third line: the header is line 1
    expect(cells.nth(1)).to_have_text(re.compile("price"))
    expect(cells.nth(2)).to_have_text("seratus ribu")
    assert cells.nth(3).inner_text().strip(), "the rejected row says why"
    assert not Variant.objects.filter(seller=seller, sku__in=skus).exists()
    data = [*header_names, "Tas Tote Kanvas E2E", *skus, *(r[3] for r in rows), *(r[4] for r in rows), seller.code,
            "produk-baru.csv", "warehouse", cells.nth(3).inner_text().strip()]
    assert_translated_in_both_languages(page, allow=data)

    # The error file: the original columns plus the error, only the rejected row.
    error_file = download(page, page.get_by_role("link", name=re.compile("Download the rejected rows")))
    with error_file.open(newline="", encoding="utf-8-sig") as handle:
        lines = list(csv.reader(handle))
    header, rejected_lines = lines[0], lines[1:]
    assert set(HEADER) < set(header), header  # every original column, and more: the row and the error
    assert len(rejected_lines) == 1
    line = dict(zip(header, rejected_lines[0], strict=True))
    assert [line[name] for name in HEADER] == rows[1]
    extra = [line[name] for name in header if name not in HEADER]
    assert "3" in extra and any("price" in value or "seratus ribu" in value for value in extra), line

    # Confirmed with "valid rows only": the two good rows are written, the bad one is not.
    page.get_by_label("Import the valid rows only").check()
    submit(page, "Confirm and import")

    expect_message(page, "Imported: 2 new, 0 updated, 0 unchanged, 1 rejected.")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.policy == ImportJob.Policy.VALID_ROWS
    variants = {v.sku: v for v in Variant.objects.filter(seller=seller, sku__in=skus)}
    assert set(variants) == {"E2E-TOTE-M", "E2E-TOTE-XL"}
    assert variants["E2E-TOTE-M"].product.name == "Tas Tote Kanvas E2E"
    assert variants["E2E-TOTE-M"].product_id == variants["E2E-TOTE-XL"].product_id
    assert_translated(page, "en", allow=data)
