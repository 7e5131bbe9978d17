"""Admin of bulk imports and exports: upload -> preview (dry run) -> confirm, with a live progress bar, the
rejected rows, an error file and the templates; export jobs as the audit trail and the downloads."""

from __future__ import annotations

import os

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.widgets import UnfoldAdminFileFieldWidget

from common.admin import BaseAdmin, ReadOnlyAdminMixin
from common.exceptions import ApplicationError
from transfers.importing import template_file
from transfers.models import ExportJob, ImportJob
from transfers.registry import IMPORTERS, importer_class
from transfers.services import import_job_confirm, import_job_create

TEMPLATE_FORMATS = ("xlsx", "csv", "tsv", "json")
# A preview row's outcome as the importer records it -> the word the screen shows.
OUTCOME_LABELS = {"new": gettext_lazy("new"), "updated": gettext_lazy("updated"),
                  "unchanged": gettext_lazy("unchanged"), "error": gettext_lazy("rejected")}


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What"), choices=ImportJob.Kind.choices)
    policy = forms.ChoiceField(label=gettext_lazy("If some rows are wrong"), choices=ImportJob.Policy.choices,
                               initial=ImportJob.Policy.ALL_OR_NOTHING, widget=forms.RadioSelect)
    file = forms.FileField(label=gettext_lazy("File"), widget=UnfoldAdminFileFieldWidget,
                           help_text=gettext_lazy("CSV (comma or semicolon), TSV, JSON or XLSX."))


def _visible_jobs(request):
    queryset = ImportJob.objects.all()
    if not request.user.is_superuser:
        queryset = queryset.filter(created_by=request.user)
    return queryset


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdminMixin, BaseAdmin):
    list_display = ["id", "kind", "original_name", "status", "policy", "total_rows", "new_rows", "updated_rows",
                    "unchanged_rows", "error_rows", "created_by", "created_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["created_by"]
    search_fields = ["original_name"]

    def has_add_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(created_by=request.user)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:job_id>/progress/", wrap(self.progress_view), name="transfers_importjob_progress"),
            path("<int:job_id>/confirm/", wrap(self.confirm_view), name="transfers_importjob_confirm"),
            path("<int:job_id>/errors/", wrap(self.error_file_view), name="transfers_importjob_errors"),
            path("template/<str:kind>/<str:language>/<str:file_format>/", wrap(self.template_view),
                 name="transfers_importjob_template"),
            *super().get_urls(),
        ]

    # ---- upload
    def add_view(self, request, form_url="", extra_context=None):
        form = ImportUploadForm(request.POST or None, request.FILES or None,
                                initial={"kind": request.GET.get("kind")})
        if request.method == "POST" and form.is_valid():
            try:
                job = import_job_create(kind=form.cleaned_data["kind"], policy=form.cleaned_data["policy"],
                                        upload=form.cleaned_data["file"], user=request.user)
            except ApplicationError as exc:
                field = exc.extra.get("field")
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                return redirect("admin:transfers_importjob_change", job.pk)
        importers = []
        for kind, label in ImportJob.Kind.choices:
            importer = importer_class(kind)
            importers.append({"kind": kind, "label": label, "allowed": importer.user_may_import(request.user),
                              "columns": importer.columns})
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import a file"),
            "opts": self.model._meta,
            "form": form,
            "importers": importers,
            "formats": TEMPLATE_FORMATS,
        }
        return TemplateResponse(request, "admin/transfers/import_upload.html", context)

    # ---- report / preview
    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = get_object_or_404(_visible_jobs(request).select_related("created_by", "confirmed_by"), pk=object_id)
        importer = importer_class(job.kind)
        context = {
            **self.admin_site.each_context(request),
            "title": str(job),
            "opts": self.model._meta,
            "job": job,
            "columns": importer.columns,
            "policies": ImportJob.Policy.choices,
            "can_confirm": job.status == ImportJob.Status.PREVIEWED and importer.user_may_import(request.user),
            "progress_url": reverse("admin:transfers_importjob_progress", args=[job.pk]),
            "confirm_url": reverse("admin:transfers_importjob_confirm", args=[job.pk]),
            "errors_url": reverse("admin:transfers_importjob_errors", args=[job.pk]) if job.error_file else "",
            "preview_headers": (job.preview or {}).get("headers", []),
            "preview_rows": [{**row, "outcome": OUTCOME_LABELS.get(row.get("outcome"), row.get("outcome"))}
                             for row in (job.preview or {}).get("rows", [])],
        }
        return TemplateResponse(request, "admin/transfers/import_report.html", context)

    def progress_view(self, request, job_id):
        job = get_object_or_404(_visible_jobs(request), pk=job_id)
        total = job.total_rows if job.status == ImportJob.Status.IMPORTING else 0
        percent = min(100, round(100 * job.processed_rows / total)) if total else None
        if not job.is_running:
            percent = 100
        return JsonResponse({
            "id": job.pk, "status": job.status, "status_label": job.get_status_display(),
            "running": job.is_running, "processed_rows": job.processed_rows, "total_rows": job.total_rows,
            "percent": percent, "new": job.new_rows, "updated": job.updated_rows, "unchanged": job.unchanged_rows,
            "rejected": job.error_rows, "problem": job.file_error,
        })

    def confirm_view(self, request, job_id):
        if request.method != "POST":
            return redirect("admin:transfers_importjob_change", job_id)
        job = get_object_or_404(_visible_jobs(request), pk=job_id)
        try:
            job = import_job_confirm(job=job, user=request.user, policy=request.POST.get("policy") or None)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            if job.status == ImportJob.Status.DONE:
                self.message_user(request, _("Imported: %(new)d new, %(updated)d updated, %(unchanged)d unchanged, "
                                             "%(rejected)d rejected.")
                                  % {"new": job.new_rows, "updated": job.updated_rows,
                                     "unchanged": job.unchanged_rows, "rejected": job.error_rows},
                                  messages.SUCCESS)
            elif job.status == ImportJob.Status.IMPORTING:
                self.message_user(request, _("The import runs in the background; this page shows its progress."),
                                  messages.INFO)
            else:
                self.message_user(request, job.file_error or job.get_status_display(), messages.ERROR)
        return redirect("admin:transfers_importjob_change", job_id)

    def error_file_view(self, request, job_id):
        job = get_object_or_404(_visible_jobs(request), pk=job_id)
        if not job.error_file:
            raise Http404(_("This import has no error file."))
        return FileResponse(job.error_file.open("rb"), as_attachment=True,
                            filename=os.path.basename(job.error_file.name), content_type="text/csv")

    def template_view(self, request, kind, language, file_format):
        if kind not in IMPORTERS or language not in ("en", "id") or file_format not in TEMPLATE_FORMATS:
            raise Http404
        content, content_type = template_file(importer_class(kind), language=language, file_format=file_format)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="template-{kind}-{language}.{file_format}"'
        return response


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdminMixin, BaseAdmin):
    """The audit trail of exports (who, when, which list and filter, how many rows, personal data or not)
    and the downloads of background exports."""

    list_display = ["id", "model_label", "file_format", "status", "row_count", "contains_personal_data",
                    "created_by", "created_at", "download"]
    list_filter = ["status", "contains_personal_data", "model_label"]
    list_select_related = ["created_by"]
    search_fields = ["model_label", "created_by__username"]
    readonly_fields = ["model_label", "file_format", "status", "created_by", "created_at", "filter_querystring",
                       "selected_ids", "contains_personal_data", "columns", "row_count", "finished_at", "error",
                       "download"]
    fields = readonly_fields

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(created_by=request.user)

    change_form_template = "admin/transfers/exportjob/change_form.html"

    def get_urls(self):
        return [path("<int:job_id>/download/", self.admin_site.admin_view(self.download_view),
                     name="transfers_exportjob_download"),
                path("<int:job_id>/progress/", self.admin_site.admin_view(self.progress_view),
                     name="transfers_exportjob_progress"), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_object(request, object_id)
        extra_context = {**(extra_context or {}), **(self._progress(job) if job is not None else {})}
        return super().change_view(request, object_id, form_url, extra_context)

    def _progress(self, job: ExportJob) -> dict:
        """The progress bar of a background export: queued, running, then done (with the download) or failed."""
        running = job.status in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)
        percent = {ExportJob.Status.QUEUED: 5, ExportJob.Status.RUNNING: 50}.get(job.status, 100)
        done = job.status == ExportJob.Status.DONE and bool(job.file)
        return {
            "progress_url": reverse("admin:transfers_exportjob_progress", args=[job.pk]),
            "running": running, "percent": percent, "status": job.status, "status_label": job.get_status_display(),
            "rows": job.row_count, "error": job.error,
            "download_url": reverse("admin:transfers_exportjob_download", args=[job.pk]) if done else "",
        }

    def progress_view(self, request, job_id):
        job = get_object_or_404(self.get_queryset(request), pk=job_id)
        return JsonResponse(self._progress(job))

    @admin.display(description=gettext_lazy("file"))
    def download(self, obj):
        from django.utils.html import format_html

        if obj.status != ExportJob.Status.DONE or not obj.file:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:transfers_exportjob_download", args=[obj.pk]),
                           _("Download"))

    def download_view(self, request, job_id):
        job = get_object_or_404(self.get_queryset(request), pk=job_id)
        if job.status != ExportJob.Status.DONE or not job.file:
            raise Http404(_("This export has no file (yet)."))
        if job.contains_personal_data and not request.user.has_perm("transfers.export_personal_data"):
            raise PermissionDenied
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=os.path.basename(job.file.name))
