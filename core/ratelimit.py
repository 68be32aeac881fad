"""Rate limits per person, shared by every process through Django's cache.

In production the cache is Redis, so a user's chat sockets on every daphne process, and every
web process that sends a guardian's consent e-mail, count against one limit; on the embedded
default it is the local-memory cache of the one process. allauth keeps its own limits (sign-up,
login, password reset) in the same cache.

A sliding-window counter: the count of the current fixed window plus the previous window's,
weighted by how much of it still overlaps the last `period` seconds. Two cache keys per limit,
one atomic increment per attempt; no clock is shared but the cache's. Denied attempts count
too, so a script that keeps trying stays stopped until it pauses.

While the cache is unreachable the limit lets everything through and logs it: a Redis outage
must not stop the chat (which keeps working from the database), and the chat's per-socket
token bucket still holds each connection back.
"""

import logging
import time

from django.core.cache import cache

PREFIX = "ratelimit"

logger = logging.getLogger(__name__)


def hit(key: str, *, limit: int, period: int) -> bool:
    """Count one attempt at `key`; True when it is within `limit` per `period` seconds."""
    try:
        return _hit(key, limit=limit, period=period)
    except Exception:  # the cache backend's own errors: redis-py's, or a socket's
        logger.warning("Rate limit %s not counted: the cache is unreachable.", key.split(":")[0])
        return True


def _hit(key: str, *, limit: int, period: int) -> bool:
    now = time.time()
    window = int(now // period)
    current = f"{PREFIX}:{key}:{window}"
    cache.add(current, 0, timeout=2 * period + 1)
    try:
        count = cache.incr(current)
    except ValueError:  # expired between add and incr
        cache.set(current, 1, timeout=2 * period + 1)
        count = 1
    previous = cache.get(f"{PREFIX}:{key}:{window - 1}", 0)
    overlap = 1 - (now - window * period) / period
    return previous * overlap + count <= limit
