"""Run a piece of work in real threads that start together, each on its own connection."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection


@dataclass
class ThreadOutcomes:
    """Per thread, what `work(index)` returned or the exception it raised."""

    results: list = field(default_factory=list)

    @property
    def ok(self) -> list:
        return [r for r in self.results if not isinstance(r, BaseException)]

    @property
    def failures(self) -> list[BaseException]:
        return [r for r in self.results if isinstance(r, BaseException)]

    def refused(self, *exc_types: type[BaseException]) -> list[BaseException]:
        return [r for r in self.failures if isinstance(r, exc_types)]

    def unexpected(self, *expected: type[BaseException]) -> list[BaseException]:
        """Failures other than the expected refusals: each one is a bug the test must show."""
        return [r for r in self.failures if not (expected and isinstance(r, expected))]


def run_in_threads(count: int, work: Callable[[int], object], *, timeout: float = 120) -> ThreadOutcomes:
    """Start `count` threads behind a barrier so they really race; close each thread's connection."""
    barrier = threading.Barrier(count)
    outcomes = ThreadOutcomes(results=[None] * count)

    def target(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes.results[index] = work(index)
        except Exception as exc:  # kept for the test's assertions, not lost in the thread
            outcomes.results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    return outcomes
