"""The local demo: users, sellers, catalog, orders, logistics and finance that look like a real Indonesian
operation.

Only `manage.py load_demo_data` calls this, and only when settings.DEMO_ENABLED. Each part checks a
natural-key marker (the demo users' usernames, the demo sellers' codes, "the demo sellers already have
orders", ...) and skips itself when it is there, so a second run adds nothing. Every part reads what it
needs from the database, so a part can be built even when an earlier one was skipped. Randomness comes
from one fixed seed per part: the demo is the same on every machine.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import math
import os
import random
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import ROUND_UP, Decimal
from zoneinfo import ZoneInfo

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

SEED = 2026
WIB = ZoneInfo("Asia/Jakarta")
BATCH = 500
ORDER_COUNT = 1200
ORDER_DAYS = 60


def demo_password() -> str:
    return os.environ.get("DEMO_ADMIN_PASSWORD") or "admin"


def _rng(part: str) -> random.Random:
    # One generator per part, so that skipping a part never changes what the others build.
    return random.Random(f"{SEED}:{part}")


@contextmanager
def _keep_timestamps(*model_classes):
    """bulk_create overwrites `auto_now_add` columns with "now"; the demo needs history spread over the
    last weeks, so those fields keep the value we set while the block runs."""
    touched = []
    for model in model_classes:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now_add", False):
                f.auto_now_add = False
                touched.append(f)
    try:
        yield
    finally:
        for f in touched:
            f.auto_now_add = True


def _bulk(model, rows: list) -> list:
    return model.objects.bulk_create(rows, batch_size=BATCH)


def _money(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def _round_to(value: float, step: int) -> Decimal:
    return Decimal(math.ceil(value / step) * step)


def _hash(*parts) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


# ---------------------------------------------------------------------------------------------------
# Static demo vocabulary
# ---------------------------------------------------------------------------------------------------

# username, first name, last name, group, superuser, staff
DEMO_USERS = [
    ("admin", "Admin", "Demo", None, True, True),
    ("cs", "Dewi", "Lestari", "Customer Service", False, True),
    ("warehouse", "Joko", "Susilo", "Warehouse", False, True),
    ("finance", "Maria", "Simanjuntak", "Finance", False, True),
    ("approver", "Bambang", "Hartono", "Finance Approver", False, True),
    ("seller1", "Sri", "Wahyuningsih", None, False, False),
]

# code, name, contact, phone, email, address, city, province, postal code, SKU prefix
DEMO_SELLERS = [
    (
        "BATIKSEKAR",
        "Batik Sekar Arum",
        "Sri Wahyuningsih",
        "+6281226541187",
        "halo@batiksekararum.co.id",
        "Jl. Dr. Radjiman No. 112, Laweyan",
        "Surakarta",
        "Jawa Tengah",
        "57141",
        "BSA",
    ),
    (
        "KOPINUSA",
        "Kopi Nusantara Jaya",
        "Asep Hidayat",
        "+6282118803452",
        "order@kopinusantarajaya.id",
        "Jl. Braga No. 47, Sumur Bandung",
        "Bandung",
        "Jawa Barat",
        "40111",
        "KNJ",
    ),
    (
        "HIJABAYU",
        "Hijab Ayu Official",
        "Nurul Fitriani",
        "+6281310457789",
        "cs@hijabayu.id",
        "Jl. Pemuda No. 28, Rawamangun",
        "Jakarta Timur",
        "DKI Jakarta",
        "13220",
        "HAO",
    ),
    (
        "DAPURMAMA",
        "Dapur Mama Ratna",
        "Ratna Kusumawati",
        "+6285733109824",
        "dapurmamaratna@gmail.com",
        "Jl. Raya Darmo No. 77, Wonokromo",
        "Surabaya",
        "Jawa Timur",
        "60241",
        "DMR",
    ),
    (
        "GADGETKU",
        "Gadgetku Store",
        "Hendra Wijaya",
        "+6287878120456",
        "sales@gadgetku.co.id",
        "Jl. Hayam Wuruk No. 127, Taman Sari",
        "Jakarta Barat",
        "DKI Jakarta",
        "11180",
        "GKS",
    ),
    (
        "GLOWSKIN",
        "Glow Skin Beauty",
        "Andi Fadilah",
        "+6281355672910",
        "admin@glowskinbeauty.id",
        "Jl. Boulevard Raya No. 9, Panakkukang",
        "Makassar",
        "Sulawesi Selatan",
        "90231",
        "GSB",
    ),
]
DEMO_SELLER_CODES = [s[0] for s in DEMO_SELLERS]

# Which sellers each staff user handles (indexes into DEMO_SELLERS); finance and approver handle all.
STAFF_SELLERS = {
    "cs": [0, 1, 2],
    "warehouse": [0, 1, 3],
    "finance": [0, 1, 2, 3, 4, 5],
    "approver": [0, 1, 2, 3, 4, 5],
}

# slug, name, parent slug
CATEGORIES = [
    ("fashion", "Fashion", None),
    ("makanan-minuman", "Makanan & Minuman", None),
    ("elektronik", "Elektronik", None),
    ("kecantikan", "Kecantikan", None),
    ("batik", "Batik", "fashion"),
    ("pakaian-wanita", "Pakaian Wanita", "fashion"),
    ("pakaian-pria", "Pakaian Pria", "fashion"),
    ("hijab", "Hijab & Busana Muslim", "fashion"),
    ("kopi", "Kopi", "makanan-minuman"),
    ("makanan-ringan", "Makanan Ringan", "makanan-minuman"),
    ("sambal-bumbu", "Sambal & Bumbu", "makanan-minuman"),
    ("aksesoris-hp", "Aksesoris HP", "elektronik"),
    ("audio", "Audio", "elektronik"),
    ("perawatan-wajah", "Perawatan Wajah", "kecantikan"),
    ("perawatan-tubuh", "Perawatan Tubuh", "kecantikan"),
]

# code, name, kind, owner (seller index or None), address, district, city, province, postal code
WAREHOUSES = [
    (
        "FC-CKG",
        "Gudang Fulfilment Cakung",
        "fulfilment",
        None,
        "Jl. Raya Cakung Cilincing Km 3 No. 8",
        "Cakung",
        "Jakarta Timur",
        "DKI Jakarta",
        "13910",
    ),
    (
        "FC-SBY",
        "Gudang Fulfilment Rungkut",
        "fulfilment",
        None,
        "Jl. Rungkut Industri III No. 21",
        "Rungkut",
        "Surabaya",
        "Jawa Timur",
        "60293",
    ),
    (
        "WH-BATIKSEKAR",
        "Gudang Batik Sekar Arum",
        "private",
        0,
        "Jl. Slamet Riyadi No. 410",
        "Laweyan",
        "Surakarta",
        "Jawa Tengah",
        "57141",
    ),
    (
        "WH-KOPINUSA",
        "Gudang Kopi Nusantara Jaya",
        "private",
        1,
        "Jl. Soekarno-Hatta No. 590",
        "Buahbatu",
        "Bandung",
        "Jawa Barat",
        "40286",
    ),
]

# code, name, services, AWB prefix, weight when picking a courier for an order
COURIERS = [
    (
        "jne",
        "JNE",
        [("REG", "JNE Reguler"), ("YES", "JNE Yakin Esok Sampai"), ("OKE", "JNE Ongkos Kirim Ekonomis")],
        "CGK",
        25,
    ),
    ("jnt", "J&T Express", [("EZ", "J&T EZ"), ("JSD", "J&T Same Day")], "JP", 20),
    (
        "sicepat",
        "SiCepat Ekspres",
        [("REG", "SiCepat Reguler"), ("BEST", "Besok Sampai Tujuan"), ("GOKIL", "Cargo Kilat")],
        "0026",
        20,
    ),
    ("anteraja", "AnterAja", [("REG", "AnterAja Reguler"), ("ND", "AnterAja Next Day")], "1100", 10),
    ("idexpress", "ID Express", [("STD", "iDlite Standard"), ("CARGO", "iDtruck Cargo")], "IDS", 8),
    ("ninja", "Ninja Xpress", [("STANDARD", "Ninja Standard")], "NLIDAP", 7),
    ("sap", "SAP Express", [("REG", "SAP Reguler"), ("ODS", "One Day Service")], "SAP", 5),
    ("pos", "Pos Indonesia", [("REG", "Pos Reguler"), ("NEXTDAY", "Pos Nextday")], "P26", 5),
]

PLATFORM_PATHS = {
    "komship": "/sandbox/komship",
    "ngorder": "/sandbox/ngorder/api/open",
    "scalev": "/sandbox/scalev",
    "mitrabunso": "/sandbox/mitrabunso/public",
}
# platform: (seller index whose orders come through it, platform-side id, credentials)
PLATFORM_ACCOUNTS = {
    "komship": (0, "PRT-10021", {"username": "demo-komship", "password": "demo-komship-password",
                                 "token": "demo-komship-token"}),
    "ngorder": (1, "SHOP-2001", {"token": "demo-ngorder-token"}),
    "scalev": (
        2,
        "demo-business",
        {"token": "demo-scalev-token", "webhook_secret": "demo-scalev-secret"},
    ),
    "mitrabunso": (3, "3f6d2a0e-5b1c-4e8a-9d7f-2c4b6a8e0f13",
                   {"id_user": "3f6d2a0e-5b1c-4e8a-9d7f-2c4b6a8e0f13", "token": "demo-mitrabunso-token"}),
}
PLATFORM_STATUS = {
    "komship": {
        "draft": "Diajukan",
        "new": "Diajukan",
        "processing": "Dipacking",
        "ready_to_ship": "Dipacking",
        "shipped": "Dikirim",
        "delivered": "Diterima",
        "completed": "Diterima",
        "returning": "Retur",
        "returned": "Retur",
        "canceled": "Batal",
    },
    "ngorder": {
        "draft": "DRAFT",
        "new": "NEW",
        "processing": "PROCESS",
        "ready_to_ship": "READY",
        "shipped": "SHIPPING",
        "delivered": "DELIVERED",
        "completed": "COMPLETED",
        "returning": "RETURN",
        "returned": "RETURNED",
        "canceled": "CANCEL",
    },
    "scalev": {
        "draft": "draft",
        "new": "pending",
        "processing": "in_process",
        "ready_to_ship": "ready",
        "shipped": "shipped",
        "delivered": "shipped",
        "completed": "completed",
        "returning": "shipped_rts",
        "returned": "rts",
        "canceled": "canceled",
    },
    "mitrabunso": {
        "draft": "DRAFT",
        "new": "NEW",
        "processing": "PROCESSED",
        "ready_to_ship": "PROCESSED",
        "shipped": "SENT",
        "delivered": "SENT",
        "completed": "SENT",
        "returning": "SENT",
        "returned": "SENT",
        "canceled": "NEW",
    },
}

FIRST_NAMES = [
    "Siti",
    "Dewi",
    "Rina",
    "Ayu",
    "Putri",
    "Nur",
    "Fitri",
    "Wulan",
    "Indah",
    "Budi",
    "Agus",
    "Andi",
    "Rizky",
    "Fajar",
    "Dimas",
    "Eko",
    "Hendra",
    "Yusuf",
    "Bayu",
    "Teguh",
    "Ahmad",
    "Muhammad",
    "Rudi",
    "Dian",
    "Lina",
    "Maya",
    "Yuni",
    "Ratna",
    "Galih",
    "Citra",
    "Intan",
    "Reza",
    "Arif",
    "Wahyu",
    "Anisa",
    "Larasati",
    "Kevin",
    "Michael",
    "Yohana",
    "Ketut",
    "Made",
    "Komang",
]
LAST_NAMES = [
    "Santoso",
    "Wijaya",
    "Saputra",
    "Pratama",
    "Hidayat",
    "Kurniawan",
    "Lestari",
    "Rahmawati",
    "Nugroho",
    "Setiawan",
    "Susanti",
    "Permatasari",
    "Siregar",
    "Nasution",
    "Simanjuntak",
    "Wibowo",
    "Hasibuan",
    "Purnomo",
    "Halim",
    "Gunawan",
    "Putra",
    "Sari",
    "Utami",
    "Firmansyah",
    "Ramadhan",
    "Tanjung",
    "Sembiring",
    "Manurung",
    "Suryani",
    "Handayani",
    "Wardhana",
    "Prasetyo",
]
# city, province, district, subdistrict, postal code
PLACES = [
    ("Jakarta Selatan", "DKI Jakarta", "Kebayoran Baru", "Gandaria Utara", "12140"),
    ("Jakarta Timur", "DKI Jakarta", "Duren Sawit", "Pondok Bambu", "13430"),
    ("Jakarta Barat", "DKI Jakarta", "Kebon Jeruk", "Kedoya Utara", "11520"),
    ("Jakarta Utara", "DKI Jakarta", "Kelapa Gading", "Kelapa Gading Barat", "14240"),
    ("Bandung", "Jawa Barat", "Coblong", "Dago", "40135"),
    ("Bekasi", "Jawa Barat", "Bekasi Selatan", "Kayuringin Jaya", "17144"),
    ("Depok", "Jawa Barat", "Beji", "Kukusan", "16425"),
    ("Bogor", "Jawa Barat", "Bogor Tengah", "Babakan", "16128"),
    ("Tangerang Selatan", "Banten", "Serpong", "Lengkong Gudang", "15321"),
    ("Surabaya", "Jawa Timur", "Gubeng", "Airlangga", "60286"),
    ("Malang", "Jawa Timur", "Lowokwaru", "Ketawanggede", "65145"),
    ("Semarang", "Jawa Tengah", "Tembalang", "Tembalang", "50275"),
    ("Yogyakarta", "DI Yogyakarta", "Gondokusuman", "Terban", "55223"),
    ("Sleman", "DI Yogyakarta", "Depok", "Caturtunggal", "55281"),
    ("Surakarta", "Jawa Tengah", "Laweyan", "Sondakan", "57147"),
    ("Medan", "Sumatera Utara", "Medan Baru", "Padang Bulan", "20155"),
    ("Makassar", "Sulawesi Selatan", "Panakkukang", "Pandang", "90231"),
    ("Denpasar", "Bali", "Denpasar Barat", "Dauh Puri", "80113"),
    ("Balikpapan", "Kalimantan Timur", "Balikpapan Selatan", "Gunung Bahagia", "76114"),
    ("Pekanbaru", "Riau", "Tampan", "Simpang Baru", "28293"),
]
STREETS = [
    "Jl. Melati",
    "Jl. Kenanga",
    "Jl. Merdeka",
    "Jl. Diponegoro",
    "Jl. Ahmad Yani",
    "Jl. Sudirman",
    "Gg. Mawar",
    "Jl. Pahlawan",
    "Perumahan Griya Asri Blok B",
    "Jl. Cempaka Putih Raya",
    "Jl. Flamboyan",
    "Jl. Gajah Mada",
    "Jl. Imam Bonjol",
    "Komplek Taman Sari Indah",
    "Jl. Nusantara",
    "Jl. Anggrek",
]
MOBILE_PREFIXES = [
    "811",
    "812",
    "813",
    "821",
    "822",
    "852",
    "853",
    "856",
    "857",
    "858",
    "877",
    "878",
    "881",
    "882",
    "895",
    "896",
    "897",
]
ORDER_NOTES = [
    "",
    "",
    "",
    "",
    "Tolong dibungkus rapi ya kak",
    "Kirim sebelum jam 3 sore ya",
    "Mohon pakai bubble wrap tebal",
    "Hadiah ulang tahun, jangan cantumkan harga",
    "Titip di pos satpam kalau rumah kosong",
]

# Per seller: product lines (name, category slug, price range, weight in grams, options) and descriptors.
_SIZES = ["S", "M", "L", "XL", "XXL"]
CATALOG = [
    (
        [
            (
                "Kemeja Batik Pria Lengan Panjang",
                "pakaian-pria",
                (165000, 325000),
                280,
                {"Warna": ["Cokelat Sogan", "Biru Indigo", "Hitam", "Merah Maroon"], "Ukuran": _SIZES},
            ),
            (
                "Kemeja Batik Pria Lengan Pendek",
                "pakaian-pria",
                (125000, 245000),
                240,
                {"Warna": ["Cokelat Sogan", "Biru Indigo", "Hijau Botol"], "Ukuran": _SIZES},
            ),
            (
                "Dress Batik Wanita",
                "pakaian-wanita",
                (185000, 450000),
                320,
                {"Warna": ["Cokelat Sogan", "Merah Maroon", "Navy"], "Ukuran": ["S", "M", "L", "XL"]},
            ),
            (
                "Blouse Batik Wanita",
                "pakaian-wanita",
                (115000, 225000),
                220,
                {"Warna": ["Hitam", "Kuning Kunyit", "Biru Indigo"], "Ukuran": ["S", "M", "L", "XL"]},
            ),
            ("Kain Batik Tulis", "batik", (250000, 450000), 350, {"Ukuran": ["2 x 1,15 m", "2,5 x 1,15 m"]}),
        ],
        ["Motif Parang", "Motif Kawung", "Motif Truntum", "Motif Sidomukti", "Motif Mega Mendung"],
    ),
    (
        [
            (
                "Kopi Arabika",
                "kopi",
                (65000, 320000),
                250,
                {
                    "Berat": ["250 gr", "500 gr", "1 kg"],
                    "Gilingan": ["Biji Utuh", "Halus (Tubruk)", "Sedang (V60)"],
                },
            ),
            (
                "Kopi Robusta",
                "kopi",
                (45000, 210000),
                250,
                {"Berat": ["250 gr", "500 gr", "1 kg"], "Gilingan": ["Biji Utuh", "Halus (Tubruk)"]},
            ),
            ("Drip Bag Kopi", "kopi", (35000, 95000), 120, {"Isi": ["5 sachet", "10 sachet", "20 sachet"]}),
            (
                "Kopi Susu Gula Aren Literan",
                "makanan-ringan",
                (55000, 105000),
                1100,
                {"Ukuran": ["500 ml", "1 liter"]},
            ),
        ],
        ["Gayo Aceh", "Toraja Sapan", "Kintamani Bali", "Flores Bajawa", "Java Preanger", "Temanggung"],
    ),
    (
        [
            (
                "Pashmina Ceruty Babydoll",
                "hijab",
                (35000, 69000),
                150,
                {"Warna": ["Hitam", "Mocca", "Dusty Pink", "Navy", "Sage Green", "Milo"]},
            ),
            (
                "Bergo Instan Jersey",
                "hijab",
                (39000, 79000),
                130,
                {"Warna": ["Hitam", "Putih Tulang", "Maroon", "Army"], "Ukuran": ["M", "L", "XL"]},
            ),
            (
                "Segi Empat Voal",
                "hijab",
                (45000, 99000),
                120,
                {"Warna": ["Mocca", "Lilac", "Navy", "Terracotta"]},
            ),
            (
                "Gamis Syar'i Set Khimar",
                "hijab",
                (189000, 399000),
                650,
                {"Warna": ["Hitam", "Navy", "Milo", "Sage Green"], "Ukuran": ["S", "M", "L", "XL"]},
            ),
        ],
        ["Premium", "Polos", "Lasercut", "Motif Bunga", "Daily", "Edisi Lebaran"],
    ),
    (
        [
            (
                "Sambal Bawang",
                "sambal-bumbu",
                (35000, 65000),
                250,
                {
                    "Level Pedas": ["Sedang", "Pedas", "Extra Pedas"],
                    "Ukuran": ["Botol 150 gr", "Botol 250 gr"],
                },
            ),
            (
                "Sambal Cumi Asin",
                "sambal-bumbu",
                (45000, 89000),
                250,
                {"Level Pedas": ["Sedang", "Pedas"], "Ukuran": ["Botol 150 gr", "Botol 250 gr"]},
            ),
            (
                "Keripik Tempe Sagu",
                "makanan-ringan",
                (35000, 59000),
                300,
                {"Rasa": ["Original", "Balado", "Jagung Bakar"]},
            ),
            (
                "Hampers Sambal Nusantara",
                "sambal-bumbu",
                (150000, 275000),
                1200,
                {"Isi": ["3 botol", "6 botol"]},
            ),
        ],
        ["Khas Surabaya", "Resep Mama", "Tanpa Pengawet", "Homemade", "Premium"],
    ),
    (
        [
            (
                "Kabel Data USB-C Fast Charging",
                "aksesoris-hp",
                (35000, 89000),
                80,
                {"Panjang": ["1 m", "2 m"], "Warna": ["Hitam", "Putih"]},
            ),
            (
                "Powerbank 10000mAh",
                "aksesoris-hp",
                (149000, 299000),
                240,
                {"Warna": ["Hitam", "Putih", "Biru"]},
            ),
            (
                "TWS Earbuds Bluetooth 5.3",
                "audio",
                (129000, 399000),
                150,
                {"Warna": ["Hitam", "Putih", "Mint"]},
            ),
            ("Charger GaN 65W", "aksesoris-hp", (179000, 349000), 180, {"Tipe": ["1 Port", "3 Port"]}),
            (
                "Tempered Glass Anti Spy",
                "aksesoris-hp",
                (35000, 65000),
                60,
                {"Tipe": ["iPhone 13", "iPhone 15", "Samsung A54", "Redmi Note 13"]},
            ),
        ],
        ["Original", "Garansi Resmi", "Gen 2", "Pro", "Lite"],
    ),
    (
        [
            (
                "Serum Niacinamide 10%",
                "perawatan-wajah",
                (59000, 189000),
                90,
                {"Ukuran": ["20 ml", "30 ml", "50 ml"]},
            ),
            (
                "Toner Centella Soothing",
                "perawatan-wajah",
                (49000, 149000),
                180,
                {"Ukuran": ["100 ml", "200 ml"]},
            ),
            (
                "Sunscreen SPF 50 PA++++",
                "perawatan-wajah",
                (55000, 129000),
                80,
                {"Ukuran": ["30 ml", "50 ml"]},
            ),
            (
                "Moisturizer Ceramide Barrier",
                "perawatan-wajah",
                (69000, 169000),
                90,
                {"Ukuran": ["30 gr", "50 gr"]},
            ),
            (
                "Body Lotion Brightening",
                "perawatan-tubuh",
                (45000, 119000),
                280,
                {"Ukuran": ["150 ml", "250 ml"], "Aroma": ["Sakura", "Vanilla", "Green Tea"]},
            ),
        ],
        ["Glow", "Acne Care", "Sensitive Skin", "Travel Size", "Bundling Hemat"],
    ),
]
PRODUCTS_PER_SELLER = 21

TICKET_SUBJECTS = {
    "delivery": ["Paket belum sampai ke pembeli", "Status paket tidak bergerak 3 hari", "Paket salah alamat"],
    "pickup": ["Kurir belum datang untuk pickup", "Pickup dijadwalkan ulang tanpa konfirmasi"],
    "return": ["Paket retur belum diterima kembali", "Minta konfirmasi retur pesanan"],
    "damaged": ["Barang diterima dalam kondisi rusak", "Botol pecah saat diterima pembeli"],
    "lost": ["Paket dinyatakan hilang oleh kurir", "Paket tidak ditemukan di hub"],
    "cod": ["Dana COD belum masuk ke saldo", "Selisih nominal pencairan COD"],
    "other": ["Cara mengubah alamat pickup", "Permintaan perubahan rekening pencairan"],
}
SELLER_LINES = [
    "Halo kak, mohon dibantu cek ya. Pembeli sudah menanyakan terus.",
    "Sudah saya cek di aplikasi kurir tapi belum ada update sama sekali.",
    "Terima kasih kak, ditunggu kabarnya ya.",
    "Pembeli minta kepastian hari ini, bisa dibantu dipercepat?",
    "Baik kak, sudah saya kirimkan foto bukti dan video unboxing.",
]
STAFF_LINES = [
    "Halo kak, terima kasih sudah menghubungi kami. Kami sedang cek ke pihak ekspedisi.",
    "Sudah kami eskalasi ke tim kurir, estimasi jawaban 1x24 jam ya kak.",
    "Mohon lampirkan foto paket dan video unboxing untuk proses klaim.",
    "Update: paket sudah ditemukan di hub dan akan diantar ulang besok.",
    "Kendala sudah kami selesaikan. Tiket akan kami tutup, terima kasih kak.",
]
RETURN_REASONS = [
    "Alamat penerima tidak ditemukan",
    "Penerima menolak paket",
    "Penerima tidak dapat dihubungi",
    "Pembeli menolak membayar COD",
    "Penerima pindah alamat",
]


def _phone(rng: random.Random) -> str:
    return f"+62{rng.choice(MOBILE_PREFIXES)}{rng.randint(10_000_000, 99_999_999)}"


def _street(rng: random.Random) -> str:
    rt = f", RT {rng.randint(1, 12):02d}/RW {rng.randint(1, 9):02d}" if rng.random() < 0.5 else ""
    return f"{rng.choice(STREETS)} No. {rng.randint(1, 150)}{rt}"


# ---------------------------------------------------------------------------------------------------
# The build
# ---------------------------------------------------------------------------------------------------


@dataclass
class DemoContext:
    now: datetime
    users: dict = field(default_factory=dict)
    sellers: list = field(default_factory=list)  # in DEMO_SELLERS order
    log: Callable[[str], None] = print

    @property
    def seller_ids(self) -> list[int]:
        return [s.pk for s in self.sellers]


@dataclass
class DemoResult:
    users: list[tuple[str, str, str]]  # username, role, password
    password: str
    built: list[str]
    skipped: list[str]


def demo_load(*, log: Callable[[str], None] = print, now: datetime | None = None) -> DemoResult:
    """Build every part that is not there yet; return the demo users for the closing table."""
    ctx = DemoContext(now=now or timezone.now(), log=log)
    built, skipped = [], []
    parts = [
        ("users", None, build_users),
        ("sellers", None, build_sellers),
        ("reference data", None, build_reference_data),
        ("platform accounts", None, build_platform_accounts),
        ("catalog", _catalog_exists, build_catalog),
        ("orders and shipments", _orders_exist, build_orders),
        ("tickets", _tickets_exist, build_tickets),
        ("claims", _claims_exist, build_claims),
        ("finance", _finance_exists, build_finance),
        ("sync runs", _sync_runs_exist, build_sync_runs),
    ]
    with transaction.atomic():
        for name, exists, builder in parts:
            if exists is not None and exists(ctx):
                skipped.append(name)
                log(f"  {name}: already there, skipped")
                continue
            started = timezone.now()
            builder(ctx)
            seconds = (timezone.now() - started).total_seconds()
            if exists is None:  # checked row by row: only what was missing was created
                log(f"  {name}: created where missing ({seconds:.1f}s)")
            else:
                built.append(name)
                log(f"  {name}: built in {seconds:.1f}s")
    role_of = {u[0]: (u[3] or ("Superuser" if u[4] else "Seller user (mobile app)")) for u in DEMO_USERS}
    password = demo_password()
    return DemoResult(
        users=[(name, role_of[name], password) for name, *_rest in DEMO_USERS],
        password=password,
        built=built,
        skipped=skipped,
    )


# --- users and sellers ----------------------------------------------------------------------------


def build_users(ctx: DemoContext) -> None:
    """The demo users, created once with the demo password (DEMO_ADMIN_PASSWORD or "admin")."""
    User = get_user_model()
    existing = {u.username: u for u in User.objects.filter(username__in=[u[0] for u in DEMO_USERS])}
    hashed = make_password(demo_password()) if len(existing) < len(DEMO_USERS) else ""
    for username, first, last, group_name, superuser, staff in DEMO_USERS:
        user = existing.get(username)
        if user is None:
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                is_superuser=superuser,
                is_staff=staff,
                email=f"{username}@demo.backoffice.local",
            )
            user.password = hashed  # one hash for the one shared demo password: hashing is slow on purpose
            user.save()
            if group_name:
                group, _created = Group.objects.get_or_create(name=group_name)
                user.groups.add(group)
        ctx.users[username] = user


def build_sellers(ctx: DemoContext) -> None:
    from sellers.models import Seller, SellerUser, StaffAssignment

    existing = set(Seller.objects.filter(code__in=DEMO_SELLER_CODES).values_list("code", flat=True))
    _bulk(
        Seller,
        [
            Seller(
                code=code,
                name=name,
                contact_name=contact,
                phone=phone,
                email=email,
                address=address,
                city=city,
                province=province,
                postal_code=postal,
                created_at=ctx.now - timedelta(days=180 - 7 * i),
            )
            for i, (code, name, contact, phone, email, address, city, province, postal, _p) in enumerate(
                DEMO_SELLERS
            )
            if code not in existing
        ],
    )
    by_code = {s.code: s for s in Seller.objects.filter(code__in=DEMO_SELLER_CODES)}
    ctx.sellers = [by_code[code] for code in DEMO_SELLER_CODES]

    wanted = {
        (ctx.users[username].pk, ctx.sellers[i].pk) for username, idx in STAFF_SELLERS.items() for i in idx
    }
    have = set(
        StaffAssignment.objects.filter(user_id__in=[u for u, _s in wanted]).values_list(
            "user_id", "seller_id"
        )
    )
    _bulk(StaffAssignment, [StaffAssignment(user_id=u, seller_id=s) for u, s in sorted(wanted - have)])

    seller_user = ctx.users["seller1"]
    if not SellerUser.objects.filter(user=seller_user).exists():
        SellerUser.objects.create(user=seller_user, seller=ctx.sellers[0], role=SellerUser.Role.OWNER)


def build_reference_data(ctx: DemoContext) -> None:
    """Categories, warehouses, couriers and their services: created where missing (by natural key)."""
    from catalog.models import Category, Warehouse
    from logistics.models import Courier, CourierService

    have = set(Category.objects.filter(slug__in=[c[0] for c in CATEGORIES]).values_list("slug", flat=True))
    for parent_level in (True, False):
        ids = dict(Category.objects.values_list("slug", "id"))
        _bulk(
            Category,
            [
                Category(slug=slug, name=name, parent_id=ids.get(parent) if parent else None)
                for slug, name, parent in CATEGORIES
                if slug not in have and (parent is None) == parent_level
            ],
        )

    have = set(Warehouse.objects.filter(code__in=[w[0] for w in WAREHOUSES]).values_list("code", flat=True))
    _bulk(
        Warehouse,
        [
            Warehouse(
                code=code,
                name=name,
                kind=kind,
                seller=ctx.sellers[owner] if owner is not None else None,
                address=address,
                district=district,
                city=city,
                province=province,
                postal_code=postal,
            )
            for code, name, kind, owner, address, district, city, province, postal in WAREHOUSES
            if code not in have
        ],
    )

    have = set(Courier.objects.filter(code__in=[c[0] for c in COURIERS]).values_list("code", flat=True))
    _bulk(
        Courier,
        [
            Courier(code=code, name=name, pickup_cutoff=time(15, 0))
            for code, name, _services, _prefix, _w in COURIERS
            if code not in have
        ],
    )
    courier_ids = dict(Courier.objects.filter(code__in=[c[0] for c in COURIERS]).values_list("code", "id"))
    have_services = set(
        CourierService.objects.filter(courier_id__in=courier_ids.values()).values_list("courier_id", "code")
    )
    _bulk(
        CourierService,
        [
            CourierService(courier_id=courier_ids[code], code=svc, name=svc_name)
            for code, _name, services, _prefix, _w in COURIERS
            for svc, svc_name in services
            if (courier_ids[code], svc) not in have_services
        ],
    )


def build_platform_accounts(ctx: DemoContext) -> None:
    from integrations.models import PlatformAccount

    port = os.environ.get("PORT", "8000")
    have = set(PlatformAccount.objects.filter(name__startswith="demo-").values_list("platform", "name"))
    _bulk(
        PlatformAccount,
        [
            PlatformAccount(
                platform=platform,
                name=f"demo-{platform}",
                seller=ctx.sellers[seller_idx],
                base_url=f"http://127.0.0.1:{port}{PLATFORM_PATHS[platform]}",
                credentials=credentials,
                external_account_id=external_id,
                rate_limit_per_minute=120,
            )
            for platform, (seller_idx, external_id, credentials) in PLATFORM_ACCOUNTS.items()
            if (platform, f"demo-{platform}") not in have
        ],
    )
    from integrations.services import account_schedule_syncs

    for account in _demo_accounts().values():
        account_schedule_syncs(account=account)


def _demo_accounts():
    from integrations.models import PlatformAccount

    return {
        a.platform: a for a in PlatformAccount.objects.filter(name__in=[f"demo-{p}" for p in PLATFORM_PATHS])
    }


# --- catalog --------------------------------------------------------------------------------------


def _catalog_exists(ctx: DemoContext) -> bool:
    from catalog.models import Variant

    return Variant.objects.filter(seller_id__in=ctx.seller_ids).exists()


def build_catalog(ctx: DemoContext) -> None:
    """~125 products with ~450 variants, stock in the fulfilment centres (and the seller's own warehouse),
    every stock level explained by its movements."""
    from catalog.models import Category, Product, StockLevel, StockMovement, Variant, Warehouse

    rng = _rng("catalog")
    categories = dict(Category.objects.values_list("slug", "id"))
    warehouses = {w.code: w for w in Warehouse.objects.filter(code__in=[w[0] for w in WAREHOUSES])}

    products, variant_specs = [], []
    for seller_idx, seller in enumerate(ctx.sellers):
        lines, descriptors = CATALOG[seller_idx]
        prefix = DEMO_SELLERS[seller_idx][9]
        for p_idx in range(PRODUCTS_PER_SELLER + seller_idx % 2):
            base, category, (low, high), weight, options = lines[p_idx % len(lines)]
            descriptor = descriptors[(p_idx // len(lines) + p_idx) % len(descriptors)]
            product = Product(
                seller=seller,
                category_id=categories.get(category),
                name=f"{base} {descriptor}",
                brand=DEMO_SELLERS[seller_idx][1],
                status=Product.Status.ACTIVE,
                description=f"{base} {descriptor} dari {DEMO_SELLERS[seller_idx][1]}. "
                "Stok ready, kirim setiap hari kerja.",
                created_at=ctx.now - timedelta(days=rng.randint(70, 170)),
            )
            if p_idx % 17 == 16:
                product.status = Product.Status.DRAFT
            products.append(product)
            combos = list(itertools.product(*options.values()))
            picked = sorted(rng.sample(range(len(combos)), min(len(combos), rng.randint(2, 6))))
            base_price = rng.uniform(low, (low + high) / 2)
            for v_idx, combo_idx in enumerate(picked):
                values = dict(zip(options.keys(), combos[combo_idx], strict=True))
                step = 1 + combo_idx % 3  # bigger sizes / weights cost more
                price = min(high, base_price * (1 + 0.25 * (step - 1)))
                variant_specs.append(
                    (
                        product,
                        seller,
                        {
                            "sku": f"{prefix}-{p_idx + 1:03d}-{v_idx + 1:02d}",
                            "name": " / ".join(values.values()),
                            "option_values": values,
                            "price": _round_to(price, 1000),
                            "weight_grams": int(weight * (1 + 0.5 * (step - 1))) + rng.randint(0, 30),
                            "length_cm": Decimal(rng.choice([15, 20, 25, 30])),
                            "width_cm": Decimal(rng.choice([10, 15, 20])),
                            "height_cm": Decimal(rng.choice([3, 5, 8, 10])),
                        },
                    )
                )
    _bulk(Product, products)
    variants = [
        Variant(product_id=product.pk, seller=seller, created_at=product.created_at, **spec)
        for product, seller, spec in variant_specs
    ]
    _bulk(Variant, variants)

    private_of = {w.seller_id: w for w in warehouses.values() if w.seller_id}
    levels, movements = [], []
    warehouse_user = ctx.users.get("warehouse")
    for variant in variants:
        places = [warehouses["FC-CKG"]]
        if rng.random() < 0.5:
            places.append(warehouses["FC-SBY"])
        if variant.seller_id in private_of:
            places.append(private_of[variant.seller_id])
        for warehouse in places:
            roll = rng.random()
            on_hand = rng.randint(0, 5) if roll < 0.08 else rng.randint(12, 180)
            reserved = rng.randint(1, min(on_hand, 6)) if on_hand > 2 and rng.random() < 0.15 else 0
            levels.append(
                StockLevel(
                    variant=variant,
                    warehouse=warehouse,
                    on_hand=on_hand,
                    reserved=reserved,
                    created_at=variant.created_at,
                )
            )
            at = variant.created_at + timedelta(hours=rng.randint(1, 48))
            if on_hand:
                movements.append(
                    StockMovement(
                        variant=variant,
                        warehouse=warehouse,
                        on_hand_delta=on_hand,
                        reason=StockMovement.Reason.INITIAL,
                        reference=f"STOK-AWAL-{warehouse.code}",
                        note="Stok awal (stock opname)",
                        actor=warehouse_user,
                        created_at=at,
                    )
                )
            if reserved:
                movements.append(
                    StockMovement(
                        variant=variant,
                        warehouse=warehouse,
                        reserved_delta=reserved,
                        reason=StockMovement.Reason.RESERVATION,
                        reference="Pesanan baru",
                        actor=None,
                        created_at=ctx.now - timedelta(hours=rng.randint(1, 30)),
                    )
                )
    _bulk(StockLevel, levels)
    with _keep_timestamps(StockMovement):
        _bulk(StockMovement, movements)


# --- orders, shipments, tracking, pickups, returns ------------------------------------------------

ORDER_STATUS_WEIGHTS = {
    "draft": 3,
    "new": 9,
    "processing": 8,
    "ready_to_ship": 8,
    "shipped": 12,
    "delivered": 9,
    "completed": 28,
    "returning": 4,
    "returned": 6,
    "canceled": 13,
}
AGE_DAYS = {
    "draft": (0, 3),
    "new": (0, 2),
    "processing": (0, 3),
    "ready_to_ship": (0, 3),
    "shipped": (1, 6),
    "delivered": (3, 12),
    "completed": (9, ORDER_DAYS),
    "returning": (5, 15),
    "returned": (12, ORDER_DAYS),
    "canceled": (0, ORDER_DAYS),
}
_FORWARD = ["new", "processing", "ready_to_ship", "shipped"]
ORDER_PATHS = {
    "draft": ["draft"],
    "new": ["new"],
    "processing": _FORWARD[:2],
    "ready_to_ship": _FORWARD[:3],
    "shipped": _FORWARD,
    "delivered": [*_FORWARD, "delivered"],
    "completed": [*_FORWARD, "delivered", "completed"],
    "returning": [*_FORWARD, "returning"],
    "returned": [*_FORWARD, "returning", "returned"],
}
CANCEL_PATHS = [
    ["new", "canceled"],
    ["new", "processing", "canceled"],
    ["new", "processing", "ready_to_ship", "canceled"],
]
SHIPMENT_PATHS = {
    "pending": ["pending"],
    "awb_created": ["pending", "awb_created"],
    "pickup_requested": ["pending", "awb_created", "pickup_requested"],
    "picked_up": ["pending", "awb_created", "picked_up"],
    "in_transit": ["pending", "awb_created", "picked_up", "in_transit"],
    "problem": ["pending", "awb_created", "picked_up", "in_transit", "problem"],
    "lost": ["pending", "awb_created", "picked_up", "in_transit", "lost"],
    "delivered": ["pending", "awb_created", "picked_up", "in_transit", "delivered"],
    "returning": ["pending", "awb_created", "picked_up", "in_transit", "returning"],
    "returned": ["pending", "awb_created", "picked_up", "in_transit", "returning", "returned"],
    "canceled": ["pending", "awb_created", "canceled"],
}
HUBS = {
    "Jakarta Timur": "Hub Cakung",
    "Surabaya": "Hub Rungkut",
    "Surakarta": "Hub Solo Baru",
    "Bandung": "Hub Soekarno-Hatta",
}


def _orders_exist(ctx: DemoContext) -> bool:
    from orders.models import Order

    return Order.objects.filter(seller_id__in=ctx.seller_ids).exists()


@dataclass
class _OrderPlan:
    order: object
    path: list[str]
    times: list[datetime]
    items: list = field(default_factory=list)
    shipment_status: str | None = None


def _wib_midnight(moment: datetime) -> datetime:
    local = moment.astimezone(WIB)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _spread(rng: random.Random, start: datetime, end: datetime, count: int) -> list[datetime]:
    """`count` increasing moments in [start, end]; the first is `start`."""
    span = max((end - start).total_seconds(), 60.0)
    fractions = sorted(rng.uniform(0.05, 0.97) for _ in range(count - 1))
    return [start, *(start + timedelta(seconds=span * f) for f in fractions)]


def build_orders(ctx: DemoContext) -> None:
    from catalog.models import Variant, Warehouse
    from logistics.models import Courier, CourierService
    from orders.models import Customer, Order, OrderEvent, OrderItem

    rng = _rng("orders")
    now = ctx.now
    accounts = _demo_accounts()
    account_of_seller = {a.seller_id: a for a in accounts.values() if a.seller_id}
    couriers = {c.code: c for c in Courier.objects.filter(code__in=[c[0] for c in COURIERS])}
    services = defaultdict(list)
    for courier_id, code in CourierService.objects.filter(courier__in=couriers.values()).values_list(
        "courier_id", "code"
    ):
        services[courier_id].append(code)
    courier_codes = [c[0] for c in COURIERS]
    courier_weights = [c[4] for c in COURIERS]
    warehouses = {w.code: w for w in Warehouse.objects.filter(code__in=[w[0] for w in WAREHOUSES])}
    private_of = {w.seller_id: w for w in warehouses.values() if w.seller_id}
    variants_of = defaultdict(list)
    for v in Variant.objects.filter(seller_id__in=ctx.seller_ids, is_active=True).select_related("product"):
        if v.product.status == "active":
            variants_of[v.seller_id].append(v)

    # Customers: ~70 per seller.
    customers = []
    for seller in ctx.sellers:
        for _i in range(70):
            city, province, district, subdistrict, postal = rng.choice(PLACES)
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            customers.append(
                Customer(
                    seller=seller,
                    name=f"{first} {last}",
                    phone=_phone(rng),
                    email=f"{first.lower()}.{last.lower()}{rng.randint(1, 99)}@gmail.com"
                    if rng.random() < 0.4
                    else "",
                    address=_street(rng),
                    subdistrict=subdistrict,
                    district=district,
                    city=city,
                    province=province,
                    postal_code=postal,
                    created_at=now - timedelta(days=rng.randint(ORDER_DAYS, 200)),
                )
            )
    _bulk(Customer, customers)
    customers_of = defaultdict(list)
    for c in customers:
        customers_of[c.seller_id].append(c)

    since_midnight = (now - _wib_midnight(now)).total_seconds()
    statuses = list(ORDER_STATUS_WEIGHTS)
    plans: list[_OrderPlan] = []
    for seq in range(1, ORDER_COUNT + 1):
        if seq % 25 == 0:  # a steady trickle of today's orders for the dashboard
            status = rng.choice(["draft", "new", "new", "processing", "ready_to_ship", "canceled"])
            age = timedelta(seconds=rng.uniform(0, max(since_midnight - 5, 1)))
        else:
            status = rng.choices(statuses, weights=list(ORDER_STATUS_WEIGHTS.values()))[0]
            low, high = AGE_DAYS[status]
            age = timedelta(days=rng.uniform(low, high), minutes=rng.randint(10, 600))
        created = now - age
        path = list(rng.choice(CANCEL_PATHS) if status == "canceled" else ORDER_PATHS[status])
        times = _spread(rng, created, now - timedelta(minutes=5), len(path))
        seller = ctx.sellers[rng.choices(range(len(ctx.sellers)), weights=[24, 20, 20, 14, 12, 10])[0]]
        customer = rng.choice(customers_of[seller.pk])
        account = account_of_seller.get(seller.pk) if rng.random() < 0.7 else None
        method = rng.choices(["cod", "bank_transfer", "e_payment"], weights=[55, 25, 20])[0]

        lines, weight = [], 0
        for variant in rng.sample(variants_of[seller.pk], rng.choices([1, 2, 3], weights=[60, 30, 10])[0]):
            qty = rng.choices([1, 2, 3, 4], weights=[65, 22, 9, 4])[0]
            item_discount = (
                _round_to(float(variant.price) * qty * 0.1, 500) if rng.random() < 0.12 else Decimal(0)
            )
            line_total = variant.price * qty - item_discount
            lines.append(
                OrderItem(
                    variant=variant,
                    sku=variant.sku,
                    name=f"{variant.product.name} ({variant.name})",
                    quantity=qty,
                    unit_price=variant.price,
                    discount=item_discount,
                    line_total=line_total,
                    weight_grams=variant.weight_grams * qty,
                    created_at=created,
                )
            )
            weight += variant.weight_grams * qty
        subtotal = sum((line.line_total for line in lines), Decimal(0))
        discount = (
            Decimal(rng.choice([5000, 10000, 15000, 20000, 25000])) if rng.random() < 0.25 else Decimal(0)
        )
        discount = min(discount, (subtotal / 2).quantize(Decimal(1)))
        rate = rng.choice([9000, 10000, 11000, 13000, 15000, 18000, 22000, 26000, 38000])
        shipping = Decimal(rate * max(1, math.ceil(weight / 1000)))
        cod_fee = Decimal(0)
        if method == "cod":
            cod_fee = ((subtotal - discount + shipping) * Decimal("0.03")).quantize(
                Decimal(100), rounding=ROUND_UP
            )
        courier_code = rng.choices(courier_codes, weights=courier_weights)[0]
        courier = couriers[courier_code]
        service = services[courier.pk][0] if rng.random() < 0.7 else rng.choice(services[courier.pk])
        local_created = created.astimezone(WIB)
        platform_status = PLATFORM_STATUS[account.platform][status] if account else ""
        order = Order(
            account=account,
            external_id=f"DEMO-{700000 + seq}" if account else "",
            seller=seller,
            customer=customer,
            warehouse=private_of.get(seller.pk)
            if seller.pk in private_of and rng.random() < 0.5
            else warehouses["FC-CKG"],
            order_no=f"ORD-{local_created:%y%m%d}-{seq:05d}",
            invoice_no=f"INV/{local_created:%Y%m%d}/{DEMO_SELLERS[ctx.sellers.index(seller)][9]}/{seq:05d}",
            status=status,
            platform_status=platform_status,
            payment_method=method,
            payment_status=_payment_status(rng, status, method, path),
            subtotal=_money(subtotal),
            discount=_money(discount),
            shipping_cost=_money(shipping),
            cod_fee=_money(cod_fee),
            grand_total=_money(subtotal - discount + shipping + cod_fee),
            courier=courier,
            courier_service=service,
            notes=rng.choice(ORDER_NOTES),
            platform_created_at=created - timedelta(minutes=rng.randint(1, 20)) if account else None,
            platform_updated_at=times[-1] if account else None,
            created_at=created,
        )
        plan = _OrderPlan(order=order, path=path, times=times, items=lines)
        plan.shipment_status = _shipment_status_for(rng, status, path)
        plans.append(plan)

    # A few orders whose platform status has no mapping yet: the dashboard and the admin flag them.
    ngorder_plans = [
        p
        for p in plans
        if p.order.account and p.order.account.platform == "ngorder" and p.order.status == "new"
    ]
    for plan in ngorder_plans[:5]:
        plan.order.platform_status = "ON_HOLD_FRAUD_CHECK"
        plan.order.status_unmapped = True

    _bulk(Order, [p.order for p in plans])
    items = []
    for plan in plans:
        for item in plan.items:
            item.order = plan.order
            items.append(item)
    _bulk(OrderItem, items)

    cs, warehouse_user = ctx.users.get("cs"), ctx.users.get("warehouse")
    events = []
    for plan in plans:
        for k, (state, at) in enumerate(zip(plan.path, plan.times, strict=True)):
            if plan.order.account_id:
                actor, source = None, "sync"
            elif state in ("processing", "ready_to_ship"):
                actor, source = warehouse_user, "staff"
            elif state in ("new", "draft", "canceled", "completed"):
                actor, source = cs, "staff"
            else:
                actor, source = None, "system"
            events.append(
                OrderEvent(
                    order=plan.order,
                    actor=actor,
                    source=source,
                    from_status=plan.path[k - 1] if k else "",
                    to_status=state,
                    created_at=at,
                    note=_order_event_note(state),
                )
            )
    _bulk(OrderEvent, events)

    shipments = _build_shipments(ctx, rng, plans)
    _build_pickups(ctx, rng, plans, shipments)
    _build_returns(ctx, rng, plans, shipments)


def _order_event_note(state: str) -> str:
    return {
        "processing": "Pesanan diproses gudang",
        "ready_to_ship": "Siap dikirim, label dicetak",
        "canceled": "Dibatalkan atas permintaan pembeli",
        "returning": "Paket dalam proses retur",
    }.get(state, "")


def _payment_status(rng: random.Random, status: str, method: str, path: list[str]) -> str:
    if method == "cod":
        return "paid" if status in ("delivered", "completed") else "unpaid"
    if status == "draft":
        return "unpaid"
    if status == "new":
        return rng.choice(["unpaid", "unpaid", "partially_paid", "paid"])
    if status == "canceled":
        return "refunded" if "processing" in path else "unpaid"
    if status == "returned":
        return rng.choice(["paid", "refunded"])
    return "paid"


def _shipment_status_for(rng: random.Random, status: str, path: list[str]) -> str | None:
    if status == "processing":
        return "pending" if rng.random() < 0.35 else None
    if status == "ready_to_ship":
        return rng.choice(["awb_created", "awb_created", "pickup_requested"])
    if status == "shipped":
        return rng.choices(["picked_up", "in_transit", "problem", "lost"], weights=[18, 64, 10, 8])[0]
    if status in ("delivered", "completed"):
        return "delivered"
    if status in ("returning", "returned"):
        return status
    if status == "canceled" and "ready_to_ship" in path:
        return "canceled"
    return None


def _build_shipments(ctx: DemoContext, rng: random.Random, plans: list[_OrderPlan]) -> dict:
    from logistics.models import Shipment, ShipmentEvent, TrackingEvent

    prefixes = {c[0]: c[3] for c in COURIERS}
    shipments = {}  # order pk -> Shipment
    for n, plan in enumerate(p for p in plans if p.shipment_status):
        order, status = plan.order, plan.shipment_status
        at = dict(zip(plan.path, plan.times, strict=True))
        created = at.get("ready_to_ship") or at.get("processing") or plan.times[-1]
        code = order.courier.code
        awb = (
            ""
            if status == "pending"
            else f"{prefixes[code]}{26_000_000_000 + n * 37 + rng.randint(0, 36):011d}"
        )
        shipment = Shipment(
            account=order.account,
            order=order,
            courier=order.courier,
            service=order.courier_service,
            awb=awb,
            status=status,
            platform_status=order.platform_status,
            weight_grams=sum(i.weight_grams for i in plan.items),
            cod_amount=order.grand_total if order.payment_method == "cod" else Decimal(0),
            shipping_fee=order.shipping_cost,
            created_at=created,
        )
        if awb:
            shipment.printed_at = created + timedelta(minutes=rng.randint(5, 90))
            shipment.print_count = 1 if rng.random() < 0.85 else 2
        if "shipped" in at:
            shipment.shipped_at = at["shipped"]
        if "delivered" in at:
            shipment.delivered_at = at["delivered"]
        shipments[order.pk] = (shipment, plan)
    _bulk(Shipment, [s for s, _p in shipments.values()])

    events, tracking = [], []
    for shipment, plan in shipments.values():
        path = SHIPMENT_PATHS[shipment.status]
        end = shipment.delivered_at or plan.times[-1]
        times = _spread(
            rng, shipment.created_at, max(end, shipment.created_at + timedelta(hours=1)), len(path)
        )
        for k, state in enumerate(path):
            events.append(
                ShipmentEvent(
                    shipment=shipment,
                    source="sync" if shipment.account_id else "system",
                    from_status=path[k - 1] if k else "",
                    to_status=state,
                    created_at=times[k],
                )
            )
        if shipment.shipped_at:
            tracking.extend(_tracking_for(rng, shipment, plan))
    _bulk(ShipmentEvent, events)
    last_at = {}
    for event in tracking:
        last_at[event.shipment.pk] = max(last_at.get(event.shipment.pk, event.occurred_at), event.occurred_at)
    with _keep_timestamps(TrackingEvent):
        _bulk(TrackingEvent, tracking)
    to_update = []
    for shipment, _plan in shipments.values():
        if shipment.pk in last_at:
            shipment.last_tracked_at = min(ctx.now, last_at[shipment.pk] + timedelta(minutes=30))
            shipment.last_movement_at = last_at[shipment.pk]
            to_update.append(shipment)
    Shipment.objects.bulk_update(to_update, ["last_tracked_at", "last_movement_at"], batch_size=BATCH)
    return {pk: s for pk, (s, _p) in shipments.items()}


def _tracking_for(rng: random.Random, shipment, plan: _OrderPlan) -> list:
    from logistics.models import TrackingEvent

    order = plan.order
    origin = order.warehouse.city if order.warehouse else "Jakarta Timur"
    destination = order.customer.city
    hub = HUBS.get(origin, f"Hub {origin}")
    steps = [
        ("PICKED_UP", "Paket telah diterima oleh kurir", origin),
        ("IN_TRANSIT", f"Paket telah sampai di gudang sortir {hub}", origin),
        ("IN_TRANSIT", f"Paket sedang dalam perjalanan ke {destination}", origin),
        ("IN_TRANSIT", f"Paket telah tiba di hub {destination}", destination),
    ]
    status = shipment.status
    if status == "picked_up":
        steps = steps[:1]
    elif status == "in_transit":
        steps = steps[: rng.randint(2, 4)]
    elif status == "problem":
        steps += [
            ("PROBLEM", "Penerima tidak dapat dihubungi, pengiriman akan dicoba kembali besok", destination)
        ]
    elif status == "lost":
        steps += [("LOST", "Paket tidak ditemukan di hub, dalam proses investigasi", destination)]
    elif status == "delivered":
        steps += [
            ("ON_DELIVERY", "Paket sedang diantar oleh kurir ke alamat penerima", destination),
            ("DELIVERED", f"Paket telah diterima oleh {order.customer.name.split()[0]} (YBS)", destination),
        ]
    elif status in ("returning", "returned"):
        steps += [
            ("ON_DELIVERY", "Paket sedang diantar oleh kurir ke alamat penerima", destination),
            ("UNDELIVERED", f"Gagal antar: {rng.choice(RETURN_REASONS).lower()}", destination),
            ("RETURNING", f"Paket dalam perjalanan kembali ke pengirim di {origin}", destination),
        ]
        if status == "returned":
            steps += [("RETURNED", "Paket retur telah diterima kembali oleh pengirim", origin)]
    end = shipment.delivered_at or plan.times[-1]
    times = _spread(rng, shipment.shipped_at, max(end, shipment.shipped_at + timedelta(hours=2)), len(steps))
    if shipment.delivered_at:
        times[-1] = shipment.delivered_at
    return [
        TrackingEvent(
            account=shipment.account,
            shipment=shipment,
            occurred_at=at,
            status_code=code,
            description=text,
            location=place,
            dedup_key=_hash(shipment.awb, at.isoformat(), code, text),
            created_at=at + timedelta(minutes=rng.randint(5, 40)),
        )
        for (code, text, place), at in zip(steps, times, strict=True)
    ]


def _build_pickups(ctx: DemoContext, rng: random.Random, plans: list[_OrderPlan], shipments: dict) -> None:
    """Pickups in every state: today's and tomorrow's (requested, scheduled) for orders ready to ship,
    past ones picked up (one per seller, courier and day), some failed and some canceled."""
    from logistics.models import PickupEvent, PickupRequest

    today = ctx.now.astimezone(WIB).date()
    contact = {s.pk: (s.contact_name, s.phone, f"{s.address}, {s.city}") for s in ctx.sellers}
    groups: dict[tuple, list] = defaultdict(list)
    for plan in plans:
        shipment = shipments.get(plan.order.pk)
        if shipment is None or not shipment.awb:
            continue
        order = plan.order
        if shipment.status == "pickup_requested" or (shipment.status == "awb_created" and rng.random() < 0.3):
            status = rng.choice(["requested", "scheduled"])
            day = today if rng.random() < 0.6 else today + timedelta(days=1)
        elif shipment.shipped_at and (ctx.now - shipment.shipped_at).days < 7:
            status, day = "picked_up", shipment.shipped_at.astimezone(WIB).date()
        elif shipment.status == "canceled":
            status, day = "canceled", shipment.created_at.astimezone(WIB).date()
        else:
            continue
        groups[(order.seller_id, order.courier_id, day, status, order.warehouse_id)].append(order)

    pickups, members = [], []
    failed_done = set()
    for (seller_id, courier_id, day, status, warehouse_id), orders in sorted(
        groups.items(), key=lambda kv: (kv[0][2], kv[0][0])
    ):
        name, phone, address = contact[seller_id]
        morning = rng.random() < 0.6
        common = {
            "seller_id": seller_id,
            "courier_id": courier_id,
            "contact_name": name,
            "contact_phone": phone,
            "warehouse_id": warehouse_id,
            "address": address,
            "vehicle": "mobil" if len(orders) > 6 else "motor",
            "time_from": time(9, 0) if morning else time(13, 0),
            "time_to": time(12, 0) if morning else time(16, 0),
        }
        created = datetime.combine(day - timedelta(days=1), time(17, 0), tzinfo=WIB)
        if status == "picked_up" and seller_id not in failed_done:
            # The first pickup of each seller failed the day before and was requested again.
            failed_done.add(seller_id)
            pickups.append(
                (
                    PickupRequest(
                        status="failed",
                        pickup_date=day - timedelta(days=1),
                        failure_reason="Kurir tidak datang sampai batas waktu penjemputan",
                        created_at=created - timedelta(days=1),
                        **common,
                    ),
                    orders,
                )
            )
        pickups.append(
            (
                PickupRequest(
                    status=status,
                    pickup_date=day,
                    created_at=min(created, ctx.now),
                    failure_reason="Pesanan dibatalkan pembeli" if status == "canceled" else "",
                    **common,
                ),
                orders,
            )
        )
    _bulk(PickupRequest, [p for p, _o in pickups])
    through = PickupRequest.orders.through
    for pickup, orders in pickups:
        members.extend(through(pickuprequest_id=pickup.pk, order_id=o.pk) for o in orders)
    _bulk(through, members)

    paths = {
        "requested": ["requested"],
        "scheduled": ["requested", "scheduled"],
        "picked_up": ["requested", "scheduled", "picked_up"],
        "failed": ["requested", "scheduled", "failed"],
        "canceled": ["requested", "canceled"],
    }
    events = []
    for pickup, _orders in pickups:
        path = paths[pickup.status]
        end = min(ctx.now, datetime.combine(pickup.pickup_date, pickup.time_to, tzinfo=WIB))
        times = _spread(
            rng, pickup.created_at, max(end, pickup.created_at + timedelta(minutes=30)), len(path)
        )
        for k, state in enumerate(path):
            events.append(
                PickupEvent(
                    pickup=pickup,
                    actor=ctx.users.get("warehouse") if k == 0 else None,
                    source="staff" if k == 0 else "sync",
                    from_status=path[k - 1] if k else "",
                    to_status=state,
                    created_at=times[k],
                )
            )
    _bulk(PickupEvent, events)


def _build_returns(ctx: DemoContext, rng: random.Random, plans: list[_OrderPlan], shipments: dict) -> None:
    from logistics.models import Return

    returns = []
    for plan in plans:
        order = plan.order
        if order.status not in ("returning", "returned"):
            continue
        shipment = shipments.get(order.pk)
        ret = Return(
            account=order.account,
            order=order,
            shipment=shipment,
            reason=rng.choice(RETURN_REASONS),
            rts_fee=order.shipping_cost,
            created_at=plan.times[plan.path.index("returning")],
        )
        if order.status == "returned":
            ret.received_at = plan.times[-1]
            if rng.random() < 0.75:
                ret.status = Return.Status.INSPECTED
                ret.outcome = rng.choices(["sellable", "damaged", "lost"], weights=[75, 20, 5])[0]
                ret.inspected_at = min(ctx.now, ret.received_at + timedelta(hours=rng.randint(2, 30)))
                ret.inspected_by = ctx.users.get("warehouse")
                ret.notes = {
                    "sellable": "Barang utuh, segel masih rapi, masuk stok kembali",
                    "damaged": "Kemasan penyok dan produk rusak, tidak bisa dijual",
                    "lost": "Sebagian isi paket tidak ada saat diterima",
                }[ret.outcome]
            else:
                ret.status = Return.Status.RECEIVED
        returns.append(ret)
    _bulk(Return, returns)
    try:
        ReturnEvent = apps.get_model("logistics", "ReturnEvent")
    except LookupError:  # older schema without return events
        return
    events = []
    for ret in returns:
        path = {
            "returning": ["returning"],
            "received": ["returning", "received"],
            "inspected": ["returning", "received", "inspected"],
        }[ret.status]
        times = [ret.created_at, ret.received_at, ret.inspected_at][: len(path)]
        for k, state in enumerate(path):
            events.append(
                ReturnEvent(
                    ret=ret,
                    actor=ctx.users.get("warehouse") if k else None,
                    source="staff" if k else "sync",
                    from_status=path[k - 1] if k else "",
                    to_status=state,
                    created_at=times[k],
                )
            )
    _bulk(ReturnEvent, events)


# --- tickets and claims ---------------------------------------------------------------------------

TICKET_STATUSES = (
    ["open"] * 14
    + ["in_progress"] * 12
    + ["waiting"] * 10
    + ["resolved"] * 10
    + ["closed"] * 10
    + ["canceled"] * 4
)
TICKET_PATHS = {
    "open": ["open"],
    "in_progress": ["open", "in_progress"],
    "waiting": ["open", "in_progress", "waiting"],
    "resolved": ["open", "in_progress", "resolved"],
    "closed": ["open", "in_progress", "resolved", "closed"],
    "canceled": ["open", "canceled"],
}


def _tickets_exist(ctx: DemoContext) -> bool:
    from logistics.models import Ticket

    return Ticket.objects.filter(seller_id__in=ctx.seller_ids).exists()


def build_tickets(ctx: DemoContext) -> None:
    """60 tickets in every state with 2–5 messages each; open ones overdue, due today or due later."""
    from logistics.models import Shipment, Ticket, TicketEvent, TicketMessage

    rng = _rng("tickets")
    now = ctx.now
    end_of_day = _wib_midnight(now) + timedelta(days=1)
    shipped = list(
        Shipment.objects.filter(order__seller_id__in=ctx.seller_ids)
        .exclude(awb="")
        .values_list("order_id", "order__seller_id", "awb", "status")
        .order_by("id")
    )
    sellers = {s.pk: s for s in ctx.sellers}
    cs, seller_user = ctx.users.get("cs"), ctx.users.get("seller1")
    type_for_status = {
        "delivered": ["damaged", "cod"],
        "lost": ["lost"],
        "problem": ["delivery"],
        "in_transit": ["delivery"],
        "returning": ["return"],
        "returned": ["return"],
        "pickup_requested": ["pickup"],
        "awb_created": ["pickup"],
    }

    tickets, threads = [], []
    for n, status in enumerate(TICKET_STATUSES):
        if rng.random() < 0.85 and shipped:
            order_id, seller_id, awb, ship_status = rng.choice(shipped)
            kind = rng.choice(type_for_status.get(ship_status, ["other"]))
        else:
            order_id, awb, kind = None, "", "other"
            seller_id = rng.choice(ctx.sellers).pk
        open_state = status in ("open", "in_progress", "waiting")
        created = now - timedelta(hours=rng.uniform(2, 20 * 24))
        if open_state:
            bucket = n % 3
            if bucket == 0:  # overdue
                sla = now - timedelta(hours=rng.uniform(1, 30))
            elif bucket == 1:  # due later today
                sla = now + (end_of_day - now) * rng.uniform(0.2, 0.9)
            else:  # later
                sla = end_of_day + timedelta(hours=rng.uniform(4, 72))
            created = min(created, sla - timedelta(hours=24))
        else:
            sla = created + timedelta(hours=24)
        priority = rng.choices(["low", "normal", "high", "urgent"], weights=[15, 55, 22, 8])[0]
        ticket = Ticket(
            number=f"TCK-{created.astimezone(WIB):%y%m%d}-{n + 1:04d}",
            seller_id=seller_id,
            order_id=order_id,
            awb=awb,
            type=kind,
            subject=rng.choice(TICKET_SUBJECTS[kind]),
            priority=priority,
            status=status,
            sla_due_at=sla,
            assignee=cs if status != "open" or rng.random() < 0.3 else None,
            created_at=created,
        )
        seller_author = seller_user if seller_id == ctx.sellers[0].pk else None
        count = rng.randint(2, 5)
        end = now - timedelta(minutes=10)
        if not open_state:
            end = min(end, created + timedelta(hours=rng.uniform(6, 40)))
        times = _spread(rng, created, max(end, created + timedelta(hours=1)), count)
        messages = []
        for k, at in enumerate(times):
            from_staff = k % 2 == 1 and not (status == "open" and k == count - 1)
            if not from_staff:
                body = SELLER_LINES[0] if k == 0 else rng.choice(SELLER_LINES[1:])
            elif k == 1:
                body = STAFF_LINES[0]
            elif k == count - 1 and status in ("resolved", "closed"):
                body = STAFF_LINES[-1]
            else:
                body = rng.choice(STAFF_LINES[1:4])
            messages.append(
                TicketMessage(
                    author=cs if from_staff else seller_author,
                    author_name=(cs.get_full_name() if cs else "CS")
                    if from_staff
                    else sellers[seller_id].contact_name,
                    is_from_staff=from_staff,
                    body=body,
                    created_at=at,
                )
            )
        ticket.last_message_at = times[-1]
        ticket.unread_by_staff = open_state and not messages[-1].is_from_staff
        tickets.append(ticket)
        threads.append(messages)
    _bulk(Ticket, tickets)
    all_messages, events = [], []
    for ticket, messages in zip(tickets, threads, strict=True):
        for message in messages:
            message.ticket = ticket
            all_messages.append(message)
        path = TICKET_PATHS[ticket.status]
        times = _spread(rng, ticket.created_at, max(ticket.last_message_at, ticket.created_at), len(path))
        for k, state in enumerate(path):
            events.append(
                TicketEvent(
                    ticket=ticket,
                    actor=cs if k else None,
                    source="staff" if k else "api",
                    from_status=path[k - 1] if k else "",
                    to_status=state,
                    created_at=times[k],
                )
            )
    _bulk(TicketMessage, all_messages)
    _bulk(TicketEvent, events)


def _claims_exist(ctx: DemoContext) -> bool:
    from logistics.models import Claim

    return Claim.objects.filter(seller_id__in=ctx.seller_ids).exists()


def build_claims(ctx: DemoContext) -> None:
    """Claims for lost, damaged and returned packages, in every state."""
    from logistics.models import Claim, ClaimEvent, Return, Shipment

    rng = _rng("claims")
    candidates = []
    for shipment in (
        Shipment.objects.filter(order__seller_id__in=ctx.seller_ids, status__in=["lost", "problem"])
        .select_related("order")
        .order_by("id")
    ):
        candidates.append((shipment, "lost" if shipment.status == "lost" else "damaged"))
    for ret in (
        Return.objects.filter(order__seller_id__in=ctx.seller_ids, outcome__in=["damaged", "lost"])
        .select_related("order", "shipment")
        .order_by("id")
    ):
        candidates.append((ret.shipment, "return"))
    statuses = ["on_review", "accepted", "rejected", "paid"]
    claims = []
    for n, (shipment, kind) in enumerate(candidates[:24]):
        status = statuses[n % 4]
        order = shipment.order
        created = min(
            ctx.now - timedelta(hours=3),
            (shipment.last_movement_at or shipment.created_at) + timedelta(hours=rng.randint(2, 48)),
        )
        claims.append(
            Claim(
                seller_id=order.seller_id,
                order=order,
                shipment=shipment,
                kind=kind,
                status=status,
                amount=max(Decimal(10000), order.subtotal - order.discount),
                description={
                    "lost": "Paket hilang di perjalanan, mohon ganti rugi sesuai nilai barang.",
                    "damaged": "Barang diterima pembeli dalam kondisi rusak, terlampir foto unboxing.",
                    "return": "Barang retur kembali dalam kondisi rusak/kurang.",
                }[kind],
                decided_at=None
                if status == "on_review"
                else min(ctx.now, created + timedelta(days=rng.randint(1, 4))),
                created_at=created,
            )
        )
    _bulk(Claim, claims)
    paths = {
        "on_review": ["on_review"],
        "accepted": ["on_review", "accepted"],
        "rejected": ["on_review", "rejected"],
        "paid": ["on_review", "accepted", "paid"],
    }
    events = []
    for claim in claims:
        path = paths[claim.status]
        times = _spread(rng, claim.created_at, claim.decided_at or claim.created_at, len(path))
        for k, state in enumerate(path):
            events.append(
                ClaimEvent(
                    claim=claim,
                    actor=ctx.users.get("approver") if k else ctx.users.get("cs"),
                    from_status=path[k - 1] if k else "",
                    to_status=state,
                    created_at=times[k],
                )
            )
    _bulk(ClaimEvent, events)


# --- finance --------------------------------------------------------------------------------------

BANKS = [("bca", 10), ("mandiri", 13), ("bri", 15), ("bni", 10), ("bsi", 10), ("cimb", 13)]
# Withdrawal states each seller gets; together they cover every state several times.
WITHDRAWAL_PLAN = [
    ["completed", "completed", "rejected", "on_review"],
    ["completed", "canceled", "completed", "requested"],
    ["completed", "completed", "approved"],
    ["rejected", "completed", "requested"],
    ["completed", "canceled", "approved"],
    ["completed", "on_review"],
]


def _finance_exists(ctx: DemoContext) -> bool:
    from finance.models import BankAccount

    return BankAccount.objects.filter(seller_id__in=ctx.seller_ids).exists()


@dataclass(order=True)
class _Posting:
    at: datetime
    seq: int
    seller_id: int = field(compare=False)
    kind: str = field(compare=False)  # cod, fee, rts, claim, hold, payout, release
    amount: Decimal = field(compare=False)
    key: str = field(compare=False, default="")
    reference: str = field(compare=False, default="")
    memo: str = field(compare=False, default="")
    withdrawal: object = field(compare=False, default=None)


def build_finance(ctx: DemoContext) -> None:
    """Bank accounts, the ledger and balances, withdrawals in every state, COD remittances.

    Ledger convention: `amount` is the signed change of the available balance, `held_amount` of the held
    balance; balance_after / held_after are the balances after the entry; the final SellerBalance equals
    the sums. Entries are posted in time order and the running balances computed here never go negative."""
    from finance.models import BankAccount, LedgerEntry, SellerBalance, Withdrawal, WithdrawalEvent
    from logistics.models import Claim, Return, Shipment

    rng = _rng("finance")
    now = ctx.now
    users = ctx.users

    accounts, default_account = [], {}
    for seller_idx, seller in enumerate(ctx.sellers):
        for k in range(1 if seller_idx % 2 else 2):
            bank, digits = BANKS[(seller_idx + k * 3) % len(BANKS)]
            number = "".join(str(rng.randint(0, 9)) for _ in range(digits))
            holder = seller.contact_name if k == 0 else f"CV {seller.name}"
            account = BankAccount(
                seller=seller,
                bank_code=bank,
                account_number=number,
                account_number_last4=number[-4:],
                holder_name=holder.upper(),
                is_verified=k == 0,
                verified_at=seller.created_at + timedelta(days=2) if k == 0 else None,
                verified_by=users.get("finance") if k == 0 else None,
                is_default=k == 0,
                created_at=seller.created_at + timedelta(days=1),
            )
            accounts.append(account)
            if k == 0:
                default_account[seller.pk] = account
    _bulk(BankAccount, accounts)

    postings: list[_Posting] = []
    seq = itertools.count()
    for sid, oid, cod, fee, delivered_at, awb, order_no in (
        Shipment.objects.filter(order__seller_id__in=ctx.seller_ids, status="delivered", cod_amount__gt=0)
        .values_list(
            "id", "order__seller_id", "cod_amount", "shipping_fee", "delivered_at", "awb", "order__order_no"
        )
        .order_by("delivered_at", "id")
    ):
        at = delivered_at + timedelta(hours=6)
        if at > now:
            continue
        postings.append(
            _Posting(at, next(seq), oid, "cod", cod, f"shipment:{sid}:cod", awb, f"COD diterima {order_no}")
        )
        if fee:
            postings.append(
                _Posting(
                    at, next(seq), oid, "fee", -fee, f"shipment:{sid}:fee", awb, f"Ongkos kirim {order_no}"
                )
            )
    for rid, seller_id, fee, received_at, order_no in (
        Return.objects.filter(order__seller_id__in=ctx.seller_ids, received_at__isnull=False, rts_fee__gt=0)
        .values_list("id", "order__seller_id", "rts_fee", "received_at", "order__order_no")
        .order_by("id")
    ):
        postings.append(
            _Posting(
                received_at,
                next(seq),
                seller_id,
                "rts",
                -fee,
                f"return:{rid}:rts_charge",
                order_no,
                f"Biaya retur (RTS) {order_no}",
            )
        )
    for cid, seller_id, amount, decided_at, order_no in (
        Claim.objects.filter(seller_id__in=ctx.seller_ids, status="paid")
        .values_list("id", "seller_id", "amount", "decided_at", "order__order_no")
        .order_by("id")
    ):
        postings.append(
            _Posting(
                decided_at,
                next(seq),
                seller_id,
                "claim",
                amount,
                f"claim:{cid}:payout",
                order_no,
                f"Ganti rugi klaim {order_no}",
            )
        )

    # Withdrawals: terminal ones spread over the past weeks, open ones in the last three days.
    withdrawals = []
    for seller_idx, seller in enumerate(ctx.sellers):
        plan = WITHDRAWAL_PLAN[seller_idx % len(WITHDRAWAL_PLAN)]
        terminal = [s for s in plan if s in ("completed", "rejected", "canceled")]
        for k, status in enumerate(plan):
            if status in ("completed", "rejected", "canceled"):
                days_ago = 30 - k * (24 // max(1, len(terminal)))
                at = now - timedelta(days=days_ago, hours=rng.randint(0, 8))
            else:
                at = now - timedelta(hours=rng.uniform(3, 70))
            w = Withdrawal(
                seller=seller,
                bank_account=default_account[seller.pk],
                amount=Decimal(0),
                status=status,
                created_at=at,
                requested_by=users.get("seller1") if seller_idx == 0 else None,
            )
            withdrawals.append(w)
            postings.append(_Posting(at, next(seq), seller.pk, "hold", Decimal(0), withdrawal=w))

    heap = list(postings)
    heapq.heapify(heap)
    available, held = defaultdict(Decimal), defaultdict(Decimal)
    entries: list[tuple[_Posting, Decimal, Decimal]] = []  # posting, amount, held change
    kept_withdrawals = []
    while heap:
        p = heapq.heappop(heap)
        s = p.seller_id
        if p.kind == "hold":
            w = p.withdrawal
            amount = (available[s] * Decimal(rng.uniform(0.3, 0.7)) / 10000).quantize(Decimal(1)) * 10000
            if amount < 50000:
                continue  # not enough balance yet for a withdrawal: the seller did not ask for one
            w.amount = _money(amount)
            kept_withdrawals.append(w)
            entries.append((p, -amount, amount))
            available[s] -= amount
            held[s] += amount
            if w.status in ("completed", "rejected", "canceled"):
                later = p.at + timedelta(hours=rng.randint(6, 40))
                follow = "payout" if w.status == "completed" else "release"
                heapq.heappush(heap, _Posting(later, next(seq), s, follow, amount, withdrawal=w))
            continue
        if p.kind == "payout":
            entries.append((p, Decimal(0), -p.amount))
            held[s] -= p.amount
            p.withdrawal.paid_at = p.at
            continue
        if p.kind == "release":
            entries.append((p, p.amount, -p.amount))
            available[s] += p.amount
            held[s] -= p.amount
            continue
        if p.amount < 0 and available[s] + p.amount < 0:
            continue  # the platform would wait for the next COD credit; the demo simply leaves it out
        entries.append((p, p.amount, Decimal(0)))
        available[s] += p.amount

    approver, finance = users.get("approver"), users.get("finance")
    for w in kept_withdrawals:
        if w.status in ("on_review", "approved", "completed"):
            w.reviewed_by = finance
        if w.status in ("approved", "completed"):
            w.approved_by = approver
            w.approved_at = w.created_at + timedelta(hours=3)
        if w.status == "completed":
            w.paid_by = finance  # never the approver: maker-checker (a database CHECK too)
            w.transfer_reference = f"TRF{w.paid_at.astimezone(WIB):%Y%m%d}{rng.randint(100000, 999999)}"
            w.notes = "Transfer via internet banking"
        if w.status == "rejected":
            w.reviewed_by = approver
            w.notes = "Ditolak: nama pemilik rekening tidak sesuai data seller"
        if w.status == "canceled":
            w.notes = "Dibatalkan oleh seller"
    _bulk(Withdrawal, kept_withdrawals)

    wpaths = {
        "requested": ["requested"],
        "on_review": ["requested", "on_review"],
        "approved": ["requested", "on_review", "approved"],
        "completed": ["requested", "on_review", "approved", "completed"],
        "rejected": ["requested", "on_review", "rejected"],
        "canceled": ["requested", "canceled"],
    }
    actors = {
        "requested": None,
        "on_review": finance,
        "approved": approver,
        "completed": finance,
        "rejected": approver,
        "canceled": None,
    }
    wevents = []
    for w in kept_withdrawals:
        path = wpaths[w.status]
        end = w.paid_at or min(now, w.created_at + timedelta(hours=30))
        times = _spread(rng, w.created_at, max(end, w.created_at + timedelta(minutes=30)), len(path))
        for k, state in enumerate(path):
            wevents.append(
                WithdrawalEvent(
                    withdrawal=w,
                    actor=actors[state],
                    source="staff" if k else "api",
                    from_status=path[k - 1] if k else "",
                    to_status=state,
                    created_at=times[k],
                )
            )
    _bulk(WithdrawalEvent, wevents)

    types = {
        "cod": "cod_credit",
        "fee": "shipping_fee",
        "rts": "rts_charge",
        "claim": "claim_payout",
        "hold": "withdrawal_hold",
        "payout": "withdrawal",
        "release": "withdrawal_release",
    }
    running_available, running_held = defaultdict(Decimal), defaultdict(Decimal)
    ledger = []
    for p, amount, held_change in entries:
        s = p.seller_id
        running_available[s] += amount
        running_held[s] += held_change
        key, memo = p.key, p.memo
        if p.withdrawal is not None:
            key = f"withdrawal:{p.withdrawal.pk}:{p.kind}"
            memo = {
                "hold": "Penarikan saldo diajukan (dana ditahan)",
                "payout": "Penarikan saldo ditransfer",
                "release": "Penarikan saldo batal, dana dikembalikan",
            }[p.kind]
        ledger.append(
            LedgerEntry(
                seller_id=s,
                entry_type=types[p.kind],
                amount=_money(amount),
                held_amount=_money(held_change),
                posting_key=key,
                reference=p.reference or (f"WD-{p.withdrawal.pk}" if p.withdrawal else ""),
                memo=memo,
                balance_after=_money(running_available[s]),
                held_after=_money(running_held[s]),
                created_by=finance if p.kind in ("payout", "release") else None,
                created_at=p.at,
            )
        )
    with _keep_timestamps(LedgerEntry):
        _bulk(LedgerEntry, ledger)
    for seller in ctx.sellers:
        SellerBalance.objects.update_or_create(
            seller=seller,
            defaults={
                "available": _money(running_available[seller.pk]),
                "held": _money(running_held[seller.pk]),
            },
        )

    _build_remittances(ctx, rng)


def _build_remittances(ctx: DemoContext, rng: random.Random) -> None:
    from finance.models import CodRemittance, CodRemittanceLine
    from logistics.models import Courier, Shipment

    couriers = {c.code: c for c in Courier.objects.filter(code__in=["jne", "sicepat"])}
    today = ctx.now.astimezone(WIB).date()
    lines = []
    for code, status, days_ago in (("jne", "posted", 3), ("sicepat", "draft", 0)):
        courier = couriers.get(code)
        if courier is None:
            continue
        shipments = list(
            Shipment.objects.filter(
                courier=courier, order__seller_id__in=ctx.seller_ids, status="delivered", cod_amount__gt=0
            )
            .order_by("-delivered_at")
            .values_list("id", "awb", "cod_amount")[:30]
        )
        remitted_on = today - timedelta(days=days_ago)
        remittance = CodRemittance(
            courier=courier,
            reference=f"RMT-{code.upper()}-{remitted_on:%Y%m%d}",
            remitted_on=remitted_on,
            total_amount=Decimal(0),
            status="posted" if status == "posted" else "draft",
            created_by=ctx.users.get("finance"),
        )
        rows = []
        for n, (sid, awb, cod) in enumerate(shipments):
            amount, match = cod, "matched"
            if status == "draft" and n == 1:
                amount, match = cod - Decimal(5000), "short"
            elif status == "draft" and n > 20:
                match = "pending"
            rows.append(
                CodRemittanceLine(
                    remittance=remittance,
                    awb=awb,
                    amount=amount,
                    shipment_id=sid,
                    match=match,
                    expected_amount=cod,
                )
            )
        if status == "draft":
            rows.append(
                CodRemittanceLine(
                    remittance=remittance,
                    awb=f"0026{rng.randint(10**10, 10**11 - 1)}",
                    amount=Decimal(187500),
                    match="unknown_awb",
                )
            )
        remittance.total_amount = sum((r.amount for r in rows), Decimal(0))
        remittance.save()
        lines.extend(rows)
    _bulk(CodRemittanceLine, lines)


# --- sync runs ------------------------------------------------------------------------------------


def _sync_runs_exist(ctx: DemoContext) -> bool:
    from integrations.models import SyncRun

    return SyncRun.objects.filter(account__name__startswith="demo-").exists()


def build_sync_runs(ctx: DemoContext) -> None:
    """A short history per demo account so that the operations console is not empty."""
    from integrations.models import SyncRun

    rng = _rng("sync")
    kinds = {
        "komship": ["orders_pull", "tracking_pull", "pickups", "balances"],
        "ngorder": ["orders_pull", "products_pull", "stock_push"],
        "scalev": ["orders_pull", "products_push", "tracking_pull"],
        "mitrabunso": ["orders_pull", "orders_push"],
    }
    errors = {
        "ngorder": "ProviderUnavailable: 503 Service Unavailable from /order (after 3 retries)",
        "scalev": "ProviderAuthFailed: 401 Unauthorized — the API key was rejected",
    }
    runs = []
    for platform, account in sorted(_demo_accounts().items()):
        for k in range(10):
            kind = kinds[platform][k % len(kinds[platform])]
            started = ctx.now - timedelta(hours=3 * k + rng.uniform(0.1, 2.5))
            status = "succeeded"
            if platform in errors and k in (1, 6):
                status = "failed"
            elif k == 4:
                status = "partial"
            fetched = rng.randint(5, 120) if status != "failed" else 0
            failed = rng.randint(1, 3) if status == "partial" else (1 if status == "failed" else 0)
            created = rng.randint(0, fetched // 3) if fetched else 0
            updated = rng.randint(0, fetched - created) if fetched else 0
            runs.append(
                SyncRun(
                    account=account,
                    kind=kind,
                    status=status,
                    started_at=started,
                    finished_at=started + timedelta(seconds=rng.uniform(1.5, 40)),
                    fetched=fetched,
                    created=created,
                    updated=updated,
                    unchanged=max(0, fetched - created - updated - failed),
                    failed=failed,
                    cursor=(started - timedelta(minutes=10)).isoformat(timespec="seconds")
                    if status != "failed"
                    else "",
                    error=errors.get(platform, "")
                    if status == "failed"
                    else ("2 orders refer to unknown SKUs" if status == "partial" else ""),
                    created_at=started - timedelta(seconds=2),
                )
            )
    with _keep_timestamps(SyncRun):
        _bulk(SyncRun, runs)
