"""manage.py sync <orders|products|stock|all> --account <id|all>: the sync engine in the foreground."""

import sys

from django.core.management.base import BaseCommand, CommandError

from integrations.models import PlatformAccount, SyncRun
from integrations.syncing import KIND_BY_NAME, kinds_for, sync_run_execute

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Run syncs in the foreground with a progress bar; exit 1 unless every page was fetched and stored."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=[*KIND_BY_NAME, "all"])
        parser.add_argument("--account", required=True, help="an account id, or 'all' for every enabled one")

    def handle(self, *args, what: str, account: str, **options):
        accounts = self._accounts(account)
        ok = True
        for acc in accounts:
            kinds = kinds_for(acc, what)
            if not kinds:
                self.stdout.write(f"{acc}: {what} is not supported by {acc.get_platform_display()}, skipped")
                continue
            for kind in kinds:
                run = sync_run_execute(account=acc, kind=kind, progress=self._progress)
                sys.stderr.write("\n")
                ok &= self._summary(acc, run)
        if not ok:
            sys.exit(1)

    def _accounts(self, value: str) -> list[PlatformAccount]:
        accounts = PlatformAccount.objects.select_related("seller").order_by("id")
        if value == "all":
            return list(accounts.filter(is_enabled=True))
        if not value.isdigit():
            raise CommandError(f"--account must be an id or 'all', not {value!r}")
        found = list(accounts.filter(pk=int(value)))
        if not found:
            raise CommandError(f"There is no platform account {value}.")
        return found

    def _progress(self, run: SyncRun, cursor: str) -> None:
        total = getattr(run, "expected_total", None)
        if total:
            done = min(run.fetched / total, 1.0)
            filled = int(done * BAR_WIDTH)
            bar = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done:4.0%}"
        else:
            bar = f"page {cursor}"
        sys.stderr.write(
            f"\r{run.account.platform} {run.get_kind_display()}: {bar} fetched {run.fetched} "
            f"created {run.created} updated {run.updated} unchanged {run.unchanged} failed {run.failed}   "
        )
        sys.stderr.flush()

    def _summary(self, account: PlatformAccount, run: SyncRun) -> bool:
        line = (
            f"{account} {run.get_kind_display()}: {run.get_status_display()} — fetched {run.fetched}, "
            f"created {run.created}, updated {run.updated}, unchanged {run.unchanged}, failed {run.failed}, "
            f"flagged {run.flagged}"
        )
        if run.error:
            line += f"\n  {run.error}"
        good = run.status == SyncRun.Status.SUCCEEDED
        self.stdout.write(self.style.SUCCESS(line) if good else self.style.ERROR(line))
        return good
