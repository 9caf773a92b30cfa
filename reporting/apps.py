from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Funder reporting")

    def ready(self) -> None:
        # casework cannot import reporting (layers), so reporting plugs itself in: a partner or
        # location a target names is refused removal, and programme templates' targets are
        # written through reporting's target service.
        from casework import programme_templates, setup

        from .programme_templates import TemplateTargets
        from .services import targets_naming

        setup.register_in_use_check(targets_naming)
        programme_templates.plug_targets(TemplateTargets())
        post_migrate.connect(_keep_figures, sender=self)


def _keep_figures(sender, using, **kwargs) -> None:
    """After every ``migrate``: the triggers that keep the attended minutes are in place
    (``reporting.kept``: a schema change may have dropped one without a word)."""
    from django.db import router

    from . import kept
    from .models import AttendedMinutes

    if not router.allow_migrate_model(using, AttendedMinutes):
        return
    tables = connections[using].introspection.table_names()
    if any(grain.table not in tables for grain in kept.GRAINS):
        return  # migrated back to before the table
    kept.ensure(using)
