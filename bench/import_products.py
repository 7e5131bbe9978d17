"""How fast does a product/variant file import, and how cheap is importing it again unchanged?

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_x .venv/bin/python bench/import_products.py --rows 100000

Needs an EMPTY PostgreSQL database in DATABASE_URL (it refuses one that already holds variants). It migrates
it, creates a few sellers and categories, writes a CSV of N product/variant rows (three variants per
product; prices written as 85000, "85.000" and "Rp 85.000"), stores it as an ImportJob and runs the service
the admin's "Confirm and import" runs (transfers.services.import_job_run: streaming parse, validation of
every row, batched upsert with history rows, in one transaction). Then it imports the same file again
(every row unchanged) the same way.

Measured: wall time of each run, this process's peak memory (ru_maxrss, which includes Django itself and the
CSV generation), the SQL statements per 1,000 rows (through connection.execute_wrapper; the COPY streams that
feed each batch's statements and the progress updates, which go through their own connection, are not
counted), the CPU time of this process and of the PostgreSQL server process serving it (read from /proc
when the server runs on this machine), the history rows written, and the machine's load average (the
machine is shared: compare CPU seconds with wall seconds). Progress goes to stderr; the last line on
stdout is one JSON object with rows_per_s, reimport_rows_per_s, peak_mb, queries_per_1000 and the rest
under "details". --profile runs the first import under cProfile (figures are then slower).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import AutoAnalyze, QueryMeter, log, make_workdir, peak_rss_mb, setup_django

SELLERS = 20
VARIANTS_PER_PRODUCT = 3
SEED = 2026


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the CSV (default 100,000)")
    parser.add_argument("--profile", action="store_true", help="cProfile the first import (stderr)")
    args = parser.parse_args()
    if args.rows < 1:
        sys.exit("--rows must be at least 1")
    started = time.perf_counter()
    workdir = make_workdir()
    try:
        media = workdir / "media"
        media.mkdir()
        setup_django(workdir, extra_settings=f"MEDIA_ROOT = {str(media)!r}\nIMPORT_MAX_BYTES = 10 * 1024 ** 3\n")
        result = run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result["details"]["total_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result), flush=True)


def write_csv(path: Path, rows: int) -> None:
    rng = random.Random(SEED)
    colours = ["Merah", "Biru", "Hitam", "Putih", "Hijau"]
    sizes = ["S", "M", "L", "XL"]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["seller", "sku", "product_name", "variant_name", "price", "weight_grams", "category",
                         "brand", "product_status", "options", "length_cm", "width_cm", "height_cm", "active"])
        for index in range(rows):
            product = index // VARIANTS_PER_PRODUCT
            seller = f"BENCH{product % SELLERS:02d}"
            colour, size = rng.choice(colours), rng.choice(sizes)
            price = rng.randrange(10, 500) * 1000
            price_text = (str(price), f"{price:,}".replace(",", "."), f"Rp {price:,}".replace(",", "."))[index % 3]
            writer.writerow([seller, f"SKU-{index:08d}", f"Produk Bench {product:07d}", f"{colour} / {size}",
                             price_text, rng.randrange(50, 3000), f"kategori-{product % 10}", "Merek Bench",
                             "active", f"Warna={colour}; Ukuran={size}", "30", "20", "2.5", "ya"])


def run(args, workdir: Path) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.files import File
    from django.core.management import call_command
    from django.db import connection

    log("migrating")
    call_command("migrate", verbosity=0, interactive=False)
    from catalog.models import Category, Product, Variant
    from sellers.models import Seller
    from transfers.models import ImportJob
    from transfers.services import import_job_run

    if Variant.objects.exists():
        sys.exit(f"The database {connection.settings_dict['NAME']!r} already holds variants: this bench needs an "
                 "EMPTY database (createdb a new one, or dropdb and createdb this one).")
    user = get_user_model().objects.create_superuser("bench-import", "bench@example.com", "x")
    for number in range(SELLERS):
        Seller.objects.create(code=f"BENCH{number:02d}", name=f"Toko Bench {number}", contact_name="Bench",
                              phone="+6281200000000", email=f"bench{number}@example.com", address="Jl. Bench 1",
                              city="Jakarta", province="DKI Jakarta", postal_code="10110")
    for number in range(10):
        Category.objects.create(name=f"Kategori {number}", slug=f"kategori-{number}")

    path = workdir / "products.csv"
    log(f"writing {args.rows} rows")
    write_csv(path, args.rows)
    size = path.stat().st_size

    def one_import(label: str, profile: bool = False) -> dict:
        with open(path, "rb") as handle:
            job = ImportJob(kind="products", policy=ImportJob.Policy.ALL_OR_NOTHING, original_name="products.csv",
                            size_bytes=size, file_format="csv", created_by=user, confirmed_by=user,
                            status=ImportJob.Status.IMPORTING)
            job.file.save("products.csv", File(handle), save=True)
        log(f"{label}: importing")
        history_before = Variant.history.count() + Product.history.count()
        backend = backend_pid(connection)
        with AutoAnalyze(naptime=5) as _analyze, QueryMeter() as meter:
            started, cpu_started = time.perf_counter(), time.process_time()
            db_cpu_started = backend_cpu_seconds(backend)
            if profile:
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                profiler.enable()
            job = import_job_run(job=job, dry_run=False)
            if profile:
                profiler.disable()
                pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            db_cpu = backend_cpu_seconds(backend) - db_cpu_started if backend else None
        if job.status != ImportJob.Status.DONE or job.error_rows:
            sys.exit(f"{label} did not import cleanly: {job.status} {job.file_error} {job.errors[:3]}")
        log(f"{label}: {seconds:.2f} s, {job.new_rows} new, {job.updated_rows} updated, "
            f"{job.unchanged_rows} unchanged, {meter.count} queries")
        return {"seconds": seconds, "cpu": cpu, "db_cpu": db_cpu, "queries": meter.count, "db_seconds": meter.seconds,
                "new": job.new_rows, "updated": job.updated_rows, "unchanged": job.unchanged_rows,
                "history_rows": Variant.history.count() + Product.history.count() - history_before}

    first = one_import("import", profile=args.profile)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    second = one_import("re-import")
    if first["new"] != args.rows or second["unchanged"] != args.rows:
        sys.exit(f"unexpected counts: first {first}, second {second}")
    variants, products = Variant.objects.count(), Product.objects.count()
    return {
        "rows": args.rows,
        "rows_per_s": round(args.rows / first["seconds"]),
        "reimport_rows_per_s": round(args.rows / second["seconds"]),
        "peak_mb": round(peak_rss_mb(), 1),
        "queries_per_1000": round(first["queries"] * 1000 / args.rows, 2),
        "details": {
            "csv_mb": round(size / 1048576, 1),
            "import_s": round(first["seconds"], 2), "import_db_s": round(first["db_seconds"], 2),
            "import_cpu_s": round(first["cpu"], 2), "import_db_cpu_s": _round(first["db_cpu"]),
            "reimport_s": round(second["seconds"], 2), "reimport_db_s": round(second["db_seconds"], 2),
            "reimport_cpu_s": round(second["cpu"], 2), "reimport_db_cpu_s": _round(second["db_cpu"]),
            "reimport_queries_per_1000": round(second["queries"] * 1000 / args.rows, 2),
            "import_history_rows": first["history_rows"], "reimport_history_rows": second["history_rows"],
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "variants": variants, "products": products,
        },
    }


def backend_pid(connection) -> int | None:
    """The PostgreSQL server process of this connection, when it runs on this machine (its CPU time is
    then readable in /proc); None otherwise."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    return pid if backend_cpu_seconds(pid) is not None else None


def backend_cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU seconds used so far by process `pid` (Linux /proc), None when unreadable."""
    if pid is None:
        return None
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


if __name__ == "__main__":
    main()
