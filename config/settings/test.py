"""Test settings: the same as production but for speed knobs that change no behaviour."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")

from .base import *  # noqa: F403

DEBUG = False
# A fast hasher: password hashing is not what the tests prove (cut a suite from 17 s to 4.5 s).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
LANGUAGE_CODE = "en"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A named file, not :memory:, so that live-server and websocket tests share one database;
    # one per test run, so that runs side by side do not collide.
    _name = os.environ.get("TEST_SQLITE_NAME") or f"test-{os.getpid()}.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / _name)}  # noqa: F405

# Browser tests run daphne with these settings: serve static files from the app directories.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
