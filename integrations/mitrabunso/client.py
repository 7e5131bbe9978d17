"""Mitrabunso over HTTP: one small method per documented endpoint, each returning the platform's JSON."""

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import requests

from integrations.exceptions import ProviderAuthFailed, ProviderContractChanged
from integrations.http import JsonClient
from integrations.mitrabunso.endpoints import ENDPOINTS, PLATFORM


class MitrabunsoClient(JsonClient):
    platform = PLATFORM

    def __init__(self, *, base_url: str, token: str, id_user: str, body_encoding: str = "json",
                 **kwargs) -> None:
        super().__init__(base_url=base_url, **kwargs)
        self.token = (token or "").strip()
        self.id_user = (id_user or "").strip()
        if body_encoding not in ("json", "form"):
            raise ValueError(f"body_encoding must be 'json' or 'form', not {body_encoding!r}")
        self.body_encoding = body_encoding

    # Hooks -----------------------------------------------------------------------------------------
    def auth_headers(self) -> dict[str, str]:
        if not self.token:
            raise ProviderAuthFailed("no bearer token in the account's credentials", platform=self.platform)
        if not self.id_user:
            raise ProviderAuthFailed("no id_user for the account", platform=self.platform)
        return {"Authorization": f"Bearer {self.token}"}

    def check_envelope(self, data: Any, response: requests.Response) -> None:
        if not isinstance(data, Mapping) or "data" not in data:
            raise ProviderContractChanged("answer is not the {message, data} envelope", platform=self.platform,
                                          status_code=response.status_code, payload=data)

    def error_message(self, data: Any, response: requests.Response) -> str:
        if isinstance(data, Mapping):
            message = str(data.get("message") or "")
            errors = data.get("errors")
            if isinstance(errors, Mapping) and errors:
                details = "; ".join(
                    f"{field}: {', '.join(map(str, reasons)) if isinstance(reasons, list) else reasons}"
                    for field, reasons in errors.items()
                )
                message = f"{message} ({details})" if message else details
            if message:
                return message[:500]
        return super().error_message(data, response)

    # Helpers ---------------------------------------------------------------------------------------
    def _path(self, name: str, **params: Any) -> str:
        values = {"id_user": quote(self.id_user, safe="")}
        values.update({key: quote(str(value), safe="") for key, value in params.items()})
        return ENDPOINTS[name].path.format(**values)

    def _body(self, field: str, value: Any) -> dict[str, Any]:
        if self.body_encoding == "form":
            return {"data": {field: json.dumps(value, separators=(",", ":"))}}
        return {"json": {field: value}}

    # Endpoints -------------------------------------------------------------------------------------
    def list_orders(self, *, offset: int, limit: int, q: str = "", status: str = "") -> dict:
        params = {key: value for key, value in (("q", q), ("status", status)) if value}
        return self.get(self._path("list", offsite=int(offset), limit=int(limit)), params=params or None)

    def total_summary(self) -> dict:
        return self.get(self._path("total_summary"))

    def order_details(self, id_order: str) -> dict:
        return self.get(self._path("details", id_order=id_order))

    def create_order(self, document: Mapping) -> dict:
        """One create: never retried (a timeout may still have created it; see adapter.find_order)."""
        return self.post(self._path("create"), **self._body("data", dict(document)))

    def batch_create(self, documents: Sequence[Mapping]) -> dict:
        return self.post(self._path("batch_create"), **self._body("batchData", [dict(d) for d in documents]))

    def processed_list(self, *, q: str = "") -> dict:
        return self.get(self._path("processed_list"), params={"q": q} if q else None)

    def print_order(self, *, timestamp: str, print_status: int) -> dict:
        """Fetch a processed batch for label printing. A POST with a side effect: not retried."""
        return self.post(self._path("print_order", timestamp=timestamp, print_status=int(print_status)))
