"""Reading uploaded tables safely and in a stream: CSV (comma, semicolon; UTF-8 with or without a byte-order
mark, or Windows-1252 as Excel writes it), TSV, JSON (an array of objects) and XLSX (checked for zip bombs
and XML entity tricks before openpyxl reads it, and read through defusedxml).

`open_table()` returns a Table whose `rows` yields (row number, cells) lazily; row 1 is the header, so the
first data row is row 2, as a spreadsheet shows it. Every refusal is a FileRejected with a message staff
can act on; nothing about the file is trusted before these checks ran."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from common.exceptions import ApplicationError

FORMATS = ("csv", "tsv", "json", "xlsx")
_EXTENSIONS = {".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".tab": "tsv", ".json": "json", ".xlsx": "xlsx"}
_SNIFF_BYTES = 64 * 1024
csv.field_size_limit(1024 * 1024)


class FileRejected(ApplicationError):
    code = "import_file_rejected"


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, list]]
    file_format: str
    encoding: str = ""
    delimiter: str = ""
    notes: list[str] = field(default_factory=list)


def format_for(name: str) -> str:
    ext = os.path.splitext(name or "")[1].lower()
    fmt = _EXTENSIONS.get(ext)
    if fmt is None:
        raise FileRejected(
            _("“%(name)s” is not a file this import reads: upload CSV, TSV, JSON or XLSX (.csv, .tsv, .json, "
              ".xlsx).") % {"name": name},
            extra={"field": "file"},
        )
    return fmt


def check_size(size: int, *, limit: int | None = None) -> None:
    limit = settings.IMPORT_MAX_BYTES if limit is None else limit
    if size > limit:
        raise FileRejected(
            _("The file is %(size)s MB; files up to %(limit)s MB are accepted. Split it into smaller files.")
            % {"size": f"{size / 1048576:.1f}", "limit": f"{limit / 1048576:.0f}"},
            extra={"field": "file", "size": size, "limit": limit},
        )


def open_table(path: str, *, name: str = "", file_format: str | None = None, max_bytes: int | None = None) -> Table:
    """Open the file at `path` (named `name` by the uploader) as a Table; raises FileRejected."""
    fmt = file_format or format_for(name or path)
    size = os.path.getsize(path)
    check_size(size, limit=max_bytes)
    if size == 0:
        raise FileRejected(_("The file is empty."), extra={"field": "file"})
    if fmt in ("csv", "tsv"):
        return _open_delimited(path, tab=(fmt == "tsv"), fmt=fmt)
    if fmt == "json":
        return _open_json(path)
    return _open_xlsx(path)


# ------------------------------------------------------------------------------------------------ CSV / TSV


def _detect_encoding(path: str) -> str:
    """utf-8-sig when the file starts with the UTF-8 byte-order mark, utf-8 when the whole file decodes as
    UTF-8, else cp1252 (what Excel on Windows writes) when it decodes as that."""
    with open(path, "rb") as handle:
        head = handle.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(1024 * 1024):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("cp1252")()
        try:
            while chunk := handle.read(1024 * 1024):
                decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            raise FileRejected(
                _("The file's text is neither UTF-8 nor Windows-1252; save it as “CSV UTF-8” and upload it "
                  "again."),
                extra={"field": "file"},
            ) from exc
    return "cp1252"


def _delimiter_of(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _open_delimited(path: str, *, tab: bool, fmt: str) -> Table:
    encoding = _detect_encoding(path)
    handle = open(path, encoding=encoding, newline="")  # noqa: SIM115 - closed by the row generator
    first_line = handle.readline()
    handle.seek(0)
    delimiter = "\t" if tab else _delimiter_of(first_line)
    reader = csv.reader(handle, delimiter=delimiter)
    try:
        headers = next(reader)
    except StopIteration:
        handle.close()
        raise FileRejected(_("The file is empty."), extra={"field": "file"}) from None
    except csv.Error as exc:
        handle.close()
        raise FileRejected(_("The header row cannot be read: %(error)s.") % {"error": exc}) from exc
    if not any(cell.strip() for cell in headers):
        handle.close()
        raise FileRejected(_("The first row of the file is empty; it must hold the column names."),
                           extra={"field": "file"})

    def rows() -> Iterator[tuple[int, list]]:
        number = 1
        try:
            for cells in reader:
                number += 1
                if cells and any(cells):
                    yield number, cells
        except csv.Error as exc:
            raise FileRejected(_("Row %(row)d cannot be read: %(error)s.") % {"row": number + 1, "error": exc},
                               extra={"row": number + 1}) from exc
        finally:
            handle.close()

    notes = []
    if encoding == "cp1252":
        notes.append(_("The file was read as Windows-1252 text."))
    if delimiter == ";":
        notes.append(_("Columns are separated by semicolons."))
    return Table(headers=headers, rows=rows(), file_format=fmt, encoding=encoding, delimiter=delimiter,
                 notes=notes)


# ----------------------------------------------------------------------------------------------------- JSON


def _open_json(path: str) -> Table:
    try:
        with open(path, "rb") as handle:
            data = json.loads(handle.read().decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FileRejected(_("The file is not valid JSON: %(error)s.") % {"error": exc},
                           extra={"field": "file"}) from exc
    if isinstance(data, dict) and isinstance(data.get("rows"), list):
        data = data["rows"]
    if not isinstance(data, list):
        raise FileRejected(_("A JSON import is an array of objects, one per row."), extra={"field": "file"})
    if not data:
        raise FileRejected(_("The file has no rows."), extra={"field": "file"})
    headers: list[str] = []
    seen = set()
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise FileRejected(_("Row %(row)d is not an object.") % {"row": index + 2}, extra={"row": index + 2})
        for key in item:
            if key not in seen:
                seen.add(key)
                headers.append(str(key))

    def rows() -> Iterator[tuple[int, list]]:
        for index, item in enumerate(data):
            yield index + 2, [_json_cell(item.get(key)) for key in headers]

    return Table(headers=headers, rows=rows(), file_format="json", encoding="utf-8")


def _json_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


# ----------------------------------------------------------------------------------------------------- XLSX


def _check_xlsx_container(path: str) -> None:
    """Refuse zip bombs (declared sizes too big or compressed too well) and XML that declares a DOCTYPE
    (the door to entity expansion and external entities) before any XML parser sees the file."""
    max_total = settings.IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES
    max_ratio = settings.IMPORT_XLSX_MAX_RATIO
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileRejected(_("The file is not a valid XLSX workbook."), extra={"field": "file"}) from exc
    with archive:
        members = archive.infolist()
        if len(members) > 10000:
            raise FileRejected(_("The workbook holds too many parts to be read safely."), extra={"field": "file"})
        total = 0
        for info in members:
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if total > max_total or (info.file_size > 1024 * 1024 and ratio > max_ratio):
                raise FileRejected(
                    _("The workbook unpacks to far more data than its size suggests (a “zip bomb”); it is not "
                      "read."),
                    extra={"field": "file", "part": info.filename},
                )
        for info in members:
            if not info.filename.endswith((".xml", ".rels", ".vml")):
                continue
            with archive.open(info) as part:
                head = part.read(4096)
            if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
                raise FileRejected(
                    _("The workbook contains XML declarations (DOCTYPE / ENTITY) that are not allowed in an "
                      "upload; save it again from Excel or LibreOffice."),
                    extra={"field": "file", "part": info.filename},
                )


def _xlsx_cell(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return Decimal(str(value)) if not value.is_integer() else int(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _open_xlsx(path: str) -> Table:
    import openpyxl
    from defusedxml import DefusedXmlException
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:  # openpyxl parses with defusedxml whenever it is installed; it is pinned
        raise FileRejected(_("XLSX uploads are disabled: the safe XML parser is not installed."))
    _check_xlsx_container(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except DefusedXmlException as exc:
        raise FileRejected(_("The workbook contains forbidden XML constructs and is not read."),
                           extra={"field": "file"}) from exc
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise FileRejected(_("The file is not a valid XLSX workbook."), extra={"field": "file"}) from exc
    sheet = workbook.worksheets[0]
    iterator = sheet.iter_rows(values_only=True)
    try:
        headers = next(iterator)
    except StopIteration:
        workbook.close()
        raise FileRejected(_("The file is empty."), extra={"field": "file"}) from None
    headers = ["" if h is None else str(h) for h in headers]
    while headers and not headers[-1].strip():
        headers.pop()
    if not headers:
        workbook.close()
        raise FileRejected(_("The first row of the file is empty; it must hold the column names."),
                           extra={"field": "file"})
    width = len(headers)

    def rows() -> Iterator[tuple[int, list]]:
        try:
            for number, values in enumerate(iterator, start=2):
                cells = [_xlsx_cell(v) for v in values]
                if any(c != "" for c in cells):
                    if len(cells) > width and not any(c != "" for c in cells[width:]):
                        cells = cells[:width]
                    yield number, cells
        except DefusedXmlException as exc:
            raise FileRejected(_("The workbook contains forbidden XML constructs and is not read.")) from exc
        except (ValueError, KeyError, SyntaxError, zipfile.BadZipFile) as exc:  # ParseError is a SyntaxError
            raise FileRejected(_("The workbook is damaged and cannot be read: %(error)s") % {"error": exc}) from exc
        finally:
            workbook.close()

    return Table(headers=headers, rows=rows(), file_format="xlsx")


def table_from_bytes(data: bytes, *, name: str, workdir: str) -> Table:
    """For tests and small in-memory uploads: write `data` under `workdir` and open it."""
    path = os.path.join(workdir, os.path.basename(name))
    with open(path, "wb") as handle:
        handle.write(data)
    return open_table(path, name=name)


def cell_text(value) -> str:
    """A cell as the text staff typed (for previews, error messages and error files)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


__all__ = ["FORMATS", "FileRejected", "Table", "cell_text", "check_size", "format_for", "open_table"]
