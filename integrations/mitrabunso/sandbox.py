"""A stateful simulator of Mitrabunso's order module, as documented in shared/seeds/001 (second reading:
where client and simulator disagree, the document decides). Routes are relative to the sandbox's mount
and start with ``public/``, so an account's base URL is ``…/sandbox/mitrabunso/public`` exactly like the
documented ``http://apiv2.mitrabunso.com/public``.

The choices where the document is silent are listed in endpoints.py; in short: errors are
``{"message", "data": null[, "errors"]}`` with 401 / 404 / 405 / 422, the list is newest first with
``limit`` clamped to PAGE_SIZE_MAX (tests may lower ``page_size_cap``), ``show`` = rows in the answer,
duplicate invoices are accepted, batch_create is all-or-nothing, print_order records ``print_status``.
Any ``id_user`` in the path is accepted (one store per sandbox).

Store: orders in a list ordered by creation time (oldest first) plus a dict by id. Seeded orders keep
only indexes into small pools and build their JSON when served, so 100,000 orders seed in a few seconds.
"""

import bisect
import calendar
import itertools
import json
import random
import time
import uuid
from collections import Counter, defaultdict

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from integrations.mitrabunso.endpoints import ORDER_STATUSES, PAGE_SIZE_MAX, PLATFORM
from integrations.sandbox_kit import Sandbox, SeedPlan, bearer_token

WIB = 7 * 3600  # the platform's clock: Asia/Bangkok / WIB, UTC+7
DAY = 86400
NAMESPACE = uuid.UUID("6f1d2c3b-8a47-4e0b-9c5d-2b7e1a9f4c60")

MSG_LIST = "Data retrieved successfully"
MSG_LOWER = "data retrieved successfully"
MSG_CREATED = "Data has been created succesfully."  # sic
MSG_PRINTED = "data processed successfully"

# (provinceCode, provinceName, cityCode, cityName, districtCode, districtName, postCode)
REGIONS = (
    ("PR001", "Bali", "C001", "Kota Denpasar", "D0001", "Denpasar Selatan", "80222"),
    ("PR001", "Bali", "C003", "Kab. Badung", "D0015", "Kuta", "80361"),
    ("PR002", "Bangka Belitung", "C011", "Kab. Bangka Barat", "D0060", "Tempilang", "33365"),
    ("PR002", "Bangka Belitung", "C013", "Kota Pangkal Pinang", "D0071", "Gerunggang", "33123"),
    ("PR003", "Banten", "C021", "Kota Tangerang", "D0226", "Ciledug", "15153"),
    ("PR003", "Banten", "C023", "Kota Tangerang Selatan", "D0241", "Pamulang", "15417"),
    ("PR003", "Banten", "C024", "Kota Serang", "D0250", "Cipocok Jaya", "42121"),
    ("PR005", "DI Yogyakarta", "C035", "Kota Yogyakarta", "D0351", "Gondokusuman", "55221"),
    ("PR005", "DI Yogyakarta", "C036", "Kab. Sleman", "D0362", "Depok", "55281"),
    ("PR006", "DKI Jakarta", "C041", "Kota Jakarta Selatan", "D0401", "Kebayoran Baru", "12110"),
    ("PR006", "DKI Jakarta", "C042", "Kota Jakarta Timur", "D0415", "Cakung", "13910"),
    ("PR006", "DKI Jakarta", "C043", "Kota Jakarta Barat", "D0428", "Grogol Petamburan", "11450"),
    ("PR006", "DKI Jakarta", "C044", "Kota Jakarta Utara", "D0436", "Tanjung Priok", "14310"),
    ("PR009", "Jawa Barat", "C070", "Kota Bandung", "D0701", "Coblong", "40132"),
    ("PR009", "Jawa Barat", "C072", "Kab. Karawang", "D0722", "Tirtamulya", "41372"),
    ("PR009", "Jawa Barat", "C075", "Kota Bekasi", "D0750", "Bekasi Barat", "17134"),
    ("PR009", "Jawa Barat", "C077", "Kota Bogor", "D0771", "Bogor Tengah", "16121"),
    ("PR009", "Jawa Barat", "C079", "Kab. Tasikmalaya", "D0790", "Singaparna", "46412"),
    ("PR009", "Jawa Barat", "C080", "Kota Depok", "D0801", "Beji", "16421"),
    ("PR010", "Jawa Tengah", "C090", "Kota Semarang", "D0901", "Semarang Tengah", "50134"),
    ("PR010", "Jawa Tengah", "C093", "Kota Surakarta", "D0931", "Laweyan", "57141"),
    ("PR010", "Jawa Tengah", "C095", "Kab. Banyumas", "D0951", "Purwokerto Utara", "53121"),
    ("PR011", "Jawa Timur", "C110", "Kota Surabaya", "D1101", "Gubeng", "60281"),
    ("PR011", "Jawa Timur", "C112", "Kota Malang", "D1121", "Lowokwaru", "65141"),
    ("PR011", "Jawa Timur", "C115", "Kab. Sidoarjo", "D1151", "Waru", "61256"),
    ("PR013", "Kalimantan Barat", "C131", "Kota Pontianak", "D1311", "Pontianak Kota", "78117"),
    ("PR015", "Kalimantan Timur", "C151", "Kota Balikpapan", "D1511", "Balikpapan Kota", "76114"),
    ("PR015", "Kalimantan Timur", "C152", "Kota Samarinda", "D1521", "Samarinda Ulu", "75124"),
    ("PR018", "Lampung", "C181", "Kota Bandar Lampung", "D1811", "Tanjung Karang Pusat", "35116"),
    ("PR021", "Nusa Tenggara Barat", "C211", "Kota Mataram", "D2111", "Ampenan", "83114"),
    ("PR027", "Sulawesi Selatan", "C271", "Kota Makassar", "D2711", "Panakkukang", "90231"),
    ("PR031", "Sumatera Utara", "C301", "Kota Medan", "D3011", "Medan Baru", "20153"),
    ("PR032", "Sumatera Barat", "C311", "Kota Padang", "D3111", "Padang Utara", "25132"),
    ("PR033", "Sumatera Selatan", "C321", "Kota Palembang", "D3211", "Ilir Timur I", "30111"),
)
FIRST_NAMES = (
    "Budi", "Siti", "Agus", "Dewi", "Rina", "Andi", "Putri", "Eko", "Wahyu", "Sri", "Fitri", "Rizky", "Ayu",
    "Dimas", "Nur", "Indah", "Bayu", "Yusuf", "Lestari", "Hendra", "Intan", "Fajar", "Maya", "Joko", "Ratna",
    "Taufik", "Anisa", "Teguh", "Wulan", "Gilang", "Nadia", "Arif", "Dian", "Rudi", "Mega", "Irfan",
    "Kartika", "Bambang", "Sari", "Luthfi", "Deasy", "Basry",
)
LAST_NAMES = (
    "Santoso", "Wijaya", "Saputra", "Lestari", "Pratama", "Hidayat", "Kurniawan", "Rahmawati", "Nugroho",
    "Setiawan", "Siregar", "Nasution", "Simanjuntak", "Hakim", "Permana", "Utami", "Purnomo", "Gunawan",
    "Susanti", "Hasibuan", "Wibowo", "Maulana", "Ramadhan", "Fauzi", "", "",
)
STREETS = (
    "Jl. Merdeka No. {n}", "Jl. Jend. Sudirman No. {n}", "Jl. Diponegoro Gg. Melati No. {n}",
    "Perum Griya Asri Blok {b}{m} No. {n}", "Jl. Ahmad Yani RT.0{m}/RW.0{r} No. {n}",
    "Komp. Puri Indah Blok {b} No. {n}", "Jl. Raya Bogor KM {m} No. {n}", "Jl. Kenanga Raya No. {n}",
    "Jl. Pahlawan Gg. Mawar {m} No. {n}", "Jl. Gatot Subroto Kav. {n}",
)
SENDERS = (
    ("Ebar Kennedy", "6282165077777"), ("ALTHACELL.COM", "628382888888"), ("Cesing Hoki", "6282389877777"),
    ("Hoolo", "6285375777777"), ("Toko Berkah Jaya", "6281234500123"), ("Kaos Kita Official", "6287788990011"),
    ("Dapur Bunda", "6285712345678"), ("Griya Hijab", "6281398765432"),
)
SHOPS = ("ALTHASHOP", "CESING HOKI", "Tokopedia Hoolo", "Shopee Berkah Jaya", "Kaos Kita Official",
         "Lazada Griya Hijab")
# courierName as the platform shows it, AWB prefix
COURIERS = (
    ("JNE(REG)", "CGK"), ("JNE(OKE)", "TJE"), ("JNE(YES)", "CGK"), ("Reguler (Cashless)-J&T Express", "JP"),
    ("Reguler (COD)-J&T Express", "JP"), ("JNT Reguler", "JP"), ("SiCepat REG", "0026"),
    ("SiCepat BEST", "0027"), ("SiCepat REG (COD)", "0026"), ("AnterAja Reguler", "1100"),
    ("AnterAja Reguler (COD)", "1100"), ("ID Express Standard", "IDS"), ("Ninja Xpress Standard", "NLIDAP"),
    ("Lion Parcel", "LP"), ("GoSendInstant Courier", "GK-"), ("SAP Express Reguler", "SAP"),
    ("Pos Indonesia Reguler", "P26"),
)
COURIER_WEIGHTS = (10, 8, 3, 10, 6, 5, 8, 3, 5, 5, 3, 3, 3, 2, 2, 1, 1)
PRODUCTS = (
    ("Kaos Polos Cotton Combed 30s", 45000, ("Hitam", "Putih", "Navy", "Maroon"), ("S", "M", "L", "XL")),
    ("Silicone Cover Iphone XR", 30000, ("Pink", "Hitam", "Abu-abu"), ("(Phone Case)",)),
    ("Silicone Cover Samsung S9", 10000, ("Abu-abu", "Merah"), ("(Phone Case)",)),
    ("Hijab Segi Empat Voal", 35000, ("Mocca", "Dusty Pink", "Hitam", "Sage"), ("",)),
    ("Kemeja Flanel Pria", 120000, ("Merah", "Biru"), ("M", "L", "XL")),
    ("Celana Chino Slim Fit", 150000, ("Khaki", "Hitam"), ("30", "32", "34")),
    ("Tas Selempang Kanvas", 85000, ("Hitam", "Coklat"), ("",)),
    ("Sandal Jepit Karet", 25000, ("Hitam", "Biru"), ("40", "42")),
    ("Madu Hutan Asli", 95000, ("",), ("500 gr",)),
    ("Kopi Arabika Gayo", 70000, ("",), ("250 gr", "500 gr")),
    ("Sambal Bawang Botol", 28000, ("Original", "Extra Pedas"), ("",)),
    ("Tumbler Stainless", 65000, ("Silver", "Hitam"), ("500 ml",)),
    ("Power Bank 10000 mAh", 175000, ("Putih", "Hitam"), ("",)),
    ("Kabel Data Type C", 25000, ("",), ("1 m", "2 m")),
    ("Gamis Katun Jepang", 189000, ("Navy", "Mocca"), ("M", "L", "XL")),
    ("Mukena Katun Rayon", 145000, ("Putih", "Ungu"), ("",)),
    ("Sepatu Sneakers Pria", 210000, ("Putih", "Hitam"), ("40", "41", "42", "43")),
    ("DOUBLE GLASS Magnetic Samsung S10 Plus", 105000, ("Silver", "Hitam"), ("",)),
)
ADMIN_NOTES = (None, None, None, "", "PEMBELI BUTUH CEPAT", "Packing bubble wrap tebal", "Bonus stiker")
CUSTOMER_NOTES = ("", "", "", None, "Warna HITAM FULL", "Tolong dikirim hari ini", "Jangan dibanting ya")
STATUS_WEIGHTS = (("SENT", 60), ("PROCESSED", 14), ("NEW", 18), ("DRAFT", 8))
MOBILE_PREFIXES = ("811", "812", "813", "821", "822", "852", "853", "856", "857", "858", "817", "818", "819",
                   "877", "878", "838", "895", "896", "897", "898", "899", "881", "882")
BATCH_HOURS = (9, 11, 14, 16)  # WIB hours at which a seeded shop processes its orders


def fmt_time(ts: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts + WIB))


def php_datetime(ts: int | None) -> dict | None:
    if ts is None:
        return None
    return {"date": f"{fmt_time(ts)}.000000", "timezone_type": 3, "timezone": "Asia/Bangkok"}


def parse_time(text: str) -> int:
    return calendar.timegm(time.strptime(text.strip()[:19], "%Y-%m-%d %H:%M:%S")) - WIB


def batch_slot(ts: int) -> int:
    """The first processing time (WIB slot of BATCH_HOURS, with a per-slot minute/second) after ts."""
    local = ts + WIB
    day = local // DAY
    for offset in (0, 1):
        d = day + offset
        for hour in BATCH_HOURS:
            slot = d * DAY + hour * 3600 + ((d * 7 + hour * 13) % 60) * 60 + (d * 11 + hour * 17) % 60
            if slot >= local:
                return slot - WIB
    raise AssertionError("unreachable")


def new_uuid(rng: random.Random) -> str:
    """A version-4 UUID from `rng` (deterministic for a seed), formatted without uuid.UUID's overhead."""
    bits = rng.getrandbits(128) & ~(0xF000 << 64) | (0x4000 << 64)
    bits = bits & ~(0xC000 << 48) | (0x8000 << 48)
    h = f"{bits:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _cumulative(weights) -> tuple[list[float], float]:
    sums = list(itertools.accumulate(weights))
    return sums, sums[-1]


_COURIER_CUM = _cumulative(COURIER_WEIGHTS)
_STATUS_CUM = _cumulative([w for _, w in STATUS_WEIGHTS])
_STATUS_WORDS = tuple(s for s, _ in STATUS_WEIGHTS)
_QTYS = (1, 1, 1, 1, 2, 2, 3)
_LINE_COUNTS = (1, 1, 1, 2, 2, 3)
_SHIPPING = (0, 0, 9000, 10000, 11000, 18000, 22000, 51000)


def _weighted(rng: random.Random, cumulative: tuple[list[float], float]) -> int:
    sums, total = cumulative
    return bisect.bisect_right(sums, rng.random() * total)


class _Order:
    __slots__ = ("awb", "created", "doc", "gen", "id", "invoice", "name", "phone", "print_status",
                 "processed", "sent", "status")

    def __init__(self, id, created, status, print_status, processed, sent, invoice, awb, name, phone,
                 gen=None, doc=None) -> None:
        self.id, self.created, self.status, self.print_status = id, created, status, print_status
        self.processed, self.sent, self.invoice, self.awb = processed, sent, invoice, awb
        self.name, self.phone, self.gen, self.doc = name, phone, gen, doc


class MitrabunsoSandbox(Sandbox):
    platform = PLATFORM
    tokens = frozenset({"demo-mitrabunso-token"})

    def __init__(self) -> None:
        super().__init__()
        self.orders: list[_Order] = []
        self.by_id: dict[str, _Order] = {}
        self._rendered: dict[str, str] = {}  # order id -> its list row's JSON text
        self.page_size_cap = PAGE_SIZE_MAX
        self._last_live = 0.0
        self._live_rng = random.Random(0)
        self._new_rng = random.Random(1)

    # Seeding -----------------------------------------------------------------------------------------
    def seed(self, plan: SeedPlan) -> None:
        rng = random.Random(plan.seed)
        self.page_size_cap = PAGE_SIZE_MAX
        self._live_rng = random.Random(plan.seed + 1)
        self._new_rng = random.Random(plan.seed + 2)
        self._last_live = time.monotonic()
        self._build_pools(rng, products=max(plan.products, 40))
        now = int(time.time())
        span = 90 * DAY
        r = rng.random
        times = sorted([now - int(r() * span) for _ in range(plan.orders)])
        self.orders = [self._seed_order(rng, created, now, seq) for seq, created in enumerate(times)]
        self.by_id = {o.id: o for o in self.orders}
        self._rendered = {}
        if plan.extra.get("prerender"):
            self.prerender()

    def prerender(self) -> None:
        """Render every order's list row now, as JSON text (SeedPlan extra {"prerender": true}; otherwise
        each row is rendered the first time it is listed). The list endpoint joins these texts instead of
        building and encoding every row on every request: the simulator's own cost, which on a benchmark
        shares the machine with the client it serves. Any write to the store drops them (see _refuse)."""
        for order in self.orders:
            self._row_text(order)

    def _row_text(self, o: _Order) -> str:
        text = self._rendered.get(o.id)
        if text is None:
            text = self._rendered[o.id] = json.dumps(self._list_row(o), cls=DjangoJSONEncoder)
        return text

    def _build_pools(self, rng: random.Random, *, products: int) -> None:
        self.customers = []
        for _ in range(600):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            name = f"{first} {last}".strip()
            number = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**6, 10**8):08d}"
            phone = f"0{number}" if rng.random() < 0.1 else f"62{number}"
            region = rng.choice(REGIONS)
            street = rng.choice(STREETS).format(n=rng.randint(1, 250), m=rng.randint(1, 9), r=rng.randint(1, 9),
                                                b=rng.choice("ABCDEFGH"))
            if rng.random() < 0.2:  # as in the document's list sample: all in the text, no region fields
                address = (f"{street}, Kec. {region[5]}, {region[3]}, {region[1]}.\r\n"
                           f"{region[5]} {region[6]}")
                region = (None, "", None, "", None, "", None)
            else:
                address = street
            self.customers.append((name, phone, address, region))
        self.senders = list(SENDERS)
        self.shops = [(new_uuid(rng), name) for name in SHOPS]
        self.couriers = [(new_uuid(rng), name, prefix) for name, prefix in COURIERS]
        catalogue = []
        for base, price, colours, sizes in PRODUCTS:
            for colour in colours:
                for size in sizes:
                    catalogue.append((" ".join(p for p in (base, colour, size) if p), price))
        rng.shuffle(catalogue)
        self.products = [(new_uuid(rng), *catalogue[i % len(catalogue)]) for i in range(products)]

    def _seed_order(self, rng: random.Random, created: int, now: int, seq: int) -> _Order:
        r = rng.random
        customer_i = int(r() * len(self.customers))
        courier_i = _weighted(rng, _COURIER_CUM)
        shop_i = int(r() * len(self.shops))
        n_products = len(self.products)
        lines = tuple((int(r() * n_products), _QTYS[int(r() * 7)]) for _ in range(_LINE_COUNTS[int(r() * 6)]))
        shipping = _SHIPPING[int(r() * 8)]
        notes = (int(r() * len(ADMIN_NOTES)), int(r() * len(CUSTOMER_NOTES)))
        status = _STATUS_WORDS[_weighted(rng, _STATUS_CUM)]
        processed = sent = None
        if status in ("PROCESSED", "SENT"):
            processed = batch_slot(created + 3600)
            if processed > now:
                status, processed = "NEW", None
            elif status == "SENT":
                sent = processed + 7200 + int(r() * 28 * 3600)
                if sent > now:
                    status, sent = "PROCESSED", None
        if processed is not None:
            print_status = "2" if ((processed + WIB) // DAY) % 3 == 0 else "1"
        else:
            print_status = "0"
        date = time.strftime("%Y%m%d", time.gmtime(created + WIB))
        if shop_i % 2:
            invoice = f"INV{date}MPL{22900000 + seq * 7 + int(r() * 7)}"
        else:
            invoice = f"{date[2:]}{rng.getrandbits(40):010X}"
        awb = None
        if status != "DRAFT" and (status != "NEW" or r() < 0.5):
            awb = f"{self.couriers[courier_i][2]}{100000000000 + int(r() * 899999999999)}"
        name, phone = self.customers[customer_i][:2]
        gen = (customer_i, int(r() * len(self.senders)), courier_i, shop_i, lines, shipping, notes)
        return _Order(new_uuid(rng), created, status, print_status, processed, sent, invoice, awb, name, phone,
                      gen)

    def tick(self) -> None:
        if time.monotonic() - self._last_live < 20:
            return
        self._last_live = time.monotonic()
        now = int(time.time())
        start = max(now, self.orders[-1].created if self.orders else now)
        for _ in range(self._live_rng.randint(1, 3)):
            order = self._seed_order(self._live_rng, start, now, len(self.orders))
            order.status, order.processed, order.sent, order.print_status = "NEW", None, None, "0"
            self._append(order)

    def _append(self, order: _Order) -> None:
        self.orders.append(order)
        self.by_id[order.id] = order

    # JSON of an order ------------------------------------------------------------------------------------
    def _document(self, o: _Order) -> dict:
        """The order document (the shape create takes and list / print_order serve), with order_id."""
        if o.doc is not None:
            doc = json.loads(json.dumps(o.doc))
            doc["order"]["order_id"] = o.id
            doc["order"]["invoice"] = o.invoice
            doc["order"]["awb"] = o.awb
            return doc
        customer_i, sender_i, courier_i, shop_i, lines, shipping, (admin_i, note_i) = o.gen
        name, phone, address, region = self.customers[customer_i]
        courier_id, courier_name, _ = self.couriers[courier_i]
        shop_id, shop_name = self.shops[shop_i]
        sender_name, sender_phone = self.senders[sender_i]
        details = []
        total = 0
        for product_i, qty in lines:
            product_id, product_name, price = self.products[product_i]
            details.append({"productId": product_id, "qty": qty, "productPrice": price, "totalPrice": price * qty,
                            "productName": product_name})
            total += price * qty
        return {
            "customer": {
                "name": name, "phone": phone, "address": address,
                "provinceCode": region[0], "provinceName": region[1], "cityCode": region[2],
                "cityName": region[3], "districtCode": region[4], "districtName": region[5],
                "postCode": region[6],
            },
            "sender": {"name": sender_name, "phone": sender_phone},
            "order": {
                "invoice": o.invoice, "courierId": courier_id, "courierName": courier_name,
                "shippingCost": str(shipping), "shopId": shop_id, "shopName": shop_name, "awb": o.awb,
                "adminNote": ADMIN_NOTES[admin_i], "customerNote": CUSTOMER_NOTES[note_i], "totalCost": total,
                "labelImage": None, "printType": "2", "assign": None, "order_id": o.id,
            },
            "details": details,
        }

    def _list_row(self, o: _Order) -> dict:
        row = self._document(o)
        row.update({
            "updatedAWB": o.awb or "",
            "createdAt": fmt_time(o.created),
            "processedAt": fmt_time(o.processed) if o.processed is not None else None,
            "sentAt": fmt_time(o.sent) if o.sent is not None else None,
            "status": o.status,
            "updatedInvoice": o.invoice,
        })
        return row

    def _stored(self, o: _Order) -> dict:
        """The create / details answer's data: {order: [stored row], products: [...]}."""
        doc = self._document(o)
        customer, sender, order = doc["customer"], doc["sender"], doc["order"]
        first_state = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
        row = {
            "order_first_state": first_state,
            "deleted_at": None,
            "id": o.id,
            "customerId": str(uuid.uuid5(NAMESPACE, f"customer:{customer['name']}:{customer['phone']}")),
            "customerName": customer["name"],
            "customerAddress": customer["address"],
            "senderAddress": None,
            "senderId": str(uuid.uuid5(NAMESPACE, f"sender:{sender['name']}:{sender['phone']}")),
            "senderName": sender["name"],
            "courierId": order["courierId"],
            "courierName": order["courierName"],
            "shippingCost": str(order["shippingCost"]),
            "status": o.status,
            "printStatus": o.print_status,
            "labelImage": order["labelImage"],
            "shopId": order["shopId"],
            "shopName": order["shopName"],
            "invoice": o.invoice,
            "awb": o.awb or "",
            "totalPrice": None,
            "totalProduct": None,
            "customerNote": order.get("customerNote") or None,
            "adminNote": order.get("adminNote") or "",
            "created": php_datetime(o.created),
            "updated": php_datetime(max(t for t in (o.created, o.processed, o.sent) if t is not None)),
            "processed": php_datetime(o.processed),
            "sent": php_datetime(o.sent),
            "createdBy": "",
            "updatedBy": "",
            "createdByName": None,
            "updatedByName": None,
        }
        products = [
            {
                "detailsId": str(uuid.uuid5(NAMESPACE, f"details:{o.id}:{index}")),
                "productId": line["productId"],
                "productName": line["productName"],
                "productPrice": str(line["productPrice"]),
                "qty": str(line["qty"]),
            }
            for index, line in enumerate(doc["details"])
        ]
        return {"order": [row], "products": products}

    def _matches(self, o: _Order, q: str) -> bool:
        return any(q in (value or "").lower() for value in (o.invoice, o.awb, o.name, o.phone))

    # HTTP helpers ----------------------------------------------------------------------------------------
    def error_body(self, status: int, message: str, errors: dict | None = None) -> JsonResponse:
        body = {"message": message, "data": None}
        if errors:
            body["errors"] = errors
        return JsonResponse(body, status=status)

    def _refuse(self, request: HttpRequest, method: str) -> JsonResponse | None:
        if request.method != method:
            return self.error_body(405, "Method Not Allowed")
        if bearer_token(request) not in self.tokens:
            return self.error_body(401, "Unauthorized")
        if method != "GET":
            with self.lock:
                self._rendered.clear()  # a write may change any row: render again when listed
        return None

    def _body_value(self, request: HttpRequest, field: str):
        """`field` from a JSON body ({field: …} or the bare value) or a form field holding JSON text."""
        if request.content_type == "application/json":
            try:
                body = json.loads(request.body or b"null")
            except ValueError:
                return None
            if isinstance(body, dict) and field in body:
                value = body[field]
            else:
                value = body
        else:
            value = request.POST.get(field)
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return None
        return value

    @staticmethod
    def _validate(doc, where: str) -> dict:
        errors: dict[str, list[str]] = defaultdict(list)
        if not isinstance(doc, dict):
            return {where or "data": ["must be an order object"]}
        for part in ("customer", "sender", "order"):
            if not isinstance(doc.get(part), dict):
                errors[f"{where}{part}"].append("required")
        if errors:
            return dict(errors)
        if not str(doc["customer"].get("name") or "").strip():
            errors[f"{where}customer.name"].append("required")
        if not str(doc["customer"].get("address") or "").strip():
            errors[f"{where}customer.address"].append("required")
        if not str(doc["order"].get("invoice") or "").strip():
            errors[f"{where}order.invoice"].append("required")
        details = doc.get("details")
        if not isinstance(details, list) or not details:
            errors[f"{where}details"].append("at least one product is required")
        else:
            for i, line in enumerate(details):
                if not isinstance(line, dict):
                    errors[f"{where}details.{i}"].append("must be an object")
                    continue
                for key in ("qty", "productPrice"):
                    try:
                        number = int(str(line.get(key)))
                    except ValueError:
                        number = -1
                    if number < (1 if key == "qty" else 0):
                        errors[f"{where}details.{i}.{key}"].append("must be a whole number")
                if not str(line.get("productName") or "").strip():
                    errors[f"{where}details.{i}.productName"].append("required")
        return dict(errors)

    def _create(self, doc: dict) -> _Order:
        doc = json.loads(json.dumps(doc))
        doc["order"].pop("order_id", None)
        for line in doc["details"]:
            line["qty"] = int(str(line["qty"]))
            line["productPrice"] = int(str(line["productPrice"]))
            line["totalPrice"] = line["qty"] * line["productPrice"]
        now = int(time.time())
        created = max(now, self.orders[-1].created) if self.orders else now
        order = _Order(
            new_uuid(self._new_rng), created, "NEW", "0", None, None, str(doc["order"]["invoice"]).strip(),
            doc["order"].get("awb") or None, str(doc["customer"].get("name") or ""),
            str(doc["customer"].get("phone") or ""), doc=doc,
        )
        self._append(order)
        return order

    # Views -----------------------------------------------------------------------------------------------
    def list_view(self, request: HttpRequest, id_user: str, offsite: str, limit: str) -> JsonResponse:
        if refused := self._refuse(request, "GET"):
            return refused
        try:
            offset, size = int(offsite), int(limit)
        except ValueError:
            offset = size = -1
        if offset < 0 or size < 1:
            return self.error_body(422, "Invalid parameter", {"offsite": ["must be a whole number >= 0"],
                                                              "limit": ["must be a whole number >= 1"]})
        size = min(size, self.page_size_cap)
        status = request.GET.get("status", "").strip().upper()
        q = request.GET.get("q", "").strip().lower()
        with self.lock:
            if status or q:
                matching = [o for o in reversed(self.orders)
                            if (not status or o.status == status) and (not q or self._matches(o, q))]
                total = len(matching)
                chosen = matching[offset:offset + size]
            else:
                total = len(self.orders)
                end = total - offset
                chosen = self.orders[max(end - size, 0):end][::-1] if end > 0 else []
            rows = [self._row_text(o) for o in chosen]
        # What JsonResponse({"message": …, "data": rows, "total": …, "show": …}) sends, from encoded rows.
        body = (f'{{"message": {json.dumps(MSG_LIST)}, "data": [{", ".join(rows)}], "total": {total}, '
                f'"show": {len(rows)}}}')
        return HttpResponse(body, content_type="application/json")

    def summary_view(self, request: HttpRequest, id_user: str) -> JsonResponse:
        if refused := self._refuse(request, "GET"):
            return refused
        with self.lock:
            counts = Counter(o.status for o in self.orders)
        return JsonResponse({"message": MSG_LOWER, "data": {word: counts.get(word, 0) for word in ORDER_STATUSES}})

    def details_view(self, request: HttpRequest, id_user: str, id_order: str) -> JsonResponse:
        if refused := self._refuse(request, "GET"):
            return refused
        with self.lock:
            order = self.by_id.get(id_order)
            data = self._stored(order) if order is not None else None
        if data is None:
            return self.error_body(404, "Data not found")
        return JsonResponse({"message": MSG_LIST, "data": data})

    def create_view(self, request: HttpRequest, id_user: str) -> JsonResponse:
        if refused := self._refuse(request, "POST"):
            return refused
        doc = self._body_value(request, "data")
        if errors := self._validate(doc, ""):
            return self.error_body(422, "Validation failed", errors)
        with self.lock:
            data = self._stored(self._create(doc))
        return JsonResponse({"message": MSG_CREATED, "data": data})

    def batch_create_view(self, request: HttpRequest, id_user: str) -> JsonResponse:
        if refused := self._refuse(request, "POST"):
            return refused
        docs = self._body_value(request, "batchData")
        if not isinstance(docs, list) or not docs:
            return self.error_body(422, "Validation failed", {"batchData": ["must be a non-empty list"]})
        errors: dict = {}
        for index, doc in enumerate(docs):
            errors.update(self._validate(doc, f"batchData.{index}."))
        if errors:
            return self.error_body(422, "Validation failed", errors)
        with self.lock:
            ids = [self._create(doc).id for doc in docs]
        return JsonResponse({"message": MSG_CREATED, "data": {"invoices": ids}, "total": len(ids)})

    def _batches(self) -> dict[int, list[_Order]]:
        batches: dict[int, list[_Order]] = defaultdict(list)
        for o in self.orders:
            if o.status == "PROCESSED" and o.processed is not None:
                batches[o.processed].append(o)
        return batches

    def processed_list_view(self, request: HttpRequest, id_user: str) -> JsonResponse:
        if refused := self._refuse(request, "GET"):
            return refused
        q = request.GET.get("q", "").strip().lower()
        with self.lock:
            batches = self._batches()
            rows = [
                {"totalLabels": str(len(orders)), "printStatus": max(o.print_status for o in orders),
                 "processed": fmt_time(ts)}
                for ts, orders in sorted(batches.items(), reverse=True)
                if not q or any(self._matches(o, q) for o in orders)
            ]
        return JsonResponse({"message": MSG_LOWER, "data": rows})

    def print_order_view(self, request: HttpRequest, id_user: str, timestamp: str,
                         print_status: str) -> JsonResponse:
        if refused := self._refuse(request, "POST"):
            return refused
        errors = {}
        try:
            ts = parse_time(timestamp)
        except ValueError:
            errors["timestamp"] = ["must be YYYY-MM-DD HH:MM:SS"]
        try:
            status = int(print_status)
        except ValueError:
            status = -1
        if status < 0:
            errors["print_status"] = ["must be a whole number >= 0"]
        if errors:
            return self.error_body(422, "Invalid parameter", errors)
        with self.lock:
            orders = self._batches().get(ts, [])
            for o in orders:
                o.print_status = str(status)
            rows = [self._document(o) for o in orders]
        if not rows:
            return self.error_body(404, "Data not found")
        return JsonResponse({"message": MSG_PRINTED, "data": {"data": rows, "total": len(rows)}})

    def routes(self) -> list:
        e = self.endpoint
        base = "public/order/orders"
        return [
            path(f"{base}/list/<str:id_user>/<str:offsite>/<str:limit>", e(self.list_view)),
            path(f"{base}/total_summary/<str:id_user>", e(self.summary_view)),
            path(f"{base}/create/<str:id_user>", e(self.create_view)),
            path(f"{base}/batch_create/<str:id_user>", e(self.batch_create_view)),
            path(f"{base}/details/<str:id_user>/<str:id_order>", e(self.details_view)),
            path(f"{base}/processed_list/<str:id_user>", e(self.processed_list_view)),
            path(f"{base}/print_order/<str:id_user>/<str:timestamp>/<str:print_status>", e(self.print_order_view)),
        ]


sandbox = MitrabunsoSandbox()
