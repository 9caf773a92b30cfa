"""The idle timeout without a session write on every request.

``SESSION_SAVE_EVERY_REQUEST`` renewed the session on every page: an UPDATE of the session row
and its commit (a disk flush on a durable database), three round trips on every page for a
deadline that needs no precision to the second. Here a signed-in session is renewed (saved
with a new expiry, and its cookie sent again) once ``SESSION_RENEW_SECONDS`` have passed since
the last renewal, and at sign-in. A session then ends between ``SESSION_IDLE_MINUTES`` minus
``SESSION_RENEW_SECONDS`` and ``SESSION_IDLE_MINUTES`` after its last request.
"""

from __future__ import annotations

import time

from django.conf import settings

RENEWED = "_lepes_renewed"


def stamp(session) -> None:
    session[RENEWED] = int(time.time())


class IdleSessionMiddleware:
    """After ``SessionMiddleware``: marks a signed-in session for saving when it is due."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            renewed = session.get(RENEWED)  # loads the session, which authentication does anyway
            due = renewed is None or time.time() - renewed >= settings.SESSION_RENEW_SECONDS
            if due and session.session_key is not None:
                stamp(session)
        return self.get_response(request)


def stamp_at_sign_in(sender, request, user, **kwargs) -> None:
    """``user_logged_in``: the session sign-in saves counts as its first renewal."""
    if request is not None and hasattr(request, "session"):
        stamp(request.session)
