"""One JSON client base for every platform: base URL, auth headers, (connect, read) timeouts on every
call, a shared rate limit, retries for safe calls only, Retry-After on 429, redacted logging and the
translation of transport failures and HTTP codes into the IntegrationError family."""

import email.utils
import logging
import random
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import requests
from django.conf import settings

from integrations.exceptions import (
    ProviderAuthFailed,
    ProviderContractChanged,
    ProviderRejected,
    ProviderUnavailable,
)

logger = logging.getLogger("integrations.http")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REDACTED_HEADERS = frozenset({"authorization", "token", "x-api-key", "cookie"})


class RateLimiter(Protocol):
    def acquire(self) -> None: ...


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class JsonClient:
    """Subclasses set `platform`, implement `auth_headers()` and, where the platform wraps errors in a
    200 envelope, `check_envelope(data, response)`. They add one small method per endpoint."""

    platform = ""

    def __init__(
        self,
        *,
        base_url: str,
        session: requests.Session | None = None,
        timeout: tuple[float, float] | None = None,
        rate_limiter: RateLimiter | None = None,
        max_attempts: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()
        self.timeout = timeout or tuple(settings.INTEGRATIONS_HTTP_TIMEOUT)
        self.rate_limiter = rate_limiter
        self.max_attempts = max_attempts or settings.INTEGRATIONS_HTTP_MAX_ATTEMPTS
        self.sleep = sleep

    # Hooks -----------------------------------------------------------------------------------------
    def auth_headers(self) -> dict[str, str]:
        return {}

    def check_envelope(self, data: Any, response: requests.Response) -> None:
        """Raise an IntegrationError when a 2xx body reports a failure."""

    def error_message(self, data: Any, response: requests.Response) -> str:
        if isinstance(data, Mapping):
            for key in ("message", "error", "errors", "detail"):
                if data.get(key):
                    return str(data[key])[:500]
        return (response.text or response.reason or "")[:500]

    # Transport ---------------------------------------------------------------------------------------
    def request(self, method: str, path: str, *, params: Mapping | None = None, json: Any = None,
                data: Any = None, files: Any = None, headers: Mapping[str, str] | None = None,
                idempotent: bool | None = None, expect_json: bool = True) -> Any:
        """Send one request and return the decoded JSON (or the response when expect_json is False).

        Safe methods (and calls marked idempotent) are retried on ProviderUnavailable with capped
        exponential backoff and jitter, honouring Retry-After; other calls are tried once, so a create
        never runs twice behind the caller's back."""
        method = method.upper()
        retry = method in SAFE_METHODS if idempotent is None else idempotent
        attempts = self.max_attempts if retry else 1
        url = f"{self.base_url}/{path.lstrip('/')}"
        for attempt in range(1, attempts + 1):
            try:
                return self._send(method, url, path, params=params, json=json, data=data, files=files,
                                  headers=headers, expect_json=expect_json)
            except ProviderUnavailable as exc:
                if attempt >= attempts:
                    raise
                self.sleep(self._backoff(attempt, exc.retry_after))
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        cap = settings.INTEGRATIONS_HTTP_BACKOFF_CAP
        if retry_after is not None:
            return min(retry_after, cap)
        base = settings.INTEGRATIONS_HTTP_BACKOFF_BASE * (2 ** (attempt - 1))
        return min(cap, base) * (0.5 + random.random() / 2)  # jitter, not cryptography

    def _send(self, method, url, path, *, params, json, data, files, headers, expect_json):
        if self.rate_limiter is not None:
            self.rate_limiter.acquire()
        all_headers = {"Accept": "application/json", **self.auth_headers(), **(headers or {})}
        started = time.monotonic()
        try:
            response = self.session.request(method, url, params=params, json=json, data=data, files=files,
                                            headers=all_headers, timeout=self.timeout)
        except requests.RequestException as exc:  # timeouts, refused and reset connections
            logger.warning("%s %s %s failed: %s", self.platform, method, path, type(exc).__name__)
            raise ProviderUnavailable(f"{type(exc).__name__} on {method} {path}",
                                      platform=self.platform) from exc
        elapsed_ms = (time.monotonic() - started) * 1000
        logger.info("%s %s %s -> %s in %.0f ms", self.platform, method, path, response.status_code,
                    elapsed_ms)
        return self._decode(response, method=method, path=path, expect_json=expect_json)

    def _decode(self, response: requests.Response, *, method: str, path: str, expect_json: bool):
        status = response.status_code
        try:
            data = response.json() if response.content else None
        except ValueError:
            data = None  # e.g. a plain-text 429 or an HTML error page
        where = f"{method} {path}"
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            raise ProviderUnavailable(f"rate limited on {where}", platform=self.platform, status_code=status,
                                      payload=data, retry_after=retry_after)
        if status >= 500:
            raise ProviderUnavailable(f"server error on {where}: {self.error_message(data, response)}",
                                      platform=self.platform, status_code=status, payload=data)
        if status in (401, 403):
            raise ProviderAuthFailed(self.error_message(data, response) or "credentials refused",
                                     platform=self.platform, status_code=status, payload=data)
        if status >= 400:
            raise ProviderRejected(self.error_message(data, response), platform=self.platform,
                                   status_code=status, payload=data)
        if not expect_json:
            return response
        if data is None and response.content:
            raise ProviderContractChanged(f"{where} did not answer JSON", platform=self.platform,
                                          status_code=status, payload=response.text[:500])
        self.check_envelope(data, response)
        return data

    # Shorthands ------------------------------------------------------------------------------------
    def get(self, path: str, **kwargs) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> Any:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs) -> Any:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs) -> Any:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs) -> Any:
        return self.request("DELETE", path, **kwargs)


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: ("***" if k.lower() in REDACTED_HEADERS else v) for k, v in headers.items()}
