"""The production server layout as a real process, for the tests that need it and for the bench.

`ProductionServer` runs one of the two production servers (DEBUG off, static files collected) on
a free local port, in its own process group, and waits until it answers: `kind="http"` is
gunicorn.conf.py (Django over WSGI in threads), `kind="ws"` gunicorn-ws.conf.py (Channels on the
uvicorn worker, for /ws/). Its environment starts from this process's own and takes the given database, Redis and
extra variables on top, so a test points it at the test database, at Redis, or at a database or
Redis that is not there. The log goes to a temporary file (`log_text()` reads it).
"""

from __future__ import annotations

import functools
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent.parent


def database_url(settings_dict) -> str:
    """The URL of a Django PostgreSQL database (the test database, say) for a server process."""
    user = quote(settings_dict["USER"] or "", safe="")
    password = quote(settings_dict["PASSWORD"] or "", safe="")
    userinfo = f"{user}:{password}@" if password else f"{user}@"
    return f"postgres://{userinfo}{settings_dict['HOST']}:{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@functools.cache
def collected_static(secret_key: str) -> str:
    """Static files collected once per process, as a production image holds them (the manifest
    storage of DEBUG-off settings refuses to name a file it has not collected)."""
    root = tempfile.mkdtemp(prefix="zhilian-static-")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "zhilian.settings", "DEBUG": "false", "SECRET_KEY": secret_key,
             "STATIC_ROOT": root},
        check=True,
    )  # fmt: skip
    return root


class ProductionServer:
    def __init__(
        self,
        database_url: str,
        *,
        secret_key: str,
        workers: int = 1,
        redis_url: str = "",
        pool_max: int = 10,
        static_root: str | None = None,
        ready_path: str = "/health/live",
        kind: str = "http",
        **env: str,
    ):
        self.conf = {"http": "gunicorn.conf.py", "ws": "gunicorn-ws.conf.py"}[kind]
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        self.workers = workers
        self.ready_path = ready_path
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "zhilian.settings",
            "DATABASE_URL": database_url,
            "DEBUG": "false",
            "SECRET_KEY": secret_key,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "WEB_CONCURRENCY": str(workers),
            "DB_POOL_MAX_SIZE": str(pool_max),
            "LOG_LEVEL": "WARNING",
            "STATIC_ROOT": static_root or collected_static(secret_key),
            # Plain HTTP on 127.0.0.1: no HTTPS redirect, HSTS or secure-only cookies.
            "HTTPS_ONLY": "false",
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        else:
            self.env.pop("REDIS_URL", None)
        self.proc: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - open for the server's lifetime, closed in stop()
            prefix="zhilian-server-", suffix=".log", delete=False
        )

    def log_text(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def start(self, timeout: float = 60.0) -> None:
        cmd = [
            sys.executable, "-m", "gunicorn", "-c", str(ROOT / self.conf),
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
        ]  # fmt: skip
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{self.log_text()[-3000:]}")
            try:
                if httpx.get(f"{self.base_url}{self.ready_path}", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer {self.ready_path} in {timeout:.0f}s; see {self.log.name}")

    def stop(self) -> None:
        try:
            if self.proc is not None and self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGTERM)  # our own process group only (start_new_session)
                try:
                    self.proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                    self.proc.wait()
        finally:
            self.log.close()

    def __enter__(self) -> ProductionServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
