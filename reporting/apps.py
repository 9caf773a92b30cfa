from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Funder reporting")

    def ready(self) -> None:
        # casework's programme templates carry targets, which casework cannot import (layers).
        from casework import programme_templates

        from .programme_templates import TemplateTargets

        programme_templates.plug_targets(TemplateTargets())
