"""Starting and stopping gunicorn for the bench (the app and the bare Flask app)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
WORKERS = int(os.environ.get("BENCH_WORKERS") or 2)
GUNICORN_ARGS = ["--workers", str(WORKERS), "--worker-class", "sync", "--log-level", "warning"]


# base URL → its gunicorn master, for the CPU its workers used (cpu_seconds).
_SERVING: dict[str, subprocess.Popen] = {}


def _process_cpu(pid: int) -> float:
    """User + system CPU seconds of one process (Linux /proc), 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as listed:
            return [int(child) for child in listed.read().split()]
    except OSError:
        return []


def cpu_seconds(base: str) -> float | None:
    """CPU seconds used so far by the server at `base` (its master and workers), or None
    where /proc does not tell. On a shared machine this counts our server's work only,
    whatever else runs: the figure that other jobs disturb least."""
    process = _SERVING.get(base)
    if process is None or not os.path.exists(f"/proc/{process.pid}/stat"):
        return None
    return sum(_process_cpu(pid) for pid in [process.pid, *_children(process.pid)])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(base: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn for {base} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(base + "/", timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn for {base} did not answer within {timeout} s")


@contextmanager
def gunicorn(module: str, env: dict[str, str]):
    """Serve `module` (say "wsgi:app") under gunicorn on a free port; yield its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(Path(sys.executable).with_name("gunicorn")), *GUNICORN_ARGS,
               "--bind", f"127.0.0.1:{port}", module]
    process = subprocess.Popen(command, cwd=PROJECT_DIR, env={**os.environ, **env})
    try:
        _wait_until_up(base, process)
        _SERVING[base] = process
        yield base
    finally:
        _SERVING.pop(base, None)
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
