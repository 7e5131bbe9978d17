"""The import engine every importer (`<app>/resources.py`) plugs into.

An importer declares its columns (English key, Indonesian header, required or not, legend, example values)
and handles rows in batches: it validates them, calls the app's services (or, for products, one batched
upsert) and tells the Report what each row became: new, updated, unchanged, or rejected with the column,
value and reason. `import_run()` drives it over a streamed Table inside ONE transaction:

- dry run (the preview): everything is done and then rolled back, so the counts are exactly what the
  import would do, cross-row effects included;
- policy "all or nothing": any rejected row rolls the whole file back;
- policy "valid rows only": rejected rows are skipped (each row's writes sit in a savepoint or are checked
  before the batched write), the rest commits.

Rejected rows go, with their original cells and an "error" column, to an error file ready to fix and
upload again. Progress is written through a separate autocommit connection so that the admin's progress
bar sees it while the import's own transaction is still open."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.exceptions import ApplicationError
from common.money import parse_rupiah
from transfers.parsing import FileRejected, Table, cell_text

PREVIEW_ROWS = 20
STORED_ERRORS = 500


@dataclass(frozen=True)
class Column:
    key: str  # the English header (and the key of a row's values)
    label_id: str  # the Indonesian header
    legend: object  # lazy text: what goes in the column
    required: bool = False
    examples: tuple = ()

    def header(self, language: str) -> str:
        return self.label_id if language == "id" else self.key


class Row:
    """One data row: its number in the file (the header is row 1), its cells in file order, and its values
    by column key (`values`, built on first use: importers that read cells by position never pay for the
    dict). `extra` lists the positions of non-empty cells in columns without a header."""

    __slots__ = ("_keys", "_values", "cells", "extra", "number")

    def __init__(self, number: int, values: dict | None = None, cells: list | None = None, *,
                 keys: list | None = None, extra: list | None = None) -> None:
        self.number = number
        self.cells = cells if cells is not None else []
        self.extra = extra
        self._keys = keys
        self._values = values

    @property
    def values(self) -> dict:  # column key -> raw cell
        if self._values is None:
            self._values = dict(zip(self._keys or (), self.cells, strict=False))
        return self._values

    def get(self, key: str, default=""):
        value = self.values.get(key, default)
        return value.strip() if isinstance(value, str) else value


@dataclass
class Report:
    total: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list = field(default_factory=list)  # first STORED_ERRORS problems
    preview: list = field(default_factory=list)  # first PREVIEW_ROWS rows with their outcome
    messages: list = field(default_factory=list)
    _error_writer: object = None

    def outcome(self, row: Row, result: str, note: str = "") -> None:
        """result: "new", "updated" or "unchanged"."""
        setattr(self, result, getattr(self, result) + 1)
        if row.number <= PREVIEW_ROWS + 1:
            self.preview.append({"row": row.number, "outcome": result, "note": note,
                                 "cells": [cell_text(c) for c in row.cells]})

    def reject(self, row: Row, problems: list[tuple[str, object, str]]) -> None:
        self.rejected += 1
        for column, value, reason in problems:
            if len(self.errors) < STORED_ERRORS:
                self.errors.append({"row": row.number, "column": column, "value": cell_text(value),
                                    "reason": str(reason)})
        text = "; ".join(f"{column}: {reason}" if column else str(reason) for column, _v, reason in problems)
        if row.number <= PREVIEW_ROWS + 1:
            self.preview.append({"row": row.number, "outcome": "error", "note": text,
                                 "cells": [cell_text(c) for c in row.cells]})
        if self._error_writer is not None:
            self._error_writer.writerow([row.number, *[_escape(cell_text(c)) for c in row.cells], text])


def _escape(text: str) -> str:
    from transfers.exporting import escape_formula

    return escape_formula(text)


class Importer:
    """Base of every importer. Subclasses set `kind`, `columns`, `permissions` and implement
    `process_batch(rows, report)`; `batch_size = None` hands the whole file over in one batch (for
    importers whose rows group across the file, e.g. items of one order)."""

    kind: str = ""
    title = gettext_lazy("Import")
    columns: list[Column] = []
    permissions: tuple[str, ...] = ()
    batch_size: int | None = 1000
    prepare_ahead = False  # run prepare_batch in a worker thread (it must then touch no database)
    example_rows = 2

    def __init__(self, *, user, options: dict | None = None, reference: str = "") -> None:
        self.user = user
        self.options = options or {}
        self.reference = reference
        self.present: set[str] = set()
        self.positions: dict[str, int] = {}  # column key -> index of its cell in a row

    # ---- hooks
    def begin(self) -> None:
        """Load the lookup maps (sellers, warehouses, …) once, before the first batch."""

    def prepare_batch(self, rows: list[Row]):
        """The part of a batch's work that needs neither the database nor the Report (parsing, validation);
        what it returns is what process_batch receives. With `prepare_ahead` set it runs in a worker thread,
        a batch or two ahead, while the import's connection runs the previous batch's SQL."""
        return rows

    def process_batch(self, rows: list[Row], report: Report) -> None:
        raise NotImplementedError

    def after_commit(self, report: Report) -> None:
        """Work that must only happen once the import committed (e.g. sending orders to platforms)."""

    @classmethod
    def user_may_import(cls, user) -> bool:
        return bool(user and user.is_active and user.is_staff and user.has_perms(cls.permissions))

    # ---- headers
    @classmethod
    def header_map(cls, headers: list[str]) -> list[str | None]:
        """The column key of each header; raises FileRejected naming missing, unknown and repeated ones."""
        aliases = {}
        for column in cls.columns:
            for name in (column.key, column.label_id):
                aliases[normalise_header(name)] = column.key
        keys, unknown, repeated = [], [], []
        for header in headers:
            name = normalise_header(header)
            if not name:
                keys.append(None)
                continue
            key = aliases.get(name)
            if key is None:
                unknown.append(str(header).strip())
            elif key in keys:
                repeated.append(str(header).strip())
            keys.append(key)
        missing = [c.key for c in cls.columns if c.required and c.key not in keys]
        problems = []
        if missing:
            problems.append(_("missing required column(s): %(columns)s") % {"columns": ", ".join(missing)})
        if unknown:
            problems.append(_("unknown column(s): %(columns)s") % {"columns": ", ".join(unknown)})
        if repeated:
            problems.append(_("column(s) given twice: %(columns)s") % {"columns": ", ".join(repeated)})
        if problems:
            expected = ", ".join(f"{c.key}{'*' if c.required else ''}" for c in cls.columns)
            raise FileRejected(
                _("The header row does not fit this import: %(problems)s. Expected columns (* required): "
                  "%(expected)s.") % {"problems": "; ".join(problems), "expected": expected},
                extra={"missing": missing, "unknown": unknown, "repeated": repeated},
            )
        return keys


def normalise_header(text) -> str:
    text = str(text or "").replace("\ufeff", "").strip().lower()
    text = re.sub(r"\s*\*$", "", text)  # templates mark required columns with a star
    return re.sub(r"[\s\-/]+", "_", text)


# ----------------------------------------------------------------------------------------- value parsing


def text(row: Row, key: str, *, required: bool = False, max_length: int | None = None, problems: list) -> str:
    value = row.get(key)
    value = "" if value is None else str(value).strip()
    if required and not value:
        problems.append((key, value, _("is required")))
    elif max_length and len(value) > max_length:
        problems.append((key, value, _("is longer than %(max)d characters") % {"max": max_length}))
    return value


def amount(row: Row, key: str, *, required: bool = False, problems: list, minimum: Decimal | None = Decimal(0)):
    """A rupiah amount: 10000, "10.000", "Rp 10.000", "10.000,50"; None when empty and not required."""
    raw = row.get(key)
    if raw.__class__ is str and raw.isdigit() and len(raw) < 13:
        return Decimal(raw)  # the common case, without the parser
    if raw == "" or raw is None:
        if required:
            problems.append((key, raw, _("is required")))
        return None
    try:
        value = parse_rupiah(raw)
    except ValueError:
        problems.append((key, raw, _("is not a number")))
        return None
    if not value.is_finite():
        problems.append((key, raw, _("is not a number")))
        return None
    if minimum is not None and value < minimum:
        problems.append((key, raw, _("cannot be negative") if minimum == 0 else
                         _("must be at least %(min)s") % {"min": minimum}))
        return None
    if abs(value) >= Decimal("1e12"):
        problems.append((key, raw, _("is too large")))
        return None
    return value


def integer(row: Row, key: str, *, required: bool = False, problems: list, minimum: int | None = 0,
            maximum: int = 2_147_483_647):
    """A whole number; "1.000" (Indonesian thousands) is 1000. None when empty and not required."""
    raw = row.get(key)
    if raw.__class__ is str and raw.isdigit() and len(raw) < 10:
        value = int(raw)  # the common case, without the parser
        if minimum is not None and value < minimum:
            problems.append((key, raw, _("must be at least %(min)d") % {"min": minimum}))
            return None
        return value
    if raw == "" or raw is None:
        if required:
            problems.append((key, raw, _("is required")))
        return None
    if isinstance(raw, int):
        value = Decimal(raw)
    else:
        try:
            value = parse_rupiah(raw) if not isinstance(raw, Decimal) else raw
        except ValueError:
            problems.append((key, raw, _("is not a whole number")))
            return None
    if value != value.to_integral_value():
        problems.append((key, raw, _("is not a whole number")))
        return None
    value = int(value)
    if minimum is not None and value < minimum:
        problems.append((key, raw, _("cannot be negative") if minimum == 0 else
                         _("must be at least %(min)d") % {"min": minimum}))
        return None
    if value > maximum:
        problems.append((key, raw, _("is too large")))
        return None
    return value


def decimal(row: Row, key: str, *, problems: list, max_digits: int = 7, places: int = 1):
    raw = row.get(key)
    if raw == "" or raw is None:
        return None
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation:
        problems.append((key, raw, _("is not a number")))
        return None
    if not value.is_finite() or value < 0:
        problems.append((key, raw, _("must be a number of zero or more")))
        return None
    if value.as_tuple().exponent < -places:
        value = value.quantize(Decimal(1).scaleb(-places))
    if value >= Decimal(10) ** (max_digits - places):
        problems.append((key, raw, _("is too large")))
        return None
    return value


_TRUE = {"1", "true", "yes", "y", "ya", "aktif", "active", "benar"}
_FALSE = {"0", "false", "no", "n", "tidak", "t", "nonaktif", "inactive", "salah"}


def boolean(row: Row, key: str, *, problems: list):
    raw = row.get(key)
    if raw == "" or raw is None:
        return None
    word = str(raw).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    problems.append((key, raw, _("is not yes/no (ya/tidak, 1/0)")))
    return None


def date(row: Row, key: str, *, required: bool = False, problems: list):
    raw = row.get(key)
    if raw == "" or raw is None:
        if required:
            problems.append((key, raw, _("is required")))
        return None
    if isinstance(raw, dt.date):
        return raw
    word = str(raw).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%dT%H:%M:%S"):
        try:
            return dt.datetime.strptime(word, pattern).date()
        except ValueError:
            continue
    problems.append((key, raw, _("is not a date (YYYY-MM-DD or DD/MM/YYYY)")))
    return None


def choice(row: Row, key: str, *, choices: dict[str, str], problems: list, default: str | None = None):
    """`choices` maps accepted words (lower case; English and Indonesian) to the stored value."""
    raw = row.get(key)
    if raw == "" or raw is None:
        return default
    value = choices.get(str(raw).strip().lower())
    if value is None:
        problems.append((key, raw, _("is not one of: %(choices)s") % {"choices": ", ".join(sorted(set(choices)))}))
    return value


def error_problems(exc: ApplicationError, *, default_column: str = "") -> list[tuple[str, object, str]]:
    """An ApplicationError from a service as row problems (its `field` extra, when given, is the column)."""
    column = exc.extra.get("field") or exc.extra.get("column") or default_column
    return [(column, exc.extra.get("value", ""), exc.message)]


# --------------------------------------------------------------------------------------------------- runner


class _Rollback(Exception):
    pass


@dataclass
class ImportResult:
    report: Report
    committed: bool
    error_file_path: str | None
    table_notes: list
    headers: list


def _rows_of(table: Table, keys: list[str | None]) -> Iterator[Row]:
    width = len(keys)
    simple = None not in keys  # every column has a header: the values dict is built lazily, if at all
    for number, cells in table.rows:
        if simple and len(cells) <= width:
            yield Row(number, None, cells, keys=keys)
            continue
        values = {}
        extra = []
        for index, cell in enumerate(cells):
            key = keys[index] if index < width else None
            if key is not None:
                values[key] = cell
            elif cell not in ("", None):
                extra.append(index)
        yield Row(number, values, list(cells), keys=keys, extra=extra or None)


def _batches(rows: Iterable[Row], size: int | None) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if size and len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _prepared(importer: Importer, table: Table, keys: list[str | None]) -> Iterator[tuple[int, list, object]]:
    """(rows in the batch, [(row, problems)] for values in columns without a header, prepared batch or
    None when no row is left) per batch."""
    for batch in _batches(_rows_of(table, keys), importer.batch_size):
        clean, rejected = [], []
        for row in batch:
            if row.extra:
                rejected.append((row, [("", cell_text(row.cells[i]),
                                        _("value in a column without a header (column %(n)d)") % {"n": i + 1})
                                       for i in row.extra]))
            else:
                clean.append(row)
        yield len(batch), rejected, (importer.prepare_batch(clean) if clean else None)


class _ReadAhead:
    """Iterates `items` in a worker thread, at most `depth` items ahead of the consumer, so that reading
    and validating the next batches overlaps the database work on the current one (the database client
    releases the GIL while it waits). The worker's exceptions (FileRejected, …) are raised in the consumer;
    leaving the `with` block stops the worker. The worker uses the consumer's language, so messages read
    the same."""

    _DONE = object()

    def __init__(self, items: Iterator, *, depth: int = 2) -> None:
        import queue
        import threading

        from django.utils import translation

        self._items = items
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._language = translation.get_language()
        self._thread = threading.Thread(target=self._work, name="import-read-ahead", daemon=True)

    def _put(self, entry) -> bool:
        import queue

        while not self._stop.is_set():
            try:
                self._queue.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _work(self) -> None:
        from django.utils import translation

        try:
            with translation.override(self._language):
                for item in self._items:
                    if not self._put((True, item)):
                        return
            self._put((True, self._DONE))
        except BaseException as exc:  # handed to the consumer, which raises it
            self._put((False, exc))
        finally:
            close = getattr(self._items, "close", None)
            if close is not None:
                close()

    def __enter__(self) -> _ReadAhead:
        self._thread.start()
        return self

    def __iter__(self):
        while True:
            ok, item = self._queue.get()
            if not ok:
                raise item
            if item is self._DONE:
                return
            yield item

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()


def import_run(
    *,
    importer: Importer,
    table: Table,
    policy: str,
    dry_run: bool,
    progress: Callable[[int], None] | None = None,
    error_dir: str | None = None,
) -> ImportResult:
    """Run `importer` over `table` in one transaction (see the module docstring). Raises FileRejected for
    a file-level problem (headers, empty file); row problems are in the report."""
    from contextlib import nullcontext

    from transfers.models import ImportJob

    keys = importer.header_map(table.headers)
    importer.present = {k for k in keys if k}
    importer.positions = {k: i for i, k in enumerate(keys) if k}
    report = Report()
    error_path = None
    error_handle = None
    if error_dir is not None:
        fd, error_path = tempfile.mkstemp(prefix="import-errors-", suffix=".csv", dir=error_dir)
        error_handle = open(fd, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
        report._error_writer = csv.writer(error_handle)
        report._error_writer.writerow([_("row"), *[str(h) for h in table.headers], _("error")])
    committed = False
    last_progress = 0.0
    try:
        try:
            with transaction.atomic():
                importer.begin()
                batches = _prepared(importer, table, keys)
                with _ReadAhead(batches) if importer.prepare_ahead else nullcontext(batches) as prepared:
                    for count, rejected, batch in prepared:
                        for row, problems in rejected:
                            report.reject(row, problems)
                        report.total += count
                        if batch is not None:
                            importer.process_batch(batch, report)
                        now = time.monotonic()
                        if progress is not None and now - last_progress > 0.5:
                            progress(report.total)
                            last_progress = now
                if report.total == 0:
                    raise FileRejected(_("The file has a header row but no data rows."), extra={"field": "file"})
                if dry_run or (policy == ImportJob.Policy.ALL_OR_NOTHING and report.rejected):
                    raise _Rollback
                committed = True
        except _Rollback:
            pass
        if committed:
            importer.after_commit(report)
    finally:
        if error_handle is not None:
            error_handle.close()
    if progress is not None:
        progress(report.total)
    if error_path and not report.rejected:
        os.unlink(error_path)
        error_path = None
    return ImportResult(report=report, committed=committed, error_file_path=error_path, table_notes=table.notes,
                        headers=[cell_text(h) for h in table.headers])


# ------------------------------------------------------------------------------------------------ templates


def template_rows(importer_class: type[Importer], language: str) -> tuple[list[str], list[list], list[list]]:
    """(headers, example rows, legend rows [column, required, description]) of an importer's template."""
    from django.utils import translation

    with translation.override(language):
        headers = [c.header(language) for c in importer_class.columns]
        examples = []
        for index in range(importer_class.example_rows):
            examples.append([c.examples[index] if index < len(c.examples) else "" for c in importer_class.columns])
        legend = [[c.header(language), _("yes") if c.required else _("no"), str(c.legend)]
                  for c in importer_class.columns]
        legend_header = [_("column"), _("required"), _("description")]
    return headers, examples, [legend_header, *legend]


def template_file(importer_class: type[Importer], *, language: str, file_format: str) -> tuple[bytes, str]:
    """The downloadable template: (content, content type). XLSX has a "Legend" sheet; CSV and TSV hold the
    header and example rows (the legend is on the upload page)."""
    headers, examples, legend = template_rows(importer_class, language)
    if file_format == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        data = workbook.create_sheet("Data")
        data.append(headers)
        for example in examples:
            data.append(example)
        sheet = workbook.create_sheet(_legend_title(language))
        for line in legend:
            sheet.append(line)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if file_format == "json":
        import json

        payload = [dict(zip(headers, (cell_text(v) for v in example), strict=True)) for example in examples]
        return json.dumps(payload, ensure_ascii=False, indent=2).encode(), "application/json"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t" if file_format == "tsv" else ",")
    writer.writerow(headers)
    for example in examples:
        writer.writerow([cell_text(v) for v in example])
    return buffer.getvalue().encode("utf-8-sig"), "text/csv" if file_format == "csv" else "text/tab-separated-values"


def _legend_title(language: str) -> str:
    return "Keterangan" if language == "id" else "Legend"


def progress_writer(job_id: int) -> Callable[[int], None]:
    """A callback that stores `processed_rows` of the job through its own autocommit connection, so that
    other requests see the progress while the import's transaction is open. Elsewhere (the SQLite demo, one
    writer at a time) the bar shows the row count only when the import ends."""
    import psycopg

    if connection.vendor != "postgresql":
        def write_nothing(processed: int) -> None:
            return None

        write_nothing.close = lambda: None
        return write_nothing

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    holder: dict = {}

    def write(processed: int) -> None:
        try:
            conn = holder.get("conn")
            if conn is None:
                conn = holder["conn"] = psycopg.connect(**params, autocommit=True)
            conn.execute("UPDATE transfers_importjob SET processed_rows = %s WHERE id = %s", (processed, job_id))
        except psycopg.Error:  # progress is a courtesy; the import goes on without it
            holder.pop("conn", None)

    def close() -> None:
        conn = holder.pop("conn", None)
        if conn is not None:
            conn.close()

    write.close = close
    return write
