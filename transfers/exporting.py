"""Exports of admin changelists to CSV / XLSX: the filtered (or selected) rows, through the model's export
resource (django-import-export), streamed to a file with spreadsheet formula escaping. Columns holding
customers' personal data are included only for staff with "transfers.export_personal_data"; every export
is an ExportJob row (who, when, which filter, how many rows). Small exports download at once; big ones
run as a Celery job and are downloaded from the export job when done."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import tempfile
from decimal import Decimal

from django.conf import settings
from django.contrib import admin, messages
from django.core.files import File
from django.http import FileResponse, QueryDict
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from transfers.models import ExportJob
from transfers.registry import EXPORTS, export_resource_class

PERSONAL_DATA_PERMISSION = "transfers.export_personal_data"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_CONTENT_TYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def escape_formula(value):
    """A text cell that a spreadsheet would run as a formula (=, +, -, @, tab, CR) gets a leading
    apostrophe, so it is shown as text. Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if timezone.is_aware(value) else value
    if isinstance(value, bool | int | Decimal | dt.date):
        return value
    return escape_formula(str(value))


def export_columns(resource, *, user) -> tuple[list, list[str], bool]:
    """(fields, headers, contains personal data) of `resource` for `user`."""
    personal = set(getattr(resource, "personal_fields", ()))
    allowed = user.has_perm(PERSONAL_DATA_PERMISSION)
    chosen = [f for f in resource.get_export_fields() if allowed or f.column_name not in personal]
    contains = bool(personal) and allowed
    return chosen, [f.column_name for f in chosen], contains


def write_export(*, queryset, resource, user, file_format: str, handle) -> tuple[int, list[str], bool]:
    """Write the rows of `queryset` to the binary `handle`; returns (rows, headers, personal data)."""
    chosen, headers, personal = export_columns(resource, user=user)
    related = getattr(resource, "select_related", ())
    if related:
        queryset = queryset.select_related(*related)
    prefetch = getattr(resource, "prefetch_related", ())
    if prefetch:
        queryset = queryset.prefetch_related(*prefetch)
    count = 0
    if file_format == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Export")
        sheet.append(headers)
        for obj in queryset.iterator(chunk_size=2000):
            sheet.append([_xlsx(_cell(resource.export_field(field, obj))) for field in chosen])
            count += 1
        workbook.save(handle)
    else:
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="", write_through=True)
        writer = csv.writer(text)
        writer.writerow(headers)
        for obj in queryset.iterator(chunk_size=2000):
            writer.writerow([_cell(resource.export_field(field, obj)) for field in chosen])
            count += 1
        text.flush()
        text.detach()
    return count, headers, personal


def _xlsx(value):
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def changelist_queryset(*, model_label: str, user, querystring: str, selected_ids=None):
    """The rows an admin changelist shows `user` for `querystring` (filters, search, seller scoping), or
    the selected ones among them."""
    from django.apps import apps

    model = apps.get_model(model_label)
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/", QueryDict(querystring, mutable=True))
    request.user = user
    changelist = model_admin.get_changelist_instance(request)
    queryset = changelist.get_queryset(request)
    if selected_ids is not None:
        queryset = queryset.filter(pk__in=selected_ids)
    return queryset.order_by("pk")


def export_job_run(*, job: ExportJob) -> ExportJob:
    """Make the file of `job` (used by the Celery task, and inline for small exports)."""
    job.status = ExportJob.Status.RUNNING
    job.save(update_fields=["status", "updated_at"])
    try:
        queryset = changelist_queryset(model_label=job.model_label, user=job.created_by,
                                       querystring=job.filter_querystring, selected_ids=job.selected_ids)
        resource = export_resource_class(job.model_label)()
        fd, path = tempfile.mkstemp(suffix=f".{job.file_format}")
        try:
            with os.fdopen(fd, "w+b") as handle:
                count, headers, personal = write_export(queryset=queryset, resource=resource, user=job.created_by,
                                                        file_format=job.file_format, handle=handle)
                handle.seek(0)
                stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
                name = f"{job.model_label.replace('.', '-').lower()}-{stamp}.{job.file_format}"
                job.file.save(name, File(handle), save=False)
        finally:
            if os.path.exists(path):
                os.unlink(path)
    except Exception as exc:
        job.status, job.error, job.finished_at = ExportJob.Status.FAILED, str(exc)[:2000], timezone.now()
        job.save(update_fields=["status", "error", "finished_at", "updated_at"])
        raise
    job.row_count, job.columns, job.contains_personal_data = count, headers, personal
    job.status, job.finished_at = ExportJob.Status.DONE, timezone.now()
    job.save(update_fields=["row_count", "columns", "contains_personal_data", "status", "finished_at", "file",
                            "updated_at"])
    return job


def export_job_create(*, model_label: str, user, querystring: str, selected_ids, file_format: str,
                      estimated_rows: int) -> ExportJob:
    """Record the export (the audit row) and make it now, or queue it when it is big."""
    if model_label not in EXPORTS:
        raise ValueError(f"{model_label} has no export resource")
    resource = export_resource_class(model_label)()
    _fields, _headers, personal = export_columns(resource, user=user)
    job = ExportJob.objects.create(model_label=model_label, created_by=user, filter_querystring=querystring,
                                   selected_ids=selected_ids, file_format=file_format,
                                   contains_personal_data=personal)
    if estimated_rows > settings.EXPORT_ASYNC_THRESHOLD_ROWS:
        from transfers.tasks import export_job_task

        export_job_task.delay_on_commit(job.pk)
        return job
    return export_job_run(job=job)


_ACTION_LABELS = {"csv": gettext_lazy("Export to CSV"), "xlsx": gettext_lazy("Export to XLSX")}


def _export_action(file_format: str):
    def export(modeladmin, request, queryset):
        label = modeladmin.model._meta.label
        select_across = request.POST.get("select_across") == "1"
        querystring = request.META.get("QUERY_STRING", "")
        selected = None if select_across else sorted(int(pk) for pk in queryset.values_list("pk", flat=True))
        estimated = modeladmin.get_changelist_instance(request).result_count if select_across else len(selected)
        job = export_job_create(model_label=label, user=request.user, querystring=querystring,
                                selected_ids=selected, file_format=file_format, estimated_rows=estimated)
        if job.status == ExportJob.Status.DONE:
            job.file.open("rb")
            return FileResponse(job.file, as_attachment=True, filename=os.path.basename(job.file.name),
                                content_type=_CONTENT_TYPES[file_format])
        url = reverse("admin:transfers_exportjob_change", args=[job.pk])
        modeladmin.message_user(request, format_html(
            _("The export runs in the background; download it from <a href=\"{}\">export job #{}</a> when it is "
              "ready."), url, job.pk), messages.INFO)
        return None

    export.__name__ = f"export_{file_format}"
    export.short_description = _ACTION_LABELS[file_format]
    export.allowed_permissions = ("view",)
    return export


export_csv = _export_action("csv")
export_xlsx = _export_action("xlsx")


def attach_export_actions() -> None:
    """Give every changelist in EXPORTS the two export actions (one table here instead of an edit in each
    app's admin module)."""
    from django.apps import apps

    for label in EXPORTS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        model_admin = admin.site._registry.get(model)
        if model_admin is None:
            continue
        current = list(model_admin.actions or [])
        names = {getattr(a, "__name__", a) for a in current}
        for action in (export_csv, export_xlsx):
            if action.__name__ not in names:
                current.append(action)
        model_admin.actions = current
