"""Fixed-window rate limits on Django's cache (per client address, per project).

Simple on purpose: a counter per (kind, identity, hour) in the default cache. With the
default LocMemCache each process counts alone; a shared cache (Redis, database) makes the
limit province-wide without code changes.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache
from django.http import HttpRequest

WINDOW_SECONDS = 3600


def client_ip(request: HttpRequest) -> str:
    """The client's address as the server saw it (a proxy must set REMOTE_ADDR correctly)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(kind: str, identity: str, now: float) -> str:
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]  # no address in clear in the cache
    return f"leads:rl:{kind}:{digest}:{int(now // WINDOW_SECONDS)}"


def hit(kind: str, identity: str, limit: int, *, now: float | None = None) -> bool:
    """Count one use; False when ``identity`` has used up ``limit`` in this window."""
    now = time.time() if now is None else now
    key = _key(kind, identity, now)
    cache.add(key, 0, timeout=WINDOW_SECONDS + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS + 60)
        count = 1
    return count <= limit


def exhausted(kind: str, identity: str, limit: int, *, now: float | None = None) -> bool:
    """Whether ``identity`` has already used up ``limit`` (without counting)."""
    now = time.time() if now is None else now
    return int(cache.get(_key(kind, identity, now), 0)) >= limit
