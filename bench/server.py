"""Start the app under gunicorn + uvicorn worker on a free local port, as production serves it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, database_url: str, *, workers: int = 2, redis_url: str = "", pool_max: int = 10):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DEBUG": "false",
            "SECRET_KEY": "bench-secret-key-not-for-production-0123456789abcdef",
            "ALLOWED_HOSTS": "127.0.0.1",
            "WEB_CONCURRENCY": str(workers),
            "DB_POOL_MAX_SIZE": str(pool_max),
            "LOG_LEVEL": "WARNING",
            # The bench talks plain HTTP to 127.0.0.1: no HTTPS redirect, no secure-only cookies.
            "HTTPS_ONLY": "false",
            "PYTHONUNBUFFERED": "1",
        }
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        else:
            self.env.pop("REDIS_URL", None)
        self.proc: subprocess.Popen | None = None
        # gunicorn's access and error logs go to a temporary file, never into the repository.
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - open for the server's lifetime, closed in stop()
            prefix="zhilian-bench-gunicorn-", suffix=".log", delete=False
        )

    def start(self, timeout: float = 60.0) -> None:
        cmd = [
            sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
        ]  # fmt: skip
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {self.log.name}")
            try:
                if httpx.get(f"{self.base_url}/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn did not become ready in {timeout:.0f}s; see {self.log.name}")

    def stop(self) -> None:
        try:
            self._stop()
        finally:
            self.log.close()

    def _stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)  # our own process group only (start_new_session)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
