"""Settings for the daphne processes that the cross-process tests start: the test settings, plus
static files served from the apps (no collectstatic) and, with Redis, a channel-layer prefix of
the test's own so that test runs sharing one Redis never hear each other."""

import os

from config.settings.test import *  # noqa: F403

WHITENOISE_USE_FINDERS = True

_prefix = os.environ.get("TEST_CHANNEL_PREFIX")
if _prefix and CHANNEL_LAYERS["default"]["BACKEND"].startswith("channels_redis"):  # noqa: F405
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = _prefix  # noqa: F405
