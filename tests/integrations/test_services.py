"""Account health and SyncRun bookkeeping used by the sync engine."""

import pytest

from integrations import services
from integrations.models import PlatformAccount, SyncRun
from integrations.selectors import account_list_enabled, sync_run_last_success
from tests.factories import PlatformAccountFactory

pytestmark = pytest.mark.django_db


def test_success_and_failure_are_recorded_on_the_account():
    account = PlatformAccountFactory()
    services.account_record_failure(account=account, error="401 Unauthorized")
    services.account_record_success(account=account)
    stored = PlatformAccount.objects.get(pk=account.pk)
    assert stored.last_success_at is not None and stored.last_error_at is not None
    assert stored.last_error == "401 Unauthorized"


def test_sync_run_that_succeeds_keeps_its_counts_and_marks_the_account_healthy():
    account = PlatformAccountFactory()
    run = services.sync_run_start(account=account, kind=SyncRun.Kind.ORDERS_PULL)
    assert (run.status, run.started_at is not None) == (SyncRun.Status.RUNNING, True)
    services.sync_run_finish(run=run, counts={"fetched": 10, "created": 3, "updated": 2, "unchanged": 5},
                             cursor="2026-11-29T00:00:00Z")
    run.refresh_from_db()
    assert (run.status, run.fetched, run.created, run.updated, run.unchanged, run.failed) == (
        SyncRun.Status.SUCCEEDED, 10, 3, 2, 5, 0,
    )
    assert run.finished_at >= run.started_at and run.cursor == "2026-11-29T00:00:00Z"
    account.refresh_from_db()
    assert account.last_success_at == run.finished_at
    assert sync_run_last_success(account=account, kind=SyncRun.Kind.ORDERS_PULL) == run


@pytest.mark.parametrize(("counts", "error", "status"), [
    ({"fetched": 5, "created": 4, "failed": 1}, "", SyncRun.Status.PARTIAL),
    ({"fetched": 5, "created": 2}, "timeout on page 2", SyncRun.Status.PARTIAL),
    ({}, "401 Unauthorized", SyncRun.Status.FAILED),
])
def test_sync_run_status_follows_counts_and_error(counts, error, status):
    account = PlatformAccountFactory()
    run = services.sync_run_start(account=account, kind=SyncRun.Kind.TRACKING_PULL)
    services.sync_run_finish(run=run, counts=counts, error=error)
    run.refresh_from_db()
    assert run.status == status
    account.refresh_from_db()
    if error:
        assert account.last_error == error
    if status == SyncRun.Status.FAILED:
        assert account.last_success_at is None
    assert sync_run_last_success(account=account, kind=SyncRun.Kind.TRACKING_PULL) is None


def test_credentials_merge_keeps_stored_values_for_empty_inputs():
    merged = services.account_merge_credentials(current={"token": "old", "username": "u"},
                                                typed={"token": "", "username": "new-user", "api_key": ""})
    assert merged == {"token": "old", "username": "new-user"}


def test_enabled_accounts_are_listed_by_platform():
    on = PlatformAccountFactory(platform="komship")
    PlatformAccountFactory(platform="komship", is_enabled=False)
    PlatformAccountFactory(platform="scalev")
    assert list(account_list_enabled(platform="komship")) == [on]
