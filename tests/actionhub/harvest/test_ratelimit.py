"""Token buckets against a fake clock: burst, then one request per 1/rate seconds; pauses hold everyone."""

from __future__ import annotations

from actionhub.harvest.ratelimit import HostLimiter, TokenBucket


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_burst_then_rate():
    t = FakeTime()
    bucket = TokenBucket(rate=2.0, burst=3, clock=t.clock, sleep=t.sleep)
    times = []
    for _ in range(7):
        bucket.acquire()
        times.append(t.now)
    # 3 at once, then one every 0.5 s.
    assert times == [0.0, 0.0, 0.0, 0.5, 1.0, 1.5, 2.0]


def test_unlimited_rate_never_sleeps_but_pause_holds():
    t = FakeTime()
    bucket = TokenBucket(rate=0, burst=1, clock=t.clock, sleep=t.sleep)
    for _ in range(100):
        bucket.acquire()
    assert t.sleeps == []
    bucket.pause(3.0)
    bucket.acquire()
    assert t.now == 3.0


def test_slow_to_only_lowers_the_rate():
    bucket = TokenBucket(rate=4.0, burst=1)
    bucket.slow_to(10.0)
    assert bucket.rate == 4.0
    bucket.slow_to(0.5)
    assert bucket.rate == 0.5
    unlimited = TokenBucket(rate=0, burst=1)
    unlimited.slow_to(0.5)
    assert unlimited.rate == 0.5


def test_hosts_have_separate_buckets():
    t = FakeTime()
    limiter = HostLimiter(rate=1.0, burst=1, clock=t.clock, sleep=t.sleep)
    limiter.acquire("a.example")
    limiter.acquire("b.example")
    assert t.now == 0.0
    limiter.acquire("a.example")
    assert t.now == 1.0
