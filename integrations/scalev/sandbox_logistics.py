"""Scalev simulator, logistics part: shipping costs, courier-service search, locations, generate / cancel
AWB, receipt upload and the order's shipment_status_history (endpoints.py, logistics block). Mixed into
ScalevSandbox; shares its order records and lock. Tests play the courier with `add_shipment_status()`."""

import csv
import io
import time
from datetime import UTC, datetime

from django.http import JsonResponse
from django.urls import path

from integrations.sandbox_kit import json_body

COURIER_RATES = {  # courier code -> (courier id, name, [(service id, code, name, base, per kg, etd)], is_cod)
    "jne": (1, "JNE", [(11, "JNE_REG", "REG", 10000, 9000, "2-3"), (12, "JNE_YES", "YES", 19000, 15000, "1")], True),
    "jnt": (2, "J&T Express", [(21, "JNT_EZ", "EZ", 10000, 9000, "2-4")], True),
    "sicepat": (3, "SiCepat", [(31, "SICEPAT_REG", "REG", 9000, 8000, "2-3")], True),
    "sap": (4, "SAP Express", [(41, "SAP_REG", "REG", 9000, 7000, "2-3")], True),
    "ninja": (5, "Ninja Xpress", [(51, "STANDARD", "Standard", 9500, 8500, "2-4")], True),
    "anteraja": (6, "AnterAja", [(61, "ANTERAJA_REG", "Regular", 9000, 8000, "2-3")], False),
    "ide": (7, "ID Express", [(71, "IDE_STD", "STD", 8500, 8000, "2-4")], True),
}
HISTORY = {  # order status -> shipment history items it implies: (status, description, hours after shipping)
    "shipped": (("shipped", "Paket diserahkan ke kurir", 0),),
    "completed": (("shipped", "Paket diserahkan ke kurir", 0), ("completed", "Paket diterima pembeli", 40)),
    "rts": (("shipped", "Paket diserahkan ke kurir", 0), ("rts", "Paket dikembalikan ke pengirim", 96)),
}


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def _positive_int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


class ScalevLogisticsMixin:
    # Test knobs ------------------------------------------------------------------------------------
    def add_shipment_status(self, order_id: str, status: str, description: str = "", *,
                            at: float | None = None) -> None:
        with self.lock:
            record = self._record(order_id)
            record.setdefault("shipment_history", []).append(
                {"description": description or status, "status": status, "timestamp": _iso(at or time.time()),
                 "timestamp_source": "courier"})
            if status in ("shipped", "completed", "rts"):
                record["status"] = status
                record["times"][f"{status}_time"] = at or time.time()

    def shipment_history(self, r: dict) -> list[dict]:
        if "shipment_history" in r:
            return list(r["shipment_history"])
        start = r["times"].get("shipped_time")
        if not start or not r.get("receipt"):
            return []
        return [{"description": text, "status": status, "timestamp": _iso(start + hours * 3600),
                 "timestamp_source": "courier"} for status, text, hours in HISTORY.get(r["status"], ())]

    # Views -----------------------------------------------------------------------------------------
    def _cost_body(self, body: dict, *required: str) -> dict:
        errors = {}
        for key in required:
            if _positive_int(body.get(key)) is None:
                errors[key] = ["is required" if body.get(key) is None else "is invalid"]
        return errors

    def _rates(self, codes, location: int, weight: int, *, services: bool) -> list[dict]:
        kilos = max(1, -(-weight // 1000))
        rows = []
        for code in codes:
            courier_id, name, options, is_cod = COURIER_RATES[code]
            for service_id, service_code, service_name, base, per_kg, etd in options:
                row = {"cost": float(base + 1000 * (location % 5) + per_kg * (kilos - 1)), "cost_source": "sandbox",
                       "courier_service": {"code": service_code, "id": service_id, "name": service_name,
                                           "courier": {"code": code, "courier_type": "standard", "id": courier_id,
                                                       "name": name}},
                       "etd": etd, "weight": weight}
                if services:
                    row.update({"is_cod": is_cod, "is_pickup": True, "shipment_provider_code": "mengantar",
                                "warehouse": {"address": "Jl. Kalijaga No. 10", "city_name": "Kota Cirebon", "id": 1,
                                              "lincah_origin_id": "CRB01", "mengantar_origin_id": "CRB",
                                              "name": "Gudang Utama Cirebon", "province_name": "Jawa Barat",
                                              "subdistrict_name": "Harjamukti", "unique_id": "wh_utama01"}})
                rows.append(row)
        return rows

    def _shipping_costs(self, request):
        body = json_body(request)
        errors = self._cost_body(body, "location_id", "warehouse_id", "weight")
        codes = body.get("courier_codes")
        if not isinstance(codes, list) or not codes:
            errors["courier_codes"] = ["is required"]
        elif any(c not in COURIER_RATES for c in codes):
            errors["courier_codes"] = ["has an invalid entry"]
        if errors:
            return self._invalid(errors)
        rows = self._rates(codes, body["location_id"], body["weight"], services=False)
        return JsonResponse({"data": rows, "is_paginated": False})

    def _courier_services(self, request):
        body = json_body(request)
        errors = self._cost_body(body, "location_id", "warehouse_id", "weight")
        if not isinstance(body.get("payment_method"), str) or not body.get("payment_method"):
            errors["payment_method"] = ["is required"]
        if errors:
            return self._invalid(errors)
        rows = self._rates(list(COURIER_RATES), body["location_id"], body["weight"], services=True)
        if body["payment_method"] == "cod" and not body.get("is_show_all"):
            rows = [r for r in rows if r["is_cod"]]
        return JsonResponse({"data": rows, "is_paginated": False})

    def _locations(self, request):
        from integrations.scalev.sandbox import PLACES

        term = (request.GET.get("search") or "").strip().lower()
        rows = [{"id": 3500 + i, "subdistrict_name": s, "city_name": c, "province_name": p,
                 "display": f"{s}, {c}, {p}"}  # the current spec's Location (no courier codes)
                for i, (s, c, p, _z) in enumerate(PLACES) if term and term in f"{s} {c} {p}".lower()]
        return JsonResponse({"data": rows[:25], "is_paginated": True, "has_next": False, "has_previous": False,
                             "next_cursor": None, "previous_cursor": None, "page_size": 25})

    def _awb_ids(self, request) -> tuple[list | None, JsonResponse | None]:
        ids = json_body(request).get("ids")
        if not isinstance(ids, list) or not ids:
            return None, self._invalid({"ids": ["is required"]})
        return [str(i) for i in ids], None

    def _generate_awb(self, request):
        ids, bad = self._awb_ids(request)
        if bad:
            return bad
        successes, failures = {}, {}
        for ident in ids:
            record = self._record(ident)
            if record is None:
                failures[ident] = "Order not found"
            elif record["status"] not in ("confirmed", "in_process", "ready"):
                failures[ident] = f"Order status {record['status']} cannot generate AWB"
            elif record.get("receipt"):
                successes[ident] = record["receipt"]  # generated before: the same receipt again
            else:
                code = record["courier"][0]
                record["receipt"] = f"{code.upper()[:3]}{int(record['created'] * 1000) % 10**12:012d}"
                record["updated"] = time.time()
                successes[ident] = record["receipt"]
        return JsonResponse({"successes": successes, "failures": failures})

    def _cancel_awb(self, request):
        ids, bad = self._awb_ids(request)
        if bad:
            return bad
        successes, failures = {}, {}
        for ident in ids:
            record = self._record(ident)
            if record is None:
                failures[ident] = "Order not found"
            elif record["status"] in ("shipped", "completed", "rts", "closed"):
                failures[ident] = "AWB of a shipped order cannot be canceled"
            else:
                record["receipt"], record["updated"] = None, time.time()
                successes[ident] = "AWB canceled"
        return JsonResponse({"successes": successes, "failures": failures})

    def _upload_receipt(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            return self._invalid({"file": ["is required"]})
        try:
            rows = list(csv.DictReader(io.StringIO(upload.read().decode("utf-8-sig"))))
        except (UnicodeDecodeError, csv.Error):
            return self._invalid({"file": ["is not a CSV file"]})
        if not rows or not {"order_id", "shipment_receipt"} <= set(rows[0]):
            return self._invalid({"file": ["needs the columns order_id and shipment_receipt"]})
        by_order_id = {}
        for row in rows:
            by_order_id[row["order_id"].strip()] = row["shipment_receipt"].strip()
        done = []
        for record in list(self.orders.values()):
            receipt = by_order_id.get(record["order_id"])
            if receipt:
                record["receipt"], record["updated"] = receipt, time.time()
                done.append({"id": record["id"], "order_id": record["order_id"], "shipment_receipt": receipt})
        return JsonResponse({"data": done, "is_paginated": False})

    def logistics_routes(self) -> list:
        return [
            path("v3/shipping-costs", self.view({"POST": self._shipping_costs})),
            path("v3/shipping-costs/search-courier-service", self.view({"POST": self._courier_services})),
            path("v3/locations", self.view({"GET": self._locations})),
            path("v3/orders/generate-awb", self.view({"POST": self._generate_awb})),
            path("v3/orders/cancel-awb", self.view({"POST": self._cancel_awb})),
            path("v3/orders/upload-receipt", self.view({"POST": self._upload_receipt})),
        ]
