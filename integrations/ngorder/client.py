"""Ngorder / SmartSeller HTTP client: one small method per endpoint, returning the platform's JSON."""

from collections.abc import Mapping
from typing import Any

import requests

from integrations.exceptions import ProviderRejected
from integrations.http import JsonClient
from integrations.ngorder.endpoints import ENDPOINTS


def flatten_query(prefix: str, value: Any) -> dict[str, Any]:
    """Laravel's bracket form for arrays/objects in a query string: products[0][name]=Sepatu."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(flatten_query(f"{prefix}[{key}]", item))
        return out
    if isinstance(value, list | tuple):
        out = {}
        for index, item in enumerate(value):
            out.update(flatten_query(f"{prefix}[{index}]", item))
        return out
    return {prefix: value}


def describe_message(message: Any) -> str:
    """`message` is a string, a list of strings, or a Laravel map of field -> [messages]."""
    if message is None:
        return ""
    if isinstance(message, str):
        return message
    if isinstance(message, list | tuple):
        return "; ".join(describe_message(item) for item in message if item not in (None, ""))
    if isinstance(message, Mapping):
        parts = []
        for key, value in message.items():
            text = describe_message(value) if not isinstance(value, int | float) else str(value)
            parts.append(f"{key}: {text}")
        return "; ".join(parts)
    return str(message)


class NgorderClient(JsonClient):
    platform = "ngorder"

    def __init__(self, *, base_url: str, api_key: str, language: str = "en", auth_header: str = "bearer",
                 **kwargs) -> None:
        super().__init__(base_url=base_url, **kwargs)
        self.api_key = api_key
        self.language = language
        self.auth_header = auth_header

    # Hooks -----------------------------------------------------------------------------------------
    def auth_headers(self) -> dict[str, str]:
        headers = {"Accept-Language": self.language} if self.language else {}
        if self.auth_header == "token":  # 003's header row: `token | string | Bearer token`
            headers["token"] = f"Bearer {self.api_key}"
        else:  # 002: `Authorization | string | User's bearer token`
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    def error_message(self, data: Any, response: requests.Response) -> str:
        if isinstance(data, Mapping) and data.get("message") not in (None, "", [], {}):
            return describe_message(data["message"])[:500]
        return super().error_message(data, response)

    def check_envelope(self, data: Any, response: requests.Response) -> None:
        if isinstance(data, Mapping) and str(data.get("response", "")).strip().lower() == "failed":
            raise ProviderRejected(self.error_message(data, response) or "request failed",
                                   platform=self.platform, status_code=response.status_code, payload=data)

    def call(self, name: str, *, path_params: Mapping | None = None, **kwargs) -> Any:
        endpoint = ENDPOINTS[name]
        return self.request(endpoint.method, endpoint.url_path(**(path_params or {})), **kwargs)

    # Account ---------------------------------------------------------------------------------------
    def get_shop(self) -> dict:
        return self.call("shop_detail")

    # Orders ----------------------------------------------------------------------------------------
    def list_orders(self, *, start_date: str, end_date: str, page: int = 1, per_page: int = 100,
                    **filters) -> dict:
        params = {"start_date": start_date, "end_date": end_date, "per_page": per_page,
                  "pagination_offset": page, **filters}
        return self.call("order_list", params=params)

    def get_order_detail(self, order_id: int | str) -> dict:
        return self.call("order_detail", params={"id": order_id})

    def list_canceled_orders(self, *, start_date: str, end_date: str, type: str = "CANCEL", page: int = 1,
                             per_page: int = 50) -> dict:
        params = {"type": type, "start_date": start_date, "end_date": end_date, "per_page": per_page,
                  "pagination_offset": page}
        return self.call("order_cancel_list", params=params)

    def create_order(self, body: dict) -> dict:
        return self.call("order_create", json=body)

    def update_order(self, body: dict) -> dict:
        return self.call("order_update", json=body)

    def cancel_order(self, order_id: int | str) -> dict:
        return self.call("order_cancel", json={"id": int(order_id)})

    def return_canceled_order(self, order_id: int | str) -> dict:
        return self.call("order_cancel_return", json={"id": int(order_id)})

    def delete_canceled_order(self, order_id: int | str) -> dict:
        return self.call("order_cancel_delete", path_params={"order_id": order_id},
                         json={"id": int(order_id)})

    def add_awb(self, order_id: int | str, awb_number: str) -> dict:
        return self.call("order_awb_add", params={"id": order_id, "awb_number": awb_number})

    # Master data -----------------------------------------------------------------------------------
    def list_regions(self, *, keyword: str, per_page: int = 1, page: int = 1) -> dict:
        return self.call("region_list", params={"keyword": keyword, "per_page": per_page,
                                                "pagination_offset": page})

    def list_customers(self, *, keyword: str = "", type: str = "", per_page: int = 10, page: int = 1) -> dict:
        params: dict[str, Any] = {"per_page": per_page, "pagination_offset": page}
        if keyword:
            params["keyword"] = keyword
        if type:
            params["type"] = type
        return self.call("customer_list", params=params)

    def create_customer(self, body: dict) -> dict:
        return self.call("customer_create", json=body)

    # Products --------------------------------------------------------------------------------------
    def search_products(self, *, page: int = 1, per_page: int = 100, **filters) -> dict:
        return self.call("product_search", params={"pagination_offset": page, "per_page": per_page, **filters})

    def get_product(self, product_id: int | str) -> dict:
        return self.call("product_detail", path_params={"product_id": product_id})

    def create_product(self, body: dict) -> dict:
        return self.call("product_create", json=body)

    def update_product(self, body: dict) -> dict:
        return self.call("product_update", json=body)

    def delete_products(self, product_ids: list[int]) -> dict:
        return self.call("product_delete", json={"id": [int(i) for i in product_ids]})

    def delete_variations(self, variation_ids: list[int]) -> dict:
        return self.call("variation_delete", json={"id": [int(i) for i in variation_ids]})

    def generate_skus(self, products: list[dict]) -> dict:
        return self.call("sku_generate", params=flatten_query("products", products))

    def validate_sku(self, sku: str, product_meta_id: int | str) -> dict:
        # A read despite being a POST: safe to retry.
        return self.call("sku_validate", json={"sku": sku, "product_meta_id": int(product_meta_id)},
                         idempotent=True)

    def check_stock(self, variation_id: int | str, warehouse_id: int | str | None = None) -> dict:
        params: dict[str, Any] = {"variation_id": variation_id}
        if warehouse_id is not None:
            params["warehouse_id"] = warehouse_id
        return self.call("stock_check", params=params)

    def update_stock(self, body: dict) -> dict:
        return self.call("stock_update", json=body)

    def sync_stock(self, variation_id: int | str, amount: int) -> dict:
        return self.call("stock_sync", json={"variation_id": int(variation_id), "amount": int(amount)},
                         idempotent=True)

    # Finance: OrderPay balance, withdraw, banks ----------------------------------------------------------
    def orderpay_balance(self) -> dict:
        return self.call("orderpay_balance")

    def withdraw(self, *, xendit_bank_id: int, nominal: int, holder_name: str, account_number: int) -> dict:
        """Not idempotent and answers no id: tried once (JsonClient never retries a POST by itself)."""
        return self.call("withdraw", json={"xendit_bank_id": int(xendit_bank_id), "nominal": int(nominal),
                                           "holder_name": holder_name, "account_number": int(account_number)})

    def bank_create(self, *, bank_type: str, account_number: str, holder_name: str, branch: str) -> dict:
        return self.call("bank_create", json={"bank_type": bank_type, "account_number": account_number,
                                              "holder_name": holder_name, "branch": branch})

    def bank_detail(self, bank_id: int | str) -> dict:
        return self.call("bank_detail", path_params={"bank_id": bank_id})

    # Logistics -------------------------------------------------------------------------------------
    def expedition_cost(self, *, origin_id: int, destination_id: int, weight: int, price: int) -> dict:
        return self.call("expedition_cost", params={"origin_id": origin_id, "destination_id": destination_id,
                                                    "weight": weight, "price": price})

    def expedition_tracking(self, *, awb_number: str, expedition_id: int, order_id: int | str) -> dict:
        return self.call("expedition_tracking", params={"awb_number": awb_number, "expedition_id": expedition_id,
                                                        "order_id": order_id})

    def pickup_request(self, rows: list[dict]) -> dict:
        return self.call("pickup_request", json={"pickup_request": rows})

    def cancel_pickup(self, order_id: int | str, reason: str = "") -> dict:
        body: dict = {"id": int(order_id)}
        if reason:
            body["reason"] = reason
        return self.call("pickup_cancel", json=body)
