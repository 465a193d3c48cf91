"""Settings for what runs on Redis (the channel layer and the cache), built from REDIS_URL by
zhilian/settings.py. Plain dictionaries: nothing here imports Django's settings."""

from __future__ import annotations


def redis_cache(url: str, *, prefix: str, connect_timeout: float, socket_timeout: float) -> dict:
    """The cache on Redis. django-redis rather than Django's own backend: with IGNORE_EXCEPTIONS a
    Redis outage degrades the cache to misses (logged, and shown by /health/ready) instead of
    failing every request that touches it; short socket timeouts keep a dead Redis from stalling
    requests."""
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": prefix,
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": connect_timeout,
            "SOCKET_TIMEOUT": socket_timeout,
        },
    }


def redis_channel_layer(url: str, *, prefix: str) -> dict:
    """The channel layer carrying events from the HTTP processes to the WebSocket process."""
    return {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [
                {
                    "address": url,
                    # Every socket's consumer waits for its messages with a blocking BZPOPMIN of
                    # 5 s (channels_redis' brpop_timeout). redis-py 8 aborts any read after 5 s by
                    # default, which killed idle sockets without a close frame. The read timeout
                    # must outlast the blocking pop; it stays finite so a hung Redis is noticed.
                    "socket_timeout": 15,
                    "socket_connect_timeout": 5,
                }
            ],
            "prefix": prefix,
        },
    }
