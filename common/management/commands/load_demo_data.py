"""`manage.py load_demo_data`: the local demo (users, sellers, catalog, orders, logistics, finance).

Only where settings.DEMO_ENABLED is true (config/settings/local.py); a second run adds nothing."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from common.demo import demo_load


class Command(BaseCommand):
    help = (
        "Load the local demo data and users (only when DEMO_ENABLED). "
        "Safe to run again: it adds nothing twice."
    )

    def handle(self, *args, **options):
        if not settings.DEMO_ENABLED:
            raise CommandError(_(
                "Demo data is only for the local demo: DEMO_ENABLED is off in these settings "
                "(use config.settings.local). Nothing was created."
            ))
        started = time.monotonic()
        self.stdout.write(_("Loading demo data…"))
        result = demo_load(log=self.stdout.write)
        elapsed = time.monotonic() - started
        if result.built:
            self.stdout.write(self.style.SUCCESS(
                _("Demo data ready in %(seconds).1f s (built: %(parts)s).")
                % {"seconds": elapsed, "parts": ", ".join(result.built)}
            ))
        else:
            self.stdout.write(self.style.SUCCESS(_("Demo data already loaded; nothing added.")))

        width_user = max(len(_("User")), *(len(u) for u, _r, _p in result.users))
        width_role = max(len(_("Role")), *(len(r) for _u, r, _p in result.users))
        rule = f"+-{'-' * width_user}-+-{'-' * width_role}-+-{'-' * max(8, len(result.password))}-+"
        self.stdout.write(rule)
        self.stdout.write(f"| {_('User'):<{width_user}} | {_('Role'):<{width_role}} | "
                          f"{_('Password'):<{max(8, len(result.password))}} |")
        self.stdout.write(rule)
        for username, role, password in result.users:
            self.stdout.write(f"| {username:<{width_user}} | {role:<{width_role}} | "
                              f"{password:<{max(8, len(result.password))}} |")
        self.stdout.write(rule)
        self.stdout.write(
            _('Passwords are set when a demo user is first created (DEMO_ADMIN_PASSWORD, or "admin").')
        )
