"""The laptop demo: DEBUG on, SQLite file and in-memory channel layer unless the environment says
otherwise."""

import os

os.environ.setdefault("DEBUG", "1")

from .base import *  # noqa: F403

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}

# Serve static files straight from the app directories: no collectstatic step in the demo.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
