"""A stateful simulator of Komship's partner API, as endpoints.py reads the documents.

Mounted at the API root (the account's base URL is ".../sandbox/komship"): paths are "v1/…", "v2/…"
exactly as in endpoints.py. Envelope {"status", "code", "message"?, "data"?}; errors
{"status": "failed" | "error", "code", "message", "errors"?} with the same HTTP status; a missing, unknown
or expired bearer token is 401 {"status": "error", "code": 401, "message": "Unauthenticated."}.

Auth: POST v1/login with a known username/password issues a JWT-shaped token (RS256-looking header, a
payload with `exp`, as the document's sample) that lives `token_ttl` seconds; POST v1/refresh-token with
a token this sandbox issued (even expired) or a demo token swaps it for a new one. `tokens` (demo tokens)
never expire.

Knobs for tests: `page_cap` (server-side maximum of `limit`, default PAGE_SIZE_MAX), `product_page_cap`,
`token_ttl`, `expire(token)`."""

import base64
import bisect
import gc
import itertools
import json
import random
import secrets
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from integrations.komship.endpoints import (
    DELETABLE_STATUSES,
    ORDER_STATUS_FILTER,
    ORDER_V1_PER_PAGE,
    PAGE_SIZE_MAX,
    PAYMENT_BANK_TRANSFER,
    PAYMENT_COD,
    PRODUCT_PAGE_SIZE_MAX,
    TRANSACTION_PER_PAGE_MAX,
    TRANSFER_PROOF_MAX_BYTES,
    WITHDRAWAL_PER_PAGE_DEFAULT,
    WITHDRAWAL_PER_PAGE_MAX,
    WITHDRAWAL_STATUSES,
    WITHDRAWAL_UPDATE_STATUSES,
)
from integrations.komship.sandbox_logistics import KomshipLogisticsMixin
from integrations.komship.sandbox_tickets import TicketSandboxMixin
from integrations.sandbox_kit import Sandbox, SeedPlan, bearer_token, json_body, laravel_page

WIB = ZoneInfo("Asia/Jakarta")
PARTNER_ID = 10021
PARTNER_NAME = "Toko Berkah Jaya"

FIRST_NAMES = ("Budi", "Siti", "Agus", "Dewi", "Rizky", "Putri", "Andi", "Rina", "Joko", "Sri", "Fajar", "Ayu",
               "Hendra", "Wulan", "Dimas", "Indah", "Bayu", "Lestari", "Yusuf", "Nur", "Eko", "Fitri", "Arif",
               "Maya", "Bambang", "Ratna", "Taufik", "Kartika", "Galih", "Anisa")
LAST_NAMES = ("Santoso", "Wijaya", "Saputra", "Lestari", "Pratama", "Hidayat", "Nugroho", "Kurniawan",
              "Siregar", "Simanjuntak", "Rahmawati", "Setiawan", "Permana", "Gunawan", "Susanto", "Harahap",
              "Wibowo", "Utami", "Maulana", "Hasibuan")
STREETS = ("Jl. Merdeka", "Jl. Sudirman", "Jl. Diponegoro", "Jl. Ahmad Yani", "Jl. Gatot Subroto",
           "Jl. Pahlawan", "Jl. Kartini", "Jl. Imam Bonjol", "Jl. Veteran", "Gg. Melati", "Jl. Cempaka",
           "Jl. Raya Bogor", "Perum Griya Asri Blok C")
# (subdistrict, district, city, province, zip)
PLACES = (
    ("Dago", "Coblong", "Kota Bandung", "Jawa Barat", "40135"),
    ("Cibeunying", "Cimenyan", "Kabupaten Bandung", "Jawa Barat", "40191"),
    ("Menteng", "Menteng", "Kota Jakarta Pusat", "DKI Jakarta", "10310"),
    ("Kebayoran Lama Utara", "Kebayoran Lama", "Kota Jakarta Selatan", "DKI Jakarta", "12240"),
    ("Cilandak Barat", "Cilandak", "Kota Jakarta Selatan", "DKI Jakarta", "12430"),
    ("Margahayu", "Bekasi Timur", "Kota Bekasi", "Jawa Barat", "17113"),
    ("Pondok Cina", "Beji", "Kota Depok", "Jawa Barat", "16424"),
    ("Tegallega", "Bogor Tengah", "Kota Bogor", "Jawa Barat", "16129"),
    ("Gubeng", "Gubeng", "Kota Surabaya", "Jawa Timur", "60281"),
    ("Wonokromo", "Wonokromo", "Kota Surabaya", "Jawa Timur", "60243"),
    ("Lowokwaru", "Lowokwaru", "Kota Malang", "Jawa Timur", "65141"),
    ("Purwokerto Kidul", "Purwokerto Selatan", "Kabupaten Banyumas", "Jawa Tengah", "53147"),
    ("Pleburan", "Semarang Selatan", "Kota Semarang", "Jawa Tengah", "50241"),
    ("Laweyan", "Laweyan", "Kota Surakarta", "Jawa Tengah", "57148"),
    ("Caturtunggal", "Depok", "Kabupaten Sleman", "DI Yogyakarta", "55281"),
    ("Gedongtengen", "Gedongtengen", "Kota Yogyakarta", "DI Yogyakarta", "55272"),
    ("Petisah Tengah", "Medan Petisah", "Kota Medan", "Sumatera Utara", "20112"),
    ("Sukarami", "Sukarami", "Kota Palembang", "Sumatera Selatan", "30151"),
    ("Air Tawar Barat", "Padang Utara", "Kota Padang", "Sumatera Barat", "25132"),
    ("Tanjung Karang", "Enggal", "Kota Bandar Lampung", "Lampung", "35118"),
    ("Panakkukang", "Panakkukang", "Kota Makassar", "Sulawesi Selatan", "90231"),
    ("Dauh Puri", "Denpasar Barat", "Kota Denpasar", "Bali", "80113"),
    ("Sungai Jingah", "Banjarmasin Utara", "Kota Banjarmasin", "Kalimantan Selatan", "70122"),
    ("Sepinggan", "Balikpapan Selatan", "Kota Balikpapan", "Kalimantan Timur", "76115"),
    ("Karang Asam Ulu", "Sungai Kunjang", "Kota Samarinda", "Kalimantan Timur", "75126"),
    ("Kota Baru", "Pontianak Selatan", "Kota Pontianak", "Kalimantan Barat", "78121"),
    ("Cakranegara Barat", "Cakranegara", "Kota Mataram", "Nusa Tenggara Barat", "83231"),
    ("Batam Kota", "Batam Kota", "Kota Batam", "Kepulauan Riau", "29461"),
)
# (courier code, services, AWB prefix)
COURIERS = (
    ("JNE", ("REG23", "JTR23", "YES19"), "JP"),
    ("JNT", ("EZ",), "JX"),
    ("SICEPAT", ("REG", "GOKIL", "BEST"), "00"),
    ("IDEXPRESS", ("STD", "Idtruck"), "IDS"),
    ("SAP", ("REG", "DRGREG"), "SAP"),
    ("NINJA", ("Standard",), "NLIDAP"),
    ("ANTERAJA", ("REG",), "10"),
)
# (sku code, name, base price, weight grams, has colour/size variants)
PRODUCT_BASES = (
    ("KAOS", "Kaos Polos Cotton Combed 30s", 45000, 180, True),
    ("KMJ", "Kemeja Flanel Kotak", 125000, 300, True),
    ("HJB", "Hijab Segi Empat Voal", 35000, 120, True),
    ("CLN", "Celana Chino Slim Fit", 135000, 450, True),
    ("HDY", "Jaket Hoodie Fleece", 165000, 600, True),
    ("GMS", "Gamis Syari Katun Rayon", 189000, 550, True),
    ("SDL", "Sandal Jepit Karet", 25000, 250, True),
    ("TAS", "Tas Selempang Kanvas", 85000, 400, False),
    ("KPI", "Kopi Arabika Gayo 250g", 75000, 260, False),
    ("MDU", "Madu Hutan Sumbawa 500ml", 95000, 700, False),
    ("SBN", "Sabun Cuci Muka Herbal", 28000, 120, False),
    ("MSK", "Masker Kain 3 Ply (isi 5)", 20000, 60, False),
)
COLOURS = (("HTM", "Hitam"), ("PTH", "Putih"), ("NVY", "Navy"), ("MRH", "Merah"), ("ABU", "Abu-abu"),
           ("CKL", "Coklat"))
SIZES = ("S", "M", "L", "XL")
# Spread over every status of the vocabulary; new orders are mostly early in the flow.
STATUS_BY_AGE = (
    (2, (("Diajukan", 60), ("Dipacking", 35), ("Batal", 5))),
    (6, (("Dipacking", 15), ("Dikirim", 75), ("Batal", 7), ("Hilang", 3))),
    (10 ** 6, (("Diterima", 78), ("Retur", 9), ("Batal", 8), ("Dikirim", 3), ("Hilang", 2))),
)
STATUS_TABLES = tuple(
    (limit, tuple(name for name, _ in table), tuple(itertools.accumulate(weight for _, weight in table))[:-1])
    for limit, table in STATUS_BY_AGE
)  # (age limit in days, names, cumulative weights out of 100 without the last)
NOTES = ("", "", "", "Tolong dikirim hari ini ya kak", "Packing rapi, untuk kado", "Jangan lupa bubble wrap")
LINE_COUNTS = (1, 1, 1, 2, 2, 3)  # items per order, and quantity per item
DISCOUNTS = (0, 0, 0, 0, 5000, 10000)
DESTINATIONS = tuple(
    {"value": 4000 + i * 37, "label": f"{s.upper()}, {d.upper()}, {c.upper()}, {z}", "subdistrict_name": s.upper(),
     "district_name": d.upper(), "city_name": c.upper(), "zip_code": z}
    for i, (s, d, c, _p, z) in enumerate(PLACES)
)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


_EPOCH = datetime(1970, 1, 1)
_WIB_OFFSET = timedelta(hours=7)  # WIB has no daylight saving: a fixed offset is exact (and fast)


def wib_text(ts: float) -> str:
    return (_EPOCH + timedelta(seconds=int(ts)) + _WIB_OFFSET).isoformat(" ")


def laravel_time(ts: float) -> str:
    return (_EPOCH + timedelta(seconds=int(ts))).isoformat() + ".000000Z"


def _day_start(value: str) -> float | None:
    try:
        day = date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=WIB).timestamp()


def _int(value, default=None):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


class KomshipSandbox(KomshipLogisticsMixin, TicketSandboxMixin, Sandbox):
    platform = "komship"
    tokens = frozenset({"demo-komship-token"})
    users = {"tatausaha": "12345678a", "demo-komship": "demo-komship-password"}

    def __init__(self) -> None:
        super().__init__()
        self.token_ttl = 365 * 24 * 3600  # the document's sample token lives a year
        self.page_cap = PAGE_SIZE_MAX
        self.product_page_cap = PRODUCT_PAGE_SIZE_MAX
        self.issued: dict[str, dict] = {}
        self._clear()

    def _clear(self) -> None:
        self.orders: list[dict] = []  # by time, oldest first
        self._ts: list[float] = []
        self.by_id: dict[int, dict] = {}
        self.products: dict[int, dict] = {}
        self.cart: dict[int, dict] = {}
        self.next_order_id = 100001
        self.next_product_id = 5001
        self.next_variant_id = 90001
        self.next_cart_id = 1
        self.next_item_id = 1
        self._variants: list[tuple[dict, dict | None]] = []
        self._last_tick = 0.0
        self._rng = random.Random(0)
        self._clear_logistics()
        self._clear_tickets()

    # Errors ------------------------------------------------------------------------------------------
    def error_body(self, status: int, message: str) -> JsonResponse:
        return JsonResponse({"status": "error", "code": status, "message": message}, status=status)

    @staticmethod
    def fail(status: int, message: str, errors: dict | None = None) -> JsonResponse:
        body = {"status": "failed", "code": status, "message": message}
        if errors:
            body["errors"] = errors
        return JsonResponse(body, status=status)

    @staticmethod
    def ok(**fields) -> JsonResponse:
        return JsonResponse({"status": "success", "code": 200, **fields})

    # Auth --------------------------------------------------------------------------------------------
    def issue_token(self, username: str, user_id: int = 2) -> tuple[str, float]:
        now = int(time.time())
        exp = now + int(self.token_ttl)
        header = _b64(json.dumps({"typ": "JWT", "alg": "RS256"}).encode())
        payload = _b64(json.dumps({"aud": "1", "jti": secrets.token_hex(40), "iat": now, "nbf": now, "exp": exp,
                                   "sub": str(user_id), "scopes": []}).encode())
        token = f"{header}.{payload}.{_b64(secrets.token_bytes(64))}"
        with self.lock:
            self.issued[token] = {"exp": exp, "username": username, "user_id": user_id}
        return token, exp

    def expire(self, token: str) -> None:
        with self.lock:
            if token in self.issued:
                self.issued[token]["exp"] = time.time() - 1

    def _auth(self, request: HttpRequest) -> JsonResponse | None:
        token = bearer_token(request)
        if token in self.tokens:
            return None
        info = self.issued.get(token)
        if info is None or info["exp"] <= time.time():
            return self.error_body(401, "Unauthenticated.")
        return None

    def _method(self, request: HttpRequest, *allowed: str) -> JsonResponse | None:
        if request.method not in allowed:
            return self.error_body(405, f"The {request.method} method is not supported for this route.")
        return None

    def view_login(self, request):
        if bad := self._method(request, "POST"):
            return bad
        body = json_body(request)
        username = str(body.get("username_email") or "")
        if not username or self.users.get(username) != body.get("password"):
            return self.fail(400, "Username atau password salah")
        user_id = 2 + list(self.users).index(username)
        token, exp = self.issue_token(username, user_id)
        return self.ok(data={"access_token": token, "token_type": "Bearer", "expires_at": wib_text(exp),
                             "user_id": user_id, "username": username})

    def view_refresh(self, request):
        if bad := self._method(request, "POST"):
            return bad
        token = bearer_token(request)
        with self.lock:
            info = self.issued.pop(token, None)
        if info is None and token not in self.tokens:
            return self.error_body(401, "Unauthenticated.")
        info = info or {"username": "demo-komship", "user_id": 2}
        new, _ = self.issue_token(info["username"], info["user_id"])
        return JsonResponse({"status": "success", "code": 200, "message": "Refresh Token successful",
                             "access_token": new})

    def view_partners(self, request):
        if bad := self._method(request, "GET") or self._auth(request):
            return bad
        return self.ok(data=[{"partner_id": PARTNER_ID, "partner_user_id": 2, "partner_name": PARTNER_NAME}])

    # Seed --------------------------------------------------------------------------------------------
    def seed(self, plan: SeedPlan) -> None:
        gc_was_on = gc.isenabled()
        gc.disable()  # 100k orders are millions of young objects: the cyclic GC would rescan them all
        try:
            self._seed(plan)
        finally:
            if gc_was_on:
                gc.enable()

    def _seed(self, plan: SeedPlan) -> None:
        with self.lock:
            self._clear()
            self.issued.clear()
            rng = random.Random(plan.seed)
            self._rng = random.Random(plan.seed + 1)
            now = time.time()
            base_ts = now - 90 * 86400
            for i in range(max(plan.products, 1)):
                self._seed_product(rng, i, base_ts + rng.random() * 80 * 86400)
            stamps = sorted(base_ts + rng.random() * (now - base_ts - 60) for _ in range(plan.orders))
            for ts in stamps:
                self._append_order(self._make_order(rng, ts, now))
            if plan.extra.get("prerender"):
                for order in self.orders:
                    self._row_v2_text(order)
            self._last_tick = now
            self._seed_tickets(plan)

    def _seed_product(self, rng: random.Random, i: int, ts: float) -> dict:
        code, name, price, weight, variant = PRODUCT_BASES[i % len(PRODUCT_BASES)]
        serial = i // len(PRODUCT_BASES)
        sku = code if serial == 0 else f"{code}{serial + 1}"
        title = name if serial == 0 else f"{name} Seri {serial + 1}"
        product = {
            "product_id": self.next_product_id, "product_name": title, "sku": sku,
            "description": f"{title}. Produk lokal berkualitas, siap kirim dari Bandung.",
            "weight": weight, "weight_pbv": weight, "length": 20, "width": 15, "height": 5,
            "price": price, "stock": rng.randint(0, 300), "sold": rng.randint(0, 2000),
            "status": 1 if rng.random() < 0.9 else 0, "variant_option": [], "variants": [],
            "updated_ts": ts,
        }
        self.next_product_id += 1
        if variant:
            product["variant_option"] = ["Warna", "Ukuran"]
            colours = rng.sample(COLOURS, 3)
            for ccode, cname in colours:
                for size in SIZES:
                    product["variants"].append({
                        "variant_id": self.next_variant_id, "variant_name": f"{cname}, {size}",
                        "sku": f"{sku}-{ccode}-{size}", "price": price + (5000 if size == "XL" else 0),
                        "stock": rng.randint(0, 120), "weight": weight,
                    })
                    self.next_variant_id += 1
        self.products[product["product_id"]] = product
        self._index_product(product)
        return product

    def _index_product(self, product: dict) -> None:
        if product["variants"]:
            self._variants.extend((product, v) for v in product["variants"])
        else:
            self._variants.append((product, None))

    def _item(self, product: dict, variant: dict | None, qty: int) -> dict:
        item = {
            "id": self.next_item_id, "product_id": product["product_id"], "product_name": product["product_name"],
            "product_variant_id": variant["variant_id"] if variant else 0,
            "variant_name": variant["variant_name"] if variant else "-",
            "sku": variant["sku"] if variant else product["sku"],
            "price": variant["price"] if variant else product["price"], "qty": qty,
            "weight": (variant or product)["weight"],
        }
        self.next_item_id += 1
        return item

    def _make_order(self, rng: random.Random, ts: float, now: float, status: str | None = None) -> dict:
        """One realistic order. Every choice comes from two getrandbits() draws (cheap: 100k in seconds)."""
        n = rng.getrandbits(128)
        age_days = (now - ts) / 86400
        n, roll = divmod(n, 100)
        if status is None:
            for limit, names, cumulative in STATUS_TABLES:
                if age_days < limit:
                    status = names[bisect.bisect_right(cumulative, roll)]
                    break
        n, place_i = divmod(n, len(PLACES))
        n, courier_i = divmod(n, len(COURIERS))
        courier, services, prefix = COURIERS[courier_i]
        n, service_i = divmod(n, len(services))
        n, first_i = divmod(n, len(FIRST_NAMES))
        n, last_i = divmod(n, len(LAST_NAMES))
        n, street_i = divmod(n, len(STREETS))
        n, house = divmod(n, 250)
        n, rt = divmod(n, 12)
        n, rw = divmod(n, 9)
        n, notes_i = divmod(n, len(NOTES))
        n, cod_roll = divmod(n, 100)
        n, discount_i = divmod(n, 6)
        n, cost_steps = divmod(n, 31)
        n, cashback_i = divmod(n, 4)
        n, retur_roll = divmod(n, 10)
        n, phone62 = divmod(n, 10)
        n, line_count = divmod(n, 6)
        m = rng.getrandbits(96)
        m, phone_tail = divmod(m, 10 ** 9)
        m, prefix_i = divmod(m, 7)
        m, awb = divmod(m, 10 ** 10)
        variants = self._variants
        items = []
        for _ in range(LINE_COUNTS[line_count]):
            m, vi = divmod(m, len(variants))
            m, qi = divmod(m, 6)
            items.append(self._item(*variants[vi], LINE_COUNTS[qi]))
        subtotal = sum(i["price"] * i["qty"] for i in items)
        weight = sum(i["weight"] * i["qty"] for i in items)
        shipping_cost = 9000 + 1000 * cost_steps + 4000 * (weight // 1000)
        cod = cod_roll < 62
        discount = DISCOUNTS[discount_i] if subtotal > 50000 else 0
        grand = subtotal + shipping_cost - discount
        order_id = self.next_order_id
        self.next_order_id += 1
        shipped = status not in ("Diajukan", "Dipacking", "Batal")
        return {
            "order_id": order_id, "order_no": "", "_ts": ts,
            "updated_ts": min(now, ts + (age_days > 1) * (3600 + (awb % 400000))),
            "order_status": status, "is_retur": (1 if retur_roll < 4 else 2) if status == "Retur" else 0,
            "customer_name": f"{FIRST_NAMES[first_i]} {LAST_NAMES[last_i]}",
            "customer_phone": f"{'62' if phone62 < 3 else '0'}8{'1235789'[prefix_i]}{phone_tail:09d}",
            "street": f"{STREETS[street_i]} No. {house + 1}, RT {rt + 1:02d}/RW {rw + 1:02d}",
            "place": PLACES[place_i],
            "payment_method": PAYMENT_COD if cod else PAYMENT_BANK_TRANSFER,
            "shipping": courier, "shipping_type": services[service_i],
            "shipping_cost": shipping_cost, "discount": discount, "additional_cost": 0,
            "shipping_cashback": shipping_cost * (0, 10, 20, 25)[cashback_i] // 100,
            "service_fee": round(grand * 0.028) if cod else 0,
            "subtotal": subtotal, "grand_total": grand, "total_weight": weight,
            "airway_bill": f"{prefix}{awb:010d}" if shipped else "",
            "order_notes": NOTES[notes_i], "product": items, "is_mass_order": 0,
        }

    @staticmethod
    def order_no(o: dict) -> str:
        """KOM + 5 digits + YYYYMMDDHHMM (WIB), like the documents' KOM42272202508140857; made on first use."""
        if not o["order_no"]:
            o["order_no"] = f"KOM{o['order_id'] % 100000:05d}{datetime.fromtimestamp(o['_ts'], tz=WIB):%Y%m%d%H%M}"
        return o["order_no"]

    def _append_order(self, order: dict) -> None:
        if not self._ts or order["_ts"] >= self._ts[-1]:
            self._ts.append(order["_ts"])
            self.orders.append(order)
            self.by_id[order["order_id"]] = order
            return
        index = bisect.bisect_right(self._ts, order["_ts"])
        self._ts.insert(index, order["_ts"])
        self.orders.insert(index, order)
        self.by_id[order["order_id"]] = order

    def _remove_order(self, order: dict) -> None:
        index = bisect.bisect_left(self._ts, order["_ts"])
        while self.orders[index] is not order:
            index += 1
        del self.orders[index]
        del self._ts[index]
        del self.by_id[order["order_id"]]

    def tick(self) -> None:
        now = time.time()
        if now - self._last_tick < 20:
            return
        self._last_tick = now
        for _ in range(self._rng.randint(1, 3)):
            self._append_order(self._make_order(self._rng, now, now, status="Diajukan"))

    # Order JSON --------------------------------------------------------------------------------------
    @staticmethod
    def _address(o: dict) -> str:
        s, d, c, p, z = o["place"]
        return f"{o['street']}, Kel. {s}, Kec. {d}, {c}, {p} {z}"

    @staticmethod
    def _products_json(o: dict) -> list[dict]:
        return [{"id": i["id"], "detail_order_id": i["id"], "product_id": i["product_id"],
                 "product_name": i["product_name"], "product_image": f"product/{i['product_id']}.jpg",
                 "product_variant_id": i["product_variant_id"], "variant_name": i["variant_name"],
                 "sku": i["sku"], "price": i["price"], "qty": i["qty"], "weight": i["weight"]}
                for i in o["product"]]

    def row_v2(self, o: dict) -> dict:
        """Web v2 list row (wire §2.4: Android OrderItem keys + the web list's extras; CHOSEN additions:
        customer_phone, product[].sku)."""
        return {
            "order_id": o["order_id"], "order_no": self.order_no(o), "order_date": wib_text(o["_ts"]),
            "order_status": o["order_status"], "customer_name": o["customer_name"],
            "customer_phone": o["customer_phone"], "detail_address": self._address(o), "district": o["place"][1],
            "payment_method": o["payment_method"], "bank": "", "bank_account_name": "", "bank_account_no": "",
            "shipping": o["shipping"], "shipping_type": o["shipping_type"], "shipping_cost": o["shipping_cost"],
            "grand_total": o["grand_total"], "airway_bill": o["airway_bill"], "is_komship": 1,
            "is_problem": 0, "is_retur": o["is_retur"],
            "last_history_awb": "Paket telah diterima" if o["order_status"] == "Diterima" else "",
            "order_notes": o["order_notes"], "shipment_image_path": "", "ticket_id": None,
            "updated_at": laravel_time(o["updated_ts"]), "warehouse_name": "Gudang Bandung",
            "retur_date": wib_text(o["updated_ts"]) if o["order_status"] == "Retur" else None,
            "product": self._products_json(o),
        }

    def _row_v2_text(self, o: dict) -> str:
        """row_v2 as JSON text, kept on the order until it changes (every change of a listed order sets its
        updated_ts; status, AWB and return flag are checked too). Listing joins these texts instead of
        building and encoding every row on every request: the simulator's own cost, which on a benchmark
        shares the machine with the client it serves. Rendered when first listed, or at reset when the
        seed plan asks (extra {"prerender": true})."""
        stamp = (o["updated_ts"], o["order_status"], o["airway_bill"], o["is_retur"])
        kept = o.get("_row_v2")
        if kept is None or kept[0] != stamp:
            kept = o["_row_v2"] = (stamp, json.dumps(self.row_v2(o), cls=DjangoJSONEncoder))
        return kept[1]

    def row_v1(self, o: dict) -> dict:
        """Android v1 list row (wire §2.4 `OrderItem`)."""
        return {
            "order_id": o["order_id"], "order_no": self.order_no(o), "order_date": wib_text(o["_ts"]),
            "order_status": o["order_status"], "customer_name": o["customer_name"],
            "detail_address": self._address(o), "district": o["place"][1], "payment_method": o["payment_method"],
            "bank": "", "bank_account_name": "", "bank_account_no": "", "shipping_cost": o["shipping_cost"],
            "grand_total": o["grand_total"], "airway_bill": o["airway_bill"], "is_komship": 1,
            "product": self._products_json(o),
        }

    def detail(self, o: dict) -> dict:
        """Detail (wire §2.4 Android + web keys; CHOSEN additions: subdistrict_name, district_name, city_name,
        province_name, zip_code, product[].sku, is_retur)."""
        s, d, c, p, z = o["place"]
        net = o["grand_total"] - o["shipping_cost"] + o["shipping_cashback"] - o["service_fee"]
        return {
            "order_id": o["order_id"], "order_no": self.order_no(o), "order_date": wib_text(o["_ts"]),
            "order_status": o["order_status"], "is_retur": o["is_retur"], "customer_name": o["customer_name"],
            "customer_phone": o["customer_phone"], "customer_address": self._address(o),
            "subdistrict_name": s, "district_name": d, "city_name": c, "province_name": p, "zip_code": z,
            "shipping": o["shipping"], "shipping_type": o["shipping_type"], "airway_bill": o["airway_bill"],
            "is_komship": 1, "subtotal": o["subtotal"], "grandtotal": o["grand_total"],
            "shipping_cost": o["shipping_cost"], "service_fee": o["service_fee"], "discount": o["discount"],
            "shipping_cashback": o["shipping_cashback"], "net_profit": net, "user_fullname": "Admin Toko",
            "product": self._products_json(o), "additional_cost": o["additional_cost"],
            "address_partner": "Jl. Soekarno-Hatta No. 590, Kota Bandung", "cashback_to": 25,
            "is_mass_order": o["is_mass_order"], "notes": "", "order_notes": o["order_notes"],
            "old_grandtotal": o["grand_total"], "payment_method": o["payment_method"],
            "percentage_cost_retur": 0, "service_fee_to": 2.8, "shipment_image_path": "",
            "shipping_retur": 0, "total_weight": o["total_weight"], "user_name_edited": None,
            "order_edited_date": None,
        }

    # Orders ------------------------------------------------------------------------------------------
    FILTERS = ("order_status", "payment_method", "payment_methode", "customer_name", "order_id", "is_retur",
               "search")

    def _query(self, params, offset: int, limit: int | None) -> tuple[list[dict], int]:
        """One page of the orders matching the documented filters, newest first, and their count."""
        lo, hi = 0, len(self.orders)
        if start := _day_start(params.get("start_date", "")):
            lo = bisect.bisect_left(self._ts, start)
        if (end := _day_start(params.get("end_date", ""))) is not None:
            hi = bisect.bisect_left(self._ts, end + 86400)
        if not any(params.get(key, "") != "" for key in self.FILTERS):
            top = hi - offset  # newest first: the page is a slice just below `top`, reversed
            bottom = lo if limit is None else max(lo, top - limit)
            return (self.orders[bottom:top][::-1] if top > lo else []), max(hi - lo, 0)
        rows = self.orders[lo:hi][::-1]
        status = params.get("order_status", "")
        if status != "":
            code = _int(status)
            label = ORDER_STATUS_FILTER.get(code, "") if code is not None else status
            rows = [o for o in rows if o["order_status"].lower() == label.lower()]
        pay = params.get("payment_method") or params.get("payment_methode") or ""
        if pay:
            rows = [o for o in rows if o["payment_method"] == pay.upper()]
        if name := params.get("customer_name", "").lower():
            rows = [o for o in rows if name in o["customer_name"].lower()]
        if (order_id := _int(params.get("order_id"))) is not None:
            rows = [o for o in rows if o["order_id"] == order_id]
        if (is_retur := _int(params.get("is_retur"))) is not None:
            rows = [o for o in rows if o["is_retur"] == is_retur]
        # CHOSEN: `search` looks at order_no, customer name and phone, AWB and order notes.
        if search := params.get("search", "").strip().lower():
            rows = [o for o in rows if search in self.order_no(o).lower() or search in o["customer_name"].lower()
                    or search in o["customer_phone"] or search in o["airway_bill"].lower()
                    or search in o["order_notes"].lower()]
        return (rows[offset:] if limit is None else rows[offset:offset + limit]), len(rows)

    def view_orders_v2(self, request, partner_id):
        if bad := self._method(request, "GET") or self._auth(request):
            return bad
        offset = max(_int(request.GET.get("offset"), 0) or 0, 0)
        limit = _int(request.GET.get("limit"))
        limit = None if limit is None or limit <= 0 else min(limit, self.page_cap)  # blank: "all"
        with self.lock:
            page, _ = self._query(request.GET, offset, limit)
            rows = [self._row_v2_text(o) for o in page]
        # What ok(data=rows) sends, from rows already encoded.
        return HttpResponse(f'{{"status": "success", "code": 200, "data": [{", ".join(rows)}]}}',
                            content_type="application/json")

    def view_orders_v1(self, request, partner_id):
        if bad := self._method(request, "GET") or self._auth(request):
            return bad
        page = max(_int(request.GET.get("page"), 1) or 1, 1)
        per = ORDER_V1_PER_PAGE
        with self.lock:
            chunk, total = self._query(request.GET, (page - 1) * per, per)
            data = [self.row_v1(o) for o in chunk]
        return self.ok(data=laravel_page(request, data=data, page=page, per_page=per, total=total))

    def view_order_detail(self, request, partner_id, order_id):
        if bad := self._method(request, "GET") or self._auth(request):
            return bad
        with self.lock:
            order = self.by_id.get(order_id)
            if order is None:
                return self.fail(404, "order not found")
            return self.ok(data=self.detail(order))

    def view_order_delete(self, request, partner_id, order_id):
        if bad := self._method(request, "DELETE") or self._auth(request):
            return bad
        with self.lock:
            order = self.by_id.get(order_id)
            if order is None:
                return self.fail(404, "order not found")
            if order["order_status"] not in DELETABLE_STATUSES:
                return self.fail(400, f"Order tidak dapat dihapus, status order {order['order_status']}")
            self._remove_order(order)
        return self.ok(message="order deleted successfully.")

    def _validate_order(self, body: dict) -> dict:
        errors = {}
        for key in ("customer_name", "customer_phone", "detail_address"):
            if not str(body.get(key) or "").strip():
                errors[key] = [f"The {key.replace('_', ' ')} field is required."]
        if body.get("payment_method") not in (PAYMENT_COD, PAYMENT_BANK_TRANSFER):
            errors["payment_method"] = ["The selected payment method is invalid."]
        if not _int(body.get("customer_destination_id")):
            errors["customer_destination_id"] = ["The customer destination id field is required."]
        if not str(body.get("shipping") or "").strip():
            errors["shipping"] = ["The shipping field is required."]
        return errors

    def _new_order(self, body: dict, items: list[dict], *, mass: bool = False) -> dict:
        now = time.time()
        dest = _int(body.get("customer_destination_id"))
        place = next((p for p, d in zip(PLACES, DESTINATIONS, strict=True) if d["value"] == dest), PLACES[0])
        subtotal = sum(i["price"] * i["qty"] for i in items)
        shipping_cost = _int(body.get("shipping_cost"), 0) or 0
        discount = _int(body.get("discount"), 0) or 0
        order_id = self.next_order_id
        self.next_order_id += 1
        grand = _int(body.get("grandtotal"), 0) or subtotal + shipping_cost - discount
        return {
            "order_id": order_id,
            "order_no": f"KOM{order_id % 100000:05d}{datetime.fromtimestamp(now, tz=WIB):%Y%m%d%H%M}",
            "_ts": now, "updated_ts": now, "order_status": "Diajukan", "is_retur": 0,
            "customer_name": str(body["customer_name"]), "customer_phone": str(body["customer_phone"]),
            "street": str(body["detail_address"]),
            "place": (body.get("subdistrict_name") or place[0], body.get("district_name") or place[1],
                      body.get("city_name") or place[2], place[3], place[4]),
            "payment_method": body["payment_method"], "shipping": str(body.get("shipping") or ""),
            "shipping_type": str(body.get("shipping_type") or ""), "shipping_cost": shipping_cost,
            "discount": discount, "additional_cost": _int(body.get("additional_cost"), 0) or 0,
            "shipping_cashback": _int(body.get("shipping_cashback"), 0) or 0,
            "service_fee": _int(body.get("service_fee"), 0) or 0, "subtotal": subtotal, "grand_total": grand,
            "total_weight": sum(i["weight"] * i["qty"] for i in items), "airway_bill": "",
            "order_notes": str(body.get("order_notes") or ""), "product": items, "is_mass_order": int(mass),
        }

    def _line(self, product_id, variant_id, qty, name="", variant_name="", price=None) -> dict | None:
        product = self.products.get(_int(product_id, -1))
        if product is None:
            return None
        variant = next((v for v in product["variants"] if v["variant_id"] == _int(variant_id)), None)
        if product["variants"] and variant is None:
            return None
        item = self._item(product, variant, max(_int(qty, 1) or 1, 1))
        if price is not None and _int(price) is not None:
            item["price"] = _int(price)
        return item

    def view_store_order(self, request, partner_id, version="v3"):
        if bad := self._method(request, "POST") or self._auth(request):
            return bad
        body = json_body(request)
        with self.lock:
            errors = self._validate_order(body)
            cart_ids = body.get("cart") if isinstance(body.get("cart"), list) else []
            rows = [self.cart.get(_int(c, -1)) for c in cart_ids]
            if not cart_ids or any(r is None for r in rows):
                errors["cart"] = ["The selected cart is invalid."]
            if errors:
                return self.fail(422, "The given data was invalid.", errors)
            items = []
            for row in rows:
                item = self._line(row["product_id"], row["variant_id"], row["qty"], price=row["product_price"])
                if item is None:
                    return self.fail(422, "The given data was invalid.", {"cart": ["product not found"]})
                items.append(item)
            if version == "v2":
                body = {**body, "order_notes": ""}  # v2 has no order_notes (seed #56)
            self._append_order(self._new_order(body, items))
            for c in cart_ids:
                self.cart.pop(_int(c), None)
        return self.ok(message="Order stored successfully")

    def view_store_order_v2(self, request, partner_id):
        return self.view_store_order(request, partner_id, version="v2")

    def view_store_mass(self, request):
        if bad := self._method(request, "POST") or self._auth(request):
            return bad
        body = json_body(request)
        if body.get("options") != "submit":  # CHOSEN: anything else only saves the sheet
            return self.ok(message="Order stored successfully")
        rows = body.get("data")
        if not isinstance(rows, list) or not rows:
            return self.fail(422, "The given data was invalid.", {"data": ["The data field is required."]})
        with self.lock:
            errors, orders = {}, []
            for index, row in enumerate(rows):
                row = row if isinstance(row, dict) else {}
                row_errors = self._validate_order(row)
                lines = row.get("product") if isinstance(row.get("product"), list) else []
                items = [self._line(p.get("product_id"), p.get("variant_id"), p.get("qty"),
                                    price=p.get("product_price")) for p in lines if isinstance(p, dict)]
                if not items or any(i is None for i in items):
                    row_errors["product"] = ["The selected product is invalid."]
                if row_errors:
                    errors[f"data.{index}"] = row_errors
                else:
                    orders.append((row, items))
            if errors:
                return self.fail(422, "The given data was invalid.", errors)
            for row, items in orders:
                self._append_order(self._new_order(row, items, mass=True))
        return self.ok(message="Order stored successfully")

    # Cart and destinations ---------------------------------------------------------------------------
    def view_cart(self, request):
        if bad := self._method(request, "GET") or self._auth(request):
            return bad
        with self.lock:
            return self.ok(data=list(self.cart.values()))

    def view_cart_bulk_store(self, request):
        if bad := self._method(request, "POST") or self._auth(request):
            return bad
        items = _json_list(request)
        if items is None:
            return self.fail(422, "The given data was invalid.", {"items": ["An array of items is required."]})
        with self.lock:
            rows = []
            for index, item in enumerate(items):
                product = self.products.get(_int(item.get("product_id") if isinstance(item, dict) else None, -1))
                if product is None or (_int(item.get("qty"), 0) or 0) <= 0:
                    return self.fail(422, "The given data was invalid.", {f"{index}.product_id": ["invalid"]})
                variant = next((v for v in product["variants"] if v["variant_id"] == _int(item.get("variant_id"))),
                               None)
                price = _int(item.get("product_price"), None)
                price = price if price is not None else (variant or product)["price"]
                qty = _int(item["qty"])
                rows.append({
                    "cart_id": self.next_cart_id, "partner_id": PARTNER_ID, "product_id": product["product_id"],
                    "product_name": product["product_name"], "product_image": f"product/{product['product_id']}.jpg",
                    "variant_id": variant["variant_id"] if variant else 0,
                    "variant_name": variant["variant_name"] if variant else "-", "product_price": price,
                    "product_weight": (variant or product)["weight"], "qty": qty,
                    "stock": (variant or product)["stock"], "subtotal": price * qty,
                })
                self.next_cart_id += 1
            for row in rows:
                self.cart[row["cart_id"]] = row
        return self.ok(message="items stored successfully.", data={})

    def view_cart_delete(self, request):
        if bad := self._method(request, "DELETE") or self._auth(request):
            return bad
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            body = {}
        ids = body.get("cart_id") if isinstance(body, dict) else body
        with self.lock:
            for c in ids if isinstance(ids, list) else []:
                self.cart.pop(_int(c, -1), None)
        return self.ok(message="items deleted successfully.")

    def view_destinations(self, request):
        if bad := self._method(request, "GET") or self._auth(request):
            return bad
        term = request.GET.get("search", "").strip().upper()
        rows = [d for d in DESTINATIONS if term and term in d["label"]][:10]  # "limit 10" (seed #49)
        data = [{k: d[k] for k in ("value", "label", "subdistrict_name", "district_name", "city_name")}
                for d in rows]
        return self.ok(data=data)  # seed #49 shows `data` as an array (the Android client saw a paginator)

    # Products ----------------------------------------------------------------------------------------
    @staticmethod
    def _product_totals(p: dict) -> tuple[int, int]:
        if p["variants"]:
            return min(v["price"] for v in p["variants"]), sum(v["stock"] for v in p["variants"])
        return p["price"], p["stock"]

    def product_row(self, p: dict) -> dict:
        price, stock = self._product_totals(p)
        return {"product_id": p["product_id"], "product_name": p["product_name"],
                "product_image": f"product/{p['product_id']}.jpg", "sku": p["sku"], "price": price,
                "stock": stock, "sold": p["sold"], "variants": [dict(v) for v in p["variants"]],
                "variant_option": [{"val": n} for n in p["variant_option"]]}

    def product_detail(self, p: dict) -> dict:
        price, stock = self._product_totals(p)
        return {"product_id": p["product_id"], "product_name": p["product_name"], "product_sku": p["sku"],
                "product_description": p["description"], "product_weight": p["weight"],
                "product_pbv": p["weight_pbv"], "product_length": p["length"], "product_width": p["width"],
                "product_height": p["height"], "product_price": price, "product_stock": stock,
                "product_is_variant": int(bool(p["variants"])),
                "product_image": [{"images_path": f"product/{p['product_id']}.jpg"}],
                "variant_option": [{"val": n} for n in p["variant_option"]],
                "variants": [dict(v) for v in p["variants"]], "status": p["status"],
                "updated_at": laravel_time(p["updated_ts"])}

    def view_products(self, request):
        if bad := self._method(request, "GET") or self._auth(request):
            return bad
        with self.lock:
            rows = list(self.products.values())
            if (status := _int(request.GET.get("status"))) is not None:
                rows = [p for p in rows if p["status"] == status]
            if name := request.GET.get("name", "").strip().lower():
                rows = [p for p in rows if name in p["product_name"].lower()]
            offset = max(_int(request.GET.get("offset"), 0) or 0, 0)
            limits = _int(request.GET.get("limits"))
            page = rows[offset:] if not limits or limits <= 0 else rows[offset:offset + min(limits,
                                                                                         self.product_page_cap)]
            return self.ok(data=[self.product_row(p) for p in page])

    def view_product_detail(self, request, product_id):
        if bad := self._method(request, "GET") or self._auth(request):
            return bad
        with self.lock:
            product = self.products.get(product_id)
            if product is None:
                return self.fail(404, "product not found")
            return self.ok(data=self.product_detail(product))

    def _apply_body(self, product: dict, body: dict) -> dict | None:
        """Fill `product` from a store/update body; returns errors or None."""
        if not str(body.get("product_name") or "").strip():
            return {"product_name": ["The product name field is required."]}
        names = [str(o.get("val") if isinstance(o, dict) else o) for o in body.get("variant_option") or ()
                 if o] if isinstance(body.get("variant_option"), list) else []
        old = {v["variant_name"]: v for v in product.get("variants", [])}
        variants: list[dict] = []

        def walk(nodes, path):
            for node in nodes if isinstance(nodes, list) else ():
                if not isinstance(node, dict):
                    continue
                here = [*path, str(node.get("val") or "")]
                if node.get("option"):
                    walk(node["option"], here)
                    continue
                name = ", ".join(here)
                keep = old.get(name)
                variant_id = keep["variant_id"] if keep else self.next_variant_id
                if not keep:
                    self.next_variant_id += 1
                variants.append({"variant_id": variant_id, "variant_name": name,
                                 "sku": str(node.get("sku") or ""), "price": _int(node.get("price"), 0) or 0,
                                 "stock": _int(node.get("stock"), 0) or 0,
                                 "weight": _int(body.get("weight"), 0) or 0})

        if names:
            walk(body.get("option"), [])
        product.update(
            product_name=str(body["product_name"]), sku=str(body.get("sku") or ""),
            description=str(body.get("description") or ""), weight=_int(body.get("weight"), 0) or 0,
            weight_pbv=_int(body.get("weight_pbv"), 0) or 0, length=_int(body.get("length"), 0) or 0,
            width=_int(body.get("width"), 0) or 0, height=_int(body.get("height"), 0) or 0,
            price=_int(body.get("price"), 0) or 0, stock=_int(body.get("stock"), 0) or 0,
            variant_option=names if variants else [], variants=variants, updated_ts=time.time(),
        )
        return None

    def view_product_create(self, request, status):
        if bad := self._method(request, "POST") or self._auth(request):
            return bad
        body = json_body(request)
        with self.lock:
            product = {"product_id": self.next_product_id, "sold": 0, "status": 1 if status == 1 else 0}
            if errors := self._apply_body(product, body):
                return self.fail(422, "The given data was invalid.", errors)
            self.next_product_id += 1
            self.products[product["product_id"]] = product
            self._index_product(product)
        return self.ok(message="product stored successfully.", data={"product_id": product["product_id"]})

    def view_product_update(self, request, product_id):
        if bad := self._method(request, "PUT") or self._auth(request):
            return bad
        body = json_body(request)
        with self.lock:
            product = self.products.get(product_id)
            if product is None:
                return self.fail(404, "product not found")
            if errors := self._apply_body(product, body):
                return self.fail(422, "The given data was invalid.", errors)
            self._variants = [(p, v) for p, v in self._variants if p is not product]
            self._index_product(product)
        return self.ok(message="product updated successfully.")

    def view_product_delete(self, request, product_id):
        if bad := self._method(request, "DELETE") or self._auth(request):
            return bad
        with self.lock:
            product = self.products.pop(product_id, None)
            if product is None:
                return self.fail(404, "product not found")
            self._variants = [(p, v) for p, v in self._variants if p is not product] or self._variants
        return self.ok(message="product deleted successfully.")

    def view_check_name(self, request):
        if bad := self._method(request, "GET") or self._auth(request):
            return bad
        name = request.GET.get("product_name", "").strip().lower()
        with self.lock:
            found = next((p for p in self.products.values() if p["product_name"].lower() == name), None)
        if found is None:
            return self.ok(message="product not found")
        return self.ok(message="product name already exist", data={"product_id": found["product_id"]})

    def view_check_sku(self, request):
        if bad := self._method(request, "GET") or self._auth(request):
            return bad
        sku = request.GET.get("product_sku", "").strip()
        with self.lock:
            for p in self.products.values():
                if p["sku"] == sku and sku:
                    return self.ok(message="product sku already exist",
                                   data={"product_id": p["product_id"], "variant_id": 0})
                for v in p["variants"]:
                    if v["sku"] == sku and sku:
                        return self.ok(message="product sku already exist",
                                       data={"product_id": p["product_id"], "variant_id": v["variant_id"]})
        return self.ok(message="product sku not found")

    def view_multiple_stock(self, request):
        if bad := self._method(request, "PUT") or self._auth(request):
            return bad
        items = _json_list(request)
        if items is None:
            return self.fail(422, "The given data was invalid.", {"items": ["An array of items is required."]})
        with self.lock:
            targets = []
            for item in items:
                item = item if isinstance(item, dict) else {}
                product = self.products.get(_int(item.get("product_id"), -1))
                stock = _int(item.get("stock"))
                if product is None:
                    return self.fail(404, f"product {item.get('product_id')} not found")
                variant_id = _int(item.get("variant_id"), 0) or 0
                target = product if not variant_id else next(
                    (v for v in product["variants"] if v["variant_id"] == variant_id), None)
                if target is None or stock is None or stock < 0:
                    return self.fail(422, "The given data was invalid.",
                                     {"variant_id": [f"invalid variant or stock for product {product['product_id']}"]})
                targets.append((product, target, stock))
            for product, target, stock in targets:
                target["stock"] = stock
                product["updated_ts"] = time.time()
        return self.ok(message="Successfully update stock")

    # Routes ------------------------------------------------------------------------------------------
    def routes(self) -> list:
        e = self.endpoint
        return [
            path("v1/login", e(self.view_login)),
            path("v1/refresh-token", e(self.view_refresh)),
            path("v1/partner", e(self.view_partners)),
            path("v1/order/sheet/save-submit", e(self.view_store_mass)),
            path("v1/order/<str:partner_id>", e(self.view_orders_v1)),
            path("v2/order/<str:partner_id>", e(self.view_orders_v2)),
            path("v1/order/<str:partner_id>/detail/<int:order_id>", e(self.view_order_detail)),
            path("v2/order/<str:partner_id>/store", e(self.view_store_order_v2)),
            path("v3/order/<str:partner_id>/store", e(self.view_store_order)),
            path("v1/order/<str:partner_id>/delete/<int:order_id>", e(self.view_order_delete)),
            path("v1/cart", e(self.view_cart)),
            path("v1/cart/bulk-store", e(self.view_cart_bulk_store)),
            path("v1/cart/delete", e(self.view_cart_delete)),
            path("v1/destination", e(self.view_destinations)),
            path("v4/product", e(self.view_products)),
            path("v1/product/detail/<int:product_id>", e(self.view_product_detail)),
            path("v1/product/create/<int:status>", e(self.view_product_create)),
            path("v1/product/update/<int:product_id>", e(self.view_product_update)),
            path("v1/product/delete/<int:product_id>", e(self.view_product_delete)),
            path("v1/product/check-name", e(self.view_check_name)),
            path("v1/product/check-sku", e(self.view_check_sku)),
            path("v1/product/update-multiple-stock", e(self.view_multiple_stock)),
            *self.finance_routes(),
        ]

    # Finance: balance, transactions, admin withdrawals, bank accounts ------------------------------------
    # State lives apart from the orders' and is reseeded whenever the seed plan changes (every reset).
    FIN_TYPE_WEIGHTS = ((1, 40), (2, 20), (3, 5), (4, 10), (5, 5), (6, 8), (7, 4), (8, 3), (9, 2), (10, 2),
                        (11, 1))
    FIN_CREDIT_TYPES = frozenset({1, 3, 5, 7, 8, 9, 11})
    FIN_TYPE_TEXT = {1: "orderan cod diterima", 2: "ongkir noncod", 3: "ongkir noncod batal", 4: "tarik saldo",
                     5: "topup saldo", 6: "retur cod", 7: "claim retur diterima", 8: "ganti rugi paket hilang",
                     9: "ganti rugi paket rusak", 10: "belanja talent", 11: "pengembalian dana komtim"}
    FIN_BANKS = ("BCA", "BRI", "MANDIRI", "BNI")
    FIN_OTHER_PARTNER = 10022

    def fin(self) -> dict:
        """The finance store (call with self.lock held)."""
        if getattr(self, "_fin_plan", None) is not self.seed_plan:
            self._fin_plan = self.seed_plan
            self._fin_state = self._fin_seed(self.seed_plan.seed)
        return self._fin_state

    def _fin_seed(self, seed: int) -> dict:
        rng = random.Random(seed + 5)
        now = time.time()
        state = {"transactions": [], "withdrawals": {}, "banks": {}, "balance": 0, "pending_balance": 0,
                 "next_transaction_id": 700001, "next_withdrawal_id": 3001, "next_bank_id": 51}
        codes = [code for code, _ in self.FIN_TYPE_WEIGHTS]
        weights = [weight for _, weight in self.FIN_TYPE_WEIGHTS]
        stamps = sorted(now - rng.random() * 60 * 86400 for _ in range(60))
        for ts in stamps:
            code = rng.choices(codes, weights)[0]
            amount = rng.randrange(5, 80) * 5000 if code in (1, 4, 5) else rng.randrange(2, 30) * 1000
            if code not in self.FIN_CREDIT_TYPES and state["balance"] < amount:
                code = 1
            self._fin_transaction(state, code, amount, ts)
        state["pending_balance"] = rng.randrange(0, 40) * 5000
        for i in range(12):
            ts = now - rng.random() * 30 * 86400
            status = rng.choice(("requested", "requested", "on_review", "completed", "rejected", "canceled"))
            partner = PARTNER_ID if i % 3 else self.FIN_OTHER_PARTNER
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            self._fin_withdrawal(state, partner_id=partner, nominal=rng.randrange(1, 20) * 50000, status=status,
                                 fullname=name, bank_name=rng.choice(self.FIN_BANKS),
                                 account_no=str(rng.randrange(10 ** 9, 10 ** 10)), ts=ts)
        for i, bank in enumerate(("BCA", "MANDIRI")):
            bank_id = state["next_bank_id"]
            state["next_bank_id"] += 1
            state["banks"][bank_id] = {"bank_account_id": bank_id, "account_name": PARTNER_NAME, "bank_name": bank,
                                       "account_no": str(1234500000 + i), "is_default": 1 if i == 0 else 0}
        return state

    def _fin_transaction(self, state: dict, code: int, amount: int, ts: float, reference: str = "") -> dict:
        signed = amount if code in self.FIN_CREDIT_TYPES else -amount
        row = {"transaction_id": state["next_transaction_id"], "transaction_type": code,
               "description": self.FIN_TYPE_TEXT[code], "order_type": self.FIN_TYPE_TEXT[code],
               "order_no": reference, "order_date": wib_text(ts)[:10], "grand_total": amount,
               "shipping_cost": amount if code in (2, 3) else 0, "service_fee": 0, "amount": str(signed),
               "created_at": wib_text(ts), "_ts": ts}
        state["next_transaction_id"] += 1
        state["balance"] += signed
        state["transactions"].append(row)
        return row

    def _fin_withdrawal(self, state: dict, *, partner_id: int, nominal: int, status: str, fullname: str,
                        bank_name: str, account_no: str, ts: float) -> dict:
        wid = state["next_withdrawal_id"]
        state["next_withdrawal_id"] += 1
        row = {"withdrawal_id": wid, "partner_id": partner_id, "user_id": partner_id - 10000, "fullname": fullname,
               "email": f"{fullname.split()[0].lower()}{wid}@example.com", "bank_name": bank_name,
               "bank_account_name": fullname, "bank_account_no": account_no, "nominal": nominal, "status": status,
               "notes": "", "transfer_proof": None, "created_at": wib_text(ts), "updated_at": wib_text(ts),
               "_ts": ts}
        state["withdrawals"][wid] = row
        return row

    def add_withdrawal(self, *, nominal: int, partner_id: int = PARTNER_ID, status: str = "requested",
                       fullname: str = "Budi Santoso", bank_name: str = "BCA",
                       account_no: str = "1234567890") -> dict:
        """For tests: a partner asks for a withdrawal on Komship."""
        with self.lock:
            self.ensure_seeded()
            row = self._fin_withdrawal(self.fin(), partner_id=partner_id, nominal=nominal, status=status,
                                       fullname=fullname, bank_name=bank_name, account_no=account_no,
                                       ts=time.time())
            return self._fin_public(row)

    @staticmethod
    def _fin_public(row: dict) -> dict:
        return {k: v for k, v in row.items() if not k.startswith("_")}

    @staticmethod
    def _fin_paginate(request, rows: list[dict], *, per_page: int) -> dict:
        page = max(1, _int(request.GET.get("page"), 1) or 1)
        total = len(rows)
        start = (page - 1) * per_page
        return {"current_page": page, "data": rows[start:start + per_page],
                "last_page": max(1, -(-total // per_page)), "per_page": per_page, "total": total}

    @staticmethod
    def _fin_window(request, rows: list[dict]) -> list[dict] | None:
        start, end = request.GET.get("start_date"), request.GET.get("end_date")
        low = _day_start(start) if start else None
        high = _day_start(end) if end else None
        if (start and low is None) or (end and high is None):
            return None
        return [r for r in rows if (low is None or r["_ts"] >= low) and (high is None or r["_ts"] < high + 86400)]

    def view_balance_summary(self, request):
        if bad := self._method(request, "GET") or self._auth(request):
            return bad
        if not request.GET.get("partner_id"):
            return self.fail(422, "The partner id field is required.", {"partner_id": ["required"]})
        with self.lock:
            state = self.fin()
            return self.ok(message="Success get summary balance",
                           data={"balance": state["balance"], "pending_balance": state["pending_balance"]})

    def view_transactions(self, request):
        if bad := self._method(request, "GET") or self._auth(request):
            return bad
        if not request.GET.get("partner_id"):
            return self.fail(422, "The partner id field is required.", {"partner_id": ["required"]})
        codes = set()
        for part in str(request.GET.get("filter") or "").split(","):
            code = _int(part)
            if part.strip() and (code is None or not 0 <= code <= 11):
                return self.fail(422, "The selected filter is invalid.", {"filter": [part]})
            if code:
                codes.add(code)
        per_page = max(1, min(_int(request.GET.get("limits"), 10) or 10, TRANSACTION_PER_PAGE_MAX))
        with self.lock:
            rows = self._fin_window(request, self.fin()["transactions"])
            if rows is None:
                return self.fail(422, "The date format is invalid (YYYY-MM-DD).")
            rows = [r for r in rows if not codes or r["transaction_type"] in codes]
            rows = sorted(rows, key=lambda r: (-r["_ts"], -r["transaction_id"]))
            return self.ok(data=self._fin_paginate(request, [self._fin_public(r) for r in rows],
                                                   per_page=per_page))

    def view_admin_withdrawals(self, request):
        if bad := self._method(request, "GET") or self._auth(request):
            return bad
        status = str(request.GET.get("status") or "")
        if status and status not in WITHDRAWAL_STATUSES:
            return self.fail(422, "The selected status is invalid.", {"status": [status]})
        per_page = max(1, min(_int(request.GET.get("total_per_page"), WITHDRAWAL_PER_PAGE_DEFAULT)
                              or WITHDRAWAL_PER_PAGE_DEFAULT, WITHDRAWAL_PER_PAGE_MAX))
        search = str(request.GET.get("search") or "").lower()
        with self.lock:
            rows = self._fin_window(request, list(self.fin()["withdrawals"].values()))
            if rows is None:
                return self.fail(422, "The date format is invalid (YYYY-MM-DD).")
            rows = [r for r in rows if (not status or r["status"] == status) and (
                not search or search in f"{r['email']} {r['fullname']} {r['bank_account_no']}".lower())]
            rows.sort(key=lambda r: (-r["_ts"], -r["withdrawal_id"]))
            return self.ok(data=self._fin_paginate(request, [self._fin_public(r) for r in rows],
                                                   per_page=per_page))

    def view_admin_withdrawal_detail(self, request, withdrawal_id):
        if bad := self._method(request, "GET") or self._auth(request):
            return bad
        with self.lock:
            state = self.fin()
            row = state["withdrawals"].get(withdrawal_id)
            if row is None:
                return self.fail(404, "Withdrawal not found.")
            return self.ok(data={**self._fin_public(row), "balance": state["balance"]})

    FIN_WITHDRAWAL_MOVES = {"requested": {"on_review", "rejected", "canceled"},
                            "on_review": {"completed", "rejected", "canceled"}}

    def view_admin_withdrawal_update(self, request, withdrawal_id):
        if bad := self._method(request, "POST", "PUT") or self._auth(request):
            return bad
        status = str(request.GET.get("status") or "")
        if status not in WITHDRAWAL_UPDATE_STATUSES:
            return self.fail(422, "The selected status is invalid.", {"status": [status or "required"]})
        proof = request.FILES.get("transfer_proof")
        with self.lock:
            state = self.fin()
            row = state["withdrawals"].get(withdrawal_id)
            if row is None:
                return self.fail(404, "Withdrawal not found.")
            if row["status"] == status:
                return self.ok(message="Withdrawal successfully updated.", data=self._fin_public(row))
            if status not in self.FIN_WITHDRAWAL_MOVES.get(row["status"], set()):
                return self.fail(400, f"Withdrawal is {row['status']} and cannot become {status}.")
            if status == "completed":
                if proof is None:
                    return self.fail(422, "The transfer proof field is required.", {"transfer_proof": ["required"]})
                head = proof.read(16)
                if proof.size > TRANSFER_PROOF_MAX_BYTES or not (
                        head.startswith((b"%PDF-", b"\x89PNG", b"\xff\xd8\xff", b"GIF8"))
                        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")):
                    return self.fail(422, "The transfer proof must be an image or a PDF of at most 5 MB.",
                                     {"transfer_proof": ["invalid"]})
                row["transfer_proof"] = f"https://storage.komship.sandbox/withdrawal/{withdrawal_id}/{proof.name}"
                if row["partner_id"] == PARTNER_ID:
                    self._fin_transaction(state, 4, row["nominal"], time.time(), reference=f"WD{withdrawal_id}")
            notes = request.POST.get("notes")
            if notes is not None:
                row["notes"] = str(notes)
            row["status"] = status
            row["updated_at"] = wib_text(time.time())
            return self.ok(message="Withdrawal successfully updated.", data=self._fin_public(row))

    def view_bank_accounts(self, request):
        if bad := self._method(request, "GET") or self._auth(request):
            return bad
        with self.lock:
            return self.ok(data=list(self.fin()["banks"].values()))

    def view_bank_account_store(self, request):
        if bad := self._method(request, "POST") or self._auth(request):
            return bad
        body = json_body(request)
        errors = {name: ["required"] for name in ("bank_name", "account_name", "account_no") if not body.get(name)}
        if body.get("account_no") is not None and not isinstance(body.get("account_no"), int):
            errors["account_no"] = ["must be an integer"]
        if errors:
            return self.fail(422, "The given data was invalid.", errors)
        with self.lock:
            state = self.fin()
            bank_id = state["next_bank_id"]
            state["next_bank_id"] += 1
            state["banks"][bank_id] = {"bank_account_id": bank_id, "account_name": str(body["account_name"]),
                                       "bank_name": str(body["bank_name"]), "account_no": str(body["account_no"]),
                                       "is_default": 0 if state["banks"] else 1}
        return self.ok(message="Bank Account stored successfully")

    def view_bank_account_update(self, request, bank_account_id):
        if bad := self._method(request, "POST") or self._auth(request):
            return bad
        body = json_body(request)
        with self.lock:
            bank = self.fin()["banks"].get(bank_account_id)
            if bank is None:
                return self.fail(404, "Bank account not found.")
            for ours, theirs in (("bank_name", "bank_name"), ("account_name", "account_name"),
                                 ("account_no", "account_no")):
                if body.get(theirs):
                    bank[ours] = str(body[theirs])
        return self.ok(message="Bank Account updated successfully")

    def view_bank_account_delete(self, request, bank_account_id):
        if bad := self._method(request, "DELETE") or self._auth(request):
            return bad
        with self.lock:
            banks = self.fin()["banks"]
            bank = banks.get(bank_account_id)
            if bank is None:
                return self.fail(404, "Bank account not found.")
            if bank["is_default"]:
                return self.fail(400, "Can't delete the default bank account.")
            del banks[bank_account_id]
        return self.ok(message="Bank Account deleted successfully.")

    def finance_routes(self) -> list:
        e = self.endpoint
        return [
            path("v1/dashboard/partner/balanceSummary", e(self.view_balance_summary)),
            path("v2/partner/order-transaction-balance", e(self.view_transactions)),
            path("v1/admin/withdrawal", e(self.view_admin_withdrawals)),
            path("v1/admin/withdrawal/detail/<int:withdrawal_id>", e(self.view_admin_withdrawal_detail)),
            path("v1/admin/withdrawal/update/<int:withdrawal_id>", e(self.view_admin_withdrawal_update)),
            path("v1/bank-account", e(self.view_bank_accounts)),
            path("v1/bank-account/store", e(self.view_bank_account_store)),
            path("v1/bank-account/update/<int:bank_account_id>", e(self.view_bank_account_update)),
            path("v1/bank-account/delete/<int:bank_account_id>", e(self.view_bank_account_delete)),
            *self.logistics_routes(),
            *self.ticket_routes(),
        ]



def _json_list(request) -> list | None:
    """A non-empty JSON array body, or None (the documented 422 follows)."""
    try:
        items = json.loads(request.body or b"[]")
    except ValueError:
        return None
    return items if isinstance(items, list) and items else None


sandbox = KomshipSandbox()
