from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_system_schedules(sender, **kwargs) -> None:
    from integrations.services import system_schedules_ensure

    system_schedules_ensure()


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Platform integrations")

    def ready(self) -> None:
        # post_migrate runs once every migration is applied (and again after a test flush); create-missing.
        post_migrate.connect(_ensure_system_schedules, sender=self, dispatch_uid="integrations_system_schedules")
