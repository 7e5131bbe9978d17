"""What every platform simulator shares: a thread-safe in-memory store, fault knobs that produce real
events on the wire (a 500, a 429 with Retry-After, a reply slower than the client's read timeout, a
reset connection), request counting, and control endpoints for tests and benchmarks.

Each platform's sandbox.py subclasses Sandbox, seeds realistic data in `seed()` and lists its routes in
`routes()`. The simulator is a second reading of the platform's document: where the client and the
simulator disagree, the document decides.

Control endpoints (under /sandbox/<platform>/_control/):
  POST faults  {"error_rate": 0.2, "kinds": ["500", "429", "slow", "reset"], "retry_after": 1,
                "slow_seconds": 3, "seed": 7}        -> the fault plan (error_rate 0 turns faults off)
  POST reset   {"orders": 2000, "products": 200, "seed": 2026, "live": false} -> reseeded store
  GET  stats                                          -> requests and faults served, by kind
"""

import json
import random
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

FAULT_KINDS = ("500", "429", "slow", "reset")


@dataclass
class FaultPlan:
    error_rate: float = 0.0
    kinds: tuple[str, ...] = FAULT_KINDS
    retry_after: int = 1  # seconds, sent in Retry-After with a 429
    slow_seconds: float = 3.0  # longer than the read timeout the test gives its client
    seed: int = 7


@dataclass
class SeedPlan:
    orders: int = 2000
    products: int = 200
    seed: int = 2026
    live: bool = False  # demo only: new orders keep arriving while `make run` is up
    extra: dict = field(default_factory=dict)


class ConnectionReset(Exception):
    """Raised after the socket was reset, so the server writes nothing more."""


def reset_connection(request: HttpRequest) -> None:
    """Close the client's TCP connection with RST (SO_LINGER 0), as a failing load balancer does."""
    sock = request.META.get("gunicorn.socket")
    if sock is None:
        stream = request.META.get("wsgi.input")
        raw = getattr(getattr(stream, "stream", stream), "raw", None)
        sock = getattr(raw, "_sock", None)
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()
    raise ConnectionReset("sandbox reset the connection")


class Sandbox:
    """Base of every platform simulator. Subclasses set `platform` and implement `seed()`, `routes()`
    and, for 500/429 bodies in the platform's own error shape, `error_body()`."""

    platform = ""
    tokens: frozenset[str] = frozenset()  # bearer tokens the simulator accepts besides issued ones

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.faults = FaultPlan()
        self.seed_plan = SeedPlan()
        self.stats: Counter = Counter()
        self._fault_rng = random.Random(self.faults.seed)
        self._seeded = False

    # To implement ----------------------------------------------------------------------------------
    def seed(self, plan: SeedPlan) -> None:
        raise NotImplementedError

    def routes(self) -> list:
        raise NotImplementedError

    def error_body(self, status: int, message: str) -> HttpResponse:
        return JsonResponse({"message": message}, status=status)

    def tick(self) -> None:
        """Demo only (SeedPlan.live): add a few new orders since the last call."""

    # Store -----------------------------------------------------------------------------------------
    def ensure_seeded(self) -> None:
        with self.lock:
            if not self._seeded:
                self.seed(self.seed_plan)
                self._seeded = True

    def reset(self, plan: SeedPlan) -> None:
        with self.lock:
            self.seed_plan = plan
            self.stats.clear()
            self.seed(plan)
            self._seeded = True

    # Faults ----------------------------------------------------------------------------------------
    def set_faults(self, plan: FaultPlan) -> None:
        with self.lock:
            self.faults = plan
            self._fault_rng = random.Random(plan.seed)

    def pick_fault(self) -> str | None:
        with self.lock:
            plan = self.faults
            if plan.error_rate <= 0 or not plan.kinds:
                return None
            if self._fault_rng.random() >= plan.error_rate:
                return None
            return self._fault_rng.choice(list(plan.kinds))

    def serve_fault(self, request: HttpRequest, kind: str) -> HttpResponse | None:
        with self.lock:
            self.stats[f"fault_{kind}"] += 1
            self.stats["faults"] += 1
        if kind == "500":
            return self.error_body(500, "Internal Server Error (sandbox fault)")
        if kind == "429":
            response = self.error_body(429, "Too Many Requests (sandbox fault)")
            response["Retry-After"] = str(self.faults.retry_after)
            return response
        if kind == "slow":
            time.sleep(self.faults.slow_seconds)
            return None  # then answer normally: the client has given up by now
        if kind == "reset":
            reset_connection(request)
        return None

    # Plumbing --------------------------------------------------------------------------------------
    def endpoint(self, view):
        """Wrap a view: seed on first use, count, inject faults, turn errors into the platform's shape."""

        @csrf_exempt
        def wrapped(request: HttpRequest, *args, **kwargs):
            self.ensure_seeded()
            with self.lock:
                self.stats["requests"] += 1
                if self.seed_plan.live:
                    self.tick()
            kind = self.pick_fault()
            if kind:
                response = self.serve_fault(request, kind)
                if response is not None:
                    return response
            with self.lock:
                self.stats["served"] += 1
            return view(request, *args, **kwargs)

        wrapped.__name__ = getattr(view, "__name__", "sandbox_view")
        return wrapped

    def control_routes(self) -> list:
        return [
            path("_control/faults", csrf_exempt(self._control_faults)),
            path("_control/reset", csrf_exempt(self._control_reset)),
            path("_control/stats", csrf_exempt(self._control_stats)),
        ]

    def urlpatterns(self) -> list:
        return [*self.control_routes(), *self.routes()]

    def _control_faults(self, request: HttpRequest) -> JsonResponse:
        if request.method == "POST":
            body = json.loads(request.body or b"{}")
            body["kinds"] = tuple(k for k in body.get("kinds", FAULT_KINDS) if k in FAULT_KINDS)
            self.set_faults(FaultPlan(**body))
        return JsonResponse({**asdict(self.faults), "kinds": list(self.faults.kinds)})

    def _control_reset(self, request: HttpRequest) -> JsonResponse:
        body = json.loads(request.body or b"{}") if request.method == "POST" else {}
        self.reset(SeedPlan(**body))
        return JsonResponse(asdict(self.seed_plan))

    def _control_stats(self, request: HttpRequest) -> JsonResponse:
        with self.lock:
            return JsonResponse(dict(self.stats))


def json_body(request: HttpRequest) -> dict:
    """The request's JSON body, or its form fields (some documents send form data)."""
    if request.content_type == "application/json":
        try:
            return json.loads(request.body or b"{}")
        except ValueError:
            return {}
    return {key: values[0] if len(values) == 1 else values for key, values in request.POST.lists()}


def bearer_token(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else header.strip()


def laravel_page(request, *, data: list, page: int, per_page: int, total: int) -> dict:
    """Laravel's paginator envelope (`current_page`, `data`, `links`, `next_page_url`, …), as Komship's
    paginated lists return it; `data` is the page's rows, already sliced."""
    last = max((total + per_page - 1) // per_page, 1)
    url = request.build_absolute_uri(request.path)

    def link(n):
        return f"{url}?page={n}" if 1 <= n <= last else None

    return {
        "current_page": page, "data": data, "first_page_url": link(1),
        "from": (page - 1) * per_page + 1 if data else None, "last_page": last, "last_page_url": link(last),
        "links": [{"url": link(page - 1), "label": "&laquo; Previous", "active": False},
                  {"url": link(page), "label": str(page), "active": True},
                  {"url": link(page + 1), "label": "Next &raquo;", "active": False}],
        "next_page_url": link(page + 1), "path": url, "per_page": per_page, "prev_page_url": link(page - 1),
        "to": (page - 1) * per_page + len(data) if data else None, "total": total,
    }
