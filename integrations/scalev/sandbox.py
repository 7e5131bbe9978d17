"""Scalev v3 simulator: the documented contract (shared/reference/scalev/openapi.json, the current public
spec) with stateful orders, products and variants, cursor pagination (page_size ≤ 25, opaque
next_cursor / previous_cursor), bearer API keys and the spec's ApiErrorResponse error shape.

Mounted relative to the account's base URL, which for Scalev is the host alone: /v3/orders, … .
Row shapes: every key of the documents' samples (sandbox_shapes.json holds neutral values for each,
derived from the seed's samples with the current spec's types: UUID order ids, flat payment_method,
no sub_payment_method), filled with realistic Indonesian data.

Choices where the documents are silent (see also endpoints.py):
- `draft_time` = `created_at` for every order; `draft_time_until` filters on it.
- list rows carry no `orderlines` (the seed's list sample has none); detail, create and change
  answers do. `shipped_rts` is never served: the spec's order response enums do not include it.
- a variant's stock lives in `metadata["backoffice_stock"]` (no stock field is documented).
- 401 body {"error": "Invalid API key"} (API-key guide); 404 {"error": "Not found", "error_code":
  "not_found"}; 400/422 ApiErrorResponse with `errors` per field.
"""

import base64
import json
import random
import time
import uuid
from bisect import bisect_left, insort
from datetime import UTC, datetime
from pathlib import Path

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from integrations.sandbox_kit import Sandbox, SeedPlan, bearer_token, json_body
from integrations.scalev.endpoints import METADATA_STOCK_KEY, PAGE_SIZE_MAX
from integrations.scalev.sandbox_logistics import ScalevLogisticsMixin

SHAPES = json.loads((Path(__file__).with_name("sandbox_shapes.json")).read_text(encoding="utf-8"))
_SHAPE_TEXT = {name: json.dumps(shape) for name, shape in SHAPES.items()}

STATUSES = ("draft", "pending", "confirmed", "in_process", "ready", "shipped", "completed", "rts", "canceled",
            "closed")
STATUS_WEIGHTS = (2, 8, 10, 8, 6, 14, 34, 4, 10, 4)
SETTABLE_STATUSES = frozenset(STATUSES)
PAYMENT_STATUSES = ("unpaid", "paid", "conflict", "settled")
PAYMENT_METHODS = ("cod", "cod", "cod", "bank_transfer", "bank_transfer", "va_bca", "va_bni", "va_bri",
                   "va_mandiri", "qris", "gopay", "ovo", "dana", "shopeepay")
ALL_PAYMENT_METHODS = frozenset({
    "va_bca", "va_bni", "va_bri", "va_mandiri", "va_permata", "va_cimb", "va_bsi", "va_maybank", "va_bnc",
    "va_danamon", "va_artha_graha", "va_muamalat", "va_btn", "va_ocbc", "va_bjb", "va_sahabat_sampoerna",
    "va_artajasa", "qris", "card", "invoice", "payment_link", "alfamart", "ovo", "dana", "shopeepay", "linkaja",
    "gopay", "no_payment", "bank_transfer", "marketplace", "cod",
})
FIRST = ("Budi", "Siti", "Agus", "Dewi", "Rizky", "Putri", "Andi", "Rina", "Wahyu", "Fitri", "Dedi", "Ayu", "Eko",
         "Nur", "Hendra", "Lestari", "Joko", "Indah", "Bayu", "Sri", "Yusuf", "Ratna", "Fajar", "Maya")
LAST = ("Santoso", "Wijaya", "Saputra", "Lestari", "Hidayat", "Pratama", "Nugroho", "Kurniawan", "Siregar",
        "Simanjuntak", "Rahmawati", "Setiawan", "Hasibuan", "Gunawan", "Susanti", "Halim", "Nasution")
PLACES = (  # subdistrict (kecamatan), city, province, postal code
    ("Gayungan", "Kota Surabaya", "Jawa Timur", "60235"),
    ("Tebet", "Kota Jakarta Selatan", "DKI Jakarta", "12810"),
    ("Coblong", "Kota Bandung", "Jawa Barat", "40132"),
    ("Banyumanik", "Kota Semarang", "Jawa Tengah", "50264"),
    ("Medan Baru", "Kota Medan", "Sumatera Utara", "20153"),
    ("Depok", "Kabupaten Sleman", "DI Yogyakarta", "55281"),
    ("Denpasar Selatan", "Kota Denpasar", "Bali", "80222"),
    ("Panakkukang", "Kota Makassar", "Sulawesi Selatan", "90231"),
    ("Lowokwaru", "Kota Malang", "Jawa Timur", "65141"),
    ("Ilir Timur I", "Kota Palembang", "Sumatera Selatan", "30114"),
    ("Bekasi Barat", "Kota Bekasi", "Jawa Barat", "17134"),
    ("Cibinong", "Kabupaten Bogor", "Jawa Barat", "16911"),
    ("Balikpapan Kota", "Kota Balikpapan", "Kalimantan Timur", "76111"),
    ("Pontianak Kota", "Kota Pontianak", "Kalimantan Barat", "78117"),
)
STREETS = ("Jl. Merdeka", "Jl. Sudirman", "Jl. Diponegoro", "Jl. Ahmad Yani", "Jl. Gatot Subroto", "Jl. Pahlawan",
           "Jl. Kenanga", "Jl. Melati", "Gg. Mawar", "Jl. Raya Darmo")
COURIERS = (  # courier code, courier name, service name, service code
    ("jne", "JNE", "REG", "JNE_REG"), ("jne", "JNE", "YES", "JNE_YES"), ("jnt", "J&T Express", "EZ", "JNT_EZ"),
    ("sicepat", "SiCepat", "REG", "SICEPAT_REG"), ("anteraja", "AnterAja", "Regular", "ANTERAJA_REG"),
    ("ninja", "Ninja Xpress", "Standard", "STANDARD"), ("sap", "SAP Express", "REG", "SAP_REG"),
    ("ide", "ID Express", "STD", "IDE_STD"),
)
PRODUCTS = (  # name, sku stem, base price, weight grams, option name, option values
    ("Kaos Polos Hitam", "KAOS-HTM", 75000, 200, "Ukuran", ("S", "M", "L", "XL")),
    ("Kaos Polos Putih", "KAOS-PTH", 75000, 200, "Ukuran", ("S", "M", "L", "XL")),
    ("Kemeja Batik Pria", "BATIK-PR", 185000, 300, "Ukuran", ("M", "L", "XL")),
    ("Hijab Segi Empat", "HIJAB-SE", 55000, 120, "Warna", ("HITAM", "NAVY", "MOCCA")),
    ("Gamis Syari", "GAMIS-SY", 245000, 500, "Ukuran", ("M", "L", "XL")),
    ("Kopi Gayo 250g", "KOPI-GAYO", 89000, 270, "Giling", ("BIJI", "BUBUK")),
    ("Sambal Bawang", "SMBL-BWG", 35000, 250, "Level", ("SEDANG", "PEDAS")),
    ("Madu Hutan 500ml", "MADU-HTN", 120000, 650, "", ()),
    ("Sandal Jepit Karet", "SNDL-JPT", 25000, 300, "Ukuran", ("39", "40", "41", "42")),
    ("Tas Rajut Wanita", "TAS-RJT", 150000, 400, "Warna", ("COKLAT", "KREM")),
    ("Serum Wajah 20ml", "SRUM-WJH", 99000, 100, "", ()),
    ("Celana Chino Pria", "CHINO-PR", 165000, 450, "Ukuran", ("30", "32", "34")),
)
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(text: str) -> float | None:
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def _uuid7(ts: float, bits: int) -> str:
    """A UUIDv7 (RFC 9562): 48-bit millisecond time, version 7, variant 10, 74 random bits."""
    value = (int(ts * 1000) & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76 | (bits >> 62 & 0xFFF) << 64 | 0b10 << 62 | (bits & ((1 << 62) - 1))
    return str(uuid.UUID(int=value))


def _money(value: float) -> str:
    return f"{value:.2f}"


def _shape(name: str) -> dict:
    return json.loads(_SHAPE_TEXT[name])


def _fill(row: dict, values: dict) -> None:
    """Set the documented keys of `row` (a shape) only: each shape keeps exactly its sample's keys."""
    row.update({key: value for key, value in values.items() if key in row})


def _encode_cursor(key: tuple[float, str]) -> str:
    return base64.urlsafe_b64encode(f"{key[0]!r}|{key[1]}".encode()).decode().rstrip("=")


def _decode_cursor(text: str) -> tuple[float, str] | None:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        ts, ident = raw.split("|", 1)
        return float(ts), ident
    except (ValueError, UnicodeDecodeError):
        return None


class ScalevSandbox(ScalevLogisticsMixin, Sandbox):
    platform = "scalev"
    tokens = frozenset({"demo-scalev-token"})

    def __init__(self) -> None:
        super().__init__()
        self.server_page_cap: int | None = None  # test knob: serve fewer rows than asked for
        self._init_store()

    def _init_store(self) -> None:
        self.orders: dict[str, dict] = {}  # materialised records
        self._lazy: dict[str, tuple[float, int]] = {}  # id -> (created, bits) of seeded, not yet built ones
        self.order_keys: list[tuple[float, str]] = []  # ascending (created_at, id); served descending
        self.products: dict[int, dict] = {}
        self.variants: dict[str, dict] = {}  # by numeric id (as text), unique_id and uuid
        self._next_product_id = 1000
        self._next_variant_id = 50000
        self._rng = random.Random(0)
        self._last_tick = time.time()

    # Seeding ---------------------------------------------------------------------------------------
    def seed(self, plan: SeedPlan) -> None:
        with self.lock:
            self._init_store()
            rng = self._rng = random.Random(plan.seed)
            now = time.time()
            for index in range(max(plan.products, 0)):
                self._seed_product(rng, index, now - rng.random() * 180 * 86400)
            catalog = [v for p in self.products.values() for v in p["variants"]]
            if not catalog:  # orders still need items when no products were asked for
                catalog = [self._make_variant(rng, {"id": 0, "name": name, "option1_name": opt}, sku, price,
                                              weight, {"option1_value": values[0]} if values else {}, now)
                           for name, sku, price, weight, opt, values in PRODUCTS]
            self._catalog = catalog
            # Orders are generated lazily: the seed keeps (created_at, id, bits) and a row is built from
            # random.Random(bits) the first time it is served, so 100,000 orders seed in well under a second.
            keyed = []
            lazy = self._lazy
            for _ in range(max(plan.orders, 0)):
                created = now - rng.random() * 90 * 86400
                bits = rng.getrandbits(74)
                ident = _uuid7(created, bits)
                lazy[ident] = (created, bits)
                keyed.append((created, ident))
            keyed.sort()
            self.order_keys = keyed
            self._last_tick = now

    def _seed_product(self, rng: random.Random, index: int, created: float) -> None:
        name, stem, price, weight, option, values = PRODUCTS[index % len(PRODUCTS)]
        if index >= len(PRODUCTS):
            name = f"{name} Seri {index // len(PRODUCTS) + 1}"
            stem = f"{stem}{index // len(PRODUCTS) + 1}"
        product = self._new_product(name=name, description=f"{name} kualitas terbaik, siap kirim.",
                                    option1_name=option or None, created=created)
        for value in values or ("",):
            sku = f"{stem}-{value}" if value else stem
            variant = self._make_variant(rng, product, sku, price + rng.choice((0, 0, 5000, 10000)), weight,
                                         {"option1_value": value} if value else {}, created)
            variant["metadata"] = {METADATA_STOCK_KEY: rng.randint(0, 150)}
            self._add_variant(product, variant)

    def _new_product(self, *, name: str, description: str = "", option1_name=None, option2_name=None,
                     option3_name=None, created: float | None = None) -> dict:
        self._next_product_id += 1
        created = created or time.time()
        product = {
            "id": self._next_product_id, "uuid": str(uuid.UUID(int=self._rng.getrandbits(128), version=4)),
            "name": name, "description": description, "option1_name": option1_name, "option2_name": option2_name,
            "option3_name": option3_name, "created": created, "updated": created, "variants": [],
            "is_inventory": True, "is_multiple": bool(option1_name), "item_type": "physical",
        }
        self.products[product["id"]] = product
        return product

    def _make_variant(self, rng, product: dict, sku: str, price: float, weight: int, options: dict,
                      created: float) -> dict:
        self._next_variant_id += 1
        values = [options.get(f"option{n}_value") or "" for n in (1, 2, 3)]
        label = " / ".join(v for v in values if v)
        return {
            "id": self._next_variant_id,
            "unique_id": "variant_" + "".join(rng.choice(ALNUM) for _ in range(24)),
            "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "product": product, "sku": sku, "price": float(price), "weight": int(weight),
            "option_values": values, "name": f"{product['name']} - {label}" if label else product["name"],
            "is_checked": True, "metadata": {}, "created": created, "updated": created,
        }

    def _add_variant(self, product: dict, variant: dict) -> None:
        product["variants"].append(variant)
        for key in (str(variant["id"]), variant["unique_id"], variant["uuid"]):
            self.variants[key] = variant

    def _remove_variant(self, variant: dict) -> None:
        variant["product"]["variants"].remove(variant)
        for key in (str(variant["id"]), variant["unique_id"], variant["uuid"]):
            self.variants.pop(key, None)

    def _record(self, ident: str) -> dict | None:
        record = self.orders.get(ident)
        if record is None and ident in self._lazy:
            created, bits = self._lazy.pop(ident)
            record = self._make_order(random.Random(bits), created, self._catalog, ident=ident)
            self.orders[ident] = record
        return record

    def _make_order(self, rng: random.Random, created: float, catalog: list, *, status: str | None = None,
                    ident: str | None = None) -> dict:
        status = status or rng.choices(STATUSES, STATUS_WEIGHTS)[0]
        method = rng.choice(PAYMENT_METHODS)
        if method == "cod":
            payment = rng.choice(("paid", "settled")) if status in ("completed", "closed") else "unpaid"
        elif status in ("draft", "pending"):
            payment = "unpaid"
        else:
            payment = rng.choices(("paid", "settled", "conflict"), (70, 25, 5))[0]
        lines = [(rng.choice(catalog), rng.choice((1, 1, 1, 2, 3))) for _ in range(rng.choice((1, 1, 2, 3)))]
        place = rng.choice(PLACES)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        digits = "".join(rng.choice("0123456789") for _ in range(rng.choice((8, 9))))
        phone = ("628" if rng.random() < 0.8 else "08") + "1" + digits
        courier = rng.choice(COURIERS)
        product_price = sum(v["price"] * q for v, q in lines)
        shipping = float(rng.choice((9000, 11000, 15000, 19000, 24000, 32000)))
        unique_code = float(rng.randint(1, 500)) if method == "bank_transfer" else 0.0
        other_income = float(round(product_price * 0.03 / 100) * 100) if method == "cod" else 0.0
        discount = float(rng.choice((0, 0, 0, 5000, 10000)))
        times = {"draft_time": created}
        step = created
        for word in ("pending", "confirmed", "in_process", "ready", "shipped", "completed", "closed"):
            if status in ("draft",) or (status in ("canceled", "rts") and word == "in_process"):
                break
            step += rng.uniform(600, 86400)
            times[f"{word}_time"] = step
            if word == status:
                break
        if status == "canceled":
            times["canceled_time"] = step + rng.uniform(600, 86400)
        if status == "rts":
            times["shipped_time"] = step + 3600
            times["rts_time"] = step + 5 * 86400
        updated = max(times.values())
        return {
            "id": ident or _uuid7(created, rng.getrandbits(74)),
            "order_id": datetime.fromtimestamp(created, UTC).strftime("%y%m%d")
            + "".join(rng.choice(UPPER) for _ in range(6)),
            "created": created, "updated": updated, "status": status, "payment_status": payment,
            "payment_method": method, "name": f"{first} {last}", "phone": phone,
            "email": f"{first.lower()}.{last.lower()}{rng.randint(1, 99)}@gmail.com",
            "address": f"{rng.choice(STREETS)} No. {rng.randint(1, 200)}, RT {rng.randint(1, 12):02d}/RW "
                       f"{rng.randint(1, 9):02d}",
            "place": place, "courier": courier, "lines": lines, "product_price": product_price,
            "shipping_cost": shipping, "unique_code": unique_code, "other_income": other_income,
            "product_discount": discount, "times": times, "notes": rng.choice(("", "", "Tolong packing rapi",
                                                                                 "Kirim sore hari")),
            "receipt": (courier[0].upper() + "".join(rng.choice("0123456789") for _ in range(12)))
            if status in ("shipped", "completed", "rts", "closed") else None,
            "metadata": {},
        }

    def tick(self) -> None:
        now = time.time()
        if now - self._last_tick < 20 or not getattr(self, "_catalog", None):
            return
        self._last_tick = now
        for _ in range(self._rng.randint(1, 3)):
            record = self._make_order(self._rng, now, self._catalog, status="pending")
            self._insert_order(record)

    def _insert_order(self, record: dict) -> None:
        self.orders[record["id"]] = record
        insort(self.order_keys, (record["created"], record["id"]))

    # Rendering -------------------------------------------------------------------------------------
    def _gross(self, r: dict) -> float:
        return (r["product_price"] - r["product_discount"] + r["shipping_cost"] + r["other_income"]
                - r["unique_code"])

    def _fill_common(self, row: dict, r: dict, *, as_strings: bool) -> dict:
        num = _money if as_strings else float
        place = r["place"]
        courier_code, courier_name, service_name, service_code = r["courier"]
        gross = self._gross(r)
        net = r["product_price"] - r["product_discount"] - r["unique_code"]
        row.update({
            "id": r["id"], "order_id": r["order_id"], "secret_slug": r["id"].replace("-", "")[:40],
            "status": r["status"], "payment_status": r["payment_status"], "payment_method": r["payment_method"],
            "created_at": _iso(r["created"]), "last_updated_at": _iso(r["updated"]),
            "product_price": num(r["product_price"]), "product_discount": num(r["product_discount"]),
            "shipping_cost": num(r["shipping_cost"]), "shipping_discount": num(0),
            "other_income": num(r["other_income"]), "other_income_name": "Biaya COD" if r["other_income"] else "",
            "unique_code_discount": num(r["unique_code"]), "gross_revenue": _money(gross),
            "net_revenue": num(net), "net_payment_revenue": _money(gross), "discount_code_discount": _money(0),
            "payment_fee": num(0), "scalev_fee": num(0), "notes": r["notes"], "metadata": dict(r["metadata"]),
            "shipment_receipt": r["receipt"], "platform": "scalev", "is_probably_spam": False,
            "total_weight": sum(v["weight"] * q for v, q in r["lines"]) if not as_strings
            else _money(sum(v["weight"] * q for v, q in r["lines"])),
            "final_variants": {v["name"]: q for v, q in r["lines"]},
            "awb_ca_status": "created" if r["receipt"] else "unavailable",
            "awb_status": "created" if r["receipt"] else "unavailable",
        })
        for word in ("draft", "pending", "confirmed", "shipped", "completed", "rts", "canceled", "closed"):
            value = r["times"].get(f"{word}_time")
            row[f"{word}_time"] = _iso(value) if value else None
        address = row["destination_address"]
        address.update({"name": r["name"], "phone": r["phone"], "address": r["address"], "subdistrict": place[0],
                        "city": place[1], "province": place[2], "postal_code": place[3]})
        customer = row["customer"]
        customer.update({"name": r["name"], "phone": r["phone"], "email": r["email"],
                         "created_at": _iso(r["created"]), "confirmed_at": _iso(r["created"]),
                         "last_updated_at": _iso(r["updated"]), "status": "active"})
        service = row["courier_service"]
        service.update({"code": service_code, "name": service_name})
        service["courier"].update({"code": courier_code, "name": courier_name})
        row["store"].update({"name": "Toko Berkah Jaya", "unique_id": "store_DemoBerkahJaya01"})
        row["warehouse"].update({"name": "Gudang Utama Cirebon", "contact_name": "Admin Gudang"})
        return row

    def order_row(self, r: dict) -> dict:
        return self._fill_common(_shape("order_row"), r, as_strings=False)

    def order_detail(self, r: dict) -> dict:
        row = self._fill_common(_shape("order_detail"), r, as_strings=True)
        lines = []
        for variant, quantity in r["lines"]:
            line = _shape("orderline")
            price = variant["price"]
            product = variant["product"]
            values = variant["option_values"]
            line.update({
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"scalev-orderline:{r['id']}:{variant['id']}")),
                "variant": variant["id"], "product_name": product["name"], "variant_sku": variant["sku"],
                "variant_option1_value": values[0], "variant_option2_value": values[1],
                "variant_option3_value": values[2], "quantity": quantity, "weight": float(variant["weight"]),
                "product_price": price * quantity, "product_price_bt": price * quantity, "variant_price": price,
                "variant_price_bt": price, "discount": 0.0, "discount_bt": 0.0, "discount_rate": 0.0,
                "discount_code_discount": 0.0, "discount_code_discount_bt": 0.0, "tax_rate": 0.0,
                "cogs": round(price * 0.4 * quantity, 2), "cogs_bt": round(price * 0.4 * quantity, 2),
                "variant_cogs": round(price * 0.4, 2), "variant_cogs_bt": round(price * 0.4, 2),
                "variant_reseller_price": price, "variant_reseller_price_bt": price,
                "reseller_product_price": price * quantity, "reseller_product_price_bt": price * quantity,
                "inserted_at": _iso(r["created"]), "interval_count": 0, "product_business": 1,
            })
            lines.append(line)
        row["orderlines"] = lines
        row["total_quantity"] = sum(q for _v, q in r["lines"])
        for word in ("in_process", "ready"):
            value = r["times"].get(f"{word}_time")
            row[f"{word}_time"] = _iso(value) if value else None
        paid = r["payment_status"] in ("paid", "settled")
        row["unpaid_time"] = _iso(r["created"])
        row["paid_time"] = _iso(r["updated"]) if paid else None
        row["conflict_time"] = _iso(r["updated"]) if r["payment_status"] == "conflict" else None
        row["status_history"] = [{"by": None, "status": word.removesuffix("_time"), "time": _iso(ts)}
                                 for word, ts in sorted(r["times"].items(), key=lambda kv: kv[1])]
        row["tags"] = []
        row["shipment_status_history"] = self.shipment_history(r)
        return row

    def product_detail(self, p: dict) -> dict:
        row = _shape("product_detail")
        _fill(row, {
            "id": p["id"], "uuid": p["uuid"], "name": p["name"], "public_name": p["name"], "display": p["name"],
            "description": p["description"], "rich_description": p["description"],
            "option1_name": p["option1_name"] or "", "option2_name": p["option2_name"] or "",
            "option3_name": p["option3_name"] or "", "is_multiple": p["is_multiple"],
            "is_inventory": p["is_inventory"], "item_type": p["item_type"], "item_type_name": "Physical",
            "created_at": _iso(p["created"]), "last_updated_at": _iso(p["updated"]),
            "variants_count": len(p["variants"]), "slug": f"produk-{p['id']}",
            "variants": [self.variant_json(v, "product_variant") for v in p["variants"]],
        })
        return row

    def product_row(self, p: dict) -> dict:
        row = _shape("product_row")
        _fill(row, {
            "id": p["id"], "uuid": p["uuid"], "name": p["name"], "display": p["name"],
            "description": p["description"], "option1_name": p["option1_name"] or "",
            "option2_name": p["option2_name"] or "", "option3_name": p["option3_name"] or "",
            "is_multiple": p["is_multiple"], "is_inventory": p["is_inventory"], "item_type": p["item_type"],
            "item_type_name": "Physical", "created_at": _iso(p["created"]), "last_updated_at": _iso(p["updated"]),
        })
        summaries = []
        for v in p["variants"]:
            summary = _shape("product_row_variant")
            _fill(summary, {"id": v["id"], "unique_id": v["unique_id"], "uuid": v["uuid"], "name": v["name"],
                            "product_name": p["name"], "weight": v["weight"], "is_checked": v["is_checked"],
                            "metadata": dict(v["metadata"]), "item_type": "physical"})
            summaries.append(summary)
        row["variants"] = summaries
        return row

    def variant_json(self, v: dict, shape: str = "variant_detail") -> dict:
        row = _shape(shape)
        p = v["product"]
        values = v["option_values"]
        _fill(row, {
            "id": v["id"], "unique_id": v["unique_id"], "uuid": v["uuid"], "sku": v["sku"], "name": v["name"],
            "fullname": v["name"], "display": v["name"], "product_name": p["name"], "price": v["price"],
            "price_bt": v["price"], "reseller_price": v["price"], "reseller_price_bt": v["price"],
            "cogs": round(v["price"] * 0.4, 2), "cogs_bt": round(v["price"] * 0.4, 2), "weight": v["weight"],
            "option1_value": values[0], "option2_value": values[1], "option3_value": values[2],
            "is_checked": v["is_checked"], "metadata": dict(v["metadata"]), "item_type": "physical",
            "created_at": _iso(v["created"]), "last_updated_at": _iso(v["updated"]), "product_id": p["id"],
        })
        if isinstance(row.get("product"), dict):
            row["product"].update({"id": p["id"], "uuid": p["uuid"], "name": p["name"], "display": p["name"],
                                   "description": p["description"], "is_multiple": p["is_multiple"],
                                   "is_inventory": p["is_inventory"], "option1_name": p["option1_name"] or "",
                                   "option2_name": p["option2_name"] or "", "option3_name": p["option3_name"] or "",
                                   "item_type_name": "Physical"})
        return row

    # HTTP helpers ----------------------------------------------------------------------------------
    def error_body(self, status: int, message: str) -> HttpResponse:
        if status == 429:  # the guide: a 429 body may be plain text
            return HttpResponse(message, status=429, content_type="text/plain")
        return JsonResponse({"error": message, "error_code": {401: "unauthorized", 404: "not_found"}.get(
            status, "server_error" if status >= 500 else "bad_request"), "message": message}, status=status)

    def _invalid(self, errors: dict, status: int = 400) -> JsonResponse:
        return JsonResponse({"error": "Validation failed", "error_code": "validation_error",
                             "message": "Validation failed", "errors": errors}, status=status)

    def _not_found(self) -> JsonResponse:
        return JsonResponse({"error": "Not found", "error_code": "not_found", "message": "Not found", "errors": {}},
                            status=404)

    def view(self, handlers: dict):
        """Route by method, check the bearer API key, then call the handler."""

        def dispatch(request: HttpRequest, **kwargs):
            handler = handlers.get(request.method)
            if handler is None:
                return JsonResponse({"error": "Method not allowed", "error_code": "method_not_allowed",
                                     "message": "Method not allowed"}, status=405)
            token = bearer_token(request)
            if token not in self.tokens:
                return JsonResponse({"error": "Invalid API key"}, status=401)
            with self.lock:
                return handler(request, **kwargs)

        return self.endpoint(dispatch)

    def routes(self) -> list:
        return [
            *self.logistics_routes(),  # before v3/orders/<id>, which would take v3/orders/generate-awb
            path("v3/orders", self.view({"GET": self._orders_list, "POST": self._order_create})),
            path("v3/orders/change-status", self.view({"POST": self._orders_change_status})),
            path("v3/orders/delete", self.view({"POST": self._orders_delete})),
            path("v3/orders/<str:order_id>", self.view({"GET": self._order_detail})),
            path("v3/products", self.view({"GET": self._products_list, "POST": self._product_create})),
            path("v3/products/<str:product_id>", self.view({"GET": self._product_detail, "PATCH": self._product_update,
                                                            "DELETE": self._product_delete})),
            path("v3/products/<str:product_id>/variants", self.view({"POST": self._variant_create})),
            path("v3/variants/<str:variant_id>", self.view({"GET": self._variant_detail,
                                                            "PATCH": self._variant_update,
                                                            "DELETE": self._variant_delete})),
        ]

    def _page_size(self, request: HttpRequest) -> int | JsonResponse:
        text = request.GET.get("page_size", str(PAGE_SIZE_MAX))
        try:
            size = int(text)
        except ValueError:
            return self._invalid({"page_size": ["is invalid"]})
        if size < 1:
            return self._invalid({"page_size": ["must be greater than 0"]})
        size = min(size, PAGE_SIZE_MAX)  # a larger request is clamped to the documented maximum
        return min(size, self.server_page_cap) if self.server_page_cap else size

    # Orders ----------------------------------------------------------------------------------------
    def _order_matches(self, r: dict, query) -> bool:
        for key in ("status", "payment_status", "payment_method"):
            if query.get(key) and r[key] != query[key]:
                return False
        for word in ("confirmed", "shipped", "completed"):
            since, until = query.get(f"{word}_time_since"), query.get(f"{word}_time_until")
            value = r["times"].get(f"{word}_time")
            if (since or until) and value is None:
                return False
            if since and value < since:
                return False
            if until and value > until:
                return False
        if query.get("order_id") and r["order_id"] != query["order_id"]:
            return False
        search = (query.get("search") or "").strip().lower()
        if search:
            field = query.get("search_field") or "order_id"
            haystack = {"customer_name": r["name"], "customer_phone": r["phone"], "customer_email": r["email"],
                        "shipment_receipt": r["receipt"] or "", "gross_revenue": _money(self._gross(r))}.get(
                field, r["order_id"])
            if search not in haystack.lower():
                return False
        return True

    def _orders_list(self, request: HttpRequest) -> JsonResponse:
        size = self._page_size(request)
        if isinstance(size, JsonResponse):
            return size
        query: dict = {k: request.GET.get(k) for k in ("status", "payment_status", "payment_method", "order_id",
                                                        "search", "search_field")}
        for name in ("draft_time_until", "confirmed_time_since", "confirmed_time_until", "shipped_time_since",
                     "shipped_time_until", "completed_time_since", "completed_time_until"):
            if request.GET.get(name):
                parsed = _parse_time(request.GET[name])
                if parsed is None:
                    return self._invalid({name: ["is invalid"]})
                query[name] = parsed
        start = len(self.order_keys)
        if query.get("draft_time_until") is not None:
            start = bisect_left(self.order_keys, (query["draft_time_until"], "\uffff"))
        cursor_text = request.GET.get("next_cursor")
        if cursor_text:
            key = _decode_cursor(cursor_text)
            if key is None:
                return self._invalid({"next_cursor": ["is invalid"]})
            start = min(start, bisect_left(self.order_keys, key))
        filtered = any(query.get(k) for k in ("status", "payment_status", "payment_method", "order_id", "search",
                                             "confirmed_time_since", "confirmed_time_until", "shipped_time_since",
                                             "shipped_time_until", "completed_time_since", "completed_time_until"))
        rows: list[dict] = []
        index = start - 1
        while index >= 0 and len(rows) < size:
            record = self._record(self.order_keys[index][1])
            if not filtered or self._order_matches(record, query):
                rows.append(record)
            index -= 1
        has_next = False
        probe = index
        while probe >= 0:  # is there one more matching row below?
            if not filtered or self._order_matches(self._record(self.order_keys[probe][1]), query):
                has_next = True
                break
            probe -= 1
        return JsonResponse({
            "data": [self.order_row(r) for r in rows],
            "is_paginated": True,
            "has_next": has_next,
            "has_previous": bool(cursor_text),
            "next_cursor": _encode_cursor((rows[-1]["created"], rows[-1]["id"])) if has_next and rows else None,
            "previous_cursor": _encode_cursor((rows[0]["created"], rows[0]["id"])) if cursor_text and rows
            else None,
            "page_size": size,
        })

    def _order_detail(self, request: HttpRequest, order_id: str) -> JsonResponse:
        record = self._record(order_id)
        return JsonResponse(self.order_detail(record)) if record else self._not_found()

    def _order_create(self, request: HttpRequest) -> JsonResponse:
        body = json_body(request)
        errors: dict[str, list[str]] = {}
        for field in ("store_unique_id", "customer_name"):
            if not isinstance(body.get(field), str) or not body.get(field):
                errors[field] = ["can't be blank"]
        method = body.get("payment_method")
        if method is not None and method not in ALL_PAYMENT_METHODS:
            errors["payment_method"] = ["is invalid"]
        lines = []
        for index, item in enumerate(body.get("ordervariants") or []):
            variant = self.variants.get(str(item.get("variant_unique_id", ""))) if isinstance(item, dict) else None
            quantity = item.get("quantity") if isinstance(item, dict) else None
            if variant is None:
                errors[f"ordervariants.{index}.variant_unique_id"] = ["does not exist"]
            elif not isinstance(quantity, int) or quantity < 1:
                errors[f"ordervariants.{index}.quantity"] = ["must be greater than 0"]
            else:
                lines.append((variant, quantity))
        if not lines and "ordervariants" not in errors:
            errors.setdefault("ordervariants", ["can't be blank"])
        if errors:
            return self._invalid(errors)
        now = time.time()
        rng = self._rng
        address = str(body.get("address") or "")
        place = next((p for p in PLACES if p[1].lower() in address.lower()), ("", "", "", ""))
        record = self._make_order(rng, now, self._catalog or [lines[0][0]], status="pending")
        record.update({
            "payment_method": method or "bank_transfer", "payment_status": "unpaid",
            "name": body["customer_name"], "phone": str(body.get("customer_phone") or ""),
            "email": str(body.get("customer_email") or ""), "address": address,
            "place": (place[0], place[1], place[2], str(body.get("postal_code") or place[3])),
            "lines": lines, "product_price": sum(v["price"] * q for v, q in lines),
            "shipping_cost": float(body.get("shipping_cost") or 0),
            "product_discount": float(body.get("product_discount") or 0),
            "other_income": float(body.get("other_income") or 0), "unique_code": 0.0,
            "notes": str(body.get("notes") or ""), "metadata": dict(body.get("metadata") or {}),
            "receipt": None, "times": {"draft_time": now, "pending_time": now}, "updated": now,
        })
        self._insert_order(record)
        return JsonResponse(self.order_detail(record))

    def _ids(self, body: dict) -> list | JsonResponse:
        ids = body.get("ids")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str | int) for i in ids):
            return self._invalid({"ids": ["must be a non-empty list of order ids"]})
        return ids

    def _orders_change_status(self, request: HttpRequest) -> JsonResponse:
        body = json_body(request)
        ids = self._ids(body)
        if isinstance(ids, JsonResponse):
            return ids
        status, payment = body.get("status"), body.get("payment_status")
        if not status and not payment:
            return self._invalid({"status": ["status or payment_status is required"]})
        if status and status not in SETTABLE_STATUSES:
            return self._invalid({"status": ["is invalid"]})
        if payment and payment not in PAYMENT_STATUSES:
            return self._invalid({"payment_status": ["is invalid"]})
        now = time.time()
        changed = []
        for ident in ids:
            record = self._record(str(ident))
            if record is None:
                continue
            if status:
                record["status"] = status
                record["times"][f"{status}_time"] = now
            if payment:
                record["payment_status"] = payment
            record["updated"] = now
            changed.append({"id": record["id"], "order_id": record["order_id"], "status": record["status"],
                            "payment_status": record["payment_status"]})
        return JsonResponse({"data": changed, "is_paginated": False})

    def _orders_delete(self, request: HttpRequest) -> JsonResponse:
        ids = self._ids(json_body(request))
        if isinstance(ids, JsonResponse):
            return ids
        deleted = []
        for ident in ids:
            record = self._record(str(ident))
            if record is not None:
                del self.orders[record["id"]]
                self.order_keys.remove((record["created"], record["id"]))
                deleted.append(record["id"])
        return JsonResponse({"data": deleted, "is_paginated": False})

    # Products --------------------------------------------------------------------------------------
    def _product(self, product_id: str) -> dict | None:
        try:
            return self.products.get(int(product_id))
        except ValueError:
            return next((p for p in self.products.values() if p["uuid"] == product_id), None)

    def _products_list(self, request: HttpRequest) -> JsonResponse:
        size = self._page_size(request)
        if isinstance(size, JsonResponse):
            return size
        ids = sorted(self.products, reverse=True)  # id descending, fixed (spec listProducts)
        search = (request.GET.get("search") or "").lower()
        if search:
            ids = [i for i in ids if search in self.products[i]["name"].lower()]
        cursor_text = request.GET.get("next_cursor")
        if cursor_text:
            key = _decode_cursor(cursor_text)
            if key is None:
                return self._invalid({"next_cursor": ["is invalid"]})
            ids = [i for i in ids if i < int(key[0])]
        page, rest = ids[:size], ids[size:]
        return JsonResponse({
            "data": [self.product_row(self.products[i]) for i in page],
            "is_paginated": True, "has_next": bool(rest), "has_previous": bool(cursor_text),
            "next_cursor": _encode_cursor((float(page[-1]), "p")) if rest else None,
            "previous_cursor": _encode_cursor((float(page[0]), "p")) if cursor_text and page else None,
            "page_size": size,
        })

    def _product_detail(self, request: HttpRequest, product_id: str) -> JsonResponse:
        product = self._product(product_id)
        return JsonResponse(self.product_detail(product)) if product else self._not_found()

    def _variant_errors(self, body: dict, *, creating: bool) -> dict:
        errors = {}
        for field, kinds in (("price", (int, float)), ("weight", (int,)), ("sku", (str,)), ("is_checked", (bool,)),
                             ("metadata", (dict,))):
            if field in body and (not isinstance(body[field], kinds) or (isinstance(body[field], bool)
                                  and bool not in kinds)):
                errors[field] = ["is invalid"]
            elif creating and field in ("price", "weight") and field not in body:
                errors[field] = ["can't be blank"]
        return errors

    def _apply_variant(self, variant: dict, body: dict) -> None:
        for field in ("sku", "price", "weight", "is_checked"):
            if field in body:
                variant[field] = float(body[field]) if field == "price" else body[field]
        if "metadata" in body:
            variant["metadata"] = dict(body["metadata"])
        values = variant["option_values"]
        for n in (1, 2, 3):
            if body.get(f"option{n}_value") is not None:
                values[n - 1] = str(body[f"option{n}_value"])
        label = " / ".join(v for v in values if v)
        name = variant["product"]["name"]
        variant["name"] = f"{name} - {label}" if label else name
        variant["updated"] = time.time()

    def _product_create(self, request: HttpRequest) -> JsonResponse:
        body = json_body(request)
        errors = {f: ["can't be blank"] for f in ("name", "item_type") if not body.get(f)}
        variants = body.get("variants") or []
        for index, item in enumerate(variants):
            for field, messages in self._variant_errors(item if isinstance(item, dict) else {},
                                                        creating=True).items():
                errors[f"variants.{index}.{field}"] = messages
        if errors:
            return self._invalid(errors)
        product = self._new_product(name=str(body["name"]), description=str(body.get("description") or ""))
        product["is_multiple"] = bool(body.get("is_multiple"))
        product["is_inventory"] = bool(body.get("is_inventory", True))
        for item in variants or [{"price": 0, "weight": 0}]:
            variant = self._make_variant(self._rng, product, "", 0, 0, {}, time.time())
            self._apply_variant(variant, item)
            self._add_variant(product, variant)
        return JsonResponse(self.product_detail(product))

    def _product_update(self, request: HttpRequest, product_id: str) -> JsonResponse:
        product = self._product(product_id)
        if product is None:
            return self._not_found()
        body = json_body(request)
        errors = {f: ["can't be blank"] for f in ("name", "item_type") if not body.get(f)}
        if "variants" in body:
            errors["variants"] = ["use the variant endpoints"]
        if errors:
            return self._invalid(errors)
        product["name"] = str(body["name"])
        if "description" in body:
            product["description"] = str(body["description"] or "")
        for n in (1, 2, 3):
            if f"option{n}_name" in body:
                product[f"option{n}_name"] = body[f"option{n}_name"] or None
        product["updated"] = time.time()
        for variant in product["variants"]:
            self._apply_variant(variant, {})
        return JsonResponse(self.product_detail(product))

    def _product_delete(self, request: HttpRequest, product_id: str) -> HttpResponse:
        product = self._product(product_id)
        if product is None:
            return self._not_found()
        for variant in list(product["variants"]):
            self._remove_variant(variant)
        del self.products[product["id"]]
        return HttpResponse(status=204)

    def _variant_create(self, request: HttpRequest, product_id: str) -> JsonResponse:
        product = self._product(product_id)
        if product is None:
            return self._not_found()
        body = json_body(request)
        errors = self._variant_errors(body, creating=True)
        if errors:
            return self._invalid(errors)
        variant = self._make_variant(self._rng, product, "", 0, 0, {}, time.time())
        self._apply_variant(variant, body)
        self._add_variant(product, variant)
        product["updated"] = time.time()
        return JsonResponse(self.variant_json(variant))

    def _variant_detail(self, request: HttpRequest, variant_id: str) -> JsonResponse:
        variant = self.variants.get(variant_id)
        return JsonResponse(self.variant_json(variant)) if variant else self._not_found()

    def _variant_update(self, request: HttpRequest, variant_id: str) -> JsonResponse:
        variant = self.variants.get(variant_id)
        if variant is None:
            return self._not_found()
        body = json_body(request)
        errors = self._variant_errors(body, creating=False)
        if errors:
            return self._invalid(errors)
        self._apply_variant(variant, body)
        return JsonResponse(self.variant_json(variant))

    def _variant_delete(self, request: HttpRequest, variant_id: str) -> HttpResponse:
        variant = self.variants.get(variant_id)
        if variant is None:
            return self._not_found()
        if len(variant["product"]["variants"]) <= 1:
            return self._invalid({"id": ["cannot delete the last active variant of a product"]})
        self._remove_variant(variant)
        return HttpResponse(status=204)


sandbox = ScalevSandbox()
