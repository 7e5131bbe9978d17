"""Bulk transfers: one ImportJob per uploaded file (its preview, its run and its report) and one ExportJob
per changelist export (the audit record of who exported what, and the file when it was made in the
background)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.models import BaseModel


class ImportJob(BaseModel):
    class Kind(models.TextChoices):
        PRODUCTS = "products", _("Products and variants")
        STOCK = "stock", _("Stock levels")
        ORDERS = "orders", _("New orders")
        AWB = "awb", _("AWB / receipt numbers")
        WITHDRAWALS = "withdrawals", _("Withdrawal status updates")
        COD_REMITTANCES = "cod_remittances", _("COD remittances")

    class Policy(models.TextChoices):
        ALL_OR_NOTHING = "all_or_nothing", _("Reject the whole file if any row fails")
        VALID_ROWS = "valid_rows", _("Import the valid rows only")

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        PREVIEWING = "previewing", _("Checking (dry run)")
        PREVIEWED = "previewed", _("Checked, waiting for confirmation")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    policy = models.CharField(_("error policy"), max_length=20, choices=Policy.choices,
                              default=Policy.ALL_OR_NOTHING)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.UPLOADED)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    file_format = models.CharField(_("format"), max_length=8, blank=True)
    run_async = models.BooleanField(_("runs in the background"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                   on_delete=models.PROTECT, related_name="+")
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    new_rows = models.PositiveIntegerField(_("new"), default=0)
    updated_rows = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_rows = models.PositiveIntegerField(_("unchanged"), default=0)
    error_rows = models.PositiveIntegerField(_("rejected rows"), default=0)
    preview = models.JSONField(_("preview"), default=dict, blank=True,
                               help_text=_("First rows of the file and what the import would do with them."))
    errors = models.JSONField(_("errors"), default=list, blank=True,
                              help_text=_("Rejected rows: row number, column, value and reason (the first ones)."))
    messages = models.JSONField(_("messages"), default=list, blank=True)
    error_file = models.FileField(_("error file"), upload_to="imports/errors/%Y/%m/", blank=True)
    file_error = models.TextField(_("file problem"), blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"),
                                     on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "-id"], name="transfers_import_status"),
                   models.Index(fields=["created_by", "-id"], name="transfers_import_user")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} · {self.original_name}"

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.UPLOADED, self.Status.PREVIEWING, self.Status.IMPORTING}


class ExportJob(BaseModel):
    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready to download")
        FAILED = "failed", _("Failed")

    model_label = models.CharField(_("list"), max_length=100)
    file_format = models.CharField(_("format"), max_length=8, choices=Format.choices, default=Format.CSV)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("exported by"),
                                   on_delete=models.PROTECT, related_name="+")
    filter_querystring = models.TextField(_("filter"), blank=True,
                                          help_text=_("The list's filters and search, as in its address."))
    selected_ids = models.JSONField(_("selected rows"), null=True, blank=True,
                                    help_text=_("Empty when every row matching the filter was exported."))
    contains_personal_data = models.BooleanField(_("contains personal data"), default=False)
    columns = models.JSONField(_("columns"), default=list, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-id"]
        permissions = [("export_personal_data", _("Can export customers' personal data"))]
        indexes = [models.Index(fields=["created_by", "-id"], name="transfers_export_user"),
                   models.Index(fields=["contains_personal_data", "-id"], name="transfers_export_personal")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.model_label} ({self.file_format})"
