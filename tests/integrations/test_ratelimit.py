import pytest

from integrations.models import RateBucket
from integrations.ratelimit import DatabaseTokenBucket
from tests.factories import PlatformAccountFactory

pytestmark = pytest.mark.django_db


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0
        self.slept = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept += seconds
        self.now += seconds


def test_two_workers_share_one_bucket_and_the_rate_holds_for_both():
    account = PlatformAccountFactory(rate_limit_per_minute=60)  # 1 a second, a burst of 10
    clock = FakeClock()
    workers = [DatabaseTokenBucket(account, sleep=clock.sleep, clock=clock) for _ in range(2)]

    for i in range(40):  # 40 requests, alternating between the two workers
        workers[i % 2].acquire()

    # 10 from the full bucket, the other 30 at one a second (tokens held locally count as taken).
    assert clock.slept == pytest.approx(30, abs=3)
    assert RateBucket.objects.get(account=account).tokens < 1


def test_a_full_bucket_lets_a_burst_through_without_waiting():
    account = PlatformAccountFactory(rate_limit_per_minute=600)  # 10 a second, a burst of 100
    clock = FakeClock()
    bucket = DatabaseTokenBucket(account, sleep=clock.sleep, clock=clock)

    for _ in range(100):
        bucket.acquire()

    assert clock.slept == 0
