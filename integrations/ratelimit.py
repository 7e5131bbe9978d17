"""A token bucket per platform account, kept in the database so that all workers share it."""

import threading
import time
from collections.abc import Callable

from django.db import transaction

from integrations.models import PlatformAccount, RateBucket

BURST_SECONDS = 10  # a full bucket holds this many seconds' worth of requests


class DatabaseTokenBucket:
    """Tokens are taken from the shared row a few at a time (a quarter of the bucket, at least one) and
    spent locally, so a pull does not pay a database round trip for every request."""

    def __init__(self, account: PlatformAccount, *, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time) -> None:
        self.account_id = account.pk
        self.rate_per_second = max(account.rate_limit_per_minute, 1) / 60
        self.capacity = max(1.0, self.rate_per_second * BURST_SECONDS)
        self.batch = max(1, int(self.capacity // 4))
        self.sleep = sleep
        self.clock = clock
        self._held = 0  # tokens already taken from the shared bucket, not yet spent
        self._lock = threading.Lock()

    def acquire(self) -> None:
        """Take one token, waiting as long as the bucket needs to refill. Call it outside any other
        transaction: the row lock is held only for the read-modify-write."""
        with self._lock:
            while self._held < 1:
                taken, wait = self._try_take(self.batch)
                self._held += taken
                if not taken:
                    self.sleep(wait)
            self._held -= 1

    def _try_take(self, wanted: int) -> tuple[int, float]:
        """Take up to `wanted` whole tokens; return (taken, seconds until one more is there)."""
        with transaction.atomic():
            bucket, _created = RateBucket.objects.select_for_update().get_or_create(
                account_id=self.account_id, defaults={"tokens": self.capacity, "refilled_at": self.clock()},
            )
            now = self.clock()
            tokens = min(self.capacity, bucket.tokens + max(0.0, now - bucket.refilled_at) * self.rate_per_second)
            taken = min(wanted, int(tokens))
            bucket.tokens, bucket.refilled_at = tokens - taken, now
            bucket.save(update_fields=["tokens", "refilled_at"])
            return taken, (1 - (tokens - taken)) / self.rate_per_second if not taken else 0.0
