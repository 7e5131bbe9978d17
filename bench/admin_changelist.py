"""How fast is the orders changelist at the sizes staff really have?

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_x .venv/bin/python bench/admin_changelist.py --rows 1000000

Needs an EMPTY PostgreSQL database in DATABASE_URL (it refuses one that already holds orders). It migrates
it, bulk-loads N orders with items, customers and shipments through COPY, runs ANALYZE, starts gunicorn
(2 workers, production settings with DEBUG off, on 127.0.0.1 over plain HTTP), logs in as a superuser
through /admin/login/, and times /admin/orders/order/ three ways: unfiltered, filtered by status and
searched by an existing AWB. Progress goes to stderr; the last line on stdout is one JSON object with
p50_ms and p95_ms (the worst of the three views), queries_per_request (the most any request ran) and the
figures of each view under "details" (with the server's CPU time per request, which load from other
programs barely changes). --seed-only and --reuse seed once and re-measure the same database.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import secrets
import shutil
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (
    Server,
    copy_rows,
    log,
    make_workdir,
    model_columns,
    percentile,
    reset_sequences,
    setup_django,
)

SELLERS = 20
CHUNK = 50_000
COURIERS = [("jne", "JNE", "CGK", ["REG", "YES", "OKE"]), ("jnt", "J&T Express", "JP", ["EZ"]),
            ("sicepat", "SiCepat", "0025", ["REG", "BEST", "HALU"]), ("anteraja", "AnterAja", "1000", ["REG"]),
            ("ninja", "Ninja Xpress", "NLIDAP", ["STANDARD"]), ("idexpress", "ID Express", "IDS", ["STD"])]
# (status, weight): 70% of orders reached the courier and have a shipment with an AWB.
STATUSES = [("draft", 2), ("new", 8), ("processing", 7), ("ready_to_ship", 5), ("shipped", 15),
            ("delivered", 12), ("completed", 35), ("returning", 3), ("returned", 5), ("canceled", 8)]
SHIPMENT_STATUS = {"shipped": ["picked_up", "in_transit", "in_transit", "in_transit"],
                   "delivered": ["delivered"], "completed": ["delivered"], "returning": ["returning"],
                   "returned": ["returned"]}
FIRST = ["Siti", "Budi", "Dewi", "Agus", "Rina", "Andi", "Putri", "Rudi", "Nur", "Eko", "Sri", "Wahyu", "Fitri",
         "Joko", "Ayu", "Hendra", "Indah", "Bayu", "Lestari", "Dimas"]
LAST = ["Rahmawati", "Santoso", "Lestari", "Saputra", "Wijaya", "Hidayat", "Kusuma", "Pratama", "Siregar",
        "Nasution", "Halim", "Setiawan", "Gunawan", "Susanti", "Purnomo"]
CITIES = [("Jakarta Selatan", "DKI Jakarta", "12190"), ("Bandung", "Jawa Barat", "40115"),
          ("Surabaya", "Jawa Timur", "60271"), ("Medan", "Sumatera Utara", "20112"),
          ("Semarang", "Jawa Tengah", "50132"), ("Makassar", "Sulawesi Selatan", "90111"),
          ("Denpasar", "Bali", "80113"), ("Yogyakarta", "DI Yogyakarta", "55281"),
          ("Palembang", "Sumatera Selatan", "30126"), ("Bekasi", "Jawa Barat", "17141")]
PRODUCTS = [("KAOS-POLOS", "Kaos Polos Cotton Combed 30s", 85_000, 200),
            ("HIJAB-SGM", "Hijab Segi Empat Voal", 45_000, 120), ("SEPATU-RUN", "Sepatu Lari Pria", 325_000, 900),
            ("TAS-SLEMPANG", "Tas Selempang Kanvas", 129_000, 450), ("MADU-500", "Madu Hutan 500 ml", 98_000, 700),
            ("KOPI-250", "Kopi Arabika Gayo 250 g", 75_000, 280), ("CASE-HP", "Softcase HP Bening", 25_000, 60),
            ("SKINCARE-SET", "Paket Skincare Glowing", 189_000, 400)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="orders to load (default 1,000,000)")
    parser.add_argument("--requests", type=int, default=None,
                        help="timed requests per view (default 60; 10 below 10,000 rows, a smoke run)")
    parser.add_argument("--warmup", type=int, default=None,
                        help="untimed requests per view first, so every gunicorn worker has compiled its templates "
                             "(default 20; 2 below 10,000 rows)")
    parser.add_argument("--reuse", action="store_true",
                        help="re-measure a database an earlier run of this bench seeded (with the same --rows) "
                             "instead of refusing it; an empty database is migrated and seeded as usual")
    parser.add_argument("--seed-only", action="store_true",
                        help="migrate, seed and analyze, then stop without measuring (for a later --reuse)")
    args = parser.parse_args()
    if args.rows < 20:
        sys.exit("--rows must be at least 20")
    toy = args.rows < 10_000
    args.requests = args.requests or (10 if toy else 60)
    args.warmup = args.warmup if args.warmup is not None else (2 if toy else 20)

    started = time.perf_counter()
    workdir = make_workdir()
    try:
        setup_django(workdir)
        result = run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result), flush=True)


def run(args, workdir: Path) -> dict:
    from django.contrib import admin
    from django.core.management import call_command
    from django.db import connection

    from orders.models import Order

    holds_orders = False
    if "orders_order" in connection.introspection.table_names():
        with connection.cursor() as cursor:
            cursor.execute("SELECT EXISTS (SELECT 1 FROM orders_order)")
            holds_orders = cursor.fetchone()[0]
    if holds_orders and not args.reuse:
        sys.exit(f"The database {connection.settings_dict['NAME']!r} already holds orders: this bench needs "
                 "an EMPTY database (createdb a new one, or dropdb and createdb this one), or --reuse to "
                 "re-measure what an earlier run seeded.")

    log("migrating")
    call_command("migrate", interactive=False, verbosity=0)

    password = secrets.token_urlsafe(16)
    seed_seconds = analyze_seconds = None
    if holds_orders:
        seeded = reseeded(rows=args.rows, password=password)
        log(f"reusing {seeded['counts']['orders']} seeded orders")
    else:
        t0 = time.perf_counter()
        seeded = seed(rows=args.rows, password=password)
        seed_seconds = round(time.perf_counter() - t0, 1)
        log(f"seeded {args.rows} orders in {seed_seconds:.1f} s; VACUUM ANALYZE")
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            for table in ("orders_customer", "orders_order", "orders_orderitem", "logistics_shipment"):
                cursor.execute(f"VACUUM (ANALYZE) {table}")
        analyze_seconds = round(time.perf_counter() - t0, 1)
    if args.seed_only:
        return {"bench": "admin_changelist", "rows": args.rows, "seeded_only": True, "seed_seconds": seed_seconds,
                "analyze_seconds": analyze_seconds, "counts": seeded["counts"]}

    if Order not in admin.site._registry:
        sys.exit("orders.Order is not registered in the admin (orders/admin.py): nothing to measure.")
    log("collectstatic")
    call_command("collectstatic", interactive=False, verbosity=0)
    connection.close()  # the server's workers open their own connections

    views = {
        "default": ("/admin/orders/order/", seeded["newest_order_no"]),
        "filtered": ("/admin/orders/order/?status__exact=shipped", seeded["newest_shipped_order_no"]),
        "searched": (f"/admin/orders/order/?q={seeded['awb']}", seeded["awb_order_no"]),
    }
    details = {}
    with Server(workers=2) as server:
        log(f"gunicorn on {server.url}; logging in")
        session = login(server.url, username=seeded["username"], password=password)
        for name, (path, must_contain) in views.items():
            details[name] = measure(session, server, path, must_contain=must_contain,
                                    warmup=args.warmup, timed=args.requests)
            log(f"{name}: {details[name]}")

    return {
        "bench": "admin_changelist",
        "rows": args.rows,
        "p50_ms": max(d["p50_ms"] for d in details.values()),
        "p95_ms": max(d["p95_ms"] for d in details.values()),
        "queries_per_request": max(d["queries_max"] for d in details.values()),
        "server_cpu_ms_per_request": max(d["server_cpu_ms_per_request"] for d in details.values()),
        "reused": holds_orders,
        "seed_seconds": seed_seconds,
        "analyze_seconds": analyze_seconds,
        "counts": seeded["counts"],
        "details": details,
    }


def seed(*, rows: int, password: str) -> dict:
    """Sellers, couriers and a superuser through the ORM; customers, orders, items and shipments through
    COPY with explicit ids (foreign keys are consistent by construction, every CHECK still applies)."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from logistics.models import Courier, CourierService, Shipment
    from orders.models import Customer, Order, OrderItem
    from sellers.models import Seller

    rng = random.Random(20260101)
    username = "bench-admin"
    get_user_model().objects.create_superuser(username, "bench@example.com", password)
    sellers = Seller.objects.bulk_create([
        Seller(code=f"BENCH{i:02d}", name=f"Toko Bench {i:02d}", phone=f"+628120000{i:04d}", city="Jakarta")
        for i in range(1, SELLERS + 1)
    ])
    seller_ids = [s.id for s in sellers]
    couriers = []
    for code, name, prefix, services in COURIERS:
        courier, _created = Courier.objects.get_or_create(code=code, defaults={"name": name})
        for service in services:
            CourierService.objects.get_or_create(courier=courier, code=service, defaults={"name": service})
        couriers.append((courier.id, prefix, services))

    now = timezone.now()
    start = now - timedelta(days=365)
    span = (now - start).total_seconds()
    n_customers = max(rows // 10, 1)
    status_names = [s for s, _w in STATUSES]
    status_weights = [w for _s, w in STATUSES]

    cust_cols = ["id", "seller_id", "name", "phone", "address", "city", "province", "postal_code",
                 "created_at", "updated_at"]
    cust_rest, cust_defaults = model_columns(Customer, cust_cols)
    order_cols = ["id", "seller_id", "customer_id", "order_no", "invoice_no", "external_id", "status",
                  "payment_method", "payment_status", "subtotal", "discount", "shipping_cost", "cod_fee",
                  "grand_total", "courier_id", "courier_service", "platform_created_at", "created_at", "updated_at"]
    order_rest, order_defaults = model_columns(Order, order_cols)
    item_cols = ["id", "order_id", "sku", "name", "quantity", "unit_price", "discount", "line_total",
                 "weight_grams", "created_at", "updated_at"]
    item_rest, item_defaults = model_columns(OrderItem, item_cols)
    ship_cols = ["id", "order_id", "courier_id", "service", "awb", "status", "weight_grams", "cod_amount",
                 "shipping_fee", "shipped_at", "delivered_at", "created_at", "updated_at"]
    ship_rest, ship_defaults = model_columns(Shipment, ship_cols)

    counts = {"customers": 0, "orders": 0, "items": 0, "shipments": 0}
    newest_shipped = None
    awb_pick = None
    awb_target = rows // 2
    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor underneath
        try:  # skip the per-row foreign-key triggers while loading (ids are consistent by construction)
            with transaction.atomic():
                cursor.execute("SET LOCAL session_replication_role = replica")
        except Exception:  # not a superuser: load with the checks, only slower
            log("cannot SET session_replication_role (not a superuser); loading with foreign-key checks")

        def customers():
            for cid in range(1, n_customers + 1):
                first, last = rng.choice(FIRST), rng.choice(LAST)
                city, province, postal = rng.choice(CITIES)
                at = start + timedelta(seconds=span * cid / (n_customers + 1))
                yield (cid, seller_ids[cid % SELLERS], f"{first} {last}", f"+628{rng.randrange(10**9, 10**10)}",
                       f"Jl. {rng.choice(LAST)} No. {rng.randint(1, 200)}", city, province, postal, at, at,
                       *cust_defaults)

        counts["customers"] = copy_rows(cursor, "orders_customer", cust_cols + cust_rest, customers())
        log(f"{counts['customers']} customers")

        item_id = ship_id = 0
        for chunk_start in range(1, rows + 1, CHUNK):
            orders, items, shipments = [], [], []
            for oid in range(chunk_start, min(chunk_start + CHUNK, rows + 1)):
                customer_id = rng.randint(1, n_customers)
                seller_id = seller_ids[customer_id % SELLERS]
                at = start + timedelta(seconds=span * oid / (rows + 1))
                status = rng.choices(status_names, status_weights)[0]
                method = rng.choices(("cod", "bank_transfer", "e_payment"), (60, 25, 15))[0]
                subtotal = 0
                for _ in range(1 if rng.random() < 0.5 else 2):
                    sku, name, price, grams = rng.choice(PRODUCTS)
                    quantity = rng.choice((1, 1, 1, 2, 3))
                    item_id += 1
                    items.append((item_id, oid, sku, name, quantity, price, 0, price * quantity, grams * quantity,
                                  at, at, *item_defaults))
                    subtotal += price * quantity
                discount = rng.randrange(0, subtotal // 10, 1000) if rng.random() < 0.2 else 0
                shipping = rng.randrange(9_000, 45_000, 500)
                cod_fee = round(subtotal * 0.03) if method == "cod" else 0
                grand_total = subtotal - discount + shipping + cod_fee
                if status == "canceled":
                    payment_status = "refunded" if method != "cod" and rng.random() < 0.5 else "unpaid"
                elif method == "cod":
                    payment_status = "paid" if status in ("delivered", "completed") else "unpaid"
                else:
                    payment_status = "unpaid" if status in ("draft", "new") else "paid"
                courier_id, prefix, services = couriers[oid % len(couriers)]
                service = services[oid % len(services)]
                orders.append((oid, seller_id, customer_id, f"INV/{at:%Y%m%d}/{oid:08d}", f"INV-{oid:08d}",
                               f"EXT{oid:09d}", status, method, payment_status, subtotal, discount, shipping,
                               cod_fee, grand_total, courier_id if status != "draft" else None,
                               service if status != "draft" else "", at, at, at, *order_defaults))
                if status in SHIPMENT_STATUS:
                    ship_id += 1
                    awb = f"{prefix}{oid:011d}"
                    shipped_at = at + timedelta(hours=rng.randint(4, 48))
                    delivered_at = shipped_at + timedelta(days=rng.randint(1, 5)) \
                        if status in ("delivered", "completed") else None
                    shipments.append((ship_id, oid, courier_id, service, awb, rng.choice(SHIPMENT_STATUS[status]),
                                      rng.randint(200, 3000), grand_total if method == "cod" else 0, shipping,
                                      shipped_at, delivered_at, at, at, *ship_defaults))
                    if awb_pick is None and oid >= awb_target:
                        awb_pick = (awb, f"INV/{at:%Y%m%d}/{oid:08d}")
                    if status == "shipped":
                        newest_shipped = f"INV/{at:%Y%m%d}/{oid:08d}"
            counts["orders"] += copy_rows(cursor, "orders_order", order_cols + order_rest, orders)
            counts["items"] += copy_rows(cursor, "orders_orderitem", item_cols + item_rest, items)
            counts["shipments"] += copy_rows(cursor, "logistics_shipment", ship_cols + ship_rest, shipments)
            newest_order_no = orders[-1][3]
            log(f"{counts['orders']} orders, {counts['items']} items, {counts['shipments']} shipments")
        reset_sequences(django_cursor, ["orders_customer", "orders_order", "orders_orderitem", "logistics_shipment"])

    if awb_pick is None or newest_shipped is None:
        sys.exit("The seed produced no shipment or no shipped order; use more --rows.")
    return {"username": username, "counts": counts, "newest_order_no": newest_order_no,
            "newest_shipped_order_no": newest_shipped, "awb": awb_pick[0], "awb_order_no": awb_pick[1]}


def reseeded(*, rows: int, password: str) -> dict:
    """What seed() returned, read back from a database it filled earlier (--reuse): the bench superuser gets
    a new password, the orders the views must list are found again by the same rules."""
    from django.contrib.auth import get_user_model

    from logistics.models import Shipment
    from orders.models import Customer, Order, OrderItem

    username = "bench-admin"
    user = get_user_model().objects.filter(username=username, is_superuser=True).first()
    if user is None:
        sys.exit("--reuse: this database was not seeded by this bench (no bench-admin superuser).")
    orders = Order.objects.count()
    if orders != rows:
        sys.exit(f"--reuse: the database holds {orders} orders, not --rows {rows}.")
    user.set_password(password)
    user.save(update_fields=["password"])
    shipment = Shipment.objects.filter(order_id__gte=rows // 2).order_by("order_id").select_related("order").first()
    counts = {"customers": Customer.objects.count(), "orders": orders, "items": OrderItem.objects.count(),
              "shipments": Shipment.objects.count()}
    return {"username": username, "counts": counts,
            "newest_order_no": Order.objects.order_by("-id").values_list("order_no", flat=True)[0],
            "newest_shipped_order_no": Order.objects.filter(status="shipped").order_by("-id")
            .values_list("order_no", flat=True)[0],
            "awb": shipment.awb, "awb_order_no": shipment.order.order_no}


def login(base_url: str, *, username: str, password: str):
    import requests

    session = requests.Session()
    page = session.get(f"{base_url}/admin/login/", timeout=30)
    page.raise_for_status()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if not match:
        raise RuntimeError("No CSRF token on /admin/login/")
    response = session.post(
        f"{base_url}/admin/login/?next=/admin/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": match.group(1), "next": "/admin/"},
        headers={"Referer": f"{base_url}/admin/login/"}, allow_redirects=False, timeout=30,
    )
    if response.status_code != 302 or "sessionid" not in session.cookies:
        raise RuntimeError(f"Login as {username} failed: HTTP {response.status_code}")
    return session


def measure(session, server, path: str, *, must_contain: str, warmup: int, timed: int) -> dict:
    """Latency percentiles of `timed` requests, and the server's CPU time per request (user + system of the
    gunicorn processes): unlike the latency, that barely moves when other programs load the machine."""
    from html import escape

    url = server.url + path
    def fetch():
        t0 = time.perf_counter()
        response = session.get(url, timeout=60, allow_redirects=False)
        elapsed = (time.perf_counter() - t0) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered HTTP {response.status_code}")
        return response, elapsed

    response, _elapsed = fetch()
    if escape(must_contain) not in response.text and must_contain not in response.text:
        raise RuntimeError(f"GET {url} does not list {must_contain!r}")
    for _ in range(warmup):
        fetch()
    latencies, queries, query_ms = [], [], []
    cpu_before = server.cpu_seconds()
    for _ in range(timed):
        response, elapsed = fetch()
        latencies.append(elapsed)
        queries.append(int(response.headers.get("X-Query-Count", -1)))
        query_ms.append(float(response.headers.get("X-Query-Ms", 0)))
    server_cpu_ms = (server.cpu_seconds() - cpu_before) * 1000 / timed
    return {
        "path": path,
        "requests": timed,
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "max_ms": round(max(latencies), 1),
        "queries_max": max(queries),
        "sql_ms_p50": round(percentile(query_ms, 0.50), 1),
        "server_cpu_ms_per_request": round(server_cpu_ms, 1),
        "bytes": len(response.content),
    }


if __name__ == "__main__":
    main()
