"""A stateful simulator of the Ngorder / SmartSeller open API (paths relative to ".../api/open").

It follows seeds 002/003: the {response, message, data} envelope, `meta.pagination` with per_page +
pagination_offset (a page number) and page-size maximums (100; 50 for /order-cancel), the status words
(order_status ACCEPTED / CANCELED / REJECTED / EXPIRED, order_progress_status UNPAID / NO AWB / ON PROCESS /
DELIVERED, payment_status UNPAID / PAID / INSTALLMENT), Laravel-style validation errors and 401 for a wrong
key. Where the documents are silent it chooses, and says so:
- Canceled / rejected / expired orders leave GET /order and are listed by GET /order-cancel?type=…
  (REJECTED rows carry order_status "REJECTED", EXPIRED rows "EXPIRED").
- Validation errors answer 422 (Laravel's default; the documents print the body, not the code); unknown ids
  404 {"response": "Failed", "message": "Data not found", "data": null}; a wrong key 401 with the Errors
  table's wording.
- Without `type`, `keyword` on GET /order matches order id, PO number, names, AWB and the note.
- GET /product/search honours per_page (≤ 100, default 10) although only pagination_offset is documented.
- links.next is built as the documents print it for /order (host + path + ?pagination_offset=N); the client
  must not follow it (the documents show broken ones).
- sync-stock sets the variant's total, kept in the main warehouse (id 0, "Gudang Utama").
- `page_cap` (attribute) makes the server serve fewer rows per page than the documented maximum, for tests.
"""

import bisect
import json
import random
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path

from integrations.ngorder.endpoints import WITHDRAW_ADMIN_FEE, WITHDRAW_MIN, XENDIT_BANK_IDS
from integrations.ngorder.sandbox_logistics import NgorderLogisticsMixin
from integrations.sandbox_kit import Sandbox, SeedPlan, json_body

WIB = ZoneInfo("Asia/Jakarta")
WIB_OFFSET = 7 * 3600
IMAGE = "https://s3-ap-southeast-1.amazonaws.com/technoidea/products/default.jpg"
SHOP_ID = 7
USERS = ({"id": 5, "email": "juragan@smartseller.co.id", "name": "Juragan"},
         {"id": 6, "email": "admin1@smartseller.co.id", "name": "Admin Gudang"})
SUPPLIER = {"id": 17114, "name": "Gudang Pusat Bandung", "location": "Batununggal, Kota Bandung",
            "phone": "081234567890", "address": "Jl. Gatot Subroto No. 12", "note": ""}
WAREHOUSES = {0: "Gudang Utama", 1: "Gudang Malang", 2: "Gudang Surabaya"}

# (region id, kecamatan, city id, city, province id, province, postal code) — real places
REGIONS = (
    (3627, "Tajinan", 255, "Kabupaten Malang", 11, "Jawa Timur", "65172"),
    (346, "Batununggal", 23, "Kota Bandung", 9, "Jawa Barat", "40274"),
    (620, "Srono", 42, "Kabupaten Banyuwangi", 11, "Jawa Timur", "68471"),
    (2087, "Cengkareng", 151, "Kota Jakarta Barat", 6, "DKI Jakarta", "11730"),
    (334, "Rancabali", 22, "Kabupaten Bandung", 9, "Jawa Barat", "40973"),
    (2101, "Tebet", 153, "Kota Jakarta Selatan", 6, "DKI Jakarta", "12810"),
    (2102, "Kebayoran Baru", 153, "Kota Jakarta Selatan", 6, "DKI Jakarta", "12110"),
    (4011, "Gubeng", 444, "Kota Surabaya", 11, "Jawa Timur", "60281"),
    (4012, "Wonokromo", 444, "Kota Surabaya", 11, "Jawa Timur", "60243"),
    (3711, "Lowokwaru", 256, "Kota Malang", 11, "Jawa Timur", "65141"),
    (3301, "Banyumanik", 399, "Kota Semarang", 10, "Jawa Tengah", "50264"),
    (3302, "Laweyan", 445, "Kota Surakarta", 10, "Jawa Tengah", "57141"),
    (3401, "Depok", 419, "Kabupaten Sleman", 5, "DI Yogyakarta", "55281"),
    (3402, "Umbulharjo", 501, "Kota Yogyakarta", 5, "DI Yogyakarta", "55161"),
    (1201, "Medan Baru", 278, "Kota Medan", 34, "Sumatera Utara", "20153"),
    (5101, "Denpasar Selatan", 114, "Kota Denpasar", 1, "Bali", "80222"),
    (7301, "Makassar", 254, "Kota Makassar", 28, "Sulawesi Selatan", "90111"),
    (3271, "Bogor Tengah", 79, "Kota Bogor", 9, "Jawa Barat", "16121"),
    (3201, "Cibinong", 78, "Kabupaten Bogor", 9, "Jawa Barat", "16911"),
    (3328, "Dukuhturi", 472, "Kabupaten Tegal", 10, "Jawa Tengah", "52192"),
)
FIRST = ("Budi", "Siti", "Agus", "Dewi", "Rina", "Andi", "Wahyu", "Putri", "Eko", "Sri", "Fajar", "Indah",
         "Rizky", "Ayu", "Dimas", "Nur", "Yusuf", "Lestari", "Hendra", "Windira", "Tusfendi", "Angga",
         "Nabila", "Bayu", "Ratna", "Joko", "Fitri", "Arif", "Maya", "Ilham")
LAST = ("Santoso", "Wulandari", "Pratama", "Saputra", "Hidayat", "Kurniawan", "Lestari", "Nugroho",
        "Rahmawati", "Setiawan", "Aliyani", "Susanto", "Wibowo", "Handayani", "Siregar", "Nasution",
        "Simanjuntak", "Gunawan", "Permata", "Kusuma")
STREETS = ("Jl. Merdeka", "Jl. Sudirman", "Jl. Diponegoro", "Jl. Ahmad Yani", "Jl. Pahlawan", "Jl. Mawar",
           "Jl. Melati", "Gg. Kenanga", "Jl. Kartini", "Jl. Gajah Mada")
# (expedition vendor id, logistic name, rates, AWB prefix)
COURIERS = (
    (1, "JNE", ("REG", "YES", "OKE"), "JNE"), (6, "J&T", ("EZ",), "JP"), (4, "SiCepat", ("REG", "BEST"), "00"),
    (99, "AnterAja", ("REG",), "10"), (9, "Ninja Xpress", ("Standard",), "NLIDAP"),
    (8, "Lion Parcel", ("REGPACK",), "99"), (10, "SAP", ("REG",), "SAP"), (3, "POS", ("Kilat Khusus",), "P"),
)
PRODUCT_TYPES = (("Kaos Polos Cotton Combed 30s", "KAOS", 49000), ("Kemeja Flanel", "KMJ", 119000),
                 ("Hijab Segi Empat Voal", "HJB", 35000), ("Celana Chino", "CLN", 139000),
                 ("Gamis Katun Rayon", "GMS", 159000), ("Sandal Jepit Karet", "SDL", 25000),
                 ("Tas Selempang Kanvas", "TAS", 89000), ("Jaket Hoodie Fleece", "JKT", 149000),
                 ("Dompet Kulit Pria", "DMP", 99000), ("Mukena Travel", "MKN", 129000))
COLORS = (("Hitam", "HTM"), ("Putih", "PTH"), ("Merah", "MRH"), ("Navy", "NVY"), ("Abu", "ABU"),
          ("Hijau Army", "HJA"))
SIZES = ("S", "M", "L", "XL")
CATEGORIES = ("APP",) * 12 + ("PRIVOR",) * 2 + ("STORE_FRONT",) * 3 + ("SHOPEE",) * 2 + ("QUICK_ORDER",)
# (order_progress_status, payment_status) for active orders, weighted
PROGRESS = (("UNPAID", "UNPAID"),) * 3 + (("UNPAID", "INSTALLMENT"),) + (("NO AWB", "PAID"),) * 4 + \
           (("ON PROCESS", "PAID"),) * 5 + (("DELIVERED", "PAID"),) * 7
CANCELED_TYPES = ("CANCEL", "REJECTED", "EXPIRED")
CANCELED_STATUS = {"CANCEL": "CANCELED", "REJECTED": "REJECTED", "EXPIRED": "EXPIRED"}


class _Index:
    """Order ids of one listing, sorted by (order_date, timestamp, id): date windows by bisection."""

    def __init__(self) -> None:
        self.keys: list[tuple[str, int, int]] = []

    def add(self, key: tuple[str, int, int]) -> None:
        if not self.keys or key >= self.keys[-1]:
            self.keys.append(key)  # the common case: seeding in time order, new orders
        else:
            bisect.insort(self.keys, key)

    def remove(self, key: tuple[str, int, int]) -> None:
        index = bisect.bisect_left(self.keys, key)
        if index < len(self.keys) and self.keys[index] == key:
            del self.keys[index]

    def window(self, start: str, end: str) -> tuple[int, int]:
        return bisect.bisect_left(self.keys, (start,)), bisect.bisect_right(self.keys, (end, 1 << 62))


class _LazyOrders(dict):
    """id -> order; skeleton rows (with a "lazy" key) are completed on first read."""

    def __init__(self, fill) -> None:
        super().__init__()
        self._fill = fill

    def raw_set(self, key, value) -> None:
        dict.__setitem__(self, key, value)

    def __getitem__(self, key):
        order = dict.__getitem__(self, key)
        if "lazy" in order:
            self._fill(order)
        return order

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default


def _error(status: int, message, *, request_id: bool = False) -> JsonResponse:
    body = {"response": "Failed", "message": message, "data": None}
    if request_id:
        body = {"request_id": uuid.uuid4().hex[:13], **body}
    return JsonResponse(body, status=status)


def _invalid(errors: dict) -> JsonResponse:
    return _error(422, errors, request_id=True)


def _not_found() -> JsonResponse:
    return _error(404, "Data not found")


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class NgorderSandbox(NgorderLogisticsMixin, Sandbox):
    platform = "ngorder"
    tokens = frozenset({"demo-ngorder-token"})

    def __init__(self) -> None:
        super().__init__()
        self.page_cap: int | None = None
        self._rng = random.Random(0)
        self._last_tick = 0.0
        self.orders: _LazyOrders = _LazyOrders(self._fill_order)
        self.active = _Index()
        self.canceled = {kind: _Index() for kind in CANCELED_TYPES}
        self.products: dict[int, dict] = {}
        self.variations: dict[int, dict] = {}
        self.customers: dict[int, dict] = {}
        self._ids = {}
        self._day_cache: dict[int, str] = {}
        self._id_lock = threading.Lock()
        self._rendered: dict[tuple[str, int], str] = {}  # (listing, order id) -> the row's JSON text

    # Seeding ----------------------------------------------------------------------------------------
    def seed(self, plan: SeedPlan) -> None:
        rng = random.Random(plan.seed)
        self._rng = random.Random(plan.seed + 1)
        self.orders = _LazyOrders(self._fill_order)
        self.products, self.variations, self.customers = {}, {}, {}
        self.active = _Index()
        self.canceled = {kind: _Index() for kind in CANCELED_TYPES}
        self._ids = {"order": 1_000_000, "po": 10_000, "product": 1000, "variation": 7_978_000,
                     "customer": 23_101_400}
        self._last_tick = time.time()
        self._seed_products(rng, plan.products)
        self._seed_customers(rng, max(50, min(2000, plan.orders // 20 + 50)))
        now = int(time.time())
        span = 90 * 86400
        r = rng.random
        stamps = sorted(now - int(r() * span) for _ in range(plan.orders))
        # Rows are skeletons (id, time, listing); the rest is generated from a per-order seed the first time
        # the order is read (see _LazyOrders), so 100k orders seed in about a second.
        first_id, first_po = self._ids["order"] + 1, self._ids["po"] + 1
        orders = self.orders
        active_keys = self.active.keys
        n_categories = len(CATEGORIES)
        for offset, ts in enumerate(stamps):
            order_id = first_id + offset
            roll = r()
            category = CATEGORIES[int(r() * n_categories)]
            cancel_type = None
            if roll < 0.08:
                cancel_type = "CANCEL"
            elif roll < 0.11 and (category == "PRIVOR" or category == "STORE_FRONT"):
                cancel_type = "REJECTED" if roll < 0.095 else "EXPIRED"
            order_date = self._date_of(ts)
            orders.raw_set(order_id, {"id": order_id, "po": first_po + offset, "ts": ts, "order_date": order_date,
                                      "category": category, "cancel_type": cancel_type,
                                      "lazy": (plan.seed, order_id, now)})
            key = (order_date, ts, order_id)
            if cancel_type:
                self.canceled[cancel_type].keys.append(key)
            else:
                active_keys.append(key)
        self._ids["order"] += len(stamps)
        self._ids["po"] += len(stamps)
        self._rendered = {}
        if plan.extra.get("prerender"):
            self.prerender()

    def prerender(self) -> None:
        """Render every order's list row now, as JSON text (SeedPlan extra {"prerender": true}; otherwise
        each row is rendered the first time it is listed). The list endpoints join these texts instead of
        building and encoding every row on every request: the simulator's own cost, which on a benchmark
        shares the machine with the client it serves. Any write to the store drops them (see api())."""
        for key in self.active.keys:
            self._row_text("list", self.orders[key[2]])
        for index in self.canceled.values():
            for key in index.keys:
                self._row_text("canceled", self.orders[key[2]])

    def _row_text(self, listing: str, order: dict) -> str:
        text = self._rendered.get((listing, order["id"]))
        if text is None:
            row = self.render_list_row(order) if listing == "list" else self.render_canceled_row(order)
            text = self._rendered[(listing, order["id"])] = json.dumps(row, cls=DjangoJSONEncoder)
        return text

    @staticmethod
    def _rows_response(texts: list[str], meta: dict) -> HttpResponse:
        """What JsonResponse({"data": rows, "meta": meta}) sends, from rows already encoded."""
        body = f'{{"data": [{", ".join(texts)}], "meta": {json.dumps(meta, cls=DjangoJSONEncoder)}}}'
        return HttpResponse(body, content_type="application/json")

    def _next(self, kind: str) -> int:
        with self._id_lock:
            self._ids[kind] += 1
            return self._ids[kind]

    def _seed_products(self, rng: random.Random, count: int) -> None:
        for index in range(count):
            title, code, base_price = PRODUCT_TYPES[index % len(PRODUCT_TYPES)]
            serial = index // len(PRODUCT_TYPES)
            stem = code if serial == 0 else f"{code}{serial + 1}"
            colors = rng.sample(COLORS, rng.randint(1, 3))
            sizes = SIZES[: rng.randint(1, 4)] if code not in ("TAS", "DMP", "HJB") else ("",)
            price = base_price + 1000 * rng.randint(0, 20)
            variations = []
            for color, color_code in colors:
                for size in sizes:
                    sku = "-".join(x for x in (stem, color_code, size) if x)
                    variations.append({"sku": sku, "color": color, "size": size, "price": price,
                                       "price_buy": int(price * 0.6), "weight": rng.choice((150, 200, 250, 400)),
                                       "stock": {0: rng.randint(0, 120)}})
            name = title if serial == 0 else f"{title} Seri {serial + 1}"
            self._create_product_record({
                "name": name, "product_type": "S", "category_id": 0, "description": f"{name} kualitas premium",
                "discount": 0, "weight": variations[0]["weight"], "publish_status": "Y", "show_stock": "Y",
                "wholesale_status": "N", "has_variation": "Y" if len(variations) > 1 else "N",
                "created": int(time.time()) - rng.randint(90, 400) * 86400,
            }, variations)

    def _create_product_record(self, fields: dict, variations: list[dict]) -> dict:
        product_id = self._next("product")
        product = {"id": product_id, **fields, "variation_ids": []}
        self.products[product_id] = product
        for variation in variations:
            self._add_variation(product, variation)
        return product

    def _add_variation(self, product: dict, variation: dict) -> dict:
        variation_id = self._next("variation")
        record = {"id": variation_id, "product_id": product["id"], "sku": variation.get("sku") or "",
                  "color": variation.get("color") or "", "size": variation.get("size") or "",
                  "price": int(variation.get("price") or 0), "price_buy": int(variation.get("price_buy") or 0),
                  "price_reseller": int(variation.get("price_reseller") or variation.get("price") or 0),
                  "price1": int(variation.get("price1") or variation.get("price") or 0),
                  "price2": int(variation.get("price2") or variation.get("price") or 0),
                  "price3": int(variation.get("price3") or variation.get("price") or 0),
                  "weight": int(variation.get("weight") or product.get("weight") or 0),
                  "stock": dict(variation.get("stock") or {0: 0})}
        self.variations[variation_id] = record
        product["variation_ids"].append(variation_id)
        return record

    def _seed_customers(self, rng: random.Random, count: int) -> None:
        for _ in range(count):
            self._create_customer_record(self._random_customer(rng))

    def _random_customer(self, rng: random.Random) -> dict:
        region = rng.choice(REGIONS)
        digits = "".join(str(rng.randint(0, 9)) for _ in range(rng.choice((8, 9))))
        phone = ("08" if rng.random() < 0.6 else "628") + rng.choice("123578") + digits
        return {"name": f"{rng.choice(FIRST)} {rng.choice(LAST)}", "phone": phone, "district_id": region[0],
                "address": f"{rng.choice(STREETS)} No. {rng.randint(1, 200)}", "postal_code": region[6],
                "category": "N", "email": None}

    def _create_customer_record(self, fields: dict) -> dict:
        customer_id = self._next("customer")
        record = {"id": customer_id, **fields}
        self.customers[customer_id] = record
        return record

    def _random_order(self, rng: random.Random, ts: int, now: int, skeleton: dict | None = None) -> dict:
        r = rng.random  # indexing by r() is several times faster than choice()/randrange() at 100k rows

        def pick(seq):
            return seq[int(r() * len(seq))]

        customer_ids = self._customer_ids()
        receiver = pick(customer_ids)
        variation_ids = self._variation_ids()
        lines = []
        for _ in range(1 + int(r() * r() * 3.5)):
            variation = self.variations[pick(variation_ids)]
            lines.append([variation["id"], pick((1, 1, 1, 2, 2, 3)), variation["price"], 0, 0])
        vendor, logistic, rates, prefix = pick(COURIERS)
        category = skeleton["category"] if skeleton else pick(CATEGORIES)
        age_days = (now - ts) / 86400
        progress, payment = pick(PROGRESS)
        if age_days < 2 and progress == "DELIVERED":
            progress = "ON PROCESS"
        if age_days > 20 and progress in ("NO AWB", "ON PROCESS") and r() < 0.7:
            progress = "DELIVERED"
        awb = f"{prefix}{int(10**9 + r() * 9 * 10**9)}" if progress in ("ON PROCESS", "DELIVERED") else ""
        discount = pick((0, 0, 0, 2000, 5000))
        order_date = self._date_of(ts)
        identity = ({"id": skeleton["id"], "po": skeleton["po"], "cancel_type": skeleton["cancel_type"]}
                    if skeleton else {"id": self._next("order"), "po": self._next("po"), "cancel_type": None})
        return {
            **identity, "ts": ts, "updated": ts,
            "order_date": order_date, "receiver": receiver, "sender": receiver,
            "lines": lines, "shipping_id": vendor, "logistic": logistic, "rate": pick(rates),
            "shipping_cost": pick((9000, 10000, 12000, 15000, 18000, 22000, 27000)), "note": "",
            "category": category, "cod": r() < 0.3, "progress": progress, "payment": payment, "awb": awb,
            "costs": [{"name": "Diskon", "category": "DISCOUNT", "type": "NOMINAL", "nominal": discount,
                       "percentage": 0}] if discount else [],
            "created_by": USERS[int(r() * 2)]["name"], "source_name": "",
            "payment_date": order_date if payment == "PAID" else None,
        }

    def _fill_order(self, order: dict) -> None:
        """Generate the fields of a seeded skeleton row, deterministically from (seed, order id)."""
        seed, order_id, now = order.pop("lazy")
        full = self._random_order(random.Random(seed * 1_000_003 + order_id), order["ts"], now, skeleton=order)
        order.update(full)

    def _customer_ids(self) -> list[int]:
        cached = getattr(self, "_customer_id_list", None)
        if cached is None or len(cached) != len(self.customers):
            cached = self._customer_id_list = list(self.customers)
        return cached

    def _variation_ids(self) -> list[int]:
        cached = getattr(self, "_variation_id_list", None)
        if cached is None or len(cached) != len(self.variations):
            cached = self._variation_id_list = list(self.variations)
        return cached

    def _date_of(self, ts: int) -> str:
        day = (ts + WIB_OFFSET) // 86400
        text = self._day_cache.get(day)
        if text is None:
            text = self._day_cache[day] = time.strftime("%Y-%m-%d", time.gmtime(day * 86400))
        return text

    @staticmethod
    def _clock(ts: int) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts + WIB_OFFSET))

    def _key(self, order: dict) -> tuple[str, int, int]:
        return (order["order_date"], order["ts"], order["id"])

    def _index_of(self, order: dict) -> _Index:
        return self.canceled[order["cancel_type"]] if order["cancel_type"] else self.active

    def _store(self, order: dict) -> None:
        self.orders[order["id"]] = order
        self._index_of(order).add(self._key(order))

    def _unstore(self, order: dict) -> None:
        self._index_of(order).remove(self._key(order))

    def tick(self) -> None:
        now = time.time()
        if now - self._last_tick < 20 or not self.customers or not self.variations:
            return
        self._last_tick = now
        for _ in range(self._rng.randint(1, 3)):
            order = self._random_order(self._rng, int(now), int(now))
            order["progress"], order["payment"], order["awb"] = "UNPAID", "UNPAID", ""
            order["payment_date"] = None
            self._store(order)

    # Money ------------------------------------------------------------------------------------------
    @staticmethod
    def _subtotal(order: dict) -> int:
        return sum(price * qty - discount for _vid, qty, price, discount, _wh in order["lines"])

    def _cost_amounts(self, order: dict) -> tuple[int, int]:
        """(discounts, other costs) from the order's order_cost lines."""
        subtotal = self._subtotal(order)
        discounts = others = 0
        for cost in order["costs"]:
            amount = cost.get("nominal") or 0
            if cost.get("type") == "PERCENTAGE":
                amount = subtotal * (cost.get("percentage") or 0) // 100
            if cost.get("category") == "DISCOUNT":
                discounts += amount
            else:
                others += amount
        return discounts, others

    def _total(self, order: dict) -> int:
        discounts, others = self._cost_amounts(order)
        return self._subtotal(order) + order["shipping_cost"] + others - discounts

    # Rendering --------------------------------------------------------------------------------------
    def _status_word(self, order: dict) -> str:
        return CANCELED_STATUS[order["cancel_type"]] if order["cancel_type"] else "ACCEPTED"

    def _address(self, customer: dict) -> str:
        region = self._region(customer.get("district_id"))
        if not region:
            return customer.get("address") or ""
        return f"{customer.get('address')}, Kec. {region[1]}, {region[3]}, {region[6]}, {region[5]}"

    @staticmethod
    def _region(region_id):
        for region in REGIONS:
            if region[0] == region_id:
                return region
        return None

    def _weight_kg(self, order: dict) -> float | int:
        grams = sum(self.variations.get(vid, {}).get("weight", 200) * qty for vid, qty, *_ in order["lines"])
        kilos = max(1, round(grams / 1000, 1))
        return int(kilos) if float(kilos).is_integer() else kilos

    def _cogs(self, order: dict) -> int:
        return sum(self.variations.get(vid, {}).get("price_buy", 0) * qty for vid, qty, *_ in order["lines"])

    def _line_name(self, variation_id: int) -> str:
        variation = self.variations.get(variation_id)
        if not variation:
            return "Produk dihapus"
        product = self.products.get(variation["product_id"], {})
        return product.get("name", "")

    def render_list_row(self, order: dict) -> dict:
        """GET /order row (seed 003 "Get Orders" / 002 sample keys)."""
        sender = self.customers.get(order["sender"], {})
        receiver = self.customers.get(order["receiver"], {})
        _discounts, others = self._cost_amounts(order)
        return {
            "order_id": order["id"], "po_number": order["po"], "shop_id": SHOP_ID,
            "order_date": order["order_date"],
            "sender_name": sender.get("name", ""), "sender_address": sender.get("address", ""),
            "receiver_name": receiver.get("name", ""), "receiver_address": self._address(receiver),
            "total_amount": self._total(order), "shipping_rate": order["rate"],
            "shipping_logistic": order["logistic"], "weight": self._weight_kg(order), "note": order["note"],
            "origin_name": SUPPLIER["name"], "origin_address": SUPPLIER["address"],
            "cost_of_goods_sold": self._cogs(order), "order_source": order["source_name"],
            "other_cost_amount": others, "order_progress_status": order["progress"],
            "order_status": self._status_word(order), "order_category": order["category"],
            "payment_status": order["payment"], "payment_date": order["payment_date"],
            "products": [{"product_meta_id": vid, "name": self._line_name(vid), "price": price, "quantity": qty}
                         for vid, qty, price, _d, _w in order["lines"]],
            "shopee": None, "created_by_name": order["created_by"], "created_at": self._clock(order["ts"]),
            "updated_by_name": order["created_by"], "updated_at": self._clock(order["updated"]),
            "awb_number": order["awb"],
        }

    def render_canceled_row(self, order: dict) -> dict:
        """GET /order-cancel row (seed 002 "Get Canceled Orders")."""
        sender = self.customers.get(order["sender"], {})
        receiver = self.customers.get(order["receiver"], {})
        _discounts, others = self._cost_amounts(order)
        total = self._total(order)
        products = []
        for vid, qty, price, _d, _w in order["lines"]:
            variation = self.variations.get(vid, {})
            products.append({"product_meta_id": vid, "sku": variation.get("sku"), "name": self._line_name(vid),
                             "price": price, "quantity": qty, "thumbnail_url": IMAGE,
                             "color": variation.get("color") or None, "size": variation.get("size") or None})
        return {
            "order_id": order["id"], "po_number": order["po"], "username": "juragan",
            "invoice": f"INV.{order['order_date'].replace('-', '.')}.{order['po']}", "shop_id": SHOP_ID,
            "order_date": self._clock(order["ts"]),
            "sender_name": sender.get("name", ""), "sender_category": "PELANGGAN",
            "sender_category_code": sender.get("category", "N"), "sender_address": sender.get("address", ""),
            "receiver_name": receiver.get("name", ""), "receiver_address": self._address(receiver),
            "receiver_phone": receiver.get("phone", ""),
            "total_amount": total, "remaining_amount": 0 if order["payment"] == "PAID" else total,
            "shipping_id": order["shipping_id"], "shipping_rate": order["rate"],
            "shipping_logistic": order["logistic"], "shipping_cost": order["shipping_cost"],
            "weight": self._weight_kg(order), "note": order["note"],
            "origin_name": SUPPLIER["name"], "origin_address": SUPPLIER["address"],
            "order_source": order["source_name"], "other_cost_amount": others,
            "order_progress_status": order["progress"], "order_status": self._status_word(order),
            "order_category": order["category"], "payment_status": order["payment"],
            "payment_date": order["payment_date"] or order["order_date"], "products": products, "shopee": None,
            "created_by_name": order["created_by"], "created_at": self._clock(order["ts"]),
            "updated_by_name": order["created_by"], "updated_at": self._clock(order["updated"]),
            "awb_number": order["awb"], "product_status": "S", "cost_of_goods_sales": self._cogs(order),
            "order_cost": None, "bank_name": None, "warehouse_name": None, "cod_status": order["cod"],
        }

    def _party(self, customer: dict, *, with_code: bool) -> dict:
        region = self._region(customer.get("district_id")) or (0, "", 0, "", 0, "", "")
        party = {
            "id": customer.get("id"), "name": customer.get("name", ""), "phone": customer.get("phone", ""),
            "address": customer.get("address", ""), "postal_code": customer.get("postal_code") or region[6],
            "district_id": region[0], "district": region[1], "city_id": region[2], "city": region[3],
            "province_id": region[4], "province": region[5],
            "region": f"{region[1]}, {region[3]}, {region[5]}", "email": customer.get("email") or "",
            "line": "", "other": None,
        }
        if with_code:
            party["category_code"] = customer.get("category", "N")
            party["category"] = "PELANGGAN"
        else:
            party["category"] = ""
        return party

    def render_detail(self, order: dict) -> dict:
        """GET /order/detail data (seed 003 "Get Single Order Detail")."""
        _discounts, others = self._cost_amounts(order)
        total = self._total(order)
        lines = []
        for vid, qty, price, discount, warehouse in order["lines"]:
            variation = self.variations.get(vid)
            lines.append({
                "variation_id": vid, "qty": qty, "price": price, "warehouse_id": warehouse,
                "warehouse_stock_id": warehouse, "type": "NOMINAL" if discount else None, "nominal": discount,
                "percentage": 0, "variation_detail": self._variation_flat(variation) if variation else None,
            })
        return {
            "order_id": order["id"], "po_number": order["po"], "shop_id": SHOP_ID,
            "order_date": f"{order['order_date']} 00:00:00",
            "sender": self._party(self.customers.get(order["sender"], {}), with_code=True),
            "receiver": self._party(self.customers.get(order["receiver"], {}), with_code=False),
            "total_amount": total, "remaining_amount": 0 if order["payment"] == "PAID" else total,
            "shipping_id": order["shipping_id"], "shipping_rate": order["rate"],
            "shipping_logistic": order["logistic"], "shipping_cost": order["shipping_cost"],
            "weight": self._weight_kg(order), "note": order["note"], "order_source": order["source_name"],
            "other_cost_amount": others, "order_progress_status": order["progress"],
            "order_status": self._status_word(order), "order_category": order["category"],
            "payment_status": order["payment"], "payment_date": order["payment_date"], "shopee": None,
            "created_by_name": order["created_by"], "created_at": self._clock(order["ts"]),
            "updated_by_name": order["created_by"], "updated_at": self._clock(order["updated"]),
            "awb_number": order["awb"], "product_status": "S", "cost_of_goods_sales": self._cogs(order),
            "order_cost": [{"name": c["name"], "category": c["category"], "nominal": c.get("nominal") or 0,
                            "percentage": c.get("percentage") or 0, "type": c["type"]} for c in order["costs"]],
            "origin": {**SUPPLIER, "is_shipper_active": True, "city_id": 23},
            "order_detail": lines,
        }

    def _variation_flat(self, variation: dict) -> dict:
        product = self.products.get(variation["product_id"], {})
        warehouses = [{"id_warehouse": wid, "stock": stock, "warehouse_name": WAREHOUSES.get(wid, ""),
                       "supplier_id": SUPPLIER["id"]} for wid, stock in sorted(variation["stock"].items())]
        return {
            "variation_id": variation["id"], "product_id": variation["product_id"], "name": product.get("name", ""),
            "product_type": product.get("product_type", "S"), "publish_status": product.get("publish_status", "Y"),
            "stock_quantity": sum(variation["stock"].values()), "sku": variation["sku"], "image": IMAGE,
            "thumbnail": IMAGE, "discount": product.get("discount", 0), "color": variation["color"],
            "size": variation["size"], "weight": variation["weight"], "category_id": product.get("category_id", 0),
            "created_at": datetime.fromtimestamp(product.get("created", 0), WIB).isoformat(timespec="seconds"),
            "price": variation["price"], "price1": variation["price1"], "price2": variation["price2"],
            "price3": variation["price3"], "price_reseller": variation["price_reseller"],
            "price_buy": variation["price_buy"], "wholesale_status": product.get("wholesale_status", "N"),
            "is_warehouse": 1 if len(variation["stock"]) > 1 else 0, "warehouse_stock": warehouses,
        }

    def render_product_row(self, product: dict) -> dict:
        """GET /product/search row."""
        variations = [self.variations[vid] for vid in product["variation_ids"]]
        return {
            "id": product["id"], "name": product["name"], "product_type": product["product_type"],
            "type_description": {"S": "Stok Sendiri", "R": "Stok Supplier", "PO": "Pre Order"}.get(
                product["product_type"], ""),
            "category_id": product["category_id"], "category_name": "", "description": product["description"],
            "discount": product["discount"], "weight": product["weight"], "is_warehouse": False,
            "publish_status": product["publish_status"], "shop_id": SHOP_ID, "user_id": USERS[0]["id"],
            "show_stock": product["show_stock"],
            "total_stock": sum(sum(v["stock"].values()) for v in variations),
            "wholesale_status": product["wholesale_status"], "has_variation": product["has_variation"],
            "image": IMAGE, "thumbnail": IMAGE, "wholesales": [],
            "variations": [{
                "id": v["id"], "sku": v["sku"], "image": IMAGE, "thumbnail": IMAGE, "weight": v["weight"],
                "size": v["size"], "color": v["color"], "price_buy": v["price_buy"], "price": v["price"],
                "price_reseller": v["price_reseller"], "price1": v["price1"], "price2": v["price2"],
                "price3": v["price3"], "stock_quantity": sum(v["stock"].values()),
                "stock": "Y" if sum(v["stock"].values()) > 0 else "N",
            } for v in variations],
            "update_access": True,
            "warehouse": [{"name": WAREHOUSES[0], "id": 0}],
        }

    def render_product_detail(self, product: dict) -> dict:
        """GET /product/{id}/detail data (seed 002, with the root-category fields)."""
        variations = [self.variations[vid] for vid in product["variation_ids"]]
        return {
            "id": product["id"], "name": product["name"], "product_type": product["product_type"],
            "type_description": {"S": "Stok Sendiri", "R": "Stok Supplier", "PO": "Pre Order"}.get(
                product["product_type"], ""),
            "preorder_setting": product.get("preorder_setting"), "category_id": product["category_id"],
            "category_name": "", "root_categories_id": 8, "root_categories_name": "Fashion",
            "is_empty_root_category": False, "description": product["description"],
            "discount": product["discount"], "weight": product["weight"], "is_warehouse": False,
            "publish_status": product["publish_status"], "shop_id": SHOP_ID, "user_id": USERS[0]["id"],
            "show_stock": product["show_stock"],
            "total_stock": sum(sum(v["stock"].values()) for v in variations),
            "wholesale_status": product["wholesale_status"], "has_variation": product["has_variation"],
            "image": IMAGE, "thumbnail": IMAGE,
            "variations": [{
                "id": v["id"], "sku": v["sku"], "primary_image": 0, "image": IMAGE, "images": [IMAGE],
                "thumbnail": IMAGE, "thumbnails": [IMAGE], "weight": v["weight"], "size": v["size"],
                "color": v["color"], "price_buy": v["price_buy"], "price": v["price"],
                "price_reseller": v["price_reseller"], "stock_quantity": sum(v["stock"].values()),
                "stock": "Y" if sum(v["stock"].values()) > 0 else "N", "price1": v["price1"],
                "price2": v["price2"], "price3": v["price3"],
            } for v in variations],
            "wholesale_prices": [],
        }

    def render_customer(self, customer: dict) -> dict:
        region = self._region(customer.get("district_id")) or (0, "", 0, "", 0, "", "")
        return {
            "id": customer["id"], "name": customer["name"], "name_initial": customer["name"][:1].upper(),
            "phone": customer["phone"], "address": self._address(customer),
            "postal_code": customer.get("postal_code") or region[6], "district": region[1], "city": region[3],
            "province": region[5], "email": customer.get("email"), "line": None, "other": None,
            "category_code": customer.get("category", "N"),
            "category": {"N": "Pelanggan", "Y": "Reseller", "D": "Dropship"}.get(customer.get("category"), ""),
        }

    # Plumbing ---------------------------------------------------------------------------------------
    def authorized(self, request: HttpRequest) -> bool:
        header = request.headers.get("Authorization") or request.headers.get("token") or ""
        token = header[7:].strip() if header.lower().startswith("bearer ") else header.strip()
        return token in self.tokens

    def error_body(self, status: int, message: str) -> JsonResponse:
        return _error(status, message)

    def api(self, handlers: dict):
        """One route: auth, then the handler for the request's method (405 otherwise)."""

        def view(request: HttpRequest, **kwargs):
            if not self.authorized(request):
                return _error(401, "Unauthorized -- Your API key is wrong.")
            handler = handlers.get(request.method)
            if handler is None:
                return _error(405, "Method Not Allowed -- You tried to access endpoint with an invalid method.")
            with self.lock:
                try:
                    return handler(request, **kwargs)
                finally:
                    if request.method != "GET":
                        self._rendered.clear()  # a write may change any row: render again when asked

        return self.endpoint(view)

    def urlpatterns(self) -> list:
        # The documented prefix: an account's base URL is …/api/open, as on the real hosts.
        return [*self.control_routes(), path("api/open/", include(self.routes()))]

    def routes(self) -> list:
        return [
            path("shop", self.api({"GET": self.shop})),
            path("region", self.api({"GET": self.region_list})),
            path("customer", self.api({"GET": self.customer_list})),
            path("customer/create", self.api({"POST": self.customer_create})),
            path("order", self.api({"GET": self.order_list, "POST": self.order_create,
                                    "PATCH": self.order_update})),
            path("order/detail", self.api({"GET": self.order_detail})),
            path("order/cancel", self.api({"POST": self.order_cancel})),
            path("order/awb-number/add", self.api({"POST": self.order_awb_add})),
            path("order-cancel", self.api({"GET": self.order_cancel_list})),
            path("order-cancel/return", self.api({"POST": self.order_cancel_return})),
            path("order-cancel/<int:order_id>", self.api({"DELETE": self.order_cancel_delete})),
            path("product", self.api({"POST": self.product_create, "PATCH": self.product_update,
                                      "DELETE": self.product_delete})),
            path("product/search", self.api({"GET": self.product_search})),
            path("product/<int:product_id>/detail", self.api({"GET": self.product_detail})),
            path("product/variation", self.api({"DELETE": self.variation_delete})),
            path("product/sku/generate-new", self.api({"GET": self.sku_generate})),
            path("product/sku/validation", self.api({"POST": self.sku_validate})),
            path("product/check-stock", self.api({"GET": self.stock_check})),
            path("product/update-stock", self.api({"PATCH": self.stock_update})),
            path("product/sync-stock", self.api({"PATCH": self.stock_sync})),
            *self.finance_routes(),
        ]

    # Finance: OrderPay balance, withdraw, banks --------------------------------------------------------
    # State lives apart and is reseeded whenever the seed plan changes (every reset).
    def fin(self) -> dict:
        if getattr(self, "_fin_plan", None) is not self.seed_plan:
            self._fin_plan = self.seed_plan
            rng = random.Random(self.seed_plan.seed + 9)
            allowed = rng.randrange(20, 200) * 50_000
            self._fin_state = {"withdrawal_allowed": allowed, "balance_onhold": rng.randrange(0, 10) * 25_000,
                               "withdrawal_onhold": 0, "withdrawals": [], "banks": {}, "next_bank_id": 301}
        return self._fin_state

    def fin_balance(self) -> dict:
        state = self.fin()
        onhold = state["balance_onhold"] + state["withdrawal_onhold"]
        return {"total": state["withdrawal_allowed"] + onhold, "withdrawal_allowed": state["withdrawal_allowed"],
                "onhold_total": onhold, "balance_onhold": state["balance_onhold"],
                "withdrawal_onhold": state["withdrawal_onhold"]}

    def orderpay_balance(self, request: HttpRequest):
        return JsonResponse({"response": "Success", "data": self.fin_balance()})

    def payment_withdraw(self, request: HttpRequest):
        body = json_body(request)
        errors = {}
        for name in ("xendit_bank_id", "nominal", "account_number"):
            if not isinstance(body.get(name), int) or isinstance(body.get(name), bool):
                errors[name] = [f"The {name.replace('_', ' ')} must be an integer."]
        if not str(body.get("holder_name") or "").strip():
            errors["holder_name"] = ["The holder name field is required."]
        if isinstance(body.get("xendit_bank_id"), int) and body["xendit_bank_id"] not in XENDIT_BANK_IDS.values():
            errors["xendit_bank_id"] = ["The selected xendit bank id is invalid."]
        if isinstance(body.get("nominal"), int) and body["nominal"] < WITHDRAW_MIN:
            errors["nominal"] = ["Min Rp50.000"]
        if errors:
            return _invalid(errors)
        state = self.fin()
        final = body["nominal"] + WITHDRAW_ADMIN_FEE
        if final > state["withdrawal_allowed"]:
            return _error(400, "Insufficient balance")
        state["withdrawal_allowed"] -= final
        state["withdrawal_onhold"] += body["nominal"]
        state["withdrawals"].append({**body, "fee": WITHDRAW_ADMIN_FEE})
        return JsonResponse({"response": "Success",
                             "message": "Withdrawal request is successful, we will process it soon"})

    def bank_create(self, request: HttpRequest):
        body = json_body(request)
        errors = {name: [f"The {name.replace('_', ' ')} field is required."]
                  for name in ("bank_type", "account_number", "holder_name", "branch") if not body.get(name)}
        if body.get("account_number") and not str(body["account_number"]).isdigit():
            errors["account_number"] = ["The account number must be a number."]
        if errors:
            return _invalid(errors)
        state = self.fin()
        bank_id = state["next_bank_id"]
        state["next_bank_id"] += 1
        state["banks"][bank_id] = {"bank_id": bank_id, "bank_name": str(body["bank_type"]).upper(),
                                   "bank_type": body["bank_type"], "branch": body["branch"],
                                   "holder_name": body["holder_name"], "account_number": str(body["account_number"]),
                                   "image": IMAGE, "type": "BANK"}
        return JsonResponse({"response": "Success", "data": {"bank_id": bank_id, "name": body["bank_type"]}})

    def bank_detail(self, request: HttpRequest, bank_id: int):
        bank = self.fin()["banks"].get(bank_id)
        if bank is None:
            return _error(404, "Bank not found")
        return JsonResponse(bank)  # documented unwrapped

    def finance_routes(self) -> list:
        return [
            path("payment/orderpay-balance", self.api({"GET": self.orderpay_balance})),
            path("payment/withdraw", self.api({"POST": self.payment_withdraw})),
            path("bank/create", self.api({"POST": self.bank_create})),
            path("bank/<int:bank_id>/detail", self.api({"GET": self.bank_detail})),
            *self.logistics_routes(),
        ]

    def _page_params(self, request: HttpRequest, *, default: int, maximum: int) -> tuple[int, int]:
        per_page = _int_or_none(request.GET.get("per_page")) or default
        per_page = max(1, min(per_page, maximum))
        if self.page_cap:
            per_page = min(per_page, self.page_cap)
        page = max(1, _int_or_none(request.GET.get("pagination_offset")) or 1)
        return per_page, page

    @staticmethod
    def _meta(request: HttpRequest, *, total: int, count: int, per_page: int, page: int) -> dict:
        total_pages = max(1, -(-total // per_page)) if total else 0
        links = {}
        base = request.build_absolute_uri(request.path)
        if page > 1:
            links["previous"] = f"{base}?pagination_offset={page - 1}"
        if page < total_pages:
            links["next"] = f"{base}?pagination_offset={page + 1}"
        return {"pagination": {"total": total, "count": count, "per_page": per_page, "current_page": page,
                               "total_pages": total_pages, "links": links}}

    def _paged(self, request, items: list, *, default: int, maximum: int, render) -> JsonResponse:
        per_page, page = self._page_params(request, default=default, maximum=maximum)
        chunk = items[(page - 1) * per_page: page * per_page]
        return JsonResponse({"data": [render(item) for item in chunk],
                             "meta": self._meta(request, total=len(items), count=len(chunk), per_page=per_page,
                                                page=page)})

    @staticmethod
    def _default_window(request: HttpRequest) -> tuple[str, str]:
        today = datetime.now(WIB).date()
        start = request.GET.get("start_date") or (today - timedelta(days=30)).isoformat()
        end = request.GET.get("end_date") or today.isoformat()
        return start, end

    # Shop, regions, customers -------------------------------------------------------------------------
    def shop(self, request):
        return JsonResponse({"data": [{
            "id": SHOP_ID, "username": "tokojuragan", "shop_name": "Toko Juragan", "status": "ACTIVE",
            "class": "PLATINUM", "join_date": "2019-03-11", "expired_date": "2027-03-11",
            "phone": "081234567890", "courier": "JNE,TIKI,POS,SICEPAT,WAHANA,JNT",
            "address": "Jl. Gatot Subroto No. 12, Bandung", "shipper_status": "ACTIVE", "note": None,
            "store_front": True, "warehouse": True, "users": [dict(u) for u in USERS],
            "active_supplier": dict(SUPPLIER),
        }]})

    def region_list(self, request):
        keyword = (request.GET.get("keyword") or "").strip().lower()
        rows = [r for r in REGIONS if not keyword or keyword in r[1].lower() or keyword in r[3].lower()]
        return self._paged(request, rows, default=1, maximum=100, render=lambda r: {
            "_id": f"5d1d86101449f91d8b{r[0]:06d}", "id": r[0], "subdistrict": r[1],
            "district": {"id": r[2], "name": r[3]}, "province": {"id": r[4], "name": r[5]},
            "fullname": f"{r[1]}, {r[3]}, {r[5]}", "postal_code": [r[6]],
        })

    def customer_list(self, request):
        keyword = (request.GET.get("keyword") or "").strip().lower()
        kind = (request.GET.get("type") or "NAME").upper()
        rows = list(self.customers.values())
        if keyword:
            if kind == "PHONE":
                digits = "".join(ch for ch in keyword if ch.isdigit()).lstrip("0")
                digits = digits[2:] if digits.startswith("62") else digits
                rows = [c for c in rows if digits and digits in c["phone"]]
            elif kind == "EMAIL":
                rows = [c for c in rows if keyword in (c.get("email") or "").lower()]
            elif kind == "ADDRESS":
                rows = [c for c in rows if keyword in c["address"].lower()]
            else:
                rows = [c for c in rows if keyword in c["name"].lower()]
        if request.GET.get("category"):
            rows = [c for c in rows if c.get("category") == request.GET["category"]]
        rows.reverse()  # LATEST_CUSTOMER
        return self._paged(request, rows, default=10, maximum=100, render=self.render_customer)

    def customer_create(self, request):
        body = json_body(request)
        errors = {}
        for field in ("name", "phone", "district_id", "address", "category", "is_active"):
            if body.get(field) in (None, ""):
                errors[field] = [f"The {field.replace('_', ' ')} field is required."]
        if body.get("district_id") not in (None, "") and not self._region(_int_or_none(body["district_id"])):
            errors["district_id"] = ["The selected district id is invalid."]
        if errors:
            return _invalid(errors)
        customer = self._create_customer_record({
            "name": str(body["name"]), "phone": str(body["phone"]), "district_id": int(body["district_id"]),
            "address": str(body["address"]), "postal_code": str(body.get("postal_code") or ""),
            "category": str(body["category"]), "email": body.get("email"),
        })
        return JsonResponse({"response": "Success", "data": {"customer_id": customer["id"],
                                                             "name": customer["name"]}})

    # Orders -----------------------------------------------------------------------------------------
    def _windowed(self, index: _Index, start: str, end: str) -> list[tuple[str, int, int]]:
        lo, hi = index.window(start, end)
        return index.keys[lo:hi]

    def order_list(self, request):
        start, end = self._default_window(request)
        per_page, page = self._page_params(request, default=10, maximum=100)
        lo, hi = self.active.window(start, end)
        filters = {k: request.GET.get(k) for k in ("keyword", "payment_status", "order_progress_status",
                                                    "order_category", "type") if request.GET.get(k)}
        if filters:
            keys = [key for key in reversed(self.active.keys[lo:hi]) if self._matches(self.orders[key[2]], filters)]
            total = len(keys)
            chunk = keys[(page - 1) * per_page: page * per_page]
        else:
            total = hi - lo
            first = hi - (page - 1) * per_page  # newest first
            chunk = list(reversed(self.active.keys[max(lo, first - per_page): max(lo, first)]))
        rows = [self._row_text("list", self.orders[key[2]]) for key in chunk]
        return self._rows_response(rows, self._meta(request, total=total, count=len(rows), per_page=per_page,
                                                    page=page))

    def _matches(self, order: dict, filters: dict) -> bool:
        if "payment_status" in filters and order["payment"] != filters["payment_status"].upper():
            return False
        progress = filters.get("order_progress_status", "").upper()
        if progress and progress != "UNPROCESSED":
            wanted = order["payment"] if progress == "INSTALLMENT" else order["progress"]
            if wanted != progress:
                return False
        if "order_category" in filters and order["category"] != filters["order_category"].upper():
            return False
        keyword = (filters.get("keyword") or "").strip().lower()
        if not keyword:
            return True
        receiver = self.customers.get(order["receiver"], {})
        fields = {
            "ORDER_ID": (str(order["id"]), str(order["po"])),
            "CUSTOMER_NAME": (receiver.get("name", ""),),
            "CUSTOMER_PHONE": (receiver.get("phone", ""),),
            "AWB_NUMBER": (order["awb"],),
            "SKU": tuple(self.variations.get(vid, {}).get("sku", "") for vid, *_ in order["lines"]),
            "PRODUCT_NAME": tuple(self._line_name(vid) for vid, *_ in order["lines"]),
        }
        kind = (filters.get("type") or "").upper()
        if kind == "ORDER_ID":
            return keyword in (str(order["id"]), str(order["po"]))
        haystack = fields.get(kind) or (*(x for values in fields.values() for x in values), order["note"])
        return any(keyword in str(value).lower() for value in haystack)

    def order_detail(self, request):
        order = self.orders.get(_int_or_none(request.GET.get("id")))
        if order is None:
            return _not_found()
        return JsonResponse({"data": self.render_detail(order)})

    def order_cancel_list(self, request):
        kind = (request.GET.get("type") or "CANCEL").upper()
        if kind not in self.canceled:
            return _invalid({"type": ["The selected type is invalid."]})
        start = request.GET.get("start_date") or "1970-01-01"
        end = request.GET.get("end_date") or datetime.now(WIB).date().isoformat()
        keys = list(reversed(self._windowed(self.canceled[kind], start, end)))
        per_page, page = self._page_params(request, default=10, maximum=50)
        chunk = keys[(page - 1) * per_page: page * per_page]
        rows = [self._row_text("canceled", self.orders[key[2]]) for key in chunk]
        return self._rows_response(rows, self._meta(request, total=len(keys), count=len(rows), per_page=per_page,
                                                    page=page))

    def _validate_order(self, body: dict, *, updating: bool) -> dict:
        errors: dict[str, list] = {}
        required = ["customer_sender_id", "customer_receiver_id", "supplier_id", "is_print", "products",
                    "expedition", "payment", "source"]
        if not updating:
            required.append("order_date")
        for field in required:
            if body.get(field) in (None, "", []) and not (field == "is_print" and body.get(field) is False):
                errors[field] = [f"The {field.replace('_', ' ')} field is required."]
        for field in ("customer_sender_id", "customer_receiver_id"):
            if body.get(field) not in (None, "") and _int_or_none(body[field]) not in self.customers:
                errors[field] = [f"The selected {field.replace('_', ' ')} is invalid."]
        if body.get("source") not in (None, "") and body["source"] not in ("MOBILE", "WEB"):
            errors["source"] = ["The selected source is invalid."]
        payment = body.get("payment") if isinstance(body.get("payment"), dict) else {}
        status = payment.get("status")
        if payment and status not in ("PAID", "INSTALLMENT", "UNPAID"):
            errors["payment.status"] = ["The selected payment.status is invalid."]
        if status in ("PAID", "INSTALLMENT"):
            for field in ("date", "bank_id", "amount"):
                if payment.get(field) in (None, ""):
                    errors[f"payment.{field}"] = [
                        f"The payment.{field} field is required when payment.status is {status}."]
        for index, line in enumerate(body.get("products") or []):
            if not isinstance(line, dict):
                errors[f"products.{index}"] = ["The product must be an object."]
                continue
            if line.get("flag") == "DELETE":
                continue
            if _int_or_none(line.get("id")) not in self.variations:
                errors[f"products.{index}.id"] = [f"The selected products.{index}.id is invalid."]
            if (_int_or_none(line.get("qty")) or 0) < 1:
                errors[f"products.{index}.qty"] = [f"The products.{index}.qty must be at least 1."]
            variation = self.variations.get(_int_or_none(line.get("id")))
            product_type = self.products[variation["product_id"]]["product_type"] if variation else None
            if line.get("product_status") not in ("S", "R", "PO") or (
                    product_type and line.get("product_status") != product_type):
                errors[f"products.{index}.product_status"] = [
                    f"The products.{index}.product_status must be one of the following value : "
                    f"{product_type or 'S, R, PO'}"]
            if line.get("product_status") == "R" and payment.get("cost_of_goods_sales") in (None, ""):
                errors["payment.cost_of_goods_sales"] = [
                    f"The payment.cost of goods sales field is required when products.{index}.product_status is R."]
        expedition = body.get("expedition")
        if expedition is not None and (not isinstance(expedition, dict) or any(
                expedition.get(k) in (None, "") for k in ("id", "rate", "name"))):
            errors["expedition"] = ["The expedition id, rate and name are required."]
        return errors

    def _apply_order_fields(self, order: dict, body: dict) -> None:
        if body.get("customer_receiver_id"):
            order["receiver"] = int(body["customer_receiver_id"])
        if body.get("customer_sender_id"):
            order["sender"] = int(body["customer_sender_id"])
        if "note" in body:
            order["note"] = str(body.get("note") or "")
        if body.get("awb_number"):
            order["awb"] = str(body["awb_number"])
        expedition = body.get("expedition")
        if isinstance(expedition, dict):
            order["shipping_id"] = int(expedition.get("id") or 99)
            order["shipping_cost"] = int(expedition.get("rate") or 0)
            name = str(expedition.get("name") or "")
            order["logistic"], _, rate = name.partition(" ")
            order["rate"] = rate
        if isinstance(body.get("order_cost"), list):
            order["costs"] = [{"name": c.get("name", ""), "category": c.get("category", "OTHER COST"),
                               "type": c.get("type", "NOMINAL"), "nominal": int(c.get("nominal") or 0),
                               "percentage": int(c.get("percentage") or 0)} for c in body["order_cost"]]

    def order_create(self, request):
        body = json_body(request)
        errors = self._validate_order(body, updating=False)
        if errors:
            return _invalid(errors)
        now = int(time.time())
        order = {
            "id": self._next("order"), "po": self._next("po"), "ts": now, "updated": now,
            "order_date": str(body["order_date"])[:10], "receiver": int(body["customer_receiver_id"]),
            "sender": int(body["customer_sender_id"]), "lines": [], "shipping_id": 99, "logistic": "",
            "rate": "", "shipping_cost": 0, "note": "", "category": "APP", "cod": False,
            "progress": "UNPAID", "payment": "UNPAID", "awb": "", "cancel_type": None, "costs": [],
            "created_by": USERS[0]["name"], "source_name": "", "payment_date": None,
        }
        for line in body["products"]:
            variation = self.variations[int(line["id"])]
            discount = int(line.get("nominal") or 0) if line.get("type") == "NOMINAL" else 0
            if line.get("type") == "PERCENTAGE":
                discount = variation["price"] * int(line["qty"]) * int(line.get("percentage") or 0) // 100
            warehouse = int(line.get("warehouse_id") or 0)
            order["lines"].append([variation["id"], int(line["qty"]), variation["price"], discount, warehouse])
            stock = variation["stock"]
            stock[warehouse] = max(0, stock.get(warehouse, 0) - int(line["qty"]))
        self._apply_order_fields(order, body)
        status = body["payment"]["status"]
        if status == "PAID":
            order["payment"], order["payment_date"] = "PAID", str(body["payment"]["date"])
            order["progress"] = "ON PROCESS" if order["awb"] else "NO AWB"
        elif status == "INSTALLMENT":
            order["payment"] = "INSTALLMENT"
        self._store(order)
        return JsonResponse({"request_id": uuid.uuid4().hex[:13], "response": "Success",
                             "message": "Order created", "data": {"order_id": order["id"], "po_number": order["po"]}})

    def order_update(self, request):
        body = json_body(request)
        order = self.orders.get(_int_or_none(body.get("order_id")))
        if order is None:
            return _not_found()
        if order["cancel_type"]:
            return _invalid({"order_id": ["Canceled order can not be updated"]})
        errors = self._validate_order({k: v for k, v in body.items() if v is not None}, updating=True)
        errors = {k: v for k, v in errors.items() if k.split(".")[0] in body}  # partial update
        if errors:
            return _invalid(errors)
        lines = {line[0]: line for line in order["lines"]}
        for line in body.get("products") or []:
            variation_id = int(line["id"])
            flag = (line.get("flag") or ("EDIT" if variation_id in lines else "NEW")).upper()
            if flag == "DELETE":
                lines.pop(variation_id, None)
            else:
                price = self.variations[variation_id]["price"]
                lines[variation_id] = [variation_id, int(line["qty"]), price, int(line.get("nominal") or 0),
                                       int(line.get("warehouse_id") or 0)]
        if not lines:
            return _invalid({"products": ["The order needs at least one product."]})
        order["lines"] = list(lines.values())
        self._apply_order_fields(order, body)
        order["updated"] = int(time.time())
        return JsonResponse({"request_id": uuid.uuid4().hex[:13], "response": "Success",
                             "message": "Order updated", "data": {"order_id": order["id"], "po_number": order["po"]}})

    def _move(self, order: dict, cancel_type: str | None) -> None:
        self._unstore(order)
        order["cancel_type"] = cancel_type
        order["updated"] = int(time.time())
        self._store(order)

    def order_cancel(self, request):
        order = self.orders.get(_int_or_none(json_body(request).get("id")))
        if order is None:
            return _not_found()
        if order["cancel_type"]:
            return _invalid({"id": ["Order has been canceled"]})
        self._move(order, "CANCEL")
        return JsonResponse({"response": "success", "message": "Order has been Canceled",
                             "data": {"order_id": order["id"], "po_number": order["po"]}})

    def order_cancel_return(self, request):
        order = self.orders.get(_int_or_none(json_body(request).get("id")))
        if order is None or not order["cancel_type"]:
            return _not_found()
        self._move(order, None)
        return JsonResponse({"response": "success", "message": "Order has been returned",
                             "data": {"order_id": order["id"], "po_number": order["po"]}})

    def order_cancel_delete(self, request, order_id: int):
        order = self.orders.get(order_id)
        if order is None or not order["cancel_type"]:
            return _not_found()
        self._unstore(order)
        del self.orders[order_id]
        return JsonResponse({"response": "success", "message": "Data has been deleted", "data": None})

    def order_awb_add(self, request):
        order = self.orders.get(_int_or_none(request.GET.get("id")))
        awb = (request.GET.get("awb_number") or "").strip()
        if order is None:
            return _not_found()
        if not awb:
            return _invalid({"awb_number": ["The awb number field is required."]})
        order["awb"] = awb
        order["updated"] = int(time.time())
        if order["payment"] == "PAID" and order["progress"] in ("NO AWB", "UNPAID"):
            order["progress"] = "ON PROCESS"
        return JsonResponse({"request_id": uuid.uuid4().hex[:13], "response": "Success",
                             "message": "Awb number has been updated",
                             "data": {"order_id": order["id"], "po_number": order["po"], "notification": {
                                 "id": 1, "title": "Notification successfully sent",
                                 "content": "Your receipt credit notification currently has 968350 remaining"}}})

    # Products ---------------------------------------------------------------------------------------
    def product_search(self, request):
        keyword = (request.GET.get("keyword") or "").strip().lower()
        products = list(self.products.values())
        if keyword:
            products = [p for p in products if keyword in p["name"].lower() or any(
                keyword in self.variations[vid]["sku"].lower() for vid in p["variation_ids"])]
        if request.GET.get("type"):
            products = [p for p in products if p["product_type"] == request.GET["type"]]
        order_by = (request.GET.get("order_by") or "NEWEST").upper()
        products.sort(key=lambda p: p["id"], reverse=order_by != "LONGEST")
        return self._paged(request, products, default=10, maximum=100, render=self.render_product_row)

    def product_detail(self, request, product_id: int):
        product = self.products.get(product_id)
        if product is None:
            return _not_found()
        return JsonResponse({"response": "Sukses", "data": self.render_product_detail(product)})

    def _sku_owner(self, sku: str) -> dict | None:
        wanted = sku.strip().lower()
        for variation in self.variations.values():
            if variation["sku"].lower() == wanted:
                return variation
        return None

    def _validate_product(self, body: dict, *, updating: bool) -> dict:
        errors: dict[str, list] = {}
        required = ("name", "product_type", "description", "shop_id", "user_id", "wholesale_status",
                    "publish_status", "show_stock", "has_variation")
        for field in required:
            if not updating and body.get(field) in (None, ""):
                errors[field] = [f"The {field.replace('_', ' ')} field is required."]
        if body.get("product_type") not in (None, "S", "R", "PO"):
            errors["product_type"] = ["The selected product type is invalid."]
        variations = body.get("variations")
        if not updating and not variations:
            errors["variations"] = ["The variations field is required."]
        seen = set()
        for index, variation in enumerate(variations or []):
            if variation.get("flag") == "DELETE":
                continue
            sku = str(variation.get("sku") or "").strip()
            if not sku:
                errors[f"variations.{index}.sku"] = [f"The variations.{index}.sku field is required."]
                continue
            owner = self._sku_owner(sku)
            own_id = _int_or_none(variation.get("id"))
            if sku.lower() in seen or (owner and owner["id"] != own_id):
                errors[f"variations.{index}.sku"] = ["The sku has already been taken."]
            seen.add(sku.lower())
            if variation.get("price") in (None, ""):
                errors[f"variations.{index}.price"] = [f"The variations.{index}.price field is required."]
        return errors

    @staticmethod
    def _variation_fields(variation: dict) -> dict:
        fields = {k: variation[k] for k in ("sku", "color", "size", "price", "price_buy", "price_reseller",
                                            "price1", "price2", "price3", "weight") if k in variation}
        for key in ("color", "size"):
            if key in fields:
                fields[key] = fields[key] or ""
        return fields

    def product_create(self, request):
        body = json_body(request)
        errors = self._validate_product(body, updating=False)
        if errors:
            return _invalid(errors)
        variations = []
        for variation in body["variations"]:
            stock = {0: int(variation.get("stock_quantity") or 0)}
            for entry in variation.get("warehouse_stock") or []:
                stock[int(entry.get("warehouse_id") or 0)] = int(entry.get("stock") or 0)
            variations.append({**self._variation_fields(variation), "stock": stock})
        product = self._create_product_record({
            "name": body["name"], "product_type": body["product_type"],
            "category_id": int(body.get("category_id") or 0), "description": body.get("description") or "",
            "discount": int(body.get("discount") or 0), "weight": int(body.get("weight") or 0),
            "publish_status": body.get("publish_status", "Y"), "show_stock": body.get("show_stock", "Y"),
            "wholesale_status": body.get("wholesale_status", "N"), "has_variation": body.get("has_variation", "N"),
            "preorder_setting": body.get("preorder_setting"), "created": int(time.time()),
        }, variations)
        return self._product_saved(product)

    def _product_saved(self, product: dict) -> JsonResponse:
        total = sum(sum(self.variations[vid]["stock"].values()) for vid in product["variation_ids"])
        return JsonResponse({"response": "Success", "message": "Data successfully saved", "data": {
            "product_id": product["id"], "product_meta_id": list(product["variation_ids"]), "total_stock": total}})

    def product_update(self, request):
        body = json_body(request)
        product = self.products.get(_int_or_none(body.get("id")))
        if product is None:
            return _not_found()
        errors = self._validate_product(body, updating=True)
        if errors:
            return _invalid(errors)
        for field in ("name", "product_type", "description", "publish_status", "show_stock", "wholesale_status",
                      "has_variation", "preorder_setting"):
            if field in body:
                product[field] = body[field]
        for field in ("category_id", "discount", "weight"):
            if field in body:
                product[field] = int(body[field] or 0)
        for variation in body.get("variations") or []:
            variation_id = _int_or_none(variation.get("id"))
            if variation_id is not None and variation_id not in product["variation_ids"]:
                return _invalid({"variations.id": [f"The variation {variation_id} is not in this product."]})
            if variation_id is not None and str(variation.get("flag") or "").upper() == "DELETE":
                product["variation_ids"].remove(variation_id)
                del self.variations[variation_id]
            elif variation_id is not None:
                record = self.variations[variation_id]
                record.update(self._variation_fields(variation))
                if variation.get("stock_quantity") is not None:
                    others = sum(s for wid, s in record["stock"].items() if wid != 0)
                    record["stock"][0] = max(0, int(variation["stock_quantity"]) - others)
            else:
                self._add_variation(product, {**self._variation_fields(variation),
                                              "stock": {0: int(variation.get("stock_quantity") or 0)}})
        return self._product_saved(product)

    def product_delete(self, request):
        ids = [_int_or_none(i) for i in json_body(request).get("id") or []]
        found = [i for i in ids if i in self.products]
        if not found:
            return _not_found()
        for product_id in found:
            for variation_id in self.products.pop(product_id)["variation_ids"]:
                self.variations.pop(variation_id, None)
        return JsonResponse({"response": "success", "message": "Data has been deleted"})

    def variation_delete(self, request):
        ids = [_int_or_none(i) for i in json_body(request).get("id") or []]
        found = [i for i in ids if i in self.variations]
        if not found:
            return _not_found()
        for variation_id in found:
            variation = self.variations.pop(variation_id)
            self.products[variation["product_id"]]["variation_ids"].remove(variation_id)
        return JsonResponse({"response": "success", "message": "Data has been deleted"})

    def sku_generate(self, request):
        rows = []
        index = 0
        while f"products[{index}][name]" in request.GET:
            name = request.GET.get(f"products[{index}][name]", "")
            color = request.GET.get(f"products[{index}][color]", "")
            size = request.GET.get(f"products[{index}][size]", "")
            old = request.GET.get(f"products[{index}][old_sku]", "")
            while True:
                suffix = "".join(self._rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789")
                                 for _ in range(3))
                parts = [name[:3].upper()] + [x[:3].upper() for x in (color, size) if x] + [suffix]
                sku = "-".join(p for p in parts if p)
                if not self._sku_owner(sku):
                    break
            rows.append({"name": name, "color": color, "size": size, "sku": sku, "old_sku": old})
            index += 1
        if not rows:
            return _invalid({"products": ["The products field is required."]})
        return JsonResponse({"response": "Success", "data": rows})

    def sku_validate(self, request):
        body = json_body(request)
        sku = str(body.get("sku") or "").strip()
        variation = self.variations.get(_int_or_none(body.get("product_meta_id")))
        if not sku:
            return _invalid({"sku": ["The sku field is required."]})
        owner = self._sku_owner(sku)
        ok = owner is None or (variation is not None and owner["id"] == variation["id"])
        label = " ".join(x for x in ((variation or {}).get("color"), (variation or {}).get("size")) if x)
        return JsonResponse({"response": "Success", "data": {
            "status": ok, "variation": label, "product_id": "" if ok else str(owner["product_id"])}})

    def stock_check(self, request):
        variation = self.variations.get(_int_or_none(request.GET.get("variation_id")))
        if variation is None:
            return _not_found()
        warehouse = _int_or_none(request.GET.get("warehouse_id"))
        stock = sum(variation["stock"].values()) if warehouse is None else variation["stock"].get(warehouse, 0)
        return JsonResponse({"response": "Success", "data": {
            "stock": stock, "price": variation["price"], "price_dropship": variation["price"],
            "price1": variation["price1"], "price2": variation["price2"], "price3": variation["price3"]}})

    def stock_update(self, request):
        body = json_body(request)
        variation = self.variations.get(_int_or_none(body.get("variation_id")))
        if variation is None:
            return _not_found()
        entries = body.get("stock") or []
        errors = {}
        if not entries:
            errors["stock"] = ["The stock field is required."]
        if not body.get("description"):
            errors["description"] = ["The description field is required."]
        new_stock = dict(variation["stock"])
        for index, entry in enumerate(entries):
            status = str(entry.get("status") or "").upper()
            amount = _int_or_none(entry.get("amount"))
            warehouse = _int_or_none(entry.get("warehouse_id"))
            if status not in ("ADD", "SUB") or amount is None or amount < 0 or warehouse is None:
                errors[f"stock.{index}"] = ["amount, status (ADD or SUB) and warehouse_id are required."]
                continue
            current = new_stock.get(warehouse, 0)
            if status == "SUB" and amount > current:
                errors[f"stock.{index}.amount"] = ["Stock is not enough"]
                continue
            new_stock[warehouse] = current + amount if status == "ADD" else current - amount
        if errors:
            return _invalid(errors)
        variation["stock"] = new_stock
        return JsonResponse({"response": "Success", "data": {
            "date": datetime.now(UTC).isoformat().replace("+00:00", "Z"), "variation_id": variation["id"],
            "stock": entries, "shop_id": SHOP_ID, "description": body["description"],
            "total_stock": sum(new_stock.values())}})

    def stock_sync(self, request):
        body = json_body(request)
        variation = self.variations.get(_int_or_none(body.get("variation_id")))
        if variation is None:
            return _not_found()
        amount = _int_or_none(body.get("amount"))
        if amount is None or amount < 0:
            return _invalid({"amount": ["The amount must be at least 0."]})
        variation["stock"] = {0: amount}
        return JsonResponse({"response": "Success", "data": {
            "variation_id": str(variation["id"]), "amount": str(amount), "request_id": uuid.uuid4().hex[:13]}})


sandbox = NgorderSandbox()
