"""Import jobs: upload -> dry run (the preview) -> confirm -> import, inline for small files and as Celery
jobs for big ones. The admin, the tasks and bench/import_products.py all go through these functions."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from contextlib import contextmanager

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exceptions import ApplicationError
from transfers.importing import import_run, progress_writer
from transfers.models import ImportJob
from transfers.parsing import FileRejected, check_size, format_for, open_table
from transfers.registry import IMPORTERS, importer_class

logger = logging.getLogger(__name__)


class ImportNotAllowed(ApplicationError):
    code = "import_not_allowed"
    http_status = 403


class ImportJobStateInvalid(ApplicationError):
    code = "import_job_state_invalid"
    http_status = 409


def import_permission_check(*, kind: str, user) -> type:
    if kind not in IMPORTERS:
        raise ApplicationError(_("“%(kind)s” is not something this system imports.") % {"kind": kind},
                               extra={"field": "kind"})
    importer = importer_class(kind)
    if not importer.user_may_import(user):
        raise ImportNotAllowed(_("You do not have permission to import %(what)s.") % {"what": importer.title},
                               extra={"field": "kind"})
    available = getattr(importer, "available", None)
    if available is not None and not available():
        raise ImportNotAllowed(_("%(what)s cannot be imported in this installation yet.")
                               % {"what": importer.title}, extra={"field": "kind"})
    return importer


def import_job_create(*, kind: str, policy: str, upload, user) -> ImportJob:
    """Store an upload and start its dry run: in this request for small files, as a Celery job above
    IMPORT_ASYNC_THRESHOLD_BYTES. Refuses (FileRejected / ImportNotAllowed, nothing stored) a file of the
    wrong type, an empty one or one over IMPORT_MAX_BYTES."""
    import_permission_check(kind=kind, user=user)
    if policy not in ImportJob.Policy.values:
        raise ApplicationError(_("“%(policy)s” is not an error policy.") % {"policy": policy},
                               extra={"field": "policy"})
    name = os.path.basename(upload.name or "upload")
    file_format = format_for(name)
    check_size(upload.size)
    if not upload.size:
        raise FileRejected(_("The file is empty."), extra={"field": "file"})
    job = ImportJob(kind=kind, policy=policy, original_name=name[:255], size_bytes=upload.size,
                    file_format=file_format, created_by=user,
                    run_async=upload.size > settings.IMPORT_ASYNC_THRESHOLD_BYTES)
    job.file.save(name, upload, save=False)
    job.save()
    if job.run_async:
        from transfers.tasks import import_job_task

        import_job_task.delay_on_commit(job.pk, True)
        return job
    return import_job_run(job=job, dry_run=True)


def import_job_confirm(*, job: ImportJob, user, policy: str | None = None) -> ImportJob:
    """Import a previewed file for real (the same run as the preview, committed this time)."""
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != ImportJob.Status.PREVIEWED:
            raise ImportJobStateInvalid(_("Import #%(id)s is %(status)s; only a checked file can be imported.")
                                        % {"id": locked.pk, "status": locked.get_status_display()})
        import_permission_check(kind=locked.kind, user=user)
        if policy:
            if policy not in ImportJob.Policy.values:
                raise ApplicationError(_("“%(policy)s” is not an error policy.") % {"policy": policy},
                                       extra={"field": "policy"})
            locked.policy = policy
        locked.confirmed_by = user
        locked.status = ImportJob.Status.IMPORTING
        locked.processed_rows = 0
        locked.save(update_fields=["policy", "confirmed_by", "status", "processed_rows", "updated_at"])
    if locked.run_async:
        from transfers.tasks import import_job_task

        import_job_task.delay_on_commit(locked.pk, False)
        return locked
    return import_job_run(job=locked, dry_run=False)


@contextmanager
def _local_copy(field_file):
    """A filesystem path to a stored file (the storage's own path when it has one)."""
    try:
        yield field_file.path
        return
    except NotImplementedError:
        pass
    fd, path = tempfile.mkstemp(suffix=os.path.splitext(field_file.name)[1])
    try:
        with os.fdopen(fd, "wb") as out, field_file.open("rb") as source:
            shutil.copyfileobj(source, out)
        yield path
    finally:
        os.unlink(path)


def import_job_run(*, job: ImportJob, dry_run: bool, max_bytes: int | None = None) -> ImportJob:
    """Run the job's importer over its file: a dry run (preview; always rolled back) or the import."""
    job.status = ImportJob.Status.PREVIEWING if dry_run else ImportJob.Status.IMPORTING
    job.started_at, job.finished_at, job.file_error = timezone.now(), None, ""
    job.save(update_fields=["status", "started_at", "finished_at", "file_error", "updated_at"])
    user = job.confirmed_by if (job.confirmed_by_id and not dry_run) else job.created_by
    importer = importer_class(job.kind)(user=user, reference=f"IMP-{job.pk}")
    progress = progress_writer(job.pk)
    error_dir = tempfile.mkdtemp(prefix="import-")
    try:
        return _import_job_run(job=job, dry_run=dry_run, importer=importer, progress=progress, error_dir=error_dir,
                               max_bytes=max_bytes)
    finally:
        progress.close()
        shutil.rmtree(error_dir, ignore_errors=True)


def _import_job_run(*, job: ImportJob, dry_run: bool, importer, progress, error_dir: str, max_bytes) -> ImportJob:
    try:
        with _local_copy(job.file) as path:
            table = open_table(path, name=job.original_name, max_bytes=max_bytes)
            result = import_run(importer=importer, table=table, policy=job.policy, dry_run=dry_run,
                                progress=progress, error_dir=error_dir)
    except FileRejected as exc:
        job.status, job.file_error = ImportJob.Status.REJECTED, exc.message
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "file_error", "finished_at", "updated_at"])
        return job
    except ApplicationError as exc:
        job.status, job.file_error = ImportJob.Status.FAILED, exc.message
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "file_error", "finished_at", "updated_at"])
        return job
    except Exception as exc:
        logger.exception("import job %s failed", job.pk)
        job.status = ImportJob.Status.FAILED
        job.file_error = _("The import stopped on an unexpected error; nothing was written: %(error)s") % {
            "error": str(exc)[:500]}
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "file_error", "finished_at", "updated_at"])
        return job
    report = result.report
    if result.error_file_path:
        with open(result.error_file_path, "rb") as handle:
            base = os.path.splitext(job.original_name)[0]
            job.error_file.save(f"{base}-errors.csv", File(handle), save=False)
    elif job.error_file:
        job.error_file = ""
    job.total_rows, job.processed_rows = report.total, report.total
    job.new_rows, job.updated_rows, job.unchanged_rows = report.new, report.updated, report.unchanged
    job.error_rows = report.rejected
    job.errors = report.errors
    job.messages = [*result.table_notes, *report.messages]
    job.preview = {"headers": list(result.headers), "rows": sorted(report.preview, key=lambda r: r["row"])}
    if dry_run:
        job.status = ImportJob.Status.PREVIEWED
    else:
        job.status = ImportJob.Status.DONE if result.committed else ImportJob.Status.REJECTED
        if not result.committed:
            job.file_error = _("%(count)d row(s) were rejected and the policy is to reject the whole file: nothing "
                               "was imported.") % {"count": report.rejected}
    job.finished_at = timezone.now()
    job.save()
    return job
