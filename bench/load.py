"""Load generation with wrk: requests per second and latency percentiles at 64 connections."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import asdict, dataclass

CONNECTIONS = 64
THREADS = 2
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
_PERCENTILE = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)


@dataclass(frozen=True)
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # socket errors plus answers that were not 2xx/3xx
    cpu_ms: float | None = None  # the server's CPU per request (servers.cpu_seconds)

    def as_dict(self) -> dict:
        return asdict(self)


def require_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk is not installed: `sudo apt-get install wrk` (make bench does it "
                         "when run as root)")
    return path


def parse(output: str) -> Load:
    """The figures of wrk's --latency report."""
    found = {p: float(v) * _UNITS[unit] for p, v, unit in _PERCENTILE.findall(output)}
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    requests = re.search(r"^\s*(\d+) requests in", output, re.M)
    if rps is None or requests is None or set(found) != {"50", "99"}:
        raise RuntimeError("unexpected wrk output:\n" + output)
    errors = sum(int(n) for n in re.findall(
        r"(?:connect|read|write|timeout) (\d+)", output))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors += int(bad.group(1)) if bad else 0
    return Load(rps=float(rps.group(1)), p50_ms=found["50"], p99_ms=found["99"],
                requests=int(requests.group(1)), errors=errors)


def run(url: str, seconds: float, cookie: str | None = None) -> Load:
    """wrk against one URL for `seconds` at CONNECTIONS connections."""
    command = [require_wrk(), f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds:g}s",
               "--latency", "--timeout", "10s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    done = subprocess.run(command + [url], capture_output=True, text=True, check=True)
    return parse(done.stdout)
