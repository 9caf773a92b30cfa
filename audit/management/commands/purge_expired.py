"""``python manage.py purge_expired``: erase the clients whose funder's retention hold is over.

A dry run by default: prints what it would erase. ``--apply --user NAME`` erases, one client per
transaction (a failure leaves the others done and is reported), each recorded as an erasure at
the end of the retention period (``privacy.RightsRequest``) and in the read log under NAME, the
account of whoever runs it (the data protection officer, say). For cron, after the report has
been read once.

Uploaded client registers nobody confirmed (``casework.register_import``) are deleted too once
they are older than ``STALE_AFTER``: they hold personal data that was never taken over.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from audit.erasure import due_for_purge
from casework.models import Case
from casework.register_import import STALE_AFTER, purge_stale_imports
from kernel.errors import ServiceError
from privacy import services as privacy_services


class Command(BaseCommand):
    help = "Erase clients whose retention hold has ended (dry run unless --apply)."

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="erase (default: report only)")
        parser.add_argument("--user", help="username recorded as the one who erased (required)")

    def handle(self, *args, apply: bool, user: str | None, **options):
        actor = None
        if apply:
            if not user:
                raise CommandError("--apply needs --user: the erasure is recorded under a name.")
            actor = get_user_model().objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"no active user {user!r}")
        stale = purge_stale_imports(apply=apply)
        self.stdout.write(
            f"{'deleted' if apply else 'would delete'} {stale} staged client import(s) older "
            f"than {STALE_AFTER.days} days"
        )
        due = due_for_purge()
        verb = "erasing" if apply else "would erase"
        self.stdout.write(f"{verb} {len(due)} client(s) whose retention hold has ended")
        failed = 0
        for item in due:
            line = (
                f"  client #{item.client_id}: cases {', '.join(item.case_numbers)}; "
                f"hold ended {item.hold_ended_on.isoformat()}"
            )
            if not apply:
                self.stdout.write(line)
                continue
            try:
                privacy_services.erasure_carry_out(
                    user=actor, case=Case.objects.select_related("client").get(pk=item.case_id)
                )
            except ServiceError as error:
                failed += 1
                self.stdout.write(f"{line}: not erased ({error})")
                continue
            self.stdout.write(f"{line}: erased")
        if not apply:
            self.stdout.write("dry run: nothing was changed (use --apply --user NAME to erase)")
        if failed:
            raise CommandError(f"{failed} client(s) could not be erased")
