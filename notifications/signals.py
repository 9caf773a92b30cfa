"""Revocation: a socket must stop receiving soon after its session or account ends.

Logout closes the sockets of that session only; deactivating (or deleting) an account closes all
of the user's sockets. Both go through ``publish.revoke_sockets`` after commit, so they reach
sockets held by any daphne process. Anything these signals miss (a session deleted by hand, a
bulk update of ``is_active``) is caught by the sockets' own re-check (``consumers``).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import presence
from .publish import revoke_sockets


@receiver(user_logged_out, dispatch_uid="notifications.close_sockets_on_logout")
def close_sockets_on_logout(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    session_key = getattr(session, "session_key", None)
    if user is not None and session_key:
        revoke_sockets(user.pk, session_key=session_key)


def close_sockets_of_inactive_user(sender, instance, created=False, **kwargs):
    if not instance.is_active and not created:
        presence.forget_user(user_id=instance.pk)
        revoke_sockets(instance.pk)


def close_sockets_of_deleted_user(sender, instance, **kwargs):
    revoke_sockets(instance.pk)


def connect() -> None:
    user_model = get_user_model()
    post_save.connect(
        close_sockets_of_inactive_user,
        sender=user_model,
        dispatch_uid="notifications.close_sockets_of_inactive_user",
    )
    post_delete.connect(
        close_sockets_of_deleted_user,
        sender=user_model,
        dispatch_uid="notifications.close_sockets_of_deleted_user",
    )
