"""Browser sessions shared by every app instance, in Redis (NiceGUI's Redis storage).

A signed-in browser is a signed session cookie holding an id, and `app.storage.user[id]` on the
server holding who it is. With files (NiceGUI's default) that storage lives in one instance, so a
browser the proxy moves to another instance (because its own was killed) lands signed out. With
`REDIS_URL` set, NiceGUI keeps `app.storage.user` (and `.general`, `.tab`) in Redis, and any
instance recognises the cookie. The cookie is signed with STORAGE_SECRET: every instance must have
the same one.

NiceGUI reads its Redis setting (`NICEGUI_REDIS_URL`) once, when it is imported, and creates
`app.storage.general` right then. `use_redis_sessions` sets the same class attributes from our
settings before the server starts and replaces the general storage created at import, so the
setting works whatever imported NiceGUI first.
"""

from __future__ import annotations

import redis
from nicegui import app
from nicegui.persistence import RedisPersistentDict
from nicegui.storage import GENERAL_ID, Storage

#: How long startup waits for Redis before refusing to start.
CONNECT_TIMEOUT_SECONDS = 5.0


class RedisUnavailable(RuntimeError):
    """REDIS_URL is set but Redis does not answer: the app refuses to start rather than silently
    falling back to sessions that a failover would lose."""


def check_redis(url: str) -> None:
    """PING Redis at `url`; raises `RedisUnavailable` (without the URL's password) if it fails."""
    client = redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
                                  socket_timeout=CONNECT_TIMEOUT_SECONDS)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise RedisUnavailable(f"REDIS_URL is set but Redis does not answer ({type(exc).__name__}: {exc})") from exc
    finally:
        client.close()


def use_redis_sessions(url: str, key_prefix: str) -> None:
    """Keep NiceGUI's server-side storage in Redis at `url` (call before `ui.run`)."""
    check_redis(url)
    Storage.redis_url = url
    Storage.redis_key_prefix = key_prefix
    if not isinstance(app.storage.general, RedisPersistentDict):
        general = RedisPersistentDict(url=url, id=GENERAL_ID, key_prefix=key_prefix)
        general.initialize_sync()
        app.storage._general = general  # created at import time from the environment

