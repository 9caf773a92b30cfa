"""Production: everything from the environment; refuses to start without a secret key."""

from django.contrib.staticfiles.apps import StaticFilesConfig

from .base import *  # noqa: F403

OTP_REQUIRED_ROLES = env_list(  # noqa: F405
    "OTP_REQUIRED_ROLES", ["supervisor", "programme_admin"]
)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)  # noqa: F405
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))  # noqa: F405
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# Where collectstatic writes and WhiteNoise serves from; a deployment (or deploy/smoke.sh) may
# put it outside the checkout.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", "") or STATIC_ROOT)  # noqa: F405


class StaticFilesWithoutVendoredSources(StaticFilesConfig):
    """``collectstatic`` skips the ``node_modules/`` copy Viewflow ships among its static files:
    one of its stylesheets names a font that is not there, and the manifest storage refuses to
    collect a stylesheet with a missing reference. Nothing of Lépés or Viewflow links to it."""

    ignore_patterns = [*StaticFilesConfig.ignore_patterns, "node_modules"]


INSTALLED_APPS = [
    f"{__name__}.StaticFilesWithoutVendoredSources" if app == "django.contrib.staticfiles" else app
    for app in INSTALLED_APPS  # noqa: F405
]
