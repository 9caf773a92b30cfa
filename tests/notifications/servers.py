"""Real daphne processes on loopback for the cross-process tests, sharing the test database,
and a small websocket client to talk to them."""

from __future__ import annotations

import collections
import contextlib
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection

from .. import clock

ROOT = Path(__file__).resolve().parents[2]
LISTENING = re.compile(r"Listening on TCP address 127\.0\.0\.1:(\d+)")
# A fixed, valid CSRF secret: the test sends it as the cookie and as the form token.
CSRF = "lepestestcsrfsecret0123456789abc"


def database_url() -> str:
    """The test database, as a URL another process can open (``DATABASE_URL``)."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    if "postgresql" in db["ENGINE"]:
        user = urllib.parse.quote(db.get("USER") or "", safe="")
        password = urllib.parse.quote(db.get("PASSWORD") or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = urllib.parse.quote(db.get("HOST") or "localhost", safe="")  # may be a socket dir
        port = f":{db['PORT']}" if db.get("PORT") else ""
        return f"postgres://{auth}{host}{port}/{urllib.parse.quote(db['NAME'], safe='')}"
    raise NotImplementedError(db["ENGINE"])


class Daphne:
    def __init__(self, env: dict[str, str]):
        self.lines: collections.deque[str] = collections.deque(maxlen=200)
        self.port: int | None = None
        self._ready = threading.Event()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-e",
                "tcp:port=0:interface=127.0.0.1",
                "config.asgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip())
            match = LISTENING.search(line)
            if match and self.port is None:
                self.port = int(match.group(1))
                self._ready.set()
        self._ready.set()

    def wait(self, timeout: float = 60) -> None:
        if not self._ready.wait(timeout) or self.port is None:
            self.stop()
            raise RuntimeError("daphne did not start:\n" + "\n".join(self.lines))

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


@contextlib.contextmanager
def daphnes(count: int = 1, *, redis_url: str | None = None) -> Iterator[list[Daphne]]:
    """``count`` daphne processes serving the app on the test database; with ``redis_url`` they
    share a Redis channel layer (a prefix of their own), otherwise each has its in-memory one."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.notifications.daphne_settings",
        "DATABASE_URL": database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "PYTHONUNBUFFERED": "1",
        **clock.for_a_process_started_now(),
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
        env["TEST_CHANNEL_PREFIX"] = f"lepes-test-{os.getpid()}-{time.monotonic_ns()}"
    servers = [Daphne(env) for _ in range(count)]
    try:
        for server in servers:
            server.wait()
        yield servers
    finally:
        for server in servers:
            server.stop()


def post_form(host: str, path: str, data: dict, *, session_key: str) -> int:
    """POST a form as the user of ``session_key`` (with a CSRF token); the response status."""
    body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": CSRF}).encode()
    request = urllib.request.Request(
        f"http://{host}{path}",
        data=body,
        headers={
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}; "
            f"{settings.CSRF_COOKIE_NAME}={CSRF}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        method="POST",
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
