"""API bearer tokens: issued once, stored as SHA-256, checked on each request."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from anxin.core.models import ApiToken, User


def issue_token(user: User, name: str) -> str:
    """Create a token for ``user`` and return it; only its hash is kept."""
    token = "ax_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, token_hash=hashlib.sha256(token.encode()).hexdigest())
    return token


def user_for_token(token: str) -> User | None:
    digest = hashlib.sha256(token.encode()).hexdigest()
    found = ApiToken.objects.select_related("user").filter(token_hash=digest, revoked=False).first()
    if found is None or not found.user.is_active:
        return None
    ApiToken.objects.filter(pk=found.pk).update(last_used_at=dt.datetime.now())
    return found.user
