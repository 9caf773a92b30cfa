"""Settings for the daphne processes that the cross-process tests start: the test settings, plus
static files served from the apps (no collectstatic) and, with Redis, a channel-layer prefix of
the test's own so that test runs sharing one Redis never hear each other."""

import os

from config.settings.test import *  # noqa: F403
from tests import clock

# The server lives on the clock of the test run that started it (tests/clock.py).
if os.environ.get(clock.RUN_CLOCK):
    clock.start(TIME_ZONE)  # noqa: F405

WHITENOISE_USE_FINDERS = True

_prefix = os.environ.get("TEST_CHANNEL_PREFIX")
if _prefix and CHANNEL_LAYERS["default"]["BACKEND"].startswith("channels_redis"):  # noqa: F405
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = _prefix  # noqa: F405

# A browser test that follows a link from an e-mail (an invitation, a password reset) reads the
# server's mail from files, since the locmem outbox lives in the server process.
_mail_dir = os.environ.get("TEST_EMAIL_DIR")
if _mail_dir:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = _mail_dir
