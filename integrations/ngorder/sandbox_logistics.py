"""Ngorder simulator, logistics part: expedition cost, expedition tracking, pickup request and cancel
(endpoints.py `_LOGISTICS_ENDPOINTS`). Mixed into NgorderSandbox; shares its orders and lock.

Tests play the courier with `add_tracking()`; a pickup request sets the order's `pickup` state (the order
list's `pickup` filter: 0 ready to send, 1 pickup request, 2 delivered)."""

import time
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from django.http import JsonResponse
from django.urls import path

from integrations.ngorder.endpoints import PICKUP_SERVICES
from integrations.sandbox_kit import json_body

WIB = ZoneInfo("Asia/Jakarta")
# (name, rate_id, show_id / group, rate_name, base, per kg, min_day, max_day)
RATES = (
    ("SAP", 349, "regular", "Reguler", 9000, 7000, 2, 3),
    ("JNE", 101, "regular", "REG", 10000, 9000, 2, 3),
    ("SiCepat", 201, "regular", "REG", 9000, 8000, 2, 3),
    ("J&T", 601, "regular", "EZ", 10000, 9000, 2, 4),
    ("SAP", 350, "express", "One Day Service", 16000, 12000, 1, 1),
    ("JNE", 102, "express", "YES", 19000, 15000, 1, 1),
)
TIMELINE = (
    ("PICKREQ", "Terima permintaan pick up", 0),
    ("IN", "Paket telah di input (manifested) di {origin}", 8),
    ("OUT", "Paket keluar dari {origin}", 11),
    ("IN", "Paket telah di terima di {city}", 22),
    ("ANT", "Paket dibawa kurir", 24),
    ("DELIVERED", "Paket diterima oleh [Yang Bersangkutan]", 27),
)


def _text_time(ts: float, seconds: bool = True) -> str:
    return datetime.fromtimestamp(ts, tz=WIB).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def _num(value):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _failed(status: int, message) -> JsonResponse:
    return JsonResponse({"request_id": uuid.uuid4().hex[:13], "response": "Failed", "message": message,
                         "data": None}, status=status)


class NgorderLogisticsMixin:
    def _logistics_state(self) -> dict:
        state = getattr(self, "_logistics", None)
        if state is None or state["generation"] is not self.orders:
            state = self._logistics = {"generation": self.orders, "tracking": {}}
        return state

    # Test knobs ------------------------------------------------------------------------------------
    def give_awb(self, order_id: int, awb: str) -> dict:
        with self.lock:
            order = self.orders[int(order_id)]
            order["awb"], order["updated"] = awb, int(time.time())
            if order["progress"] in ("NO AWB", "UNPAID"):
                order["progress"] = "ON PROCESS"
            return order

    def add_tracking(self, order_id: int, code: str, text: str = "", *, at: float | None = None,
                     status: str = "") -> None:
        with self.lock:
            events = self._logistics_state()["tracking"].setdefault(int(order_id), {"events": [], "status": ""})
            events["events"].append({"date": _text_time(at or time.time()), "desc": code,
                                     "location": text or code.title()})
            if status:
                events["status"] = status
                if status == "DELIVERED":
                    self.orders[int(order_id)]["progress"] = "DELIVERED"

    # Views -----------------------------------------------------------------------------------------
    def expedition_cost(self, request):
        q = request.GET
        errors = {}
        for key in ("origin_id", "destination_id", "weight", "price"):
            if _num(q.get(key)) is None:
                errors[key] = [f"The {key.replace('_', ' ')} field is required."]
        if errors:
            return _failed(422, errors)
        from integrations.ngorder.sandbox import REGIONS

        regions = {r[0]: r for r in REGIONS}
        origin, destination = regions.get(int(q["origin_id"])), regions.get(int(q["destination_id"]))
        if origin is None or destination is None:
            return JsonResponse({"status": {"code": 0, "message": "Area not covered"},
                                 "data": {"regular": [], "express": [], "trucking": []}})
        grams, price = max(int(q["weight"]), 1), int(q["price"])
        kilos = -(-grams // 1000)
        far = 0 if origin[5] == destination[5] else 6000
        data = {"regular": [], "express": [], "trucking": []}
        for name, rate_id, group, rate_name, base, per_kg, low, high in RATES:
            rate = base + far + per_kg * (kilos - 1)
            data[group].append({
                "name": name, "logo_url": f"https://cdn.shipper.cloud/logistic/small/{name.replace('&', '')}.png",
                "rate_id": rate_id, "show_id": 1 if group == "regular" else 2, "rate_name": rate_name,
                "stop_origin": origin[0], "stop_destination": destination[0], "weight": kilos,
                "volumeWeight": round(kilos / 6, 4), "finalWeight": kilos, "itemPrice": price, "item_price": price,
                "finalRate": rate, "insuranceRate": round(price * 0.003), "compulsory_insurance": 0,
                "liability": 0, "discount": 0, "min_day": low + (far > 0), "max_day": high + (far > 0),
                "pickup_agent": 1, "is_pickup_available": 1,
            })

        def place(r):
            return {"area_id": str(r[0]), "district_id": str(r[0]), "desc": f"{r[1]}, {r[3]}"}

        return JsonResponse({"status": {"code": 1, "message": "Success"}, "data": data, "meta": {
            "origin": place(origin), "destination": place(destination),
            "weight": {"total": str(kilos), "type": "Kg"}, "is_shipper_api": True, "use_cod": True}})

    def _timeline(self, order: dict) -> tuple[list[dict], str]:
        extra = self._logistics_state()["tracking"].get(order["id"])
        if extra is not None:
            return list(extra["events"]), extra["status"] or "ON PROCESS"
        steps = {"ON PROCESS": 3, "DELIVERED": 6}.get(order["progress"], 0)
        start = order["ts"] + 86400
        region = self._region(self.customers.get(order["receiver"], {}).get("district_id"))
        city = region[3] if region else "Kota Tujuan"
        history = [{"date": _text_time(start + hours * 3600), "desc": code,
                    "location": text.format(origin="Bandung [Bandung Sumberasih]", city=city)}
                   for code, text, hours in TIMELINE[:steps]]
        return history, "DELIVERED" if steps == 6 else "ON PROCESS"

    def expedition_tracking(self, request):
        q = request.GET
        errors = {}
        if not (q.get("awb_number") or "").strip():
            errors["awb_number"] = ["The awb number field is required."]
        for key in ("expedition_id", "order_id"):
            if _num(q.get(key)) is None:
                errors[key] = [f"The {key.replace('_', ' ')} field is required."]
        if errors:
            return _failed(422, errors)
        order = self.orders.get(int(q["order_id"]))
        if order is None or order["awb"] != q["awb_number"].strip():
            return _failed(404, "Data not found")
        history, status = self._timeline(order)
        last = history[-1]["date"] if history else _text_time(order["ts"])
        receiver = self.customers.get(order["receiver"], {})
        return JsonResponse({"0": 200, "response": "success", "data": {
            "awb_number": order["awb"], "rate_name": order["rate"], "delivery_date": last[:16],
            "delivery_time": last[:16], "weight": 1, "sender_name": "Keren Shop Id", "origin_city": "Bandung",
            "receiver_name": receiver.get("name", ""), "receiver_address": receiver.get("address", ""),
            "receiver_city": receiver.get("address", ""), "status": status, "consignees_name": None,
            "date_received": None, "time_received": None, "history": history,
            "logistic_name": order["logistic"].lower() or "kurir"}})

    def pickup_request(self, request):
        body = json_body(request)
        rows = body.get("pickup_request")
        if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) and _num(r.get("id")) for r in rows):
            return _failed(422, {"pickup_request": ["The pickup request field is required."]})
        if any(r.get("service", "PICKUP") not in PICKUP_SERVICES for r in rows):
            return _failed(422, {"pickup_request.service": ["The selected service is invalid."]})
        done = []
        for row in rows:
            order = self.orders.get(int(row["id"]))
            if order is None or not order["awb"] or order.get("pickup", 0) != 0 or order["cancel_type"]:
                continue
            order["pickup"], order["updated"] = 1, int(time.time())
            done.append(order["id"])
        return JsonResponse({"response": "sukses", "message": f"{len(done)} paket berhasil diproses PICKREQ",
                             "success_data": done, "status": "PICKUP_REQUEST"})

    def pickup_cancel(self, request):
        body = json_body(request)
        order = self.orders.get(_num(body.get("id")))
        if order is None:
            return _failed(404, "Data not found")
        if order.get("pickup", 0) != 1:
            return _failed(400, "Order is not in a pickup request")
        if "JNE" in order["logistic"].upper() and not str(body.get("reason") or "").strip():
            return _failed(422, {"reason": ["The reason field is required when courier is JNE."]})
        order["pickup"], order["updated"] = 0, int(time.time())
        return JsonResponse({"response": "Success", "message": "Pickreq canceled successfully!", "data": order["id"]})

    def logistics_routes(self) -> list:
        return [
            path("expedition/cost", self.api({"GET": self.expedition_cost})),
            path("expedition/tracking", self.api({"GET": self.expedition_tracking})),
            path("shipping/pickup-request", self.api({"POST": self.pickup_request})),
            path("shipping/cancel-pickup", self.api({"POST": self.pickup_cancel})),
        ]

