from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Community events")

    def ready(self) -> None:
        # casework's set-up services cannot import community (layers): a partner or location
        # its records name is refused removal through this check.
        from casework import setup

        from .selectors import records_naming

        setup.register_in_use_check(records_naming)
