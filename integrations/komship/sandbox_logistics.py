"""Komship simulator, logistics part: calculate cost, airway-bill check / history / update, print label,
store pickup and the pickup history (endpoints.py `_LOGISTICS_ENDPOINTS` lists the paths and choices).

Mixed into KomshipSandbox; shares its store (orders by id) and its lock. Tests move parcels along with
`add_tracking()` and pickups with `set_pickup_status()`, as the courier would."""

import base64
import io
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from django.http import QueryDict
from django.urls import path

from integrations.komship.endpoints import PAYMENT_BANK_TRANSFER, PAYMENT_COD, PICKUP_STATUSES, VEHICLES
from integrations.sandbox_kit import json_body, laravel_page

WIB = ZoneInfo("Asia/Jakarta")
# (courier, service, base cost, cost per extra kg, etd) offered by calculate
RATES = (
    ("JNE", "REG23", 10000, 9000, "2-3"),
    ("JNE", "YES19", 19000, 15000, "1"),
    ("SICEPAT", "REG", 9000, 8000, "2-3"),
    ("SICEPAT", "GOKIL", 25000, 5000, "3-5"),
    ("JNT", "EZ", 10000, 9000, "2-4"),
    ("IDEXPRESS", "STD", 8500, 8000, "2-4"),
    ("SAP", "REG", 9000, 7000, "2-3"),
)
COD_FEE_RATE = 0.028  # the delivery API's COD service fee: 2.8% of the COD value (wire §3.4)
# A parcel's timeline by the order's status: (code, status word, description, hours after the AWB)
TIMELINE = {
    "Dikirim": (("PICKUP", "Dikirim", "Paket telah di pickup oleh kurir", 2),
                ("MANIFEST", "Dikirim", "Paket telah di manifest di gudang asal", 5),
                ("DEPARTURE", "Dikirim", "Paket keluar dari gudang asal", 9)),
    "Diterima": (("ARRIVAL", "Dikirim", "Paket tiba di kota tujuan", 30),
                 ("DELIVERY", "Dikirim", "Paket dibawa kurir ke alamat penerima", 34),
                 ("DELIVERED", "Diterima", "Paket diterima oleh yang bersangkutan", 36)),
    "Retur": (("PROBLEM", "Dikirim", "Penerima tidak di tempat", 34),
              ("RETURN", "Retur", "Paket dikembalikan ke pengirim", 60),
              ("RETURNED", "Retur", "Paket retur diterima pengirim", 120)),
    "Hilang": (("LOST", "Hilang", "Paket dinyatakan hilang", 200),),
}


def _wib(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=WIB).strftime("%Y-%m-%d %H:%M:%S")


def _num(value, default=None):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


class KomshipLogisticsMixin:
    def _clear_logistics(self) -> None:
        self.pickups: dict[int, dict] = {}
        self.next_pickup_id = 7001
        self.tracking_extra: dict[str, list[dict]] = {}  # awb -> events added by add_tracking()

    # Test and demo knobs ---------------------------------------------------------------------------
    def order_by_awb(self, awb: str) -> dict | None:
        awb = (awb or "").strip()
        if not awb:
            return None
        return next((o for o in reversed(self.orders) if o["airway_bill"] == awb), None)

    def give_awb(self, order_id: int, awb: str, status: str = "Dipacking") -> dict:
        """The courier booked the parcel: the order carries an AWB."""
        with self.lock:
            order = self.by_id[int(order_id)]
            order["airway_bill"], order["order_status"], order["updated_ts"] = awb, status, time.time()
            return order

    def add_tracking(self, awb: str, code: str, desc: str = "", *, status: str = "", at: float | None = None,
                     order_status: str | None = None) -> None:
        """The courier scanned the parcel: one more history item (and, optionally, a new order status)."""
        with self.lock:
            self.tracking_extra.setdefault(awb, []).append({
                "desc": desc or code.title(), "date": _wib(at or time.time()), "code": code,
                "status": status or order_status or "Dikirim"})
            order = self.order_by_awb(awb)
            if order is not None and order_status:
                order["order_status"], order["updated_ts"] = order_status, time.time()

    def set_pickup_status(self, pickup_id: int, word: str) -> dict:
        assert word in PICKUP_STATUSES, word
        with self.lock:
            pickup = self.pickups[int(pickup_id)]
            pickup["pickup_status"] = word
            if word == "Sudah Dipickup":
                for order_id in pickup["orders"]:
                    order = self.by_id.get(order_id)
                    if order is not None and order["order_status"] in ("Diajukan", "Dipacking"):
                        order["order_status"], order["updated_ts"] = "Dikirim", time.time()
            return pickup

    # Views -----------------------------------------------------------------------------------------
    def view_calculate(self, request):
        if bad := self._method(request, "GET") or self._auth(request):
            return bad
        q = request.GET
        errors = {}
        destination = _num(q.get("receiver_destination"))
        if not destination:
            errors["receiver_destination"] = ["The receiver destination field is required."]
        if q.get("payment_method") not in (PAYMENT_COD, PAYMENT_BANK_TRANSFER):
            errors["payment_method"] = ["The selected payment method is invalid."]
        if not _num(q.get("partner_address_id")):
            errors["partner_address_id"] = ["The partner address id field is required."]
        weight = _num(q.get("weight"), 0)
        if (weight or 0) <= 0 and not _num(q.get("cart")):
            errors["weight"] = ["The weight must be at least 1."]
        if _num(q.get("additional_cost")) is None:
            errors["additional_cost"] = ["The additional cost field is required."]
        if errors:
            return self.fail(422, "The given data was invalid.", errors)
        kilos = max(1, -(-weight // 1000))
        distance = destination % 7  # a stand-in for the distance between origin and destination
        cod = q["payment_method"] == PAYMENT_COD
        grand = _num(q.get("grandtotal"), 0) or 0
        regular = []
        for courier, service, base, per_kg, etd in RATES:
            cost = base + 1000 * distance + per_kg * (kilos - 1)
            fee = round((grand or cost) * COD_FEE_RATE) if cod else 0
            regular.append({
                "shipment_name": courier, "shipping_type": service, "shipping_cost": cost, "service_fee": fee,
                "service_fee_percentage": COD_FEE_RATE * 100 if cod else 0, "cashback": 0,
                "grandtotal": grand + (cost if not cod else 0), "weight": kilos, "value": f"{courier}-{service}",
                "image_path": f"https://storage.komerce.id/courier/{courier.lower()}.png", "etd": etd,
            })
        truck = [] if kilos < 10 else [{
            "shipment_name": "JNE", "shipping_type": "JTR23", "shipping_cost": 60000 + 4000 * (kilos - 10),
            "service_fee": 0, "service_fee_percentage": 0, "cashback": 0, "grandtotal": grand, "weight": kilos,
            "value": "JNE-JTR23", "image_path": "https://storage.komerce.id/courier/jne.png", "etd": "4-6"}]
        return self.ok(message="success", data={"data_regular": regular, "data_truck": truck,
                                                "data_shipping": {"coverage_cod_sap": True}})

    def view_check_awb(self, request, awb, order_id):
        if bad := self._method(request, "GET") or self._auth(request):
            return bad
        with self.lock:
            order = self.by_id.get(_num(order_id, -1))
            other = self.order_by_awb(awb)
        if order is None:
            return self.fail(404, f"order {order_id} not found")
        if other is not None and other is not order:
            return self.ok(code=400, status="failed", message="airway bill already used")
        return self.ok(message="airway bill valid", data={})

    def _history(self, order: dict | None, awb: str) -> list[dict]:
        items = []
        if order is not None:
            start = order["updated_ts"] - 3 * 86400 if order["order_status"] not in ("Diajukan", "Dipacking") \
                else order["updated_ts"]
            flow = {"Dikirim": ("Dikirim",), "Diterima": ("Dikirim", "Diterima"),
                    "Retur": ("Dikirim", "Retur"), "Hilang": ("Dikirim", "Hilang")}.get(order["order_status"], ())
            if order["_ts"] > time.time() - 600 or awb in self.tracking_extra:
                flow = ()  # a parcel booked in this session moves only as the courier reports (add_tracking)
            for stage in flow:
                for code, word, desc, hours in TIMELINE[stage]:
                    items.append({"desc": desc, "date": _wib(start + hours * 3600), "code": code, "status": word})
        items.extend(self.tracking_extra.get(awb, []))
        return sorted(items, key=lambda item: item["date"])

    def view_awb_history(self, request, awb):
        if bad := self._method(request, "GET") or self._auth(request):
            return bad
        with self.lock:
            order = self.order_by_awb(awb)
            if order is None and awb not in self.tracking_extra:
                return self.fail(400, "invalid cnote/airway bill")
            history = self._history(order, awb)
        return self.ok(message="success get data", data=history)

    def view_awb_update(self, request, partner_id, order_id):
        if bad := self._method(request, "PUT", "POST") or self._auth(request):
            return bad
        fields = json_body(request) if request.method == "POST" else (
            json_body(request) if request.content_type == "application/json" else QueryDict(request.body).dict())
        awb = str(fields.get("airway_bill") or "").strip()
        with self.lock:
            order = self.by_id.get(_num(order_id, -1))
            if order is None:
                return self.fail(404, f"order {order_id} not found")
            if not awb:
                return self.fail(422, "The given data was invalid.",
                                 {"airway_bill": ["The airway bill field is required."]})
            other = self.order_by_awb(awb)
            if other is not None and other is not order:
                return self.fail(422, "The given data was invalid.", {"airway_bill": ["airway bill already used"]})
            order["airway_bill"], order["updated_ts"] = awb, time.time()
        return self.ok(message="order updated successfully.")

    def view_print_label(self, request):
        if bad := self._method(request, "POST") or self._auth(request):
            return bad
        ids = [_num(i) for i in str(request.POST.get("order_id") or "").split(",") if i.strip()]
        page = str(request.POST.get("page") or "")
        if not ids or None in ids or not page.startswith("page_"):
            return self.fail(422, "The given data was invalid.",
                             {"order_id": ["The order id field is required."], "page": ["page_1, page_2, …"]})
        with self.lock:
            orders = [self.by_id.get(i) for i in ids]
            if any(o is None for o in orders):
                return self.fail(404, "Generate Print Label failed: order_id not found")
            rows = [(self.order_no(o), o["airway_bill"], o["shipping"], o["shipping_type"], o["customer_name"],
                     self._address(o)) for o in orders]
        pdf = _label_pdf(rows)
        name = f"/storage/label-{datetime.now(tz=WIB):%d-%m-%Y-%H-%M-%S}-{ids[0]:011d}.pdf"
        return self.ok(message="Generate Print Label success",
                       data={"path": name, "base_64": base64.b64encode(pdf).decode()})

    def view_pickup_store(self, request, partner_id):
        if bad := self._method(request, "POST") or self._auth(request):
            return bad
        body = json_body(request)
        errors = {}
        for key in ("pickup_date", "pickup_time", "pic", "pic_phone", "vehicle"):
            if not str(body.get(key) or "").strip():
                errors[key] = [f"The {key.replace('_', ' ')} field is required."]
        if body.get("vehicle") and body.get("vehicle") not in VEHICLES.values():
            errors["vehicle"] = ["The selected vehicle is invalid."]
        if not isinstance(body.get("order"), int):
            errors["order"] = ["The order must be an integer."]
        if errors:
            return self.fail(422, "The given data was invalid.", errors)
        today = datetime.now(tz=WIB).date().isoformat()
        if str(body["pickup_date"]) < today:
            return self.fail(400, "Pickup Failed date pickup is cannot before today")
        with self.lock:
            order = self.by_id.get(body["order"])
            if order is None or order["order_status"] in ("Batal",):
                return self.ok(code=500, status="failed", message=f"order {body['order']} cannot be picked up")
            if any(body["order"] in p["orders"] and p["pickup_status"] == "Belum Dipickup"
                   for p in self.pickups.values()):
                return self.ok(code=1002, status="failed", message=f"order {body['order']} already in a pickup")
            key = (str(body["pickup_date"]), str(body["pickup_time"]), body["vehicle"],
                   str(body.get("address_detail") or ""))
            pickup = next((p for p in self.pickups.values() if p["key"] == key
                           and p["pickup_status"] == "Belum Dipickup"), None)
            if pickup is None:
                now = time.time()
                pickup = {"id": self.next_pickup_id, "key": key, "submitted": now, "orders": [],
                          "pic": str(body["pic"]), "pic_phone": str(body["pic_phone"]),
                          "address_id": body.get("address_id") or 0, "pickup_status": "Belum Dipickup"}
                self.pickups[pickup["id"]] = pickup
                self.next_pickup_id += 1
            pickup["orders"].append(body["order"])
        return self.ok(message="Order stored successfully", data={"pickup_id": pickup["id"]})

    def _pickup_row(self, p: dict) -> dict:
        orders = [self.by_id[i] for i in p["orders"] if i in self.by_id]
        couriers = sorted({o["shipping"] for o in orders})
        return {
            "id": p["id"], "date_submission": datetime.fromtimestamp(p["submitted"], tz=WIB).strftime("%Y-%m-%d"),
            "time_submission": datetime.fromtimestamp(p["submitted"], tz=WIB).strftime("%H:%M:%S"),
            "pickup_date": p["key"][0], "pickup_time": p["key"][1], "shipping": ", ".join(couriers),
            "vehicle": p["key"][2], "total_product": sum(len(o["product"]) for o in orders),
            "total_order": len(orders), "warehouse_type": "Pribadi", "warehouse": p["key"][3] or "Gudang Utama",
            "pickup_status": p["pickup_status"],
        }

    def view_pickup_history(self, request):
        if bad := self._method(request, "GET") or self._auth(request):
            return bad
        page = max(_num(request.GET.get("page"), 1) or 1, 1)
        per = max(1, min(_num(request.GET.get("limits"), 10) or 10, 50))
        with self.lock:
            ordered = sorted(self.pickups.values(), key=lambda p: p["id"], reverse=True)
            total = len(ordered)
            data = [self._pickup_row(p) for p in ordered[(page - 1) * per:page * per]]
        return self.ok(data=laravel_page(request, data=data, page=page, per_page=per, total=total))

    def view_pickup_detail(self, request, pickup_id):
        if bad := self._method(request, "GET") or self._auth(request):
            return bad
        with self.lock:
            p = self.pickups.get(pickup_id)
            if p is None:
                return self.fail(404, f"pickup {pickup_id} not found")
            orders = [self.by_id[i] for i in p["orders"] if i in self.by_id]
            data = {
                "id": p["id"], "address_name": "Gudang Utama", "address_detail": p["key"][3],
                "pickup_date": p["key"][0], "pickup_time": p["key"][1], "vehicle": p["key"][2],
                "data_order": [{"order_id": o["order_id"], "order_no": self.order_no(o),
                                "airway_bill": o["airway_bill"], "shipping": o["shipping"]} for o in orders],
                "total_qty": sum(i["qty"] for o in orders for i in o["product"]), "total_order": len(orders),
                "pickup_status": p["pickup_status"],
            }
        return self.ok(data=data)

    def logistics_routes(self) -> list:
        e = self.endpoint
        return [
            path("v2/calculate", e(self.view_calculate)),
            path("v1/check-awb/<str:awb>/<str:order_id>", e(self.view_check_awb)),
            path("v1/check-awb/<str:awb>", e(self.view_awb_history)),
            path("v1/order/<str:partner_id>/update/<int:order_id>", e(self.view_awb_update)),
            path("v2/generate/print-label", e(self.view_print_label)),
            path("v4/pickup/<str:partner_id>/store", e(self.view_pickup_store)),
            path("v3/pickup/history", e(self.view_pickup_history)),
            path("v3/pickup/history/detail/<int:pickup_id>", e(self.view_pickup_detail)),
        ]


def _label_pdf(rows: list[tuple]) -> bytes:
    """A small label sheet, as the label service returns: one block per order."""
    from reportlab.lib.pagesizes import A6
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=A6)
    for order_no, awb, courier, service, name, address in rows:
        sheet.setFont("Helvetica-Bold", 12)
        sheet.drawString(20, 380, f"{courier} {service}")
        sheet.drawString(20, 360, f"AWB {awb or '-'}")
        sheet.setFont("Helvetica", 9)
        sheet.drawString(20, 340, order_no)
        sheet.drawString(20, 320, name)
        sheet.drawString(20, 305, address[:70])
        sheet.showPage()
    sheet.save()
    return buffer.getvalue()

