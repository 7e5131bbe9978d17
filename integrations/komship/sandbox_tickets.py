"""The Komship sandbox's tickets and return claims (mixed into KomshipSandbox).

Serves the ticket paths of endpoints.py: the partner, admin and mitra lists (Laravel paginators), the mitra
package-return list (bare array, limit/offset), the detail (v2 as the seed prints it, v1 as the dashboard
calls it), create and chat (multipart, answering the seed's copy-pasted "Successfully Upload Image Product"),
cancel, set-priority, ticket types, and the claim retur calls (#186–#189, #153). Row and detail keys are the
CHOSEN ones written in endpoints.py.

Seeded from the orders that have an AWB (SeedPlan.extra["tickets"], default min(30, orders // 20)), with a
separate random stream so the orders stay what the same seed always gave. Test helpers act as Komship's
side: `ticket_admin_reply`, `ticket_set_status`, `claim_decide`."""

import random
import time

from django.urls import path

from integrations.komship.endpoints import (
    CLAIM_RETUR_ORDER_STATUSES,
    PAYMENT_COD,
    TICKET_PAGE_SIZE_MAX,
    TICKET_STATUS_CANCELED,
    TICKET_TYPES,
)
from integrations.sandbox_kit import laravel_page

CDN = "https://cdn.komerce.id/komship/ticket"
ADMIN_NAMES = ("Admin Komship - Rani", "Admin Komship - Dimas", "CS Komship - Tia")
PARTNER_TEXTS = (
    "Paket belum sampai ke pembeli, mohon dicek kak.",
    "Pembeli komplain paket rusak saat diterima.",
    "Status paket tidak bergerak sejak 4 hari.",
    "Mohon bantu follow up ke kurir, pembeli sudah menunggu.",
    "Paket retur belum kami terima di gudang.",
)
ADMIN_TEXTS = (
    "Baik kak, sudah kami teruskan ke pihak ekspedisi.",
    "Mohon lampirkan foto paket dan video unboxing ya kak.",
    "Paket sedang dalam pengecekan di hub, estimasi 1x24 jam.",
    "Kendala sudah diselesaikan oleh kurir, mohon dicek kembali.",
)
# Weighted ticket_status of seeded tickets (0 follow-up, 1 new, 2 in process, 3 done, 4 cancelled).
STATUS_WEIGHTS = ((1, 30), (2, 30), (0, 15), (3, 20), (4, 5))
_TICKETS_STREAM = 97  # added to the plan's seed: tickets do not disturb the orders' random stream


def _wib(ts: float) -> str:
    from integrations.komship.sandbox import wib_text

    return wib_text(ts)


def _int(value, default=None):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


class TicketSandboxMixin:
    """Needs from the host sandbox: lock, orders, by_id, ok(), fail(), _auth(), _method(), endpoint()."""

    def _clear_tickets(self) -> None:
        self.tickets: dict[int, dict] = {}
        self.claim_images: dict[int, dict] = {}
        self.next_ticket_id = 7001
        self.next_message_id = 50001
        self.next_claim_id = 801
        self.next_image_id = 9001

    # Store ---------------------------------------------------------------------------------------------
    def _seed_tickets(self, plan) -> None:
        rng = random.Random(plan.seed + _TICKETS_STREAM)
        shipped = [o for o in self.orders if o["airway_bill"]]
        count = int(plan.extra.get("tickets", min(30, len(self.orders) // 20)))
        now = time.time()
        statuses = [code for code, weight in STATUS_WEIGHTS for _ in range(weight)]
        for order in rng.sample(shipped, min(count, len(shipped))):
            ticket_type = 4 if order["order_status"] == "Retur" else rng.choice((1, 1, 2, 3, 5, 7))
            created = order["_ts"] + 86400 + rng.random() * 3 * 86400
            created = min(created, now - 3600)
            ticket = self._new_ticket(order=order, ticket_type=ticket_type, description=rng.choice(PARTNER_TEXTS),
                                      files=[], ts=created, source="partner")
            ticket["ticket_status"] = rng.choice(statuses)
            ticket["status_priority"] = 1 if rng.random() < 0.2 else 0
            ts = created
            for i in range(rng.randint(0, 3)):
                ts = min(ts + rng.random() * 86400, now - 60)
                sender = "admin" if i % 2 == 0 else "partner"
                self._add_message(ticket, sender=sender, message=rng.choice(ADMIN_TEXTS if sender == "admin"
                                                                                else PARTNER_TEXTS),
                                  files=[], ts=ts, is_read=rng.random() < 0.5)
            if (ticket_type == 4 and order["payment_method"] == PAYMENT_COD and rng.random() < 0.5):
                ticket["claim_retur"] = self._new_claim("Paket retur rusak, mohon diganti.", ts)
                ticket["claim_retur"]["status_claim"] = rng.choice((0, 0, 1, 2))
                ticket["claim_retur"]["submitted"] = True

    def _new_ticket(self, *, order: dict | None, ticket_type: int, description: str, files: list, ts: float,
                    source: str, no_resi: str = "", customer_name: str = "", brand_name: str = "") -> dict:
        from integrations.komship.sandbox import PARTNER_ID, PARTNER_NAME

        ticket_id = self.next_ticket_id
        self.next_ticket_id += 1
        ticket = {
            "id": ticket_id, "ticket_no": f"TKT{ticket_id:07d}", "no_resi": order["airway_bill"] if order else no_resi,
            "shipping": order["shipping"] if order else "", "order_id": order["order_id"] if order else None,
            "customer_name": order["customer_name"] if order else customer_name, "partner_id": PARTNER_ID,
            "partner_name": PARTNER_NAME, "brand_name": brand_name or PARTNER_NAME, "ticket_type": ticket_type,
            "ticket_status": 1, "status_priority": 0, "description": description, "file": files,
            "created_ts": ts, "updated_ts": ts, "history": [], "claim_retur": None, "source": source,
            "rating": None,
        }
        self.tickets[ticket_id] = ticket
        return ticket

    def _add_message(self, ticket: dict, *, sender: str, message: str, files: list, ts: float | None = None,
                     is_read: bool = False, full_name: str = "") -> dict:
        from integrations.komship.sandbox import PARTNER_NAME

        ts = ts or time.time()
        names = {"partner": PARTNER_NAME, "admin": ADMIN_NAMES[ticket["id"] % len(ADMIN_NAMES)],
                 "mitra": "Mitra Kompack Bandung"}
        item = {"id": self.next_message_id, "sender": sender, "full_name": full_name or names.get(sender, sender),
                "message": message, "file": files, "is_read": 1 if is_read or sender == "partner" else 0,
                "ts": ts}
        self.next_message_id += 1
        ticket["history"].append(item)
        ticket["updated_ts"] = max(ticket["updated_ts"], ts)
        return item

    def _new_claim(self, notes: str, ts: float) -> dict:
        claim = {"id": self.next_claim_id, "status_claim": 0, "notes": notes, "ts": ts, "images": [],
                 "submitted": False}
        self.next_claim_id += 1
        return claim

    # Komship's side, for tests and the demo --------------------------------------------------------------
    def ticket_admin_reply(self, ticket_id: int, message: str, *, sender: str = "admin") -> dict:
        with self.lock:
            return self._add_message(self.tickets[ticket_id], sender=sender, message=message, files=[])

    def ticket_set_status(self, ticket_id: int, status: int) -> None:
        with self.lock:
            ticket = self.tickets[ticket_id]
            ticket["ticket_status"] = status
            ticket["updated_ts"] = time.time()

    def claim_decide(self, ticket_id: int, status_claim: int) -> None:
        with self.lock:
            ticket = self.tickets[ticket_id]
            ticket["claim_retur"]["status_claim"] = status_claim
            ticket["updated_ts"] = time.time()

    # JSON ------------------------------------------------------------------------------------------------
    def ticket_row(self, t: dict) -> dict:
        unread = sum(1 for m in t["history"] if m["sender"] != "partner" and not m["is_read"])
        return {
            "id": t["id"], "ticket_no": t["ticket_no"], "no_resi": t["no_resi"], "shipping": t["shipping"],
            "customer_name": t["customer_name"], "ticket_type": TICKET_TYPES.get(t["ticket_type"], ""),
            "ticket_type_id": t["ticket_type"], "ticket_status": t["ticket_status"],
            "status_priority": t["status_priority"], "date_created": _wib(t["created_ts"]),
            "date_updated": _wib(t["updated_ts"]), "history_ticket_count_mitra": unread,
        }

    def ticket_row_wide(self, t: dict) -> dict:
        """Admin and mitra rows: the partner's row plus who the ticket belongs to."""
        return {**self.ticket_row(t), "partner_id": t["partner_id"], "partner_name": t["partner_name"],
                "brand_name": t["brand_name"]}

    def ticket_detail_json(self, t: dict) -> dict:
        order = self.by_id.get(t["order_id"]) if t["order_id"] else None
        claim = t["claim_retur"]
        return {
            **self.ticket_row(t), "order_id": t["order_id"], "order_status": order["order_status"] if order else "",
            "payment_method": order["payment_method"] if order else "", "description": t["description"],
            "partner_name": t["partner_name"], "brand_name": t["brand_name"], "file": list(t["file"]),
            "rating_user": t["rating"], "ticket_claim_retur": int(claim is not None),
            "claim_retur": None if claim is None else {
                "id": claim["id"], "status_claim": claim["status_claim"], "notes": claim["notes"],
                "created_at": _wib(claim["ts"]), "images": [i["url"] for i in claim["images"]],
            },
            "history_ticket": [{"id": m["id"], "sender": m["sender"], "full_name": m["full_name"],
                                "message": m["message"], "file": list(m["file"]), "is_read": m["is_read"],
                                "date_created": _wib(m["ts"])} for m in t["history"]],
        }

    # Views -----------------------------------------------------------------------------------------------
    def _ticket_query(self, params, rows: list[dict]) -> list[dict]:
        from integrations.komship.sandbox import _day_start

        for key, field in (("start_date", "created_ts"), ("update_start_date", "updated_ts")):
            if (start := _day_start(params.get(key, ""))) is not None:
                rows = [t for t in rows if t[field] >= start]
        for key, field in (("end_date", "created_ts"), ("update_end_date", "updated_ts")):
            if (end := _day_start(params.get(key, ""))) is not None:
                rows = [t for t in rows if t[field] < end + 86400]
        if statuses := [s for s in params.get("ticket_status", "").split(",") if s.strip().isdigit()]:
            rows = [t for t in rows if t["ticket_status"] in {int(s) for s in statuses}]
        if types := [s for s in params.get("ticket_type", "").split(",") if s.strip().isdigit()]:
            rows = [t for t in rows if t["ticket_type"] in {int(s) for s in types}]
        if shipping := params.get("shipping", "").strip().upper():
            rows = [t for t in rows if t["shipping"].upper() == shipping]
        if (is_claim := _int(params.get("is_claim_retur"))) is not None:
            rows = [t for t in rows if (t["claim_retur"] is not None) == bool(is_claim)]
        if params.get("unread", "").lower() in ("1", "true"):
            rows = [t for t in rows if self.ticket_row(t)["history_ticket_count_mitra"]]
        if (prioritas := _int(params.get("prioritas"))) is not None:
            rows = [t for t in rows if t["status_priority"] == prioritas]
        if search := params.get("search", "").strip().lower():
            field = {"no_resi": "no_resi", "no_ticket": "ticket_no", "ticket_no": "ticket_no",
                     "customer_name": "customer_name"}.get(params.get("search_type") or params.get("search_key", ""))
            keys = (field,) if field else ("no_resi", "ticket_no", "customer_name")
            rows = [t for t in rows if any(search in str(t[k]).lower() for k in keys)]
        return sorted(rows, key=lambda t: (t["updated_ts"], t["id"]), reverse=True)

    def _paginated(self, request, rows: list[dict], row_json) -> dict:
        page = max(_int(request.GET.get("page"), 1) or 1, 1)
        per = min(max(_int(request.GET.get("total_per_page"), 10) or 10, 1), TICKET_PAGE_SIZE_MAX)
        total = len(rows)
        chunk = rows[(page - 1) * per:page * per]
        return laravel_page(request, data=[row_json(t) for t in chunk], page=page, per_page=per, total=total)

    def _list_view(self, request, *, wide: bool):
        """CHOSEN: the sandbox has one partner, so the partner, admin and mitra lists hold the same tickets;
        the admin and mitra rows also say whose they are."""
        if bad := self._method(request, "GET") or self._auth(request):
            return bad
        with self.lock:
            rows = self._ticket_query(request.GET, list(self.tickets.values()))
            data = self._paginated(request, rows, self.ticket_row_wide if wide else self.ticket_row)
        return self.ok(data=data)

    def view_ticket_partner_list(self, request):
        return self._list_view(request, wide=False)

    def view_ticket_admin_list(self, request):
        return self._list_view(request, wide=True)

    def view_ticket_mitra_list(self, request):
        return self._list_view(request, wide=True)

    def view_ticket_package_return(self, request):
        if bad := self._method(request, "GET") or self._auth(request):
            return bad
        offset = max(_int(request.GET.get("offset"), 0) or 0, 0)
        limit = _int(request.GET.get("limit"))
        limit = TICKET_PAGE_SIZE_MAX if not limit or limit <= 0 else min(limit, TICKET_PAGE_SIZE_MAX)
        with self.lock:
            rows = [t for t in self.tickets.values() if t["ticket_type"] == 4]
            if (status := _int(request.GET.get("status"))) is not None:
                rows = [t for t in rows if t["ticket_status"] == status]
            if (priority := _int(request.GET.get("priority"))) is not None:
                rows = [t for t in rows if t["status_priority"] == priority]
            rows = sorted(rows, key=lambda t: t["id"])[offset:offset + limit]
            return self.ok(data=[self.ticket_row_wide(t) for t in rows])

    def view_ticket_detail(self, request, ticket_id):
        if bad := self._method(request, "GET") or self._auth(request):
            return bad
        with self.lock:
            ticket = self.tickets.get(ticket_id)
            if ticket is None:
                return self.fail(404, "ticket not found")
            return self.ok(message="Success fetch data.", data=self.ticket_detail_json(ticket))

    def _uploaded(self, request, ticket_id: int, name: str = "file[]") -> list[str]:
        return [f"{CDN}/{ticket_id}/{int(time.time())}-{f.name}" for f in request.FILES.getlist(name)]

    def _multipart_only(self, request):
        if not request.content_type.startswith("multipart/form-data"):
            return self.fail(415, "Request body must be multipart/form-data.")
        return None

    def view_ticket_mitra_store(self, request):
        return self.view_ticket_store(request, source="mitra")

    def view_ticket_store(self, request, source: str = "partner"):
        if bad := self._method(request, "POST") or self._auth(request) or self._multipart_only(request):
            return bad
        form = request.POST
        errors = {}
        awb = form.get("no_resi", "").strip()
        ticket_type = _int(form.get("ticket_type"))
        if not awb:
            errors["no_resi"] = ["The no resi field is required."]
        if ticket_type not in TICKET_TYPES:
            errors["ticket_type"] = ["The selected ticket type is invalid."]
        if not form.get("description", "").strip():
            errors["description"] = ["The description field is required."]
        if errors:
            return self.fail(422, "The given data was invalid.", errors)
        with self.lock:
            order = next((o for o in reversed(self.orders) if o["airway_bill"] == awb), None)
            ticket = self._new_ticket(order=order, ticket_type=ticket_type, description=form["description"].strip(),
                                      files=[], ts=time.time(), source=source, no_resi=awb,
                                      customer_name=form.get("customer_name") or form.get("partner_name") or "",
                                      brand_name=form.get("brand_name", "").strip())
            ticket["file"] = self._uploaded(request, ticket["id"])
        return self.ok(message="Successfully Upload Image Product")  # the seed's (copy-pasted) message

    def _chat(self, request, *, sender: str):
        if bad := self._method(request, "POST") or self._auth(request) or self._multipart_only(request):
            return bad
        ticket_id = _int(request.POST.get("ticket_id"))
        message = request.POST.get("message", "").strip()
        with self.lock:
            ticket = self.tickets.get(ticket_id)
            if ticket is None:
                return self.fail(404, "ticket not found")
            if not message and not request.FILES:
                return self.fail(422, "The given data was invalid.", {"message": ["The message field is required."]})
            if ticket["ticket_status"] == TICKET_STATUS_CANCELED:
                return self.fail(400, "Tiket sudah dibatalkan")
            self._add_message(ticket, sender=sender, message=message, files=self._uploaded(request, ticket_id))
            status = request.POST.get("ticket_status", "")
            if sender == "mitra" and status.strip().isdigit():
                ticket["ticket_status"] = int(status)
            elif sender == "partner" and ticket["ticket_status"] == 0:
                ticket["ticket_status"] = 2  # the partner followed up: back in process
        return self.ok(message="Successfully Upload Image Product")

    def view_ticket_store_chat(self, request):
        return self._chat(request, sender="partner")

    def view_ticket_mitra_store_chat(self, request):
        return self._chat(request, sender="mitra")

    def view_ticket_cancel(self, request, ticket_id):
        if bad := self._method(request, "DELETE") or self._auth(request):
            return bad
        with self.lock:
            ticket = self.tickets.get(ticket_id)
            if ticket is None:
                return self.fail(404, "ticket not found")
            if ticket["ticket_status"] in (3, TICKET_STATUS_CANCELED):
                return self.fail(400, "Tiket tidak dapat dibatalkan")
            ticket["ticket_status"] = TICKET_STATUS_CANCELED
            ticket["updated_ts"] = time.time()
        return self.ok(message="Success cancel ticket")

    def view_ticket_set_priority(self, request, ticket_id):
        if bad := self._method(request, "POST") or self._auth(request):
            return bad
        value = _int(request.POST.get("status_priority"))
        if value not in (0, 1):
            return self.fail(422, "The given data was invalid.", {"status_priority": ["must be 0 or 1"]})
        with self.lock:
            ticket = self.tickets.get(ticket_id)
            if ticket is None:
                return self.fail(404, "ticket not found")
            ticket["status_priority"] = value
            ticket["updated_ts"] = time.time()
        return self.ok(message="Success set priority")

    def view_ticket_types(self, request):
        if bad := self._method(request, "GET") or self._auth(request):
            return bad
        return self.ok(data=[{"id": number, "name": name} for number, name in TICKET_TYPES.items()])

    def view_claim_store(self, request, ticket_id):
        if bad := self._method(request, "POST") or self._auth(request):
            return bad
        with self.lock:
            ticket = self.tickets.get(ticket_id)
            if ticket is None:
                return self.fail(404, "ticket not found")
            order = self.by_id.get(ticket["order_id"]) if ticket["order_id"] else None
            if order is None or order["payment_method"] != PAYMENT_COD:
                return self.fail(400, "Claim retur hanya untuk order COD")
            if order["order_status"] not in CLAIM_RETUR_ORDER_STATUSES:
                return self.fail(400, f"Claim retur tidak tersedia untuk order berstatus {order['order_status']}")
            if ticket["claim_retur"] is not None:
                return self.fail(400, "Claim retur sudah diajukan")
            ticket["claim_retur"] = self._new_claim(request.POST.get("notes", "").strip(), time.time())
            ticket["updated_ts"] = time.time()
        return self.ok(message="Successfuly store Claim Retur", data="")

    def view_claim_upload(self, request):
        if bad := self._method(request, "POST") or self._auth(request) or self._multipart_only(request):
            return bad
        claim_id = _int(request.POST.get("claim_retur_id"))
        upload = request.FILES.get("file")
        errors = {}
        if upload is None:
            errors["file"] = ["The file field is required."]
        if claim_id is None:
            errors["claim_retur_id"] = ["The claim retur id field is required."]
        if errors:
            return self.fail(422, "The given data was invalid.", errors)
        with self.lock:
            claim = next((t["claim_retur"] for t in self.tickets.values()
                          if t["claim_retur"] and t["claim_retur"]["id"] == claim_id), None)
            if claim is None:
                return self.fail(404, "claim retur not found")
            image = {"id": self.next_image_id, "url": f"{CDN}/claim/{claim_id}/{upload.name}"}
            self.next_image_id += 1
            claim["images"].append(image)
            self.claim_images[image["id"]] = claim
        return self.ok(message="Successfully Upload Image Claim Retur!", data="")

    def view_claim_delete_image(self, request, image_temp_id):
        if bad := self._method(request, "DELETE") or self._auth(request):
            return bad
        with self.lock:
            claim = self.claim_images.pop(image_temp_id, None)
            if claim is None:
                return self.fail(404, "image not found")
            claim["images"] = [i for i in claim["images"] if i["id"] != image_temp_id]
        return self.ok(message="Success Delete Claim Retur Image")

    def view_claim_update(self, request, ticket_id):
        if bad := self._method(request, "PUT", "POST") or self._auth(request):
            return bad
        with self.lock:
            ticket = self.tickets.get(ticket_id)
            if ticket is None or ticket["claim_retur"] is None:
                return self.fail(404, "claim retur not found")
            ticket["claim_retur"]["submitted"] = True
            ticket["updated_ts"] = time.time()
        return self.ok(message="Successfully Claim Retur!!")

    def view_claim_info(self, request, ticket_id):
        if bad := self._method(request, "GET") or self._auth(request):
            return bad
        with self.lock:
            ticket = self.tickets.get(ticket_id)
            claim = ticket["claim_retur"] if ticket else None
            if claim is None:
                return self.fail(404, "claim retur not found")
            return self.ok(message="Success fetch data.", data={
                "id": claim["id"], "ticket_id": ticket_id, "status_claim": claim["status_claim"],
                "notes": claim["notes"], "created_at": _wib(claim["ts"]), "images": [i["url"] for i in claim["images"]],
            })

    def ticket_routes(self) -> list:
        e = self.endpoint
        return [
            path("v1/ticket-partner/list", e(self.view_ticket_partner_list)),
            path("v1/ticket-admin/list", e(self.view_ticket_admin_list)),
            path("v1/ticket-mitra/list", e(self.view_ticket_mitra_list)),
            path("v1/ticket-mitra/package-return", e(self.view_ticket_package_return)),
            path("v2/ticket-partner/detail/<int:ticket_id>", e(self.view_ticket_detail)),
            path("v1/ticket-partner/detail/<int:ticket_id>", e(self.view_ticket_detail)),
            path("v2/ticket-partner/store", e(self.view_ticket_store)),
            path("v1/ticket-mitra/store", e(self.view_ticket_mitra_store)),
            path("v2/ticket-partner/store-chat", e(self.view_ticket_store_chat)),
            path("v1/ticket-mitra/store-chat", e(self.view_ticket_mitra_store_chat)),
            path("v1/ticket-partner/cancel/<int:ticket_id>", e(self.view_ticket_cancel)),
            path("v1/ticket-partner/set-priority/<int:ticket_id>", e(self.view_ticket_set_priority)),
            path("v1/ticket-partner/ticket-type/list", e(self.view_ticket_types)),
            path("v1/ticket-partner/claim-retur/store/<int:ticket_id>", e(self.view_claim_store)),
            path("v1/ticket-partner/claim-retur/upload/image-temp", e(self.view_claim_upload)),
            path("v1/ticket-partner/claim-retur/delete/image/<int:image_temp_id>", e(self.view_claim_delete_image)),
            path("v1/ticket-partner/claim-retur/update/<int:ticket_id>", e(self.view_claim_update)),
            path("v1/ticket-admin/claim-retur/<int:ticket_id>", e(self.view_claim_info)),
        ]
