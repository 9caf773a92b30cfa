"""Remind assignees of overdue tasks and escalate long-overdue ones to supervisors.

Idempotent (one reminder per task, recipient and day; one escalation per task), so it can run
as often as wanted; hourly is plenty:

    15 * * * *  cd /srv/lepes && .venv/bin/python manage.py notify_overdue
"""

from django.core.management.base import BaseCommand

from workflows.overdue import notify_overdue


class Command(BaseCommand):
    help = "Notify the assignees of overdue tasks; escalate to supervisors after a grace period."

    def handle(self, *args, **options):
        run = notify_overdue()
        self.stdout.write(
            f"overdue tasks: {run.overdue_tasks}; reminders sent: {run.reminders}; "
            f"escalations: {run.escalations}"
        )
