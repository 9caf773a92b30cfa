"""Settings of the benchmark's worker processes: production settings, minus what needs HTTPS
or ``collectstatic``, so that the figures are those of the code as deployed (DEBUG off, cached
templates, no debug query log) and Django's test client can call the real views over http.

``DATABASE_URL`` (set by ``manage.py bench`` for each worker) chooses SQLite or PostgreSQL; the
worker creates its own throwaway database on that server and never touches the one named.
"""

import os
import warnings

os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-any-real-site")

from config.settings.production import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# The generated staff share one password hash; hashing is not what is measured.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LANGUAGE_CODE = "en"
# Production asks supervisors and programme admins for a second factor, which would send the
# benchmark's logged-in staff to the code page instead of the page measured.
OTP_REQUIRED_ROLES: list[str] = []
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # A benchmark request that answers 404 is reported by the benchmark itself.
    "loggers": {"django.request": {"level": "ERROR"}},
}

# WhiteNoise looks for collectstatic's output, which the benchmark does not need.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
