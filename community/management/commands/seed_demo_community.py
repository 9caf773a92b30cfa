"""``manage.py seed_demo_community``: the Slovak demo programme's community work (see
``community.demo``). ``seed_demo`` calls it; it can also run on its own after ``seed_demo``."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casework.management.commands.seed_demo import PASSWORD
from casework.roles import Role
from community import demo


class Command(BaseCommand):
    help = "Seed the Slovak demo programme's community work (consultants, visits, projects)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")

    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: the demo accounts share a published password.")
        people = demo.seed(password=PASSWORD)
        for user in people:
            self.stdout.write(
                f"  {user.username:<15}{user.get_full_name():<18}"
                f"{Role.COMMUNITY_CONSULTANT.label!s:<23}{user.staff_profile.organisation}"
            )
