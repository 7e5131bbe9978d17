"""`manage.py connect` and `manage.py sync` against the sandboxes over real HTTP (live_server)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_celery_beat.models import PeriodicTask

from integrations.models import PlatformAccount, SyncRun
from integrations.tasks import sync_account_task
from orders.models import Order, StatusMapping
from tests.factories import SellerFactory
from tests.integrations.engine_support import (
    BASE_PATHS,
    CREDENTIALS,
    ID_USER,
    PLATFORMS,
    reset_sandbox,
    sandbox_account,
)
from tests.integrations.test_models import raw_credentials

pytestmark = pytest.mark.django_db(transaction=True)

CONNECT_ARGS = {
    "komship": ["--token", CREDENTIALS["komship"]["token"]],
    "ngorder": ["--token", CREDENTIALS["ngorder"]["token"]],
    "scalev": ["--token", CREDENTIALS["scalev"]["token"]],
    "mitrabunso": ["--token", CREDENTIALS["mitrabunso"]["token"], "--id-user", ID_USER],
}
SCHEDULED = {"komship": {"orders_pull", "products_pull", "shipments", "tracking_pull", "pickups", "tickets",
                         "withdrawals", "balances"},
             "ngorder": {"orders_pull", "products_pull", "tracking_pull", "withdrawals", "balances"},
             "scalev": {"orders_pull", "products_pull", "shipments", "tracking_pull"}, "mitrabunso": {"orders_pull"}}


@pytest.fixture(autouse=True)
def queued(monkeypatch):
    """Sync tasks a command might queue (debounced stock pushes) are recorded, not sent to the broker."""
    calls = []
    monkeypatch.setattr(sync_account_task, "apply_async", lambda **kwargs: calls.append(kwargs))
    return calls


def run(*args) -> tuple[str, str, int]:
    out, err = StringIO(), StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exc:
        return out.getvalue(), err.getvalue(), exc.code
    return out.getvalue(), err.getvalue(), 0


def connect(platform: str, live_server, *extra, name: str = "toko-utama") -> tuple[str, str, int]:
    return run("connect", platform, "--name", name, "--base-url", f"{live_server.url}{BASE_PATHS[platform]}",
               *extra)


def sync_schedules():
    """The accounts' schedules (the system ones, such as the webhook requeue, are not per account)."""
    return PeriodicTask.objects.filter(task="integrations.tasks.sync_account_task")


def schedules(account) -> dict[str, PeriodicTask]:
    return {task.name.split()[1]: task for task in PeriodicTask.objects.filter(name__endswith=f":{account.name}")}


# connect -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("platform", PLATFORMS)
def test_connect_tests_the_platform_then_saves_the_account_and_its_schedules(platform, live_server):
    sandbox = reset_sandbox(platform, orders=3, products=1)
    seller = SellerFactory()

    out, err, code = connect(platform, live_server, *CONNECT_ARGS[platform], "--seller", seller.code,
                             "--option", "page_size=20")

    assert code == 0, err
    account = PlatformAccount.objects.get()
    assert out.splitlines()[-1] == f"account {account.pk}"
    assert "the connection works" in out
    assert (account.platform, account.name, account.seller) == (platform, "toko-utama", seller)
    assert account.base_url == f"{live_server.url}{BASE_PATHS[platform]}"
    assert account.options == {"page_size": "20"}
    assert account.last_success_at is not None
    expected = {k: v for k, v in CREDENTIALS[platform].items() if k != "webhook_secret"}
    assert account.credentials == expected
    raw = raw_credentials(account.pk)
    assert raw.startswith("fernet:") and expected["token"] not in raw
    if platform == "mitrabunso":
        assert account.external_account_id == ID_USER
    assert sandbox.stats["requests"] >= 1, "the connection was tested against the platform"
    tasks = schedules(account)
    assert set(tasks) == SCHEDULED[platform]
    for kind, task in tasks.items():
        assert (task.task, task.queue, task.enabled) == ("integrations.tasks.sync_account_task", platform, True)
        assert task.args == f'[{account.pk}, "{kind}"]'


def test_a_second_connect_with_the_same_name_updates_the_account(live_server):
    reset_sandbox("scalev", orders=3, products=1)
    seller = SellerFactory()
    assert connect("scalev", live_server, *CONNECT_ARGS["scalev"], "--seller", seller.code,
                   "--option", "store_unique_id=store-1")[2] == 0
    first = PlatformAccount.objects.get()
    task_ids = sorted(sync_schedules().values_list("id", flat=True))

    out, err, code = connect("scalev", live_server, *CONNECT_ARGS["scalev"], "--option", "page_size=10")

    assert code == 0, err
    assert "Updated" in out and out.splitlines()[-1] == f"account {first.pk}"
    account = PlatformAccount.objects.get()
    assert account.pk == first.pk
    assert account.options == {"store_unique_id": "store-1", "page_size": "10"}
    assert account.seller == seller, "an update without --seller keeps the seller"
    assert sorted(sync_schedules().values_list("id", flat=True)) == task_ids
    assert connect("scalev", live_server, *CONNECT_ARGS["scalev"], name="toko-kedua")[2] == 0
    assert PlatformAccount.objects.count() == 2


@pytest.mark.parametrize("platform", PLATFORMS)
def test_connect_with_a_refused_token_saves_nothing_and_exits_1(platform, live_server):
    sandbox = reset_sandbox(platform, orders=3, products=1)
    args = ["--token", "token-yang-salah"] + (["--id-user", ID_USER] if platform == "mitrabunso" else [])

    out, err, code = connect(platform, live_server, *args)

    assert code == 1
    assert "refused the connection" in err and "Nothing was saved" in err
    assert "account " not in out
    assert not PlatformAccount.objects.exists() and not sync_schedules().exists()
    assert sandbox.stats["requests"] >= 1


@pytest.mark.django_db
@pytest.mark.parametrize(("platform", "args", "flags"), [
    ("komship", ["--username", "demo-komship"], "--username + --password or --token"),
    ("ngorder", [], "--token"),
    ("scalev", ["--username", "x"], "--token"),
    ("mitrabunso", ["--token", "demo-mitrabunso-token"], "--token + --id-user"),
])
def test_connect_without_the_credentials_names_the_flags(platform, args, flags):
    with pytest.raises(CommandError, match=rf"{platform} needs {flags.replace('+', '[+]')}\."):
        call_command("connect", platform, "--name", "x", "--base-url", "http://127.0.0.1:9/x", *args,
                     stdout=StringIO(), stderr=StringIO())
    assert not PlatformAccount.objects.exists()


@pytest.mark.django_db
def test_connect_refuses_a_malformed_option_or_an_unknown_seller():
    base = ["connect", "ngorder", "--name", "x", "--base-url", "http://127.0.0.1:9/x", "--token", "t"]
    with pytest.raises(CommandError, match="key=value"):
        call_command(*base, "--option", "page_size", stdout=StringIO())
    with pytest.raises(CommandError, match="no seller with code 'NOPE'"):
        call_command(*base, "--seller", "NOPE", stdout=StringIO())
    with pytest.raises(CommandError, match="default_payment_method must be one of"):
        call_command("connect", "mitrabunso", "--name", "x", "--base-url", "http://127.0.0.1:9/public",
                     "--token", "t", "--id-user", ID_USER, "--option", "default_payment_method=cek",
                     stdout=StringIO())
    assert not PlatformAccount.objects.exists()


def test_komship_connect_with_username_and_password_logs_in_and_keeps_the_token(live_server):
    sandbox = reset_sandbox("komship", orders=3, products=1)

    out, err, code = connect("komship", live_server, "--username", "demo-komship",
                             "--password", "demo-komship-password")

    assert code == 0, err
    account = PlatformAccount.objects.get()
    assert out.splitlines()[-1] == f"account {account.pk}"
    creds = account.credentials
    assert (creds["username"], creds["password"]) == ("demo-komship", "demo-komship-password")
    assert creds["token"] in sandbox.issued, "the token the login issued"
    assert creds["expires_at"]
    raw = raw_credentials(account.pk)
    assert creds["token"] not in raw and "demo-komship-password" not in raw


def test_komship_connect_with_a_wrong_password_exits_1(live_server):
    reset_sandbox("komship", orders=3, products=1)
    _out, err, code = connect("komship", live_server, "--username", "demo-komship", "--password", "salah")
    assert code == 1 and "refused the connection" in err
    assert not PlatformAccount.objects.exists()


# sync --------------------------------------------------------------------------------------------------

def wrong_token_account(platform: str, live_server, *, name: str, seller, **fields) -> PlatformAccount:
    return PlatformAccount.objects.create(
        platform=platform, name=name, seller=seller, base_url=f"{live_server.url}{BASE_PATHS[platform]}",
        credentials={"token": "token-yang-salah"}, **fields,
    )


@pytest.mark.parametrize("platform", PLATFORMS)
def test_sync_orders_stores_every_order_exits_0_and_reports(platform, live_server):
    reset_sandbox(platform, orders=15, products=2)
    account = sandbox_account(platform, live_server.url, history_days=120)

    out, err, code = run("sync", "orders", "--account", str(account.pk))

    assert code == 0, out + err
    assert Order.objects.filter(account=account).count() == 15
    sync_run = SyncRun.objects.get(account=account)
    assert (sync_run.kind, sync_run.status, sync_run.created) == ("orders_pull", "succeeded", 15)
    assert f"{account} Pull orders: Succeeded — fetched {sync_run.fetched}, created 15" in out
    assert "\r" in err and "fetched 15" in err, "a progress line on stderr"

    # the next run is incremental (from the last pull, minus the overlap) and writes nothing new
    again_out, _err, again = run("sync", "orders", "--account", str(account.pk))
    assert again == 0 and "created 0, updated 0," in again_out
    assert Order.objects.filter(account=account).count() == 15


def test_unknown_platform_statuses_are_flagged_and_still_count_as_stored(live_server):
    reset_sandbox("ngorder", orders=10, products=2)
    account = sandbox_account("ngorder", live_server.url, history_days=120)
    StatusMapping.objects.filter(platform="ngorder", kind="order").delete()

    out, err, code = run("sync", "orders", "--account", str(account.pk))

    assert code == 0, out + err
    assert Order.objects.filter(account=account, status_unmapped=True).count() == 10
    assert "flagged 10" in out


def test_sync_with_a_wrong_token_fails_and_exits_1(live_server):
    reset_sandbox("scalev", orders=5, products=1)
    account = sandbox_account("scalev", live_server.url)
    account.credentials = {"token": "token-yang-salah"}
    account.save()

    out, _err, code = run("sync", "orders", "--account", str(account.pk))

    assert code == 1
    assert "Pull orders: Failed" in out
    assert SyncRun.objects.get(account=account).status == SyncRun.Status.FAILED
    assert not Order.objects.exists()
    account.refresh_from_db()
    assert account.last_error_at is not None


def test_sync_all_runs_every_supported_kind_and_skips_the_rest(live_server):
    reset_sandbox("mitrabunso", orders=5, products=1)
    reset_sandbox("scalev", orders=5, products=3)
    mitrabunso = sandbox_account("mitrabunso", live_server.url, history_days=120)
    scalev = sandbox_account("scalev", live_server.url, history_days=120)

    out, err, code = run("sync", "all", "--account", str(mitrabunso.pk))

    assert code == 0, out + err
    assert "products is not supported by Mitrabunso, skipped" in out
    assert "stock is not supported by Mitrabunso, skipped" in out
    assert list(SyncRun.objects.filter(account=mitrabunso).values_list("kind", flat=True)) == ["orders_pull"]

    out, err, code = run("sync", "all", "--account", str(scalev.pk))

    assert code == 0, out + err
    # Scalev documents no pickups, finances or tickets: those kinds are skipped, every other one runs.
    skipped = [line for line in out.splitlines() if "skipped" in line]
    assert skipped and all(any(f" {kind} " in line for kind in ("pickups", "withdrawals", "balances", "tickets"))
                           for line in skipped)
    assert "tickets is not supported by Scalev, skipped" in out
    assert set(SyncRun.objects.filter(account=scalev).values_list("kind", "status")) == {
        ("orders_pull", "succeeded"), ("products_pull", "succeeded"), ("stock_push", "succeeded"),
        ("shipments", "succeeded"), ("tracking_pull", "succeeded")}
    assert out.count(str(scalev)) == 5 + len(skipped)


def test_sync_stock_on_a_platform_without_stock_is_skipped(live_server):
    reset_sandbox("mitrabunso", orders=2, products=1)
    account = sandbox_account("mitrabunso", live_server.url)
    out, _err, code = run("sync", "stock", "--account", str(account.pk))
    assert code == 0 and "skipped" in out
    assert not SyncRun.objects.exists()


def test_sync_account_all_covers_every_enabled_account(live_server):
    accounts = []
    for platform in PLATFORMS:
        reset_sandbox(platform, orders=4, products=1)
        accounts.append(sandbox_account(platform, live_server.url, history_days=120))
    disabled = wrong_token_account("ngorder", live_server, name="dimatikan", seller=accounts[0].seller,
                                   is_enabled=False)

    out, err, code = run("sync", "orders", "--account", "all")

    assert code == 0, out + err
    for account in accounts:
        assert f"{account} Pull orders: Succeeded" in out
        assert Order.objects.filter(account=account).count() == 4
    assert not SyncRun.objects.filter(account=disabled).exists()
    assert SyncRun.objects.filter(status="succeeded").count() == 4


def test_sync_account_all_exits_1_when_one_account_fails(live_server):
    reset_sandbox("ngorder", orders=3, products=1)
    good = sandbox_account("ngorder", live_server.url, history_days=120)
    bad = wrong_token_account("ngorder", live_server, name="salah", seller=good.seller)

    out, _err, code = run("sync", "orders", "--account", "all")

    assert code == 1
    assert f"{good} Pull orders: Succeeded" in out and f"{bad} Pull orders: Failed" in out
    assert Order.objects.filter(account=good).count() == 3


@pytest.mark.django_db
def test_sync_refuses_an_unknown_account():
    with pytest.raises(CommandError, match="no platform account 999999"):
        call_command("sync", "orders", "--account", "999999", stdout=StringIO())
    with pytest.raises(CommandError, match="an id or 'all'"):
        call_command("sync", "orders", "--account", "toko", stdout=StringIO())


def test_a_renamed_or_recreated_account_keeps_exactly_one_schedule_per_kind(live_server):
    from integrations.services import account_schedule_syncs

    reset_sandbox("ngorder", orders=2, products=1)
    assert connect("ngorder", live_server, *CONNECT_ARGS["ngorder"], name="lama")[2] == 0
    account = PlatformAccount.objects.get()
    edited = PeriodicTask.objects.get(name=f"sync orders_pull · ngorder:{account.name}")
    edited.interval.every = 3  # staff edited the interval in the admin
    edited.interval.save()

    account.name = "baru"
    account.save()
    account_schedule_syncs(account=account)  # what the admin's save does

    tasks = schedules(account)
    assert set(tasks) == SCHEDULED["ngorder"] and sync_schedules().count() == len(SCHEDULED["ngorder"])
    assert tasks["orders_pull"].pk == edited.pk and tasks["orders_pull"].interval.every == 3

    account.delete()
    _out, err, code = connect("ngorder", live_server, *CONNECT_ARGS["ngorder"], name="baru")

    assert code == 0, err
    new = PlatformAccount.objects.get()
    assert sync_schedules().count() == len(SCHEDULED["ngorder"])
    assert {t.args for t in sync_schedules()} == {f'[{new.pk}, "{kind}"]' for kind in SCHEDULED["ngorder"]}
