from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = _("Common")

    def ready(self) -> None:
        from common.roles import roles_sync_after_migrate
        from common.unfold_patches import cache_app_list, cache_navigation, cache_result_headers, fast_result_rows

        cache_result_headers()
        cache_app_list()
        cache_navigation()
        fast_result_rows()

        # Roles reference permissions, which Django creates after migrations: sync them right after.
        post_migrate.connect(roles_sync_after_migrate, sender=self)
