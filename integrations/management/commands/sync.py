"""manage.py sync <orders|products|stock|all> --account <id|all>: the sync engine in the foreground."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from integrations.models import PlatformAccount, SyncRun
from integrations.syncing import KIND_BY_NAME, kinds_for, sync_run_execute, sync_run_queue

BAR_WIDTH = 30


def _plain(text: str) -> str:
    return text


class Command(BaseCommand):
    help = "Run syncs in the foreground with a progress bar; exit 1 unless every page was fetched and stored."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=[*KIND_BY_NAME, "all"])
        parser.add_argument("--account", required=True, help="an account id, or 'all' for every enabled one")
        parser.add_argument("--queue", action="store_true",
                            help="hand the syncs to the Celery workers instead of running them here")

    def handle(self, *args, what: str, account: str, queue: bool = False, **options):
        accounts = self._accounts(account)
        ok = True
        for acc in accounts:
            names = list(KIND_BY_NAME) if what == "all" else [what]
            for name in names:
                if not kinds_for(acc, name):
                    self.stdout.write(_("%(account)s: %(what)s is not supported by %(platform)s, skipped") % {
                        "account": acc, "what": name, "platform": acc.get_platform_display()})
            for kind in kinds_for(acc, what):
                if queue:
                    run = sync_run_queue(account=acc, kind=kind)
                    self.stdout.write(_("%(account)s: %(kind)s queued as sync run %(id)s") % {
                        "account": acc, "kind": run.get_kind_display(), "id": run.pk})
                    continue
                run = sync_run_execute(account=acc, kind=kind, progress=self._progress)
                self.stderr.write("", style_func=_plain)  # ends the progress line
                ok &= self._summary(acc, run)
        if not ok:
            sys.exit(1)

    def _accounts(self, value: str) -> list[PlatformAccount]:
        accounts = PlatformAccount.objects.select_related("seller").order_by("id")
        if value == "all":
            return list(accounts.filter(is_enabled=True))
        if not value.isdigit():
            raise CommandError(_("--account must be an id or 'all', not %(value)r") % {"value": value})
        found = list(accounts.filter(pk=int(value)))
        if not found:
            raise CommandError(_("There is no platform account %(value)s.") % {"value": value})
        return found

    def _progress(self, run: SyncRun, cursor: str) -> None:
        total = getattr(run, "expected_total", None)
        if total:
            done = min(run.fetched / total, 1.0)
            filled = int(done * BAR_WIDTH)
            bar = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done:4.0%}"
        else:
            bar = _("page %(cursor)s") % {"cursor": cursor}
        # Through self.stderr (not sys.stderr) so call_command(stderr=…) captures it; plain, not red.
        self.stderr.write(
            "\r" + _("%(platform)s %(kind)s: %(bar)s fetched %(fetched)d created %(created)d updated %(updated)d "
                     "unchanged %(unchanged)d failed %(failed)d") % {
                "platform": run.account.platform, "kind": run.get_kind_display(), "bar": bar,
                "fetched": run.fetched, "created": run.created, "updated": run.updated,
                "unchanged": run.unchanged, "failed": run.failed} + "   ",
            style_func=_plain, ending="",
        )
        self.stderr.flush()

    def _summary(self, account: PlatformAccount, run: SyncRun) -> bool:
        line = _("%(account)s %(kind)s: %(status)s — fetched %(fetched)d, created %(created)d, updated "
                 "%(updated)d, unchanged %(unchanged)d, failed %(failed)d, flagged %(flagged)d") % {
            "account": account, "kind": run.get_kind_display(), "status": run.get_status_display(),
            "fetched": run.fetched, "created": run.created, "updated": run.updated, "unchanged": run.unchanged,
            "failed": run.failed, "flagged": run.flagged,
        }
        if run.error:
            line += f"\n  {run.error}"
        good = run.status == SyncRun.Status.SUCCEEDED
        self.stdout.write(self.style.SUCCESS(line) if good else self.style.ERROR(line))
        return good
