"""The checks of ``deploy/smoke.sh``, through nginx only (standard library, no Django):

1. the login page answers 200 and links its static files;
2. a hashed static file comes from WhiteNoise with a year-long immutable cache header;
3. a staff member logs in (CSRF and session cookie through the proxy) and gets the home page;
4. the notification websocket upgrades through nginx and says hello;
5. a notification sent by a third process (``manage.py shell``, through Redis) reaches that
   socket, whichever daphne worker holds it;
6. both daphne workers served requests (nginx spreads the load).

Exits non-zero, saying which check failed.
"""

from __future__ import annotations

import argparse
import base64
import http.cookiejar
import json
import os
import re
import socket
import ssl
import struct
import subprocess
import sys
import time
import urllib.parse
import urllib.request


class Failed(Exception):
    pass


def say(message: str) -> None:
    print(f"[smoke] {message}", flush=True)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(opener, url: str, data: dict | None = None, headers: dict | None = None):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        response = opener.open(request, timeout=20)
    except urllib.error.HTTPError as error:  # 3xx with NoRedirect, 4xx, 5xx
        return error.code, dict(error.headers), error.read()
    return response.status, dict(response.headers), response.read()


# -- a minimal websocket client: handshake, read text frames ----------------------------------


def ws_connect(
    host: str, port: int, path: str, *, cookie: str, origin: str, context: ssl.SSLContext | None
) -> socket.socket:
    sock = socket.create_connection((host, port), timeout=10)
    if context is not None:
        sock = context.wrap_socket(sock, server_hostname=host)
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        f"Origin: {origin}\r\nCookie: {cookie}\r\n\r\n"
    )
    sock.sendall(request.encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            break
        head += chunk
    status = head.split(b"\r\n", 1)[0].decode(errors="replace")
    if " 101 " not in status:
        raise Failed(f"websocket upgrade refused: {status!r}")
    sock.pending = head.split(b"\r\n\r\n", 1)[1]  # type: ignore[attr-defined]
    return sock


def _read_exact(sock: socket.socket, n: int) -> bytes:
    data = sock.pending[:n]  # type: ignore[attr-defined]
    sock.pending = sock.pending[n:]  # type: ignore[attr-defined]
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise Failed("websocket closed by the server")
        data += chunk
    return data


def ws_receive(sock: socket.socket, timeout: float) -> dict:
    """The next text frame, as JSON (control frames other than close are skipped)."""
    sock.settimeout(timeout)
    while True:
        first, second = _read_exact(sock, 2)
        opcode, length = first & 0x0F, second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", _read_exact(sock, 2))
        elif length == 127:
            (length,) = struct.unpack("!Q", _read_exact(sock, 8))
        payload = _read_exact(sock, length)
        if opcode == 0x8:
            code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
            raise Failed(f"websocket closed by the server (code {code})")
        if opcode == 0x1:
            return json.loads(payload.decode())


# -- the checks -----------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True, help="https://127.0.0.1:18080")
    parser.add_argument("--cafile", default=None, help="the certificate nginx presents")
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--worker-logs", nargs="*", default=[])
    args = parser.parse_args()
    base = args.base.rstrip("/")
    parsed = urllib.parse.urlsplit(base)
    context = None
    if parsed.scheme == "https":
        context = ssl.create_default_context(cafile=args.cafile)
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(jar),
        urllib.request.HTTPSHandler(context=context),
        NoRedirect,
    )

    status, _headers, body = fetch(opener, f"{base}/accounts/login/")
    if status != 200:
        raise Failed(f"login page: HTTP {status}")
    page = body.decode()
    say("login page through nginx: 200")

    static = re.findall(r'(?:href|src)="(/static/[^"]+\.[0-9a-f]{12}\.(?:css|js))"', page)
    if not static:
        raise Failed("the login page links no hashed static file (collectstatic, manifest)")
    status, headers, content = fetch(opener, f"{base}{static[0]}")
    cache = headers.get("Cache-Control", "")
    if status != 200 or not content or "immutable" not in cache:
        raise Failed(f"static {static[0]}: HTTP {status}, Cache-Control {cache!r}")
    say(f"static file {static[0]}: 200, {len(content)} bytes, Cache-Control {cache}")

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        raise Failed("no CSRF token on the login page")
    status, headers, _ = fetch(
        opener,
        f"{base}/accounts/login/",
        {
            "csrfmiddlewaretoken": token.group(1),
            "username": args.username,
            "password": args.password,
        },
        headers={"Referer": f"{base}/accounts/login/", "Origin": base},
    )
    if status != 302:
        raise Failed(f"login: HTTP {status} (expected a redirect)")
    status, _headers, body = fetch(opener, f"{base}/")
    if status != 200:
        raise Failed(f"home page after login: HTTP {status}")
    say("logged in through nginx; home page: 200")

    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    sock = ws_connect(
        parsed.hostname,
        parsed.port,
        "/ws/notifications/",
        cookie=cookie,
        origin=base,
        context=context,
    )
    hello = ws_receive(sock, timeout=10)
    if hello.get("type") != "hello":
        raise Failed(f"websocket: expected hello, got {hello!r}")
    say(f"websocket upgraded through nginx; hello, {hello.get('unread_count')} unread")

    marker = f"SMOKE-{int(time.time())}"
    code = (
        "from django.contrib.auth import get_user_model\n"
        "from notifications.events import Event\n"
        "from notifications.publish import notify\n"
        f"user = get_user_model().objects.get(username={args.username!r})\n"
        f"notify(recipient=user, event=Event.CASE_STAGE_CHANGED, "
        f"params={{'case': {marker!r}, 'stage': 'smoke'}})\n"
    )
    started = time.monotonic()
    subprocess.run([args.python, "manage.py", "shell", "-v", "0", "-c", code], check=True)
    while True:
        message = ws_receive(sock, timeout=15)
        if message.get("type") == "notification" and marker in message.get("title", ""):
            break
    say(
        "a notification sent by another process reached the socket through Redis "
        f"({time.monotonic() - started:.1f} s after the process started)"
    )
    sock.close()

    for _ in range(6):  # a few more requests, so that round robin reaches every worker
        fetch(opener, f"{base}/")
    served = []
    for log in args.worker_logs:
        with open(log, encoding="utf-8", errors="replace") as handle:
            served.append(sum(1 for line in handle if '"GET ' in line or " GET " in line))
    if args.worker_logs and not all(served):
        raise Failed(f"not every daphne worker served requests: {served}")
    if served:
        say(f"requests per daphne worker: {served}")
    say("all checks passed")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Failed as failure:
        say(f"FAILED: {failure}")
        sys.exit(1)
