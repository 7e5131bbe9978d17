"""Bad input: a clear error naming the problem, and nothing written."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from catalog.models import Variant
from tests.factories import SellerFactory
from tests.transfers.helpers import PRODUCT_HEADER, csv_bytes, errors_by_row, upload
from transfers.models import ImportJob
from transfers.parsing import FileRejected
from transfers.services import import_job_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def seller(db):
    return SellerFactory(code="TOKO01")


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rejected(job: ImportJob, *fragments: str) -> None:
    assert job.status == ImportJob.Status.REJECTED, (job.status, job.errors)
    for fragment in fragments:
        assert fragment in job.file_error, job.file_error
    assert not Variant.objects.exists()


def test_missing_required_headers_are_named(superuser):
    job = upload(superuser, "products", csv_bytes([["seller", "sku", "price"], ["TOKO01", "A", "1000"]]))
    _rejected(job, "missing required column(s): product_name, weight_grams")


def test_wrong_headers_are_named(superuser):
    job = upload(superuser, "products", csv_bytes([["penjual", "kode", "nama", "harga", "berat"], ["TOKO01"] * 5]))
    _rejected(job, "unknown column(s): kode, nama, berat")


def test_extra_columns_are_refused(superuser):
    job = upload(superuser, "products", csv_bytes([[*PRODUCT_HEADER, "warna_favorit"],
                                                    ["TOKO01", "A", "P", "", "1000", "100", "merah"]]))
    _rejected(job, "unknown column(s): warna_favorit")


def test_cells_beyond_the_header_are_rejected_rows(superuser):
    job = upload(superuser, "products", b"seller,sku,product_name,variant_name,price,weight_grams\n"
                                        b"TOKO01,A,P,,1000,100,surplus\n")
    assert errors_by_row(job)[2][0]["value"] == "surplus"


def test_indonesian_headers_are_understood(superuser):
    job = upload(superuser, "products", csv_bytes([["penjual", "sku", "nama_produk", "harga", "berat_gram"],
                                                    ["TOKO01", "A", "Produk", "Rp 10.000", "100"]]))
    assert (job.status, job.new_rows) == (ImportJob.Status.PREVIEWED, 1)


def test_negative_stock_is_rejected(superuser, seller):
    from tests.factories import ProductFactory, VariantFactory, WarehouseFactory

    VariantFactory(product=ProductFactory(seller=seller), sku="A")
    WarehouseFactory(code="WH1")
    header = ["seller", "sku", "warehouse", "on_hand"]
    job = upload(superuser, "stock", csv_bytes([header, ["TOKO01", "A", "WH1", "-3"]]))
    assert errors_by_row(job) == {2: [{"row": 2, "column": "on_hand", "value": "-3", "reason": "cannot be negative"}]}


def test_unknown_warehouse_and_unknown_order_are_rejected(superuser, seller):
    header = ["seller", "sku", "warehouse", "on_hand"]
    job = upload(superuser, "stock", csv_bytes([header, ["TOKO01", "A", "NOWH", "3"]]))
    assert errors_by_row(job)[2][0]["column"] == "warehouse"
    job = upload(superuser, "awb", csv_bytes([["order_no", "awb", "courier"], ["INV-NOPE", "JNE1", "jne"]]))
    assert {e["column"] for e in errors_by_row(job)[2]} >= {"order_no"}


def test_empty_file_is_refused_at_upload(superuser):
    with pytest.raises(FileRejected, match="empty"):
        upload(superuser, "products", b"")
    assert not ImportJob.objects.exists()


def test_header_only_file_is_rejected(superuser):
    job = upload(superuser, "products", csv_bytes([PRODUCT_HEADER]))
    _rejected(job, "no data rows")


def test_windows_1252_text_is_read(superuser):
    data = csv_bytes([PRODUCT_HEADER, ["TOKO01", "A", "Kopi Café – Spesial", "", "10.000", "100"]],
                     encoding="cp1252")
    job = upload(superuser, "products", data)
    assert job.status == ImportJob.Status.PREVIEWED and job.new_rows == 1
    assert job.preview["rows"][0]["cells"][2] == "Kopi Café – Spesial"
    assert "Windows-1252" in " ".join(job.messages)


def test_semicolon_separated_csv_is_read(superuser):
    data = csv_bytes([PRODUCT_HEADER, ["TOKO01", "A", "Produk", "", "10.000,50", "100"]], delimiter=";")
    from transfers.services import import_job_confirm

    job = import_job_confirm(job=upload(superuser, "products", data), user=superuser)
    assert job.status == ImportJob.Status.DONE
    assert str(Variant.objects.get(sku="A").price) == "10000.50"


def test_byte_order_mark_is_ignored(superuser):
    data = b"\xef\xbb\xbf" + csv_bytes([PRODUCT_HEADER, ["TOKO01", "A", "Produk", "", "1000", "100"]])
    job = upload(superuser, "products", data)
    assert job.status == ImportJob.Status.PREVIEWED and job.new_rows == 1


def test_file_over_the_size_limit_is_refused(superuser, settings):
    settings.IMPORT_MAX_BYTES = 100
    with pytest.raises(FileRejected, match="files up to"):
        upload(superuser, "products", csv_bytes([PRODUCT_HEADER] + [["TOKO01", "A", "P", "", "1", "1"]] * 10))
    assert not ImportJob.objects.exists()


def test_tsv_json_and_xlsx_are_read(superuser):
    rows = [PRODUCT_HEADER, ["TOKO01", "T-1", "Produk", "", "1.000", "100"]]
    assert upload(superuser, "products", csv_bytes(rows, delimiter="\t"), name="f.tsv").new_rows == 1
    json_data = b'[{"seller": "TOKO01", "sku": "J-1", "product_name": "P", "price": 1000.5, "weight_grams": 10}]'
    job = upload(superuser, "products", json_data, name="f.json")
    assert (job.status, job.new_rows) == (ImportJob.Status.PREVIEWED, 1)
    job = upload(superuser, "products", _xlsx([PRODUCT_HEADER, ["TOKO01", "X-1", "P", None, 1250.75, 250]]),
                 name="f.xlsx")
    assert (job.status, job.new_rows, job.error_rows) == (ImportJob.Status.PREVIEWED, 1, 0)


def test_xlsx_zip_bomb_is_refused(superuser):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<worksheet>" + b" " * (20 * 1024 * 1024) + b"</worksheet>")
    assert len(buffer.getvalue()) < 200 * 1024
    job = upload(superuser, "products", buffer.getvalue(), name="bomb.xlsx")
    _rejected(job, "zip bomb")


def test_xlsx_xml_entity_attack_is_refused(superuser):
    source = zipfile.ZipFile(io.BytesIO(_xlsx([PRODUCT_HEADER, ["TOKO01", "A", "P", "", 1000, 100]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                doctype = b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
                data = data.replace(b"?>", b"?>" + doctype, 1) if data.startswith(b"<?xml") else doctype + data
                data = data.replace(b"<v>", b"<v>&lol2;", 1)
            target.writestr(info, data)
    job = upload(superuser, "products", buffer.getvalue(), name="evil.xlsx")
    _rejected(job, "DOCTYPE")


def test_openpyxl_reads_through_defusedxml():
    """The second line of defence behind the DOCTYPE check: openpyxl parses with defusedxml."""
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True


def test_unknown_file_type_is_refused(superuser):
    with pytest.raises(FileRejected, match="CSV, TSV, JSON or XLSX"):
        import_job_create(kind="products", policy="all_or_nothing",
                          upload=SimpleUploadedFile("data.xls", b"\xd0\xcf\x11\xe0"), user=superuser)
