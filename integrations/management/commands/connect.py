"""manage.py connect <platform> --name NAME --base-url URL [--seller CODE] [credentials] [--option k=v …]

Creates or updates the PlatformAccount keyed by (platform, name) after a successful test read of one row
of the platform's order list. When the platform refuses, nothing is saved and the command exits 1."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from integrations.exceptions import IntegrationError
from integrations.models import Platform, PlatformAccount
from integrations.registry import adapter_class
from integrations.services import account_record_success, account_schedule_syncs
from sellers.models import Seller

REQUIRED_CREDENTIALS = {
    Platform.KOMSHIP: (("username", "password"), ("token",)),
    Platform.NGORDER: (("token",),),
    Platform.SCALEV: (("token",),),
    Platform.MITRABUNSO: (("token", "id_user"),),
}


class Command(BaseCommand):
    help = "Connect a platform account: test it against the platform, then save it (credentials encrypted)."

    def add_arguments(self, parser):
        parser.add_argument("platform", choices=Platform.values)
        parser.add_argument("--name", required=True)
        parser.add_argument("--base-url", required=True,
                            help="the documented prefix: …/public (Mitrabunso), …/api/open (Ngorder), "
                                 "the host (Scalev), the API root (Komship)")
        parser.add_argument("--seller", help="seller code; omit for a company-wide account")
        parser.add_argument("--username")
        parser.add_argument("--password")
        parser.add_argument("--token")
        parser.add_argument("--id-user", dest="id_user")
        parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE")

    def handle(self, *args, platform: str, name: str, base_url: str, seller: str | None, option: list[str],
               **options):
        credentials = {k: options[k] for k in ("username", "password", "token", "id_user") if options.get(k)}
        if not any(all(k in credentials for k in group) for group in REQUIRED_CREDENTIALS[platform]):
            wanted = " or ".join(" + ".join(f"--{k.replace('_', '-')}" for k in g)
                                 for g in REQUIRED_CREDENTIALS[platform])
            raise CommandError(_("%(platform)s needs %(flags)s.") % {"platform": platform, "flags": wanted})
        extra = {}
        for item in option:
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise CommandError(_("--option must look like key=value, not %(item)r") % {"item": item})
            extra[key.strip()] = value.strip()
        seller_obj = None
        if seller:
            seller_obj = Seller.objects.filter(code=seller).first()
            if seller_obj is None:
                raise CommandError(_("There is no seller with code %(code)r.") % {"code": seller})

        refreshed: dict = {}
        try:
            adapter = adapter_class(platform)(
                base_url=base_url, credentials=dict(credentials), external_account_id=credentials.get("id_user", ""),
                options=extra, rate_limiter=None, on_credentials_changed=refreshed.update,
            )
        except ValueError as exc:  # an --option the adapter refuses
            raise CommandError(str(exc)) from exc
        try:
            adapter.check_connection()
        except IntegrationError as exc:
            self.stderr.write(self.style.ERROR(
                _("%(platform)s refused the connection: %(error)s. Nothing was saved.")
                % {"platform": platform, "error": exc}))
            sys.exit(1)

        with transaction.atomic():
            account, created = PlatformAccount.objects.select_for_update().get_or_create(
                platform=platform, name=name, defaults={"base_url": base_url},
            )
            account.base_url = base_url
            if seller_obj is not None or created:  # an update without --seller keeps the account's seller
                account.seller = seller_obj
            account.credentials = {**(account.credentials or {}), **credentials, **refreshed}
            account.external_account_id = credentials.get("id_user", account.external_account_id)
            account.options = {**(account.options or {}), **extra}
            account.save()
            account_record_success(account=account)
            account_schedule_syncs(account=account)
        message = _("Created %(account)s; the connection works.") if created else _(
            "Updated %(account)s; the connection works.")
        self.stdout.write(message % {"account": account})
        self.stdout.write(f"account {account.pk}")
