"""How fast does a full order pull mirror a platform, and how cheap is pulling it again unchanged?

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_x .venv/bin/python bench/sync_orders.py \\
        --orders 100000 --platform ngorder

Needs an EMPTY PostgreSQL database in DATABASE_URL (it refuses one that already holds orders). It migrates
it, starts gunicorn (ONE worker process with 4 threads: the sandboxes keep their store in memory, so the
reset and the pulls must reach the same process; production settings with DEBUG off and SANDBOX_ENABLED
on) and reseeds the platform's sandbox with N orders through POST /sandbox/<P>/_control/reset. It then
creates a PlatformAccount pointing at that sandbox and runs, in this process, the service `manage.py sync
orders` runs (integrations.syncing.sync_run_execute, kind orders_pull) over a window covering every
sandbox order, at the platform's largest documented page size (the adapters ask for it). Measured: wall
time, database time (the summed duration of every query, through connection.execute_wrapper), queries
per page, this process's peak memory (ru_maxrss), the CPU time of this process and of the server. Then
it pulls the same unchanged data again and measures its time and the rows it wrote (rowcounts of
INSERT/UPDATE/DELETE on the data tables; the run's own bookkeeping in integrations_* tables — the SyncRun
row, the rate-limit bucket, the account's health — is reported apart).

Progress goes to stderr; the last line on stdout is one JSON object with orders_per_s, queries_per_page,
peak_mb, repull_s, repull_rows_written, db_seconds, pages, batches (the engine writes pages in batches:
queries_per_page is the pull's queries over its pages, queries_per_batch the most of one batch but the
first and last) and the rest under "details". --profile runs
the first pull under cProfile and prints where the time went to stderr (figures are then slower).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (
    AutoAnalyze,
    QueryMeter,
    Server,
    http_json,
    log,
    make_workdir,
    peak_rss_mb,
    require_empty_database,
    setup_django,
)

PLATFORMS = ("komship", "ngorder", "scalev", "mitrabunso")
SANDBOX_SETTINGS = "SANDBOX_ENABLED = True\nSANDBOX_LIVE = False\n"
BOOKKEEPING_PREFIX = "integrations_"  # SyncRun, RateBucket, PlatformAccount (+ history): the run's own records
SEED = 2026


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=100_000, help="orders in the sandbox (default 100,000)")
    parser.add_argument("--platform", choices=PLATFORMS, default="ngorder", help="default ngorder")
    parser.add_argument("--profile", action="store_true", help="cProfile the first pull (stderr)")
    parser.add_argument("--autoanalyze-naptime", type=float, default=60.0,
                        help="when the server runs with autovacuum off, ANALYZE changed tables every this many "
                             "seconds during the pulls, as autovacuum would (default 60; 0 disables)")
    args = parser.parse_args()
    if args.orders < 1:
        sys.exit("--orders must be at least 1")

    started = time.perf_counter()
    workdir = make_workdir()
    try:
        setup_django(workdir, extra_settings=SANDBOX_SETTINGS)
        result = run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result), flush=True)


def create_account(*, platform: str, server_url: str, name: str, seller=None):
    """A PlatformAccount on the sandbox served at `server_url`, with the demo credentials the tests use and
    a rate limit high enough never to wait."""
    from integrations.models import PlatformAccount
    from sellers.models import Seller
    from tests.integrations.engine_support import BASE_PATHS, CREDENTIALS, EXTERNAL_IDS, OPTIONS

    if seller is None:
        seller, _created = Seller.objects.get_or_create(code="BENCH-SYNC", defaults={"name": "Toko Bench Sync"})
    return PlatformAccount.objects.create(
        platform=platform, name=name, seller=seller, base_url=f"{server_url}{BASE_PATHS[platform]}",
        credentials=dict(CREDENTIALS[platform]), external_account_id=EXTERNAL_IDS[platform],
        options=dict(OPTIONS.get(platform, {})), rate_limit_per_minute=1_000_000_000,
    )


def sandbox_window():
    """Every sandbox order: the sandboxes seed the last 90 days."""
    from django.utils import timezone

    until = timezone.now() + timedelta(minutes=5)
    return until - timedelta(days=120), until


def timed_pull(*, account, since, until, server: Server, profile: bool = False) -> dict:
    """One orders_pull through the sync engine, with its figures."""
    import resource

    from integrations.models import SyncRun
    from integrations.syncing import SyncRequest, sync_run_execute

    # (queries, db seconds, orders fetched) after each write the run reports (a batch of pages)
    batch_marks: list[tuple[int, float, int]] = []

    def progress(run, cursor):
        batch_marks.append((meter.count, meter.seconds, run.fetched))

    usage0 = resource.getrusage(resource.RUSAGE_SELF)
    server_cpu0 = server.cpu_seconds()
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    t0 = time.perf_counter()
    with QueryMeter() as meter:
        if profiler:
            profiler.enable()
        with counting_pages() as pages:
            run = sync_run_execute(account=account, kind=SyncRun.Kind.ORDERS_PULL,
                                   request=SyncRequest(since=since, until=until), progress=progress)
        if profiler:
            profiler.disable()
    wall = time.perf_counter() - t0
    usage1 = resource.getrusage(resource.RUSAGE_SELF)
    if run.status != SyncRun.Status.SUCCEEDED:
        raise RuntimeError(f"the pull ended {run.status}: {run.error}")

    per_batch, previous = [], (0, 0.0, 0)
    for mark in batch_marks:
        per_batch.append({"queries": mark[0] - previous[0], "db_s": mark[1] - previous[1],
                          "orders": mark[2] - previous[2]})
        previous = mark
    steady = [p["queries"] for p in per_batch[1:-1]] or [p["queries"] for p in per_batch]
    figures = {
        "seconds": round(wall, 2),
        "pages": pages[0],
        "batches": len(per_batch),
        "fetched": run.fetched, "created": run.created, "updated": run.updated, "unchanged": run.unchanged,
        "failed": run.failed, "flagged": run.flagged,
        "queries": meter.count,
        "db_seconds": round(meter.seconds, 2),
        "queries_per_page": round(meter.count / pages[0], 2) if pages[0] else 0,
        "queries_per_batch": {
            "first": per_batch[0]["queries"] if per_batch else 0,
            "min": min(steady, default=0), "median": statistics.median(steady) if steady else 0,
            "max": max(steady, default=0),
            "last": per_batch[-1]["queries"] if per_batch else 0,
        },
        "queries_by_table": dict(sorted(meter.count_by_table.items(), key=lambda kv: -kv[1])),
        "db_seconds_by_table": {t: round(v, 2) for t, v in sorted(meter.seconds_by_table.items(),
                                                                   key=lambda kv: -kv[1])},
        "rows_written_by_table": dict(sorted(meter.written_by_table.items())),
        "rows_written": meter.rows_written(
            exclude=[t for t in meter.written_by_table if t.startswith(BOOKKEEPING_PREFIX)]),
        "bookkeeping_rows_written": sum(n for t, n in meter.written_by_table.items()
                                        if t.startswith(BOOKKEEPING_PREFIX)),
        "client_cpu_s": round(usage1.ru_utime + usage1.ru_stime - usage0.ru_utime - usage0.ru_stime, 2),
        "server_cpu_s": round(server.cpu_seconds() - server_cpu0, 2),
    }
    if profiler:
        report_profile(profiler)
    return figures


@contextmanager
def counting_pages():
    """Counts the list pages the pull's adapter yields (the engine writes them in batches, and reports
    progress per batch). Yields a one-item list holding the count."""
    from integrations import syncing

    count = [0]
    adapter_for = syncing.adapter_for

    def counted(pages):
        for page in pages:
            count[0] += 1
            yield page

    def counting_adapter_for(account, *args, **kwargs):
        adapter = adapter_for(account, *args, **kwargs)
        iter_order_pages = adapter.iter_order_pages
        adapter.iter_order_pages = lambda **window: counted(iter_order_pages(**window))
        return adapter

    syncing.adapter_for = counting_adapter_for
    try:
        yield count
    finally:
        syncing.adapter_for = adapter_for


def report_profile(profiler) -> None:
    import io
    import pstats

    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(35)
        log(f"cProfile of the first pull, by {order}:\n{out.getvalue()}")


def run(args, workdir: Path) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from orders.models import Order

    require_empty_database()
    log("migrating")
    call_command("migrate", interactive=False, verbosity=0)
    connection.close()

    platform = args.platform
    with Server(workers=1, threads=4, stderr=workdir / "server.log") as server:
        control = f"{server.url}/sandbox/{platform}/_control"
        t0 = time.perf_counter()
        http_json("POST", f"{control}/faults", {"error_rate": 0})
        # "prerender": sandboxes that can render their list rows at reset do so, so that the simulator's
        # own CPU (it runs on this machine) weighs less on the pull measured (the platform's is not ours).
        http_json("POST", f"{control}/reset", {"orders": args.orders, "products": 10, "seed": SEED,
                                               "extra": {"prerender": True}})
        reset_seconds = time.perf_counter() - t0
        log(f"gunicorn on {server.url}; {platform} sandbox reset to {args.orders} orders in {reset_seconds:.1f} s")

        account = create_account(platform=platform, server_url=server.url, name=f"bench-{platform}")
        since, until = sandbox_window()
        rss_before = peak_rss_mb()

        with AutoAnalyze(naptime=args.autoanalyze_naptime) as autoanalyze:
            log("first pull" + (f" (autovacuum is off: ANALYZE every {autoanalyze.naptime:g} s as it would)"
                                if autoanalyze.active else ""))
            first = timed_pull(account=account, since=since, until=until, server=server, profile=args.profile)
            first["autoanalyze"] = autoanalyze.summary()
            peak_mb = peak_rss_mb()
            mirrored = Order.objects.filter(account=account).count()
            log(f"first pull: {first['seconds']} s, {mirrored} orders, {first['pages']} pages in "
                f"{first['batches']} batches, "
                f"db {first['db_seconds']} s, client cpu {first['client_cpu_s']} s, "
                f"server cpu {first['server_cpu_s']} s, {first['autoanalyze']}")
            first_stats = http_json("GET", f"{control}/stats")
            if autoanalyze.active:
                autoanalyze.check()  # the next scheduled pull comes minutes later: autovacuum has run by then

            log("second pull of the same, unchanged data")
            analyzed = autoanalyze.summary()
            second = timed_pull(account=account, since=since, until=until, server=server)
            second["autoanalyze"] = {k: v - analyzed[k] if k in ("analyzes", "seconds") else v
                                     for k, v in autoanalyze.summary().items()}
        stats = http_json("GET", f"{control}/stats")
        log(f"re-pull: {second['seconds']} s, {second['rows_written']} data rows written")
        if (server.stderr_path and server.stderr_path.exists()
                and (text := server.stderr_path.read_text(errors="replace").strip())):
            log(f"server log (tail):\n{text[-2000:]}")

    if mirrored != args.orders:
        log(f"WARNING: the database holds {mirrored} orders of this account, the sandbox {args.orders}")
    pull_s = first["seconds"]
    requests_first = first_stats.get("requests", 0)
    return {
        "bench": "sync_orders",
        "platform": platform,
        "orders": args.orders,
        "orders_per_s": round(args.orders / pull_s, 1) if pull_s else None,
        "pull_s": pull_s,
        "queries_per_page": first["queries_per_page"],
        "queries_per_batch": first["queries_per_batch"]["max"],
        "peak_mb": round(peak_mb, 1),
        "repull_s": second["seconds"],
        "repull_ratio": round(second["seconds"] / pull_s, 3) if pull_s else None,
        "repull_rows_written": second["rows_written"],
        "db_seconds": first["db_seconds"],
        "db_seconds_per_100k": round(first["db_seconds"] * 100_000 / args.orders, 2),
        "pages": first["pages"],
        "batches": first["batches"],
        "mirrored": mirrored,
        "details": {
            "sandbox_reset_s": round(reset_seconds, 2),
            "rss_before_pull_mb": round(rss_before, 1),
            "http_requests_first_pull": requests_first,
            "http_requests_repull": stats.get("requests", 0) - requests_first,
            "profiled": args.profile,
            "first_pull": first,
            "repull": second,
        },
    }


if __name__ == "__main__":
    main()
