"""``manage.py run_export_jobs``: run the export jobs no thread is running (see reporting.jobs).

Once (for cron) or ``--loop`` (for a systemd unit); ``--purge-days N`` deletes finished jobs and
their files older than N days."""

import datetime
import time

from django.core.management.base import BaseCommand

from reporting import jobs


class Command(BaseCommand):
    help = "Run queued export jobs and those whose worker died; optionally purge old ones."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep polling for new jobs")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between polls")
        parser.add_argument("--purge-days", type=int, default=None)

    def handle(self, *args, **options):
        if options["purge_days"] is not None:
            gone = jobs.purge(older_than=datetime.timedelta(days=options["purge_days"]))
            self.stdout.write(f"purged {gone} finished export jobs")
        while True:
            ran = jobs.run_pending()
            if ran:
                self.stdout.write(f"ran {ran} export jobs")
            if not options["loop"]:
                return
            time.sleep(options["interval"])
