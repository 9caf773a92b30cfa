"""Email each offline user a digest of their unread notifications (at most one per 15 minutes).

Meant for cron, for example every 5 minutes:

    */5 * * * *  cd /srv/lepes && .venv/bin/python manage.py send_notification_digests
"""

import os

from django.core.management.base import BaseCommand

from notifications.digests import send_digests


class Command(BaseCommand):
    help = "Email notification digests to users who were offline when notified."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default=os.environ.get("LEPES_BASE_URL", "http://127.0.0.1:8000"),
            help="Where the site is reached, for the links in the email "
            "(default: $LEPES_BASE_URL or http://127.0.0.1:8000).",
        )

    def handle(self, *args, base_url, **options):
        run = send_digests(base_url=base_url)
        self.stdout.write(
            f"digests sent: {run.sent} ({run.notifications} notifications); "
            f"waiting for the 15-minute interval: {run.waiting}; failed: {run.failed}"
        )
        if run.failed:
            raise SystemExit(1)
