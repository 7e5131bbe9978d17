"""Reads for integrations: accounts to sync and the sync runs staff look at."""

from django.db.models import QuerySet

from integrations.models import PlatformAccount, SyncRun


def account_list_enabled(*, platform: str | None = None) -> QuerySet[PlatformAccount]:
    accounts = PlatformAccount.objects.select_related("seller").filter(is_enabled=True)
    if platform:
        accounts = accounts.filter(platform=platform)
    return accounts.order_by("platform", "name")


def sync_run_list(*, account: PlatformAccount | None = None, status: str | None = None) -> QuerySet[SyncRun]:
    runs = SyncRun.objects.select_related("account")
    if account is not None:
        runs = runs.filter(account=account)
    if status:
        runs = runs.filter(status=status)
    return runs.order_by("-id")


def sync_run_last_success(*, account: PlatformAccount, kind: str) -> SyncRun | None:
    """The newest successful run of one kind: its start is where the next incremental pull begins."""
    return (
        SyncRun.objects.filter(account=account, kind=kind, status=SyncRun.Status.SUCCEEDED)
        .order_by("-id").first()
    )
