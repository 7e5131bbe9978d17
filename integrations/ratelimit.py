"""A token bucket per platform account, kept in the database so that all workers share it."""

import time
from collections.abc import Callable

from django.db import transaction

from integrations.models import PlatformAccount, RateBucket

BURST_SECONDS = 10  # a full bucket holds this many seconds' worth of requests


class DatabaseTokenBucket:
    def __init__(self, account: PlatformAccount, *, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time) -> None:
        self.account_id = account.pk
        self.rate_per_second = max(account.rate_limit_per_minute, 1) / 60
        self.capacity = max(1.0, self.rate_per_second * BURST_SECONDS)
        self.sleep = sleep
        self.clock = clock

    def acquire(self) -> None:
        """Take one token, waiting as long as the bucket needs to refill. Call it outside any other
        transaction: the row lock is held only for the read-modify-write."""
        while True:
            wait = self._try_take()
            if wait <= 0:
                return
            self.sleep(wait)

    def _try_take(self) -> float:
        with transaction.atomic():
            bucket, _created = RateBucket.objects.select_for_update().get_or_create(
                account_id=self.account_id, defaults={"tokens": self.capacity, "refilled_at": self.clock()},
            )
            now = self.clock()
            tokens = min(self.capacity, bucket.tokens + max(0.0, now - bucket.refilled_at) * self.rate_per_second)
            if tokens >= 1:
                bucket.tokens, bucket.refilled_at = tokens - 1, now
                bucket.save(update_fields=["tokens", "refilled_at"])
                return 0.0
            bucket.tokens, bucket.refilled_at = tokens, now
            bucket.save(update_fields=["tokens", "refilled_at"])
            return (1 - tokens) / self.rate_per_second
