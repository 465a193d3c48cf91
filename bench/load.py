"""Timing helpers: latency of one client, throughput of several (httpx.AsyncClient + asyncio.gather)."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx


@dataclass
class Timing:
    samples: list[float] = field(default_factory=list)  # seconds

    def pct(self, q: float) -> float:
        if not self.samples:
            return float("nan")
        ordered = sorted(self.samples)
        # nearest-rank percentile
        index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
        return ordered[index]

    @property
    def p50_ms(self) -> float:
        return self.pct(50) * 1000

    @property
    def p95_ms(self) -> float:
        return self.pct(95) * 1000

    @property
    def mean_ms(self) -> float:
        return statistics.fmean(self.samples) * 1000 if self.samples else float("nan")


class BenchError(RuntimeError):
    pass


def check(response: httpx.Response, expected: int = 200) -> httpx.Response:
    if response.status_code != expected:
        raise BenchError(
            f"{response.request.method} {response.request.url} answered {response.status_code}, "
            f"expected {expected}: {response.text[:300]}"
        )
    return response


Call = Callable[[httpx.AsyncClient, int], Awaitable[object]]


async def latency(client: httpx.AsyncClient, call: Call, *, n: int, warmup: int = 5) -> Timing:
    """One client, one request at a time: the latency a user sees on an idle server."""
    for i in range(warmup):
        await call(client, i)
    timing = Timing()
    for i in range(n):
        started = time.perf_counter()
        await call(client, i)
        timing.samples.append(time.perf_counter() - started)
    return timing


@dataclass
class Throughput:
    requests: int
    seconds: float
    clients: int
    timing: Timing

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


async def throughput(clients: list[httpx.AsyncClient], call: Call, *, seconds: float) -> Throughput:
    """Every client loops on `call` until the deadline; all run at once with asyncio.gather."""
    timing = Timing()
    started = time.perf_counter()
    deadline = started + seconds

    async def loop(client: httpx.AsyncClient, index: int) -> int:
        done = 0
        while time.perf_counter() < deadline:
            t = time.perf_counter()
            await call(client, index * 1_000_000 + done)
            timing.samples.append(time.perf_counter() - t)
            done += 1
        return done

    counts = await asyncio.gather(*(loop(c, i) for i, c in enumerate(clients)))
    return Throughput(sum(counts), time.perf_counter() - started, len(clients), timing)


def time_sync(func: Callable[[int], object], *, n: int, warmup: int = 3) -> Timing:
    for i in range(warmup):
        func(i)
    timing = Timing()
    for i in range(n):
        started = time.perf_counter()
        func(i)
        timing.samples.append(time.perf_counter() - started)
    return timing
