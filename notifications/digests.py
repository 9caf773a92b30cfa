"""The email fallback: notifications written while their recipient had no socket open reach
them by email, in one digest per user at most every ``DIGEST_INTERVAL``.

Run by ``manage.py send_notification_digests`` from cron (every few minutes). Safe to run twice
at once: each user's pending rows are locked while their digest is sent and marked, and a
digest is marked only if it was handed to the email backend (a failure is retried next run).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import ngettext

from . import presence
from .models import Notification

log = logging.getLogger(__name__)

DIGEST_INTERVAL = datetime.timedelta(minutes=15)
# A digest lists at most this many; the rest are counted and wait in the inbox.
DIGEST_MAX_ITEMS = 50


@dataclass
class DigestRun:
    sent: int = 0
    notifications: int = 0
    waiting: int = 0  # users whose last digest is too recent
    failed: int = 0


def pending() -> QuerySet[Notification]:
    """Unread notifications written while their recipient was offline, not emailed yet."""
    return Notification.objects.filter(
        recipient_online=False,
        read_at__isnull=True,
        emailed_at__isnull=True,
        recipient__is_active=True,
    ).exclude(recipient__email="")


def send_digests(*, base_url: str, now: datetime.datetime | None = None) -> DigestRun:
    now = now or timezone.now()
    run = DigestRun()
    presence.purge_stale()
    user_ids = list(pending().values_list("recipient_id", flat=True).distinct().order_by())
    for user_id in sorted(user_ids):
        try:
            outcome = _send_one(user_id=user_id, base_url=base_url, now=now)
        except Exception:  # one bad address must not stop the others
            log.exception("notification digest for user %s failed", user_id)
            run.failed += 1
            continue
        if outcome is None:
            run.waiting += 1
        elif outcome:
            run.sent += 1
            run.notifications += outcome
    return run


@transaction.atomic
def _send_one(*, user_id: int, base_url: str, now: datetime.datetime) -> int | None:
    """Send ``user_id`` their digest; the number of notifications in it, ``None`` when their
    last digest is less than ``DIGEST_INTERVAL`` old, 0 when nothing is pending any more."""
    rows = list(
        pending().select_for_update(of=("self",)).filter(recipient_id=user_id).order_by("id")
    )
    if not rows:
        return 0
    last = Notification.objects.filter(recipient_id=user_id).aggregate(m=Max("emailed_at"))["m"]
    if last is not None and now - last < DIGEST_INTERVAL:
        return None
    user = get_user_model()._default_manager.select_related("staff_profile").get(pk=user_id)
    profile = getattr(user, "staff_profile", None)
    language = profile.language if profile else settings.LANGUAGE_CODE
    base_url = base_url.rstrip("/")
    shown = rows[:DIGEST_MAX_ITEMS]
    with translation.override(language):
        subject = ngettext(
            "Lépés: %(n)s new notification", "Lépés: %(n)s new notifications", len(rows)
        ) % {"n": len(rows)}
        context = {
            "user": user,
            "items": [
                {"title": n.title, "link": f"{base_url}{n.url}" if n.url else "", "created": n}
                for n in shown
            ],
            "more": len(rows) - len(shown),
            "inbox_url": f"{base_url}/notifications/",
        }
        body = render_to_string("notifications/digest_email.txt", context)
    send_mail(subject, body, None, [user.email])
    Notification.objects.filter(pk__in=[n.pk for n in rows]).update(emailed_at=now)
    return len(rows)
