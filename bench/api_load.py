"""The mobile API's order list under a fixed arrival rate, and how deep cursor pages compare with the first.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_x .venv/bin/python bench/api_load.py \\
        --orders 1000000 --rate 300 --duration 60

Needs an EMPTY PostgreSQL database in DATABASE_URL (it refuses one that already holds orders). It migrates
it and seeds N orders with PostgreSQL COPY: five sellers, the calling seller owning at least 200,000 of
them (all of them when N is smaller), spread over the whole id range as real traffic would leave them,
with customers and created dates over the last year. It starts gunicorn with the production settings
(DEBUG off; bench/_common.py) — `--workers` processes of `--threads` threads — and logs the seller's app
user in through POST /api/v1/auth/login/.

Load: GET /api/v1/orders/ (the first page, default page size) at a fixed arrival rate for --duration
seconds, open loop: request i is due at start + i/rate whether or not earlier ones have answered, and its
latency is measured from that due time, so a slow server cannot slow the generator down and hide its own
queueing (no coordinated omission). The generator is this script's own asyncio client (HTTP/1.1 keep-alive
connections, opened as needed), pinned with the repository; vegeta, the usual tool, is not packaged for
this machine's distribution. Throttle rates are raised for the run (the throttles still run on every
request) since one user at 300 requests/s is what the bench asks for, not what a phone does.

Deep page: the cursor is followed (next links, 100 rows a page) past 100,000 rows of the seller (or half of
its orders when it has fewer), then that page and the first page are each fetched 15 times at the
default page size; the medians are reported.

Progress goes to stderr; the last stdout line is one JSON object: rps (achieved), p50_ms, p99_ms, errors,
first_page_ms, deep_page_ms, and the rest under "details".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (
    Server,
    copy_rows,
    log,
    make_workdir,
    model_columns,
    percentile,
    require_empty_database,
    reset_sequences,
    setup_django,
)

SEED = 2026
CALLER_MIN_ORDERS = 200_000
DEEP_ROWS = 100_000
OTHER_SELLERS = 4
PASSWORD = "bench-Password-2026"
# Per-second windows: the throttles keep a history of request times per window, so a per-minute rate high
# enough for the bench would make each request load and store thousands of entries (a real 600/min keeps
# at most 600).
THROTTLE_ENV = {"API_THROTTLE_USER": "100000/s", "API_THROTTLE_IP": "100000/s", "API_THROTTLE_LOGIN": "1000/min"}
STATUSES = ["new", "processing", "ready_to_ship", "shipped", "delivered", "completed", "canceled", "returned"]
METHODS = ["cod", "bank_transfer", "e_payment"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000, help="orders to seed (default 1,000,000)")
    parser.add_argument("--rate", type=float, default=300.0, help="requests per second (default 300)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("GUNICORN_WORKERS", "2")),
                        help="gunicorn worker processes (default GUNICORN_WORKERS or 2)")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("GUNICORN_THREADS", "4")),
                        help="threads per worker (gthread; default GUNICORN_THREADS or 4, as config/gunicorn.conf.py)")
    parser.add_argument("--max-connections", type=int, default=64,
                        help="connections the load generator may open (default 64)")
    args = parser.parse_args()
    if args.orders < 1 or args.rate <= 0 or args.duration <= 0:
        sys.exit("--orders, --rate and --duration must be positive")

    started = time.perf_counter()
    workdir = make_workdir()
    os.environ.update(THROTTLE_ENV)
    try:
        setup_django(workdir)
        result = run(args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result["details"]["total_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result), flush=True)


# --- seeding -----------------------------------------------------------------------------------------


def seed(*, orders: int) -> dict:
    """Sellers, the caller's app user, customers and `orders` orders, by COPY. Returns what was made."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from orders.models import Customer, Order
    from sellers.models import Seller, SellerUser

    caller_orders = min(orders, max(CALLER_MIN_ORDERS, orders // (OTHER_SELLERS + 1)))
    sellers = [Seller.objects.create(code="BENCH", name="Toko Bench", phone="+6281200000001")]
    sellers += [Seller.objects.create(code=f"OTHER{n}", name=f"Toko Lain {n}") for n in range(OTHER_SELLERS)]
    user = get_user_model().objects.create_user("bench", "bench@example.com", PASSWORD)
    SellerUser.objects.create(user=user, seller=sellers[0])

    rng = random.Random(SEED)
    # Which seller owns order i: the caller's share spread evenly over the id range.
    owners = [0] * orders
    others = orders - caller_orders
    if others:
        step = orders / others
        for k in range(others):
            owners[min(orders - 1, int(k * step))] = 1 + k % OTHER_SELLERS
    customers_per_seller = max(1, min(50_000, orders // 10))
    now = datetime.now(UTC)
    year = timedelta(days=365)

    customer_fields = ["id", "seller_id", "name", "phone", "created_at", "updated_at"]
    extra_names, extra_values = model_columns(Customer, customer_fields)

    def customer_rows():
        for s, seller in enumerate(sellers):
            for c in range(customers_per_seller):
                cid = s * customers_per_seller + c + 1
                yield (cid, seller.pk, f"Pelanggan {cid}", f"+62812{cid:08d}", now - year, now - year,
                       *extra_values)

    order_fields = ["id", "seller_id", "customer_id", "order_no", "status", "payment_method", "payment_status",
                    "subtotal", "discount", "shipping_cost", "cod_fee", "other_costs", "grand_total", "created_at",
                    "updated_at"]
    order_extra_names, order_extra_values = model_columns(Order, order_fields)

    def order_rows():
        for i in range(orders):
            owner = owners[i]
            customer_id = owner * customers_per_seller + rng.randrange(customers_per_seller) + 1
            method = METHODS[rng.randrange(3)]
            subtotal = Decimal(rng.randrange(20, 2000) * 1000)
            shipping = Decimal(rng.randrange(9, 40) * 1000)
            cod_fee = (subtotal * Decimal("0.03")).quantize(Decimal("1")) if method == "cod" else Decimal(0)
            created = now - year + year * (i / orders)
            yield (i + 1, sellers[owner].pk, customer_id, f"BN-{i + 1:09d}", STATUSES[rng.randrange(8)], method,
                   "paid" if method != "cod" else "unpaid", subtotal, 0, shipping, cod_fee, 0,
                   subtotal + shipping + cod_fee, created, created, *order_extra_values)

    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor underneath
        try:  # skip the per-row foreign-key triggers while loading (ids are consistent by construction)
            with transaction.atomic():
                cursor.execute("SET LOCAL session_replication_role = replica")
        except Exception:  # not a superuser: load with the checks, only slower
            log("cannot SET session_replication_role (not a superuser); loading with foreign-key checks")
        started = time.perf_counter()
        copy_rows(cursor, "orders_customer", customer_fields + extra_names, customer_rows())
        log(f"customers copied in {time.perf_counter() - started:.1f} s; copying {orders:,} orders")
        started = time.perf_counter()
        copy_rows(cursor, "orders_order", order_fields + order_extra_names, order_rows())
        log(f"orders copied in {time.perf_counter() - started:.1f} s; analyzing")
        reset_sequences(django_cursor, ["orders_customer", "orders_order"])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orders_customer")
        cursor.execute("ANALYZE orders_order")
    return {"caller_orders": caller_orders, "sellers": len(sellers), "customers": customers_per_seller * len(sellers)}


# --- the load generator ------------------------------------------------------------------------------


class Connection:
    """One HTTP/1.1 keep-alive connection of the generator."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer

    async def request(self, payload: bytes) -> tuple[int, bool]:
        """Send one request; return (status, keep the connection). The head is read in one piece and
        parsed as bytes: the generator shares the server's two cores, so its cost per request counts."""
        self.writer.write(payload)
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as exc:
            if not exc.partial:
                raise ConnectionError("server closed the connection") from None
            raise
        lines = head.lower().split(b"\r\n")
        status = int(lines[0].split(None, 2)[1])
        length, keep = 0, True
        for line in lines[1:]:
            if line.startswith(b"content-length:"):
                length = int(line[15:])
            elif line.startswith(b"connection:") and line[11:].strip() == b"close":
                keep = False
        if length:
            await self.reader.readexactly(length)
        return status, keep

    def close(self) -> None:
        self.writer.close()


async def open_loop(*, host: str, port: int, path: str, token: str, rate: float, duration: float,
                    max_connections: int) -> dict:
    """Send GET `path` at `rate` per second for `duration` seconds, open loop; latencies from due times.
    At most `max_connections` are open: beyond that a due request waits for a free one (and that wait counts
    in its latency), so an overloaded server is not also flooded with new connections."""
    loop = asyncio.get_running_loop()
    slots = asyncio.Semaphore(max_connections)
    payload = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Token {token}\r\n"
               "Accept: application/json\r\nUser-Agent: bench-api-load\r\n\r\n").encode()
    idle: list[Connection] = []
    latencies: list[float] = []
    statuses: Counter = Counter()
    failures: Counter = Counter()
    open_connections = 0
    total = int(rate * duration)
    start = loop.time() + 0.2

    async def one(due: float) -> None:
        async with slots:
            await send(due)

    async def connect() -> Connection:
        nonlocal open_connections
        reader, writer = await asyncio.open_connection(host, port)
        open_connections += 1
        return Connection(reader, writer)

    async def send(due: float) -> None:
        nonlocal open_connections
        connection = None
        try:
            reused = bool(idle)
            connection = idle.pop() if reused else await connect()
            try:
                status, keep = await connection.request(payload)
            except (ConnectionError, asyncio.IncompleteReadError):
                if not reused:
                    raise
                # The server closed this idle keep-alive connection (its keep-alive timeout): a new one.
                connection.close()
                open_connections -= 1
                connection = await connect()
                status, keep = await connection.request(payload)
            latencies.append(loop.time() - due)
            statuses[status] += 1
            if keep:
                idle.append(connection)
            else:
                connection.close()
                open_connections -= 1
        except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
            failures[type(exc).__name__] += 1
            if connection is not None:
                connection.close()
                open_connections -= 1

    tasks = []
    peak_connections = 0
    for i in range(total):
        due = start + i / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(one(due)))
        peak_connections = max(peak_connections, open_connections)
    await asyncio.gather(*tasks)
    elapsed = loop.time() - start
    for connection in idle:
        connection.close()
    ok = statuses.get(200, 0)
    return {"sent": total, "ok": ok, "statuses": dict(statuses), "failures": dict(failures),
            "errors": total - ok, "elapsed": elapsed, "latencies": latencies, "peak_connections": peak_connections}


def machine_cpu_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far (/proc/stat): how busy it was during the load,
    whoever used it."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def database_backends_cpu_seconds(since: dict | None = None):
    """CPU seconds of the PostgreSQL backends serving this database (by pid, from /proc; the server runs on
    this machine). With `since` (an earlier result): the seconds used since then, summed (a backend that
    ended in between is not counted)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                       " AND pid <> pg_backend_pid()")
        pids = [row[0] for row in cursor.fetchall()]
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        used[pid] = (int(fields[11]) + int(fields[12])) / ticks
    if since is None:
        return used
    return sum(seconds - since.get(pid, 0.0) for pid, seconds in used.items())


# --- pages -------------------------------------------------------------------------------------------


def timed_get(session, url: str, token: str) -> tuple[float, dict]:
    started = time.perf_counter()
    response = session.get(url, headers={"Authorization": f"Token {token}"}, timeout=60)
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed, response.json()


def without_page_size(url: str) -> str:
    parts = urlsplit(url)
    query = {k: v for k, v in parse_qs(parts.query).items() if k != "page_size"}
    return parts._replace(query=urlencode(query, doseq=True)).geturl()


def deep_page(session, base: str, token: str, *, rows: int) -> tuple[str, int, float]:
    """Follow next links (100 rows a page) until `rows` rows were passed; the URL of the page there."""
    url, passed, started = f"{base}/api/v1/orders/?page_size=100", 0, time.perf_counter()
    while passed < rows:
        _ms, body = timed_get(session, url, token)
        passed += len(body["results"])
        if not body["next"]:
            break
        url = body["next"]
    return without_page_size(url), passed, time.perf_counter() - started


def run(args) -> dict:
    import requests
    from django.core.management import call_command

    require_empty_database()
    log("migrating")
    call_command("migrate", verbosity=0)
    seeded_at = time.perf_counter()
    made = seed(orders=args.orders)
    seed_seconds = time.perf_counter() - seeded_at
    log(f"seeded {args.orders:,} orders ({made['caller_orders']:,} the caller's) in {seed_seconds:.1f} s")

    with Server(workers=args.workers, threads=args.threads) as server, requests.Session() as session:
        response = session.post(f"{server.url}/api/v1/auth/login/", json={"username": "bench", "password": PASSWORD},
                                timeout=60)
        response.raise_for_status()
        token = response.json()["token"]
        first_url = f"{server.url}/api/v1/orders/"
        for _ in range(20):  # warm every worker's imports, caches and connections
            timed_get(session, first_url, token)

        deep_rows = min(DEEP_ROWS, max(1, made["caller_orders"] // 2))
        deep_url, passed, walk_seconds = deep_page(session, server.url, token, rows=deep_rows)
        log(f"deep page after {passed:,} rows reached by cursor in {walk_seconds:.1f} s")
        first_times, deep_times = [], []
        for _ in range(15):
            first_times.append(timed_get(session, first_url, token)[0])
            deep_times.append(timed_get(session, deep_url, token)[0])
        deep_first_id = timed_get(session, deep_url, token)[1]["results"][0]["id"]

        log(f"load: {args.rate:g} requests/s for {args.duration:g} s, open loop")
        load_cpu = os.times()
        server_cpu = server.cpu_seconds()
        database_cpu = database_backends_cpu_seconds()
        machine = machine_cpu_ticks()
        host, port = "127.0.0.1", server.port
        outcome = asyncio.run(open_loop(host=host, port=port, path="/api/v1/orders/", token=token, rate=args.rate,
                                        duration=args.duration, max_connections=args.max_connections))
        generator_cpu = sum(os.times()[:2]) - sum(load_cpu[:2])
        server_cpu = server.cpu_seconds() - server_cpu
        database_cpu = database_backends_cpu_seconds(since=database_cpu)
        busy, total = (after - before for after, before in zip(machine_cpu_ticks(), machine, strict=True))

    latencies_ms = [s * 1000 for s in outcome["latencies"]] or [float("nan")]
    first_ms, deep_ms = statistics.median(first_times), statistics.median(deep_times)
    return {
        "rps": round(outcome["ok"] / outcome["elapsed"], 1),
        "p50_ms": round(percentile(latencies_ms, 0.50), 2),
        "p99_ms": round(percentile(latencies_ms, 0.99), 2),
        "errors": outcome["errors"],
        "first_page_ms": round(first_ms, 2),
        "deep_page_ms": round(deep_ms, 2),
        "details": {
            "orders": args.orders, "caller_orders": made["caller_orders"], "rate": args.rate,
            "duration_s": args.duration, "sent": outcome["sent"], "statuses": outcome["statuses"],
            "failures": outcome["failures"], "max_ms": round(max(latencies_ms), 2),
            "p90_ms": round(percentile(latencies_ms, 0.90), 2), "deep_over_first": round(deep_ms / first_ms, 2),
            "deep_rows_passed": passed, "deep_first_id": deep_first_id, "cursor_walk_s": round(walk_seconds, 1),
            "seed_s": round(seed_seconds, 1), "workers": args.workers, "threads": args.threads,
            "server_cpu_s": round(server_cpu, 1), "generator_cpu_s": round(generator_cpu, 1),
            "server_cpu_ms_per_request": round(1000 * server_cpu / max(1, outcome["sent"]), 2),
            "generator_cpu_ms_per_request": round(1000 * generator_cpu / max(1, outcome["sent"]), 2),
            "database_cpu_ms_per_request": round(1000 * database_cpu / max(1, outcome["sent"]), 2),
            "machine_cpu_busy": round(busy / max(1, total), 2),
            "peak_connections": outcome["peak_connections"], "max_connections": args.max_connections,
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "generator": "bench/api_load.py asyncio open-loop client (HTTP/1.1 keep-alive)",
        },
    }


if __name__ == "__main__":
    main()
