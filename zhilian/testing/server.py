"""The production server layout, started as a real process for tests that need it.

`production_server(**env)` runs gunicorn with the project's gunicorn.conf.py (the uvicorn worker,
DEBUG off) on a free local port, waits until /health/live answers and yields a `RunningServer`
(its base URL and its log). The environment starts from the test process's own and takes `env`
on top, so a test points the server at the test database, at Redis, or at a database or Redis
that is not there.
"""

from __future__ import annotations

import contextlib
import functools
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
START_TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@functools.cache
def collected_static() -> str:
    """Static files collected once per test run, as a production image holds them (the manifest
    storage of DEBUG-off settings refuses to name a file it has not collected)."""
    root = tempfile.mkdtemp(prefix="zhilian-static-")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "zhilian.settings",
            "DEBUG": "false",
            "SECRET_KEY": settings.SECRET_KEY,
            "STATIC_ROOT": root,
        },
        check=True,
    )
    return root


def production_env(**overrides: str) -> dict[str, str]:
    """The environment of a production process with this test run's key (so tokens minted by the
    test are valid there) and plain HTTP on localhost."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "zhilian.settings",
        "DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY,
        "JWT_SIGNING_KEY": settings.SIMPLE_JWT["SIGNING_KEY"],
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "WEB_CONCURRENCY": "1",
        "LOG_LEVEL": "WARNING",
        "STATIC_ROOT": collected_static(),
        # Plain HTTP on localhost: no TLS redirect or secure-only cookies in the way.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
    }
    env.update(overrides)
    return env


@dataclass
class RunningServer:
    url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextlib.contextmanager
def production_server(**env: str) -> Iterator[RunningServer]:
    port = free_port()
    environment = production_env(BIND=f"127.0.0.1:{port}", **env)
    log_file = tempfile.NamedTemporaryFile(prefix="zhilian-server-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(BASE_DIR / "gunicorn.conf.py")],
        cwd=BASE_DIR,
        env=environment,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    server = RunningServer(url=f"http://127.0.0.1:{port}", log_path=Path(log_file.name))
    base_url = server.url
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited at start:\n{server.log()}")
            try:
                if httpx.get(f"{base_url}/health/live", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start in time")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log_file.close()
        server.log_path.unlink(missing_ok=True)
