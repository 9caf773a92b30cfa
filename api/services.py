"""The API's own writes: its tokens. The domain is written only through ``casework.services``
and the inbox through ``notifications.services``."""

from __future__ import annotations

import secrets

from django.utils import timezone

from kernel.errors import NotFound
from kernel.services import service

from .models import ApiToken, token_digest

TOKEN_PREFIX = "lps_"


@service
def token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """Make a token for ``user``; returns the row and the token, which is never stored."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip()[:100], prefix=key[:12], digest=token_digest(key)
    )
    return token, key


@service
def token_revoke(*, token_id: int, user=None) -> ApiToken:
    """Revoke a token (of ``user``, when given). Revoking twice keeps the first date."""
    tokens = ApiToken.objects.select_for_update()
    if user is not None:
        tokens = tokens.filter(user=user)
    token = tokens.filter(pk=token_id).first()
    if token is None:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
