"""Does an order pull under 20% injected faults end with exactly the platform's orders?

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_x .venv/bin/python bench/sync_faults.py --trials 10

Needs an EMPTY PostgreSQL database in DATABASE_URL (it refuses one that already holds orders). It migrates
it and starts gunicorn (ONE worker process with 4 threads, so every request reaches the same in-memory
sandboxes; production settings with DEBUG off and SANDBOX_ENABLED on). Then, for each platform and each
trial: it reseeds the platform's sandbox (--orders orders, by default enough for several list pages; a
seed per trial), creates a fresh
PlatformAccount on it, turns on faults at --error-rate (every kind: a 500, a 429 with Retry-After 0 or 1,
a reply slower than the client's 0.5 s read timeout, a reset connection) through
POST /sandbox/<P>/_control/faults, and runs the service `manage.py sync orders` runs
(integrations.syncing.sync_run_execute, kind orders_pull) with a short read timeout and fast retries.
With faults off again it reads the sandbox's own list through the adapter and compares: orders missing
from the database are "lost", an external id stored more than once is "duplicated", an order whose
item count differs from the platform's is an "items_mismatch". GET /sandbox/<P>/_control/stats gives the
faults really served, by kind.

Progress goes to stderr; the last line on stdout is one JSON object with lost, duplicated (both must be
0), faults_injected (summed over platforms and trials), faults_by_kind, trials, platforms and the figures
of each platform under "details". Exits 1 when an order was lost or duplicated or a pull failed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import Server, http_json, log, make_workdir, require_empty_database, setup_django
from bench.sync_orders import PLATFORMS, SANDBOX_SETTINGS, create_account, sandbox_window

FAULT_KINDS = ("500", "429", "slow", "reset")
FAST_RETRIES = {
    "INTEGRATIONS_HTTP_TIMEOUT": (2.0, 0.5),  # (connect, read) seconds
    "INTEGRATIONS_HTTP_MAX_ATTEMPTS": 10,
    "INTEGRATIONS_HTTP_BACKOFF_BASE": 0.01,
    "INTEGRATIONS_HTTP_BACKOFF_CAP": 0.05,
}
SLOW_SECONDS = 1.0  # past the 0.5 s read timeout
# Orders per trial: several list pages at each platform's largest page size (Komship and Ngorder 100,
# Mitrabunso 500) so that the faults hit the paging too; Scalev (25 a page plus a detail call per order)
# makes ~210 requests with 200. Small enough for `--trials 1` to finish in well under a minute.
DEFAULT_ORDERS = {"komship": 600, "ngorder": 600, "scalev": 200, "mitrabunso": 2000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=10, help="pulls per platform (default 10)")
    parser.add_argument("--orders", type=int, default=None,
                        help="orders in the sandbox per trial (default per platform: " + ", ".join(
                            f"{p} {n}" for p, n in DEFAULT_ORDERS.items()) + ")")
    parser.add_argument("--error-rate", type=float, default=0.2, help="share of requests faulted (default 0.2)")
    parser.add_argument("--platform", action="append", choices=PLATFORMS,
                        help="only this platform (repeatable; default all four)")
    args = parser.parse_args()
    if args.trials < 1 or (args.orders is not None and args.orders < 1):
        sys.exit("--trials and --orders must be at least 1")
    args.platforms = tuple(args.platform or PLATFORMS)

    started = time.perf_counter()
    workdir = make_workdir()
    try:
        setup_django(workdir, extra_settings=SANDBOX_SETTINGS)
        result = run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result), flush=True)
    if result["lost"] or result["duplicated"] or result["failed_runs"]:
        sys.exit(1)


def sandbox_orders(account, since, until) -> dict[str, int | None]:
    """The platform's orders read without faults through the adapter's own paging: external id -> item
    count (None when the list row carries no items)."""
    from integrations.registry import adapter_for

    listed: dict[str, int | None] = {}
    repeated = 0
    for page in adapter_for(account, rate_limited=False).iter_order_pages(since=since, until=until):
        for order in page.orders:
            repeated += order.external_id in listed
            listed[order.external_id] = len(order.items) if order.items_complete else None
    if repeated:
        raise RuntimeError(f"the {account.platform} sandbox listed {repeated} orders twice")
    return listed


def trial(*, server: Server, platform: str, number: int, args) -> dict:
    from django.db.models import Count
    from django.test import override_settings

    from integrations.models import SyncRun
    from integrations.syncing import SyncRequest, sync_run_execute
    from orders.models import Order

    control = f"{server.url}/sandbox/{platform}/_control"
    seed = 2026 + number
    orders = args.orders or DEFAULT_ORDERS[platform]
    http_json("POST", f"{control}/faults", {"error_rate": 0})
    http_json("POST", f"{control}/reset", {"orders": orders, "products": 10, "seed": seed})
    account = create_account(platform=platform, server_url=server.url, name=f"faults-{platform}-{number}")
    since, until = sandbox_window()
    http_json("POST", f"{control}/faults", {"error_rate": args.error_rate, "kinds": list(FAULT_KINDS),
                                            "retry_after": number % 2, "slow_seconds": SLOW_SECONDS,
                                            "seed": seed})
    t0 = time.perf_counter()
    with override_settings(**FAST_RETRIES):
        run = sync_run_execute(account=account, kind=SyncRun.Kind.ORDERS_PULL,
                               request=SyncRequest(since=since, until=until))
    seconds = time.perf_counter() - t0
    http_json("POST", f"{control}/faults", {"error_rate": 0})
    stats = http_json("GET", f"{control}/stats")

    expected = sandbox_orders(account, since, until)
    stored = list(Order.objects.filter(account=account).annotate(n_items=Count("items"))
                  .values_list("external_id", "n_items"))
    stored_ids = [external_id for external_id, _n in stored]
    items = dict(stored)
    return {
        "seed": seed,
        "status": run.status,
        "error": run.error,
        "seconds": round(seconds, 2),
        "expected": len(expected),
        "stored": len(stored_ids),
        "lost": len(set(expected) - set(stored_ids)),
        "duplicated": len(stored_ids) - len(set(stored_ids)),
        "unexpected": len(set(stored_ids) - set(expected)),
        "items_mismatch": sum(1 for eid, n in expected.items() if n is not None and eid in items and items[eid] != n),
        "requests": stats.get("requests", 0),
        "faults": {kind: stats.get(f"fault_{kind}", 0) for kind in FAULT_KINDS},
    }


def run(args, workdir: Path) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from integrations.models import SyncRun

    require_empty_database()
    log("migrating")
    call_command("migrate", interactive=False, verbosity=0)
    connection.close()

    details: dict[str, dict] = {}
    with Server(workers=1, threads=4, stderr=workdir / "server.log") as server:
        log(f"gunicorn on {server.url}")
        for platform in args.platforms:
            totals = Counter()
            faults = Counter()
            failed = []
            t0 = time.perf_counter()
            for number in range(1, args.trials + 1):
                result = trial(server=server, platform=platform, number=number, args=args)
                for key in ("expected", "stored", "lost", "duplicated", "unexpected", "items_mismatch",
                            "requests"):
                    totals[key] += result[key]
                faults.update(result["faults"])
                if result["status"] != SyncRun.Status.SUCCEEDED:
                    failed.append({"trial": number, "seed": result["seed"], "error": result["error"]})
                log(f"{platform} trial {number}: {result['status']} in {result['seconds']} s, "
                    f"{result['stored']}/{result['expected']} orders, lost {result['lost']}, "
                    f"duplicated {result['duplicated']}, faults {result['faults']} of {result['requests']} requests")
            details[platform] = {**totals, "faults_injected": sum(faults.values()), "faults_by_kind": dict(faults),
                                 "failed_runs": failed, "seconds": round(time.perf_counter() - t0, 1)}

    by_kind = Counter()
    for figures in details.values():
        by_kind.update(figures["faults_by_kind"])
    return {
        "bench": "sync_faults",
        "lost": sum(d["lost"] for d in details.values()),
        "duplicated": sum(d["duplicated"] for d in details.values()),
        "unexpected": sum(d["unexpected"] for d in details.values()),
        "items_mismatch": sum(d["items_mismatch"] for d in details.values()),
        "failed_runs": sum(len(d["failed_runs"]) for d in details.values()),
        "faults_injected": sum(by_kind.values()),
        "faults_by_kind": dict(by_kind),
        "trials": args.trials,
        "orders_per_trial": {p: args.orders or DEFAULT_ORDERS[p] for p in args.platforms},
        "platforms_without_faults": [p for p, d in details.items() if not d["faults_injected"]],
        "error_rate": args.error_rate,
        "platforms": list(args.platforms),
        "details": details,
    }


if __name__ == "__main__":
    main()
