"""REDIS_URL: a Redis that does not answer stops the app at start, loudly, instead of leaving it on
sessions that a failover would lose (the failover itself: tests/e2e/test_failover.py)."""

from __future__ import annotations

import os

import pytest

from pages.access.session_store import RedisUnavailable, check_redis
from tests.e2e.live_server import free_port


def test_a_redis_that_does_not_answer_is_refused_without_its_password() -> None:
    with pytest.raises(RedisUnavailable, match="REDIS_URL is set but Redis does not answer") as refused:
        check_redis(f"redis://:s3cret@127.0.0.1:{free_port()}/0")
    assert "s3cret" not in str(refused.value)


@pytest.mark.postgres_only  # Redis is needed (and started by bootstrap) where the failover test runs
def test_the_redis_of_the_tests_answers() -> None:
    check_redis(os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/5"))
