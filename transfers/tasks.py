"""Celery entry points of bulk imports and exports: load the job by id and call its service."""

from celery import shared_task

from transfers.models import ExportJob, ImportJob


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=60 * 60, time_limit=61 * 60)
def import_job_task(job_id: int, dry_run: bool) -> None:
    """A redelivered task (worker lost) runs again safely: the import is one transaction, so a killed run
    wrote nothing; a job already past this step is left alone."""
    from transfers.services import import_job_run

    job = ImportJob.objects.filter(pk=job_id).select_related("created_by", "confirmed_by").first()
    wanted = {ImportJob.Status.UPLOADED, ImportJob.Status.PREVIEWING} if dry_run else {ImportJob.Status.IMPORTING}
    if job is None or job.status not in wanted:
        return
    import_job_run(job=job, dry_run=dry_run)


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=60 * 60, time_limit=61 * 60)
def export_job_task(job_id: int) -> None:
    from transfers.exporting import export_job_run

    job = ExportJob.objects.filter(pk=job_id).select_related("created_by").first()
    if job is None or job.status not in {ExportJob.Status.QUEUED, ExportJob.Status.RUNNING}:
        return
    export_job_run(job=job)
