"""Production mode starts as the README's production section says (`flask db upgrade`, then
gunicorn with SANDBOX=0 and a SECRET_KEY), and refuses to start without a real key.

These tests launch real processes (the flask CLI and gunicorn) on a free port with their own
SQLite file, so they need no fixture of tests/conftest.py.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from webapp import create_app
from webapp.config import DEV_SECRET_KEY, Config

PROJECT = Path(__file__).resolve().parents[2]
# What the environment of the test run may carry that would change the app under test.
_APP_VARIABLES = ("SECRET_KEY", "SANDBOX", "DATABASE_URL", "FLASK_DEBUG", "SMS_GATEWAY",
                  "RATELIMIT_STORAGE_URI", "PROXY_FIX_X_FOR", "PROXY_FIX_X_PROTO")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(tmp_path, **values) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in _APP_VARIABLES}
    env.update({"SANDBOX": "0", "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}",
                "PYTHONUNBUFFERED": "1"})
    env.update(values)
    return env


def flask_cli(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=PROJECT,
                          env=env, capture_output=True, text=True, timeout=120)


def gunicorn(env, port) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "2", "--bind",
                             f"127.0.0.1:{port}", "wsgi:app"], cwd=PROJECT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_until_serving(process, port) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("gunicorn stopped: " + process.stderr.read())
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail("gunicorn did not start serving within 60 s")


def test_production_commands_of_the_readme_serve_the_app(tmp_path):
    env = production_env(tmp_path, SECRET_KEY=secrets.token_hex(32))
    migrated = flask_cli(env, "db", "upgrade")
    assert migrated.returncode == 0, migrated.stderr
    port = free_port()
    process = gunicorn(env, port)
    try:
        wait_until_serving(process, port)
        assert get(f"http://127.0.0.1:{port}/")[0] == 200  # after its redirect to /topup/RU
        status, body = get(f"http://127.0.0.1:{port}/topup/RU?lang=en")
        assert status == 200, body
        assert "Place an order" in body and "sandbox-bar" not in body
        assert get(f"http://127.0.0.1:{port}/sandbox/")[0] == 404
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stdout.close()
        process.stderr.close()
    settled = flask_cli(env, "settle")  # what cron runs every minute
    assert settled.returncode == 0, settled.stderr
    assert "orders settled: 0" in settled.stdout


@pytest.mark.parametrize("key", [None, DEV_SECRET_KEY], ids=["missing", "development"])
def test_gunicorn_refuses_to_start_without_a_real_key(tmp_path, key):
    env = production_env(tmp_path)
    if key is not None:
        env["SECRET_KEY"] = key
    process = gunicorn(env, free_port())
    try:
        _, errors = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail("gunicorn started without a real SECRET_KEY")
    assert process.returncode != 0
    assert "set SECRET_KEY" in errors


@pytest.mark.parametrize("key", [None, "", "   ", DEV_SECRET_KEY],
                         ids=["missing", "empty", "blank", "development"])
def test_create_app_refuses_a_missing_empty_or_development_key(key):
    with pytest.raises(RuntimeError, match="set SECRET_KEY"):
        create_app(Config, {"SANDBOX": False, "SECRET_KEY": key})


def test_create_app_accepts_any_other_key_outside_sandbox(tmp_path):
    app = create_app(Config, {"SANDBOX": False, "SECRET_KEY": "a-key-of-our-own",
                              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
    assert app.config["SECRET_KEY"] == "a-key-of-our-own"
