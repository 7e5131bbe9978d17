"""Komship HTTP: one small method per endpoint of endpoints.py; returns Komship's JSON.

Auth (seed "Authentication": Bearer, header Authorization; #1 Login User; #6 refresh-token): the client
holds an access token. It logs in with username/password when it has no token, refreshes through the
refresh-token call when the token expired (its known expiry passed, or a call answered 401) and logs in
again when the refresh is refused. Every new token goes to `on_credentials_changed` so that the account
keeps it."""

import base64
import json
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import requests

from integrations.exceptions import ProviderAuthFailed, ProviderContractChanged, ProviderRejected
from integrations.http import JsonClient
from integrations.komship.endpoints import ENDPOINTS, path_for

WIB = ZoneInfo("Asia/Jakarta")
EXPIRY_SKEW = timedelta(seconds=60)  # refresh a little before the token's stated expiry


def jwt_expiry(token: str) -> datetime | None:
    """The `exp` claim of a JWT (not verified: only to know when to refresh), or None."""
    try:
        payload = token.split(".")[1]
        payload += "=" * (-len(payload) % 4)
        exp = json.loads(base64.urlsafe_b64decode(payload)).get("exp")
        return datetime.fromtimestamp(int(exp), tz=UTC) if exp else None
    except (IndexError, ValueError, TypeError):
        return None


def parse_expires_at(value: Any) -> datetime | None:
    """Login's `expires_at` ("2022-07-27 13:35:23", WIB per wire §2.1) or our stored ISO form."""
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=WIB) if parsed.tzinfo is None else parsed


class KomshipClient(JsonClient):
    platform = "komship"

    def __init__(self, *, base_url: str, token: str = "", expires_at: datetime | None = None,
                 username: str = "", password: str = "",
                 on_credentials_changed: Callable[[dict], None] | None = None, **kwargs) -> None:
        super().__init__(base_url=base_url, **kwargs)
        self.token = token
        self.expires_at = expires_at or (jwt_expiry(token) if token else None)
        self.username = username
        self.password = password
        self.on_credentials_changed = on_credentials_changed
        self.user_id: int | None = None
        self._auth_lock = threading.Lock()

    # Envelope and errors -----------------------------------------------------------------------------
    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def check_envelope(self, data: Any, response: requests.Response) -> None:
        """Komship may answer HTTP 2xx with body `code` 400 (wire §2.3 #3, ticket lists) or a `meta`
        envelope whose status is failed/error (the delivery-API style, wire §3.1)."""
        if not isinstance(data, Mapping):
            return
        env = data.get("meta") if isinstance(data.get("meta"), Mapping) else data
        code, status = env.get("code"), str(env.get("status") or "").lower()
        failed = status in ("failed", "error", "fail") or (isinstance(code, int) and code >= 400)
        if not failed:
            return
        message = self.error_message(data, response)
        error = ProviderAuthFailed if code in (401, 403) else ProviderRejected
        raise error(message or "request refused", platform=self.platform,
                    status_code=code if isinstance(code, int) else response.status_code, payload=data)

    def error_message(self, data: Any, response: requests.Response) -> str:
        if isinstance(data, Mapping):
            env = data.get("meta") if isinstance(data.get("meta"), Mapping) else data
            parts = [str(env.get("message") or "")]
            errors, inner = data.get("errors"), data.get("data")
            if not errors and isinstance(inner, Mapping):
                errors = inner.get("errors")
            if errors:
                parts.append(json.dumps(errors, ensure_ascii=False) if not isinstance(errors, str) else errors)
            text = ": ".join(p for p in parts if p)
            if text:
                return text[:500]
        return super().error_message(data, response)

    # Auth --------------------------------------------------------------------------------------------
    def request(self, method: str, path: str, *, authenticated: bool = True, **kwargs) -> Any:
        if not authenticated:
            return super().request(method, path, **kwargs)
        self._ensure_token()
        used = self.token
        try:
            return super().request(method, path, **kwargs)
        except ProviderAuthFailed as exc:
            if exc.status_code != 401:
                raise
            self._renew(used)
            return super().request(method, path, **kwargs)

    def _ensure_token(self) -> None:
        if not self.token:
            with self._auth_lock:
                if not self.token:
                    self.login()
            return
        if self.expires_at is not None and datetime.now(UTC) >= self.expires_at - EXPIRY_SKEW:
            self._renew(self.token)

    def _renew(self, stale_token: str) -> None:
        """Refresh the token that just failed (unless another thread already did), else log in."""
        with self._auth_lock:
            if self.token != stale_token:
                return
            try:
                self.refresh_token()
            except ProviderAuthFailed:
                if not (self.username and self.password):
                    raise
                self.login()

    def _store_token(self, token: str, expires_at: datetime | None) -> None:
        self.token = token
        self.expires_at = expires_at or jwt_expiry(token)
        if self.on_credentials_changed is not None:
            self.on_credentials_changed({
                "token": token,
                "expires_at": self.expires_at.isoformat() if self.expires_at else "",
            })

    def login(self) -> dict:
        """#1 Login User. A refused login is ProviderAuthFailed whatever status Komship answers."""
        if not (self.username and self.password):
            raise ProviderAuthFailed("no token and no username/password to log in with", platform=self.platform)
        body = {"username_email": self.username, "password": self.password, "login_from": "website",
                "fcm_token": ""}
        try:
            data = super().request(ENDPOINTS["login"].method, path_for("login"), json=body)
        except ProviderRejected as exc:
            raise ProviderAuthFailed(f"login refused: {exc.message}", platform=self.platform,
                                     status_code=exc.status_code, payload=exc.payload) from exc
        payload = (data or {}).get("data") or {}
        token = payload.get("access_token") if isinstance(payload, Mapping) else None
        if not token:
            raise ProviderContractChanged("login answered no data.access_token", platform=self.platform,
                                          payload=data)
        self.user_id = payload.get("user_id")
        self._store_token(token, parse_expires_at(payload.get("expires_at")))
        return data

    def refresh_token(self) -> dict:
        """#6 refresh-token: bearer = the current token, no body; answers a top-level access_token."""
        if not self.token:
            raise ProviderAuthFailed("no token to refresh", platform=self.platform)
        data = super().request(ENDPOINTS["refresh_token"].method, path_for("refresh_token"))
        token = (data or {}).get("access_token") or ((data or {}).get("data") or {}).get("access_token")
        if not token:
            raise ProviderAuthFailed("refresh-token answered no access_token", platform=self.platform,
                                     payload=data)
        self._store_token(token, None)
        return data

    def _call(self, name: str, *, path_params: Mapping | None = None, **kwargs) -> Any:
        endpoint = ENDPOINTS[name]
        return self.request(endpoint.method, path_for(name, **(path_params or {})), **kwargs)

    # Endpoints -----------------------------------------------------------------------------------------
    def partners(self) -> dict:
        return self._call("partners")

    def list_orders(self, partner_id: str, *, limit: int, offset: int, start_date: str = "",
                    end_date: str = "", order_status: int | str | None = None, payment_method: str = "",
                    search: str = "") -> dict:
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        params.update({k: v for k, v in (("start_date", start_date), ("end_date", end_date),
                                         ("payment_method", payment_method), ("search", search)) if v})
        if order_status is not None and order_status != "":
            params["order_status"] = order_status
        return self._call("orders", path_params={"partner_id": partner_id}, params=params)

    def list_orders_v1(self, partner_id: str, *, page: int, start_date: str = "", end_date: str = "",
                       order_status: int | str | None = None) -> dict:
        params: dict[str, Any] = {"page": page}
        params.update({k: v for k, v in (("start_date", start_date), ("end_date", end_date)) if v})
        if order_status is not None and order_status != "":
            params["order_status"] = order_status
        return self._call("orders_v1", path_params={"partner_id": partner_id}, params=params)

    def order_detail(self, partner_id: str, order_id: str) -> dict:
        return self._call("order_detail", path_params={"partner_id": partner_id, "order_id": order_id})

    def store_order(self, partner_id: str, body: dict, *, version: str = "v3") -> dict:
        name = {"v2": "order_store_v2", "v3": "order_store_v3"}[version]
        return self._call(name, path_params={"partner_id": partner_id}, json=body)

    def store_order_mass(self, rows: list[dict], *, options: str = "submit") -> dict:
        return self._call("order_store_mass", json={"options": options, "data": rows})

    def delete_order(self, partner_id: str, order_id: str) -> dict:
        return self._call("order_delete", path_params={"partner_id": partner_id, "order_id": order_id})

    def cart(self) -> dict:
        return self._call("cart")

    def cart_bulk_store(self, items: list[dict]) -> dict:
        return self._call("cart_bulk_store", json=items)

    def cart_delete(self, cart_ids: list[int]) -> dict:
        return self._call("cart_delete", json={"cart_id": list(cart_ids)}, idempotent=True)

    def destinations(self, search: str) -> dict:
        return self._call("destinations", params={"search": search})

    def list_products(self, *, limits: int, offset: int, status: int | None = None, name: str = "") -> dict:
        params: dict[str, Any] = {"limits": limits, "offset": offset}
        if status is not None:
            params["status"] = status
        if name:
            params["name"] = name
        return self._call("products", params=params)

    def product_detail(self, product_id: str) -> dict:
        return self._call("product_detail", path_params={"product_id": product_id})

    def create_product(self, body: dict, *, status: int = 1) -> dict:
        return self._call("product_create", path_params={"status": status}, json=body)

    def update_product(self, product_id: str, body: dict) -> dict:
        # A full replacement of the product: repeating it changes nothing, so it may be retried.
        return self._call("product_update", path_params={"product_id": product_id}, json=body,
                          idempotent=True)

    def delete_product(self, product_id: str) -> dict:
        return self._call("product_delete", path_params={"product_id": product_id})

    def check_product_name(self, product_name: str) -> dict:
        return self._call("product_check_name", params={"product_name": product_name})

    def check_product_sku(self, product_sku: str) -> dict:
        return self._call("product_check_sku", params={"product_sku": product_sku})

    def update_multiple_stock(self, items: list[dict]) -> dict:
        return self._call("stock_multiple", json=items, idempotent=True)

    # Finance: balance, transactions, admin withdrawals, bank accounts ----------------------------------
    def balance_summary(self, partner_id: str) -> dict:
        return self._call("balance_summary", params={"partner_id": partner_id})

    def transactions(self, partner_id: str, *, page: int, limits: int, start_date: str = "", end_date: str = "",
                     filter: str = "") -> dict:
        params: dict[str, Any] = {"partner_id": partner_id, "page": page, "limits": limits}
        params.update({k: v for k, v in (("start_date", start_date), ("end_date", end_date),
                                         ("filter", filter)) if v})
        return self._call("transactions", params=params)

    def admin_withdrawals(self, *, page: int, total_per_page: int, status: str = "", start_date: str = "",
                          end_date: str = "", search: str = "") -> dict:
        params: dict[str, Any] = {"page": page, "total_per_page": total_per_page}
        params.update({k: v for k, v in (("status", status), ("start_date", start_date),
                                         ("end_date", end_date), ("search", search)) if v})
        return self._call("admin_withdrawals", params=params)

    def admin_withdrawal_detail(self, withdrawal_id: str) -> dict:
        return self._call("admin_withdrawal_detail", path_params={"withdrawal_id": withdrawal_id})

    def admin_withdrawal_update(self, withdrawal_id: str, *, status: str, notes: str = "",
                                transfer_proof: tuple[str, bytes, str] | None = None) -> dict:
        """#99 withdrawal-update: status in the query, multipart notes / transfer_proof. Setting the same
        status again changes nothing on Komship, so the call may be retried."""
        files = {"transfer_proof": transfer_proof} if transfer_proof else None
        return self._call("admin_withdrawal_update", path_params={"withdrawal_id": withdrawal_id},
                          params={"status": status}, data={"notes": notes}, files=files, idempotent=True)

    def bank_accounts(self) -> dict:
        return self._call("bank_accounts")

    def bank_account_store(self, *, bank_name: str, account_name: str, account_no: int, note: str = "") -> dict:
        return self._call("bank_account_store", json={"bank_name": bank_name, "account_name": account_name,
                                                      "account_no": account_no, "note": note})

    # Logistics -----------------------------------------------------------------------------------------
    def calculate(self, params: Mapping[str, Any]) -> dict:
        return self._call("calculate", params=dict(params))

    def check_awb(self, awb: str, order_id: str) -> dict:
        return self._call("check_awb", path_params={"awb": awb, "order_id": order_id})

    def awb_history(self, awb: str) -> dict:
        return self._call("awb_history", path_params={"awb": awb})

    def update_awb(self, partner_id: str, order_id: str, airway_bill: str) -> dict:
        # Setting the same AWB again changes nothing: safe to retry.
        return self._call("awb_update", path_params={"partner_id": partner_id, "order_id": order_id},
                          data={"airway_bill": airway_bill}, idempotent=True)

    def print_label(self, order_ids: list[str], *, page: str = "page_1") -> dict:
        fields = {"order_id": (None, ",".join(order_ids)), "page": (None, page), "print_date": (None, "1")}
        return self._call("print_label", files=fields, idempotent=True)

    def store_pickup(self, partner_id: str, body: dict) -> dict:
        return self._call("pickup_store", path_params={"partner_id": partner_id}, json=body)

    def pickup_history(self, *, page: int, limits: int) -> dict:
        return self._call("pickup_history", params={"page": page, "limits": limits})

    def pickup_detail(self, pickup_id: str) -> dict:
        return self._call("pickup_detail", path_params={"pickup_id": pickup_id})

    # Tickets and return claims ---------------------------------------------------------------------------
    @staticmethod
    def _files(files) -> list[tuple[str, tuple[str, bytes, str]]] | None:
        """[(name, bytes, content type)] as multipart parts named file[] (seed #150, #151)."""
        return [("file[]", (name, content, ctype)) for name, content, ctype in files or ()] or None

    def list_tickets(self, which: str, *, page: int, per_page: int, **filters) -> dict:
        """One page of a paginator ticket list: which = partner | admin | mitra."""
        params: dict[str, Any] = {"page": page, "total_per_page": per_page}
        params.update({k: v for k, v in filters.items() if v not in (None, "")})
        return self._call(f"ticket_{which}_list", params=params)

    def list_package_return_tickets(self, *, limit: int, offset: int, status: int | None = None,
                                    priority: int | None = None) -> dict:
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if status is not None:
            params["status"] = status
        if priority is not None:
            params["priority"] = priority
        return self._call("ticket_package_return_list", params=params)

    def ticket_detail(self, ticket_id: str) -> dict:
        return self._call("ticket_detail", path_params={"ticket_id": ticket_id})

    def ticket_types(self) -> dict:
        return self._call("ticket_types")

    def store_ticket(self, fields: dict, files=(), *, mitra: bool = False) -> dict:
        return self._call("ticket_mitra_store" if mitra else "ticket_store", data=fields,
                          files=self._multipart(files))

    def store_ticket_chat(self, ticket_id: str, message: str, files=(), *, ticket_status: str | None = None) -> dict:
        fields = {"ticket_id": str(ticket_id), "message": message}
        if ticket_status is not None:
            fields["ticket_status"] = ticket_status
            return self._call("ticket_mitra_store_chat", data=fields, files=self._multipart(files))
        return self._call("ticket_store_chat", data=fields, files=self._multipart(files))

    def _multipart(self, files):
        # requests sends application/x-www-form-urlencoded without files; the documents say multipart.
        return self._files(files) or {"file[]": ("", b"", "application/octet-stream")}

    def cancel_ticket(self, ticket_id: str) -> dict:
        return self._call("ticket_cancel", path_params={"ticket_id": ticket_id})

    def set_ticket_priority(self, ticket_id: str, status_priority: int) -> dict:
        return self._call("ticket_set_priority", path_params={"ticket_id": ticket_id},
                          data={"status_priority": str(int(status_priority))}, idempotent=True)

    def store_claim_retur(self, ticket_id: str, notes: str) -> dict:
        return self._call("claim_retur_store", path_params={"ticket_id": ticket_id}, data={"notes": notes})

    def upload_claim_retur_image(self, claim_retur_id: str, name: str, content: bytes, content_type: str) -> dict:
        return self._call("claim_retur_upload_image", data={"claim_retur_id": str(claim_retur_id)},
                          files=[("file", (name, content, content_type))])

    def delete_claim_retur_image(self, image_temp_id: str) -> dict:
        return self._call("claim_retur_delete_image", path_params={"image_temp_id": image_temp_id})

    def update_claim_retur(self, ticket_id: str) -> dict:
        return self._call("claim_retur_update", path_params={"ticket_id": ticket_id})

    def claim_retur_info(self, ticket_id: str) -> dict:
        return self._call("claim_retur_info", path_params={"ticket_id": ticket_id})
