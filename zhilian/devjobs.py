"""Development only (`make run`, no broker): beat's schedule runs inside the development server.

Without a broker every task is eager (zhilian/settings.py), so whoever sends a job runs it. A beat
process of its own would run them too, but the events the jobs publish (`kpi.updated` and the
notifications) would stay in that process: in development the channel layer is in memory, one per
process, and the dashboard's sockets are held by the server. So `make run` sets
ZHILIAN_JOBS_IN_SERVER=true and zhilian/asgi.py wraps the application in `JobsInServer`: on the
server's first request or socket it starts a task on the server's event loop that ticks beat's
`DatabaseScheduler` (the schedule admins edit) and runs each due job in a worker thread through
asgiref, whose events then reach the sockets through the server's own loop and layer.

Production never uses this: beat and the workers are processes of their own and events cross
through Redis (docs/architecture.md, "Jobs").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from asgiref.sync import sync_to_async
from django.db import close_old_connections

logger = logging.getLogger(__name__)

# Seconds between two looks at the schedule when beat's own answer is longer (an edit made in
# the admin is noticed within this), and after an error.
MAX_SLEEP = 5.0


def _scheduler():
    from django_celery_beat.schedulers import DatabaseScheduler

    from zhilian import celery_app

    # The tasks' modules, as `celery worker` and `celery beat` import them at start: a job beat
    # cannot find in the registry would be sent to the (absent) broker instead of run.
    celery_app.loader.import_default_modules()
    return DatabaseScheduler(app=celery_app, lazy=False, max_interval=MAX_SLEEP)


def _tick(scheduler) -> float:
    # Runs one due job at most (eagerly, in this thread) and says how long until the next.
    try:
        return scheduler.tick()
    finally:
        close_old_connections()


async def run_schedule(stop: asyncio.Event) -> None:
    """Tick beat's scheduler on the running loop until `stop` is set; each tick in a thread."""
    scheduler = await sync_to_async(_scheduler, thread_sensitive=False)()
    logger.info("background jobs: the schedule runs inside the development server (no broker)")
    while not stop.is_set():
        try:
            delay = await sync_to_async(_tick, thread_sensitive=False)(scheduler)
        except Exception:
            logger.exception("background jobs: a tick of the schedule failed")
            delay = MAX_SLEEP
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=min(max(delay, 0.0), MAX_SLEEP))


class JobsInServer:
    """ASGI middleware starting `run_schedule` once, on the loop that serves the application."""

    def __init__(self, app) -> None:
        self.app = app
        self.task: asyncio.Task | None = None
        self.stop: asyncio.Event | None = None

    async def __call__(self, scope, receive, send):
        if self.task is None:
            self.stop = asyncio.Event()
            self.task = asyncio.get_running_loop().create_task(run_schedule(self.stop))
        return await self.app(scope, receive, send)

    async def aclose(self) -> None:
        """Stop after the tick under way (the server's end; tests)."""
        if self.task is not None:
            self.stop.set()
            await self.task
            self.task = None


def kick(url: str, *, attempts: int = 60) -> bool:
    """Request `url` once the server answers (`make run` starts the schedule without waiting for a
    browser); gives up after `attempts` seconds."""
    import time
    import urllib.request

    for _ in range(attempts):
        try:
            with urllib.request.urlopen(url, timeout=30):
                return True
        except OSError:
            time.sleep(1)
    return False


if __name__ == "__main__":
    import sys

    sys.exit(0 if kick(sys.argv[1]) else 1)
