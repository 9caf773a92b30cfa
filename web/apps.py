from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "web"
    verbose_name = _("Web pages")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .sessions import stamp_at_sign_in

        user_logged_in.connect(stamp_at_sign_in, dispatch_uid="web.sessions.stamp_at_sign_in")
