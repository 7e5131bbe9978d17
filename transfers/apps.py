from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransfersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "transfers"
    verbose_name = _("Import and export")

    def ready(self) -> None:
        from transfers.exporting import attach_export_actions

        attach_export_actions()
