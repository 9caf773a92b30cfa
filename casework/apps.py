from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Casework")

    def ready(self) -> None:
        from kernel.compat import simple_history_speedup as history_speedup

        from . import roles

        # simple-history builds a new manager class on every tracked save: build it once.
        history_speedup.install()

        # After every migrate (the last app's post_migrate sees every permission).
        post_migrate.connect(roles.sync_role_groups, dispatch_uid="lepes.sync_role_groups")
