from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def status_vocabulary_after_migrate(sender, using="default", **kwargs) -> None:
    from orders.models import StatusMapping
    from orders.status_vocabulary import status_vocabulary_seed

    # Also after a test database flush: the documented vocabularies must always be there.
    status_vocabulary_seed(mapping_model=StatusMapping)


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        post_migrate.connect(status_vocabulary_after_migrate, sender=self)
