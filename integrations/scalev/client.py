"""Scalev v3 over HTTP: one small method per endpoint of endpoints.ENDPOINTS; returns Scalev's JSON."""

from collections.abc import Mapping, Sequence
from typing import Any

import requests

from integrations.http import JsonClient
from integrations.scalev.endpoints import PAGE_SIZE_MAX, endpoint


class ScalevClient(JsonClient):
    """Auth: `Authorization: Bearer <api key>` with a business API key (`sk_…` secret or `rk_…`
    restricted). Errors come as {"error": "Invalid API key"} (guide) or the spec's ApiErrorResponse
    {"error", "error_code", "message", "errors"}; a 429 body may be plain text (JsonClient copes)."""

    platform = "scalev"

    def __init__(self, *, base_url: str, api_key: str, **kwargs) -> None:
        super().__init__(base_url=base_url, **kwargs)
        self.api_key = api_key

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    def error_message(self, data: Any, response: requests.Response) -> str:
        if isinstance(data, Mapping):
            parts = []
            for key in ("message", "error", "error_code"):
                value = data.get(key)
                if value and isinstance(value, str | int | float):
                    parts.append(str(value))
                elif value and isinstance(value, Mapping | list):
                    parts.append(str(value)[:200])
            errors = data.get("errors")
            if errors:
                parts.append(f"errors: {str(errors)[:300]}")
            if parts:
                return "; ".join(dict.fromkeys(parts))[:500]
        return (response.text or response.reason or "")[:500]

    def _call(self, name: str, *, path_params: Mapping[str, str] | None = None, **kwargs) -> Any:
        ep = endpoint(name)
        return self.request(ep.method, ep.url(**(path_params or {})), **kwargs)

    # Orders ----------------------------------------------------------------------------------------
    def list_orders(self, *, page_size: int = PAGE_SIZE_MAX, next_cursor: str | None = None,
                    **filters: str) -> dict:
        """GET /v3/orders. `filters` are the documented query parameters (draft_time_until, status,
        search + search_field, …); None values are left out."""
        params = {"page_size": page_size, **filters}
        if next_cursor:
            params["next_cursor"] = next_cursor
        return self._call("orders_list", params={k: v for k, v in params.items() if v is not None})

    def get_order(self, order_id: str) -> dict:
        return self._call("order_detail", path_params={"id": str(order_id)})

    def create_order(self, body: dict) -> dict:
        return self._call("order_create", json=body)  # POST: tried once, never retried

    def change_status(self, ids: Sequence[str], *, status: str | None = None,
                      payment_status: str | None = None) -> dict:
        body: dict[str, Any] = {"ids": [str(i) for i in ids]}
        if status:
            body["status"] = status
        if payment_status:
            body["payment_status"] = payment_status
        # Setting a status is idempotent: repeating it leaves the same state, so a retry is safe.
        return self._call("orders_change_status", json=body, idempotent=True)

    def delete_orders(self, ids: Sequence[str]) -> dict:
        return self._call("orders_delete", json={"ids": [str(i) for i in ids]})

    # Products and variants -------------------------------------------------------------------------
    def list_products(self, *, page_size: int = PAGE_SIZE_MAX, next_cursor: str | None = None,
                      **filters: Any) -> dict:
        params = {"page_size": page_size, **filters}
        if next_cursor:
            params["next_cursor"] = next_cursor
        return self._call("products_list", params={k: v for k, v in params.items() if v is not None})

    def get_product(self, product_id: str) -> dict:
        return self._call("product_detail", path_params={"id": str(product_id)})

    def create_product(self, body: dict) -> dict:
        return self._call("product_create", json=body)

    def update_product(self, product_id: str, body: dict) -> dict:
        return self._call("product_update", path_params={"id": str(product_id)}, json=body, idempotent=True)

    def delete_product(self, product_id: str) -> None:
        self._call("product_delete", path_params={"id": str(product_id)}, idempotent=True)

    def create_variant(self, product_id: str, body: dict) -> dict:
        return self._call("variant_create", path_params={"product_id": str(product_id)}, json=body)

    def get_variant(self, variant_id: str) -> dict:
        return self._call("variant_detail", path_params={"id": str(variant_id)})

    def update_variant(self, variant_id: str, body: dict) -> dict:
        return self._call("variant_update", path_params={"id": str(variant_id)}, json=body, idempotent=True)

    def delete_variant(self, variant_id: str) -> None:
        self._call("variant_delete", path_params={"id": str(variant_id)}, idempotent=True)

    # Logistics -------------------------------------------------------------------------------------
    def shipping_costs(self, body: dict) -> dict:
        return self._call("shipping_costs", json=body, idempotent=True)  # a read, sent as POST

    def courier_services(self, body: dict) -> dict:
        return self._call("courier_services", json=body, idempotent=True)

    def list_locations(self, *, search: str, page_size: int = 5) -> dict:
        return self._call("locations", params={"search": search, "page_size": page_size})

    def generate_awb(self, ids: Sequence[str]) -> dict:
        return self._call("generate_awb", json={"ids": list(ids)})

    def cancel_awb(self, ids: Sequence[str]) -> dict:
        return self._call("cancel_awb", json={"ids": list(ids)}, idempotent=True)

    def upload_receipt(self, csv_text: str) -> dict:
        return self._call("upload_receipt", files={"file": ("receipts.csv", csv_text.encode(), "text/csv")},
                          idempotent=True)
