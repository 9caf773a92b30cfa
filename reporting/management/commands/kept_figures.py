"""Compare the attended minutes PostgreSQL keeps (``reporting.kept``) with the attendance lines,
or rebuild them from the lines.

``manage.py kept_figures --check`` lists every kept row that disagrees with the lines and exits
with 1 if any does (for a monitoring job); ``--rebuild`` replaces the kept rows with what the
lines give, in one transaction (after a restore, or a bulk load with the triggers off).
"""

from django.core.management.base import BaseCommand, CommandError

from reporting import kept


class Command(BaseCommand):
    help = "Check the kept attended minutes against the attendance lines, or rebuild them."

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--check", action="store_true", help="Compare (the default).")
        action.add_argument("--rebuild", action="store_true", help="Rebuild from the lines.")
        parser.add_argument("--database", default="default")

    def handle(self, *args, check: bool, rebuild: bool, database: str, **options):
        if not kept.kept_on(database):
            raise CommandError(
                "Only PostgreSQL keeps these figures; this database reads the lines."
            )
        missing = kept.expected() - kept.installed(database)
        if rebuild:
            kept.install(database)
            kept.rebuild(database)
            self.stdout.write("Rebuilt the kept attended minutes from the attendance lines.")
            return
        if missing:
            self.stdout.write(f"Missing triggers: {', '.join(sorted(missing))} (run migrate).")
        differences = kept.differences(database)
        for key, kept_value, live_value in differences:
            grain, programme, organisation, place, period, kind = key
            self.stdout.write(
                f"{grain} {period}, programme {programme}, organisation {organisation}, "
                f"{place!r}, {kind}: kept {kept_value}, lines {live_value}"
            )
        if missing or differences:
            raise SystemExit(1)
        self.stdout.write("The kept attended minutes agree with the attendance lines.")
