from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Funder reporting")

    def ready(self) -> None:
        # casework's set-up services cannot import reporting (layers): a partner or location a
        # target names is refused removal through this check.
        from casework import setup

        from .services import targets_naming

        setup.register_in_use_check(targets_naming)
