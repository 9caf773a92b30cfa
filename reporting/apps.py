from django.apps import AppConfig
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
