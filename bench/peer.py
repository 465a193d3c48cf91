"""The FastAPI + SQLAlchemy async peer, run beside our production layout when it is present.

The peer (``../shared/peer/`` next to a checkout, or ``--peer-dir``) is a yardstick the team was
given, not part of the project: its ``app.py`` serves our order list and detail from our own
tables with the same JSON, and its ``compare.py`` checks that JSON field by field and then times
both servers in interleaved rounds. The bench starts the peer on a free port with the bench
database and our server's key, runs ``compare.py`` against both, and puts its table (with the
issue's goals checked) into the report. When the folder or a Python with its requirements is
missing, the bench says so and goes on without it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from zhilian.testing.server import ROOT, free_port

DEFAULT_PEER_DIR = ROOT.parent / "shared" / "peer"
# What app.py and compare.py import (their requirements.txt).
REQUIRED_MODULES = ("fastapi", "uvicorn", "sqlalchemy", "asyncpg", "pydantic", "jwt", "orjson", "aiohttp", "httpx")

# Goals against the peer: ours / peer p50 at most 1.0 and throughput at least 1.0 for the order
# reads; the health probe under 1 ms p50 (it touches no database).
GOAL_RATIO = 1.0
GOAL_HEALTH_P50_MS = 1.0


@dataclass
class Peer:
    folder: Path
    python: str


def find_peer(folder: str | None, python: str | None) -> Peer | str:
    """The peer to run, or why there is none."""
    path = Path(folder) if folder else DEFAULT_PEER_DIR
    if not (path / "app.py").exists() or not (path / "compare.py").exists():
        return f"no peer at {path} (app.py and compare.py); the comparison is skipped"
    candidates = [python] if python else [os.environ.get("PEER_PYTHON"), str(path / ".venv" / "bin" / "python")]
    candidates.append(sys.executable)
    check = f"import {', '.join(REQUIRED_MODULES)}"
    for candidate in filter(None, candidates):
        if Path(candidate).exists() and subprocess.run([candidate, "-c", check], capture_output=True).returncode == 0:
            return Peer(path, candidate)
    return (
        f"the peer at {path} needs a Python with its requirements; the comparison is skipped. Make one with\n"
        f"    python3 -m venv {path}/.venv && {path}/.venv/bin/pip install -r {path}/requirements.txt\n"
        "or point --peer-python (PEER_PYTHON) at one."
    )


class PeerServer:
    """uvicorn serving the peer's app.py, as its README runs it, on a free local port."""

    def __init__(self, peer: Peer, database_url: str, secret_key: str, workers: int) -> None:
        self.peer = peer
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = os.environ | {"DATABASE_URL": database_url, "SECRET_KEY": secret_key}
        self.workers = workers
        self.log = tempfile.NamedTemporaryFile(prefix="zhilian-bench-peer-", suffix=".log", delete=False)  # noqa: SIM115 (outlives this call)
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> PeerServer:
        args = [self.peer.python, "-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(self.port)]
        args += ["--workers", str(self.workers), "--no-access-log", "--loop", "uvloop", "--http", "httptools"]
        self.proc = subprocess.Popen(
            args, cwd=self.peer.folder, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the peer exited with {self.proc.returncode}; see {self.log.name}")
            try:
                if httpx.get(f"{self.base_url}/health/live", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.__exit__()
        raise RuntimeError(f"the peer did not answer within 60 s; see {self.log.name}")

    def __exit__(self, *exc) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def compare(
    peer: Peer, *, django_url: str, django_pid: int, peer_server: PeerServer, store: str, day, user: str, rounds: int
) -> dict:
    """Run the peer's compare.py (JSON check, then the interleaved rounds) and return its report."""
    out = Path(tempfile.mkdtemp(prefix="zhilian-bench-compare-"))
    command = [
        peer.python, "compare.py", "--django", django_url, "--peer", peer_server.base_url,
        "--django-pid", str(django_pid), "--peer-pid", str(peer_server.proc.pid),
        "--store", store, "--date", day.isoformat(), "--user", user, "--rounds", str(rounds), "--out", str(out),
    ]  # fmt: skip
    print("peer comparison: " + " ".join(command[1:]), flush=True)
    subprocess.run(command, cwd=peer.folder, check=True)
    report = json.loads((out / "latest.json").read_text())
    report["table"] = (out / "latest.md").read_text()
    return report


def verdicts(report: dict) -> list[str]:
    """The issue's goals, checked line by line against the comparison."""
    lines = []
    equivalence = report.get("equivalence", {})
    differences = equivalence.get("differences", [])
    lines.append(
        f"- JSON identical to the peer's: {'yes' if not differences else '**no**'} "
        f"({equivalence.get('cases', 0)} requests, {equivalence.get('orders_compared', 0)} orders and "
        f"{equivalence.get('items_compared', 0)} items compared, {len(differences)} differences)"
    )
    for row in report["rows"]:
        ours, theirs = row.get("django"), row.get("peer")
        if not theirs:
            continue
        # The health probe's goal is absolute (under 1 ms), not a ratio: compare.py names the target
        # "health (no DB)" and gives its path apart.
        if row.get("path", row["target"]).startswith("/health"):
            met = ours["p50_ms"] < GOAL_HEALTH_P50_MS
            lines.append(
                f"- {row['target']}: p50 {ours['p50_ms']:.2f} ms against < {GOAL_HEALTH_P50_MS:.0f} ms: "
                + ("yes" if met else "**no**")
            )
            continue
        p50 = ours["p50_ms"] / theirs["p50_ms"]
        rate = ours["req_s"] / theirs["req_s"]
        met = p50 <= GOAL_RATIO and rate >= GOAL_RATIO
        lines.append(
            f"- {row['target']}: p50 {p50:.2f}x the peer's (goal <= {GOAL_RATIO:.1f}x), throughput {rate:.2f}x "
            f"(goal >= {GOAL_RATIO:.1f}x): " + ("yes" if met else "**no**")
        )
    return lines
