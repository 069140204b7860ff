"""Flask-Limiter on the code endpoints: per client address and per number, in memory and in
Redis (several processes share Redis; CI sets TEST_REDIS_URL, a laptop without Redis skips)."""

import os
import secrets

import pytest

from webapp.extensions import limiter


def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL")
    try:
        import redis

        redis.Redis.from_url(url or "redis://127.0.0.1:6379/0", socket_timeout=1).ping()
    except Exception as exc:  # noqa: BLE001 - reported as a skip or a failure below
        if url:
            pytest.fail(f"TEST_REDIS_URL is set but Redis is not usable: {exc}")
        pytest.skip(f"no Redis at 127.0.0.1:6379 ({exc}); CI sets TEST_REDIS_URL")
    return url or "redis://127.0.0.1:6379/0"


@pytest.fixture(params=["memory", "redis"])
def limited_client(request, client_with):
    storage = "memory://" if request.param == "memory" else redis_url()
    # A fresh key prefix so that counts from other runs sharing the Redis do not leak in.
    yield client_with(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=storage,
                      RATELIMIT_KEY_PREFIX="test-" + secrets.token_hex(4))
    limiter.reset()


def test_per_client_address(limited_client):
    for i in range(20):
        response = limited_client.post("/signin", data={"phone": f"+790300000{i:02d}"})
        assert response.status_code == 303, i
    blocked = limited_client.post("/signin?lang=en", data={"phone": "+79030000099"})
    assert blocked.status_code == 429
    assert "Too many requests" in blocked.get_data(as_text=True)
    assert "Retry-After" in blocked.headers
    other_address = limited_client.post("/signin", data={"phone": "+79030000098"},
                                        environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert other_address.status_code == 303


def test_per_number_across_addresses(limited_client):
    for i in range(30):
        response = limited_client.post("/signin", data={"phone": "+79030000042"},
                                       environ_base={"REMOTE_ADDR": f"198.51.100.{i}"})
        assert response.status_code == 303, i
    blocked = limited_client.post("/signin", data={"phone": "+79030000042"},
                                  environ_base={"REMOTE_ADDR": "203.0.113.1"})
    assert blocked.status_code == 429
