"""``manage.py bench_notifications``: how fast a notification gets from a commit to a browser
socket, and how long one event takes to reach many sockets. Not a test: it prints figures.

Everything runs in this process on loopback: a daphne server (127.0.0.1, a free port) serving
the real ASGI application, the sockets (``loopback.Socket``), and the writes, which go through
``publish.notify`` in a transaction exactly as a service's do. The clock starts in an
``on_commit`` callback registered just before ``notify``'s own, so "latency" is commit to frame
parsed by the client. The channel layer is swapped per run: the in-memory layer, then Redis when
a URL is given. A throwaway user and its sessions are created and deleted again.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from dataclasses import dataclass, field

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.db import close_old_connections, transaction

MAX_SAMPLES = 1000
MAX_SOCKETS = 1000


@dataclass
class Figures:
    layer: str
    latencies_ms: list[float] = field(default_factory=list)
    fanout_last_ms: list[float] = field(default_factory=list)  # one per round
    fanout_each_ms: list[float] = field(default_factory=list)  # every socket, every round
    connect_s: float = 0.0
    sockets: int = 0

    def lines(self) -> list[str]:
        out = [f"[{self.layer}]"]
        if self.latencies_ms:
            out.append(
                f"  commit-to-socket latency, {len(self.latencies_ms)} notifications, 1 socket: "
                f"p50 {pct(self.latencies_ms, 50):.2f} ms, p95 {pct(self.latencies_ms, 95):.2f} ms,"
                f" max {max(self.latencies_ms):.2f} ms"
            )
        if self.fanout_last_ms:
            out.append(
                f"  fan-out of one event to {self.sockets} sockets "
                f"({len(self.fanout_last_ms)} rounds; connecting them took {self.connect_s:.1f} s):"
                f" all delivered after p50 {pct(self.fanout_last_ms, 50):.1f} ms,"
                f" worst round {max(self.fanout_last_ms):.1f} ms;"
                f" per socket p50 {pct(self.fanout_each_ms, 50):.1f} ms,"
                f" p95 {pct(self.fanout_each_ms, 95):.1f} ms"
            )
            rounds = ", ".join(f"{ms:.0f}" for ms in self.fanout_last_ms)
            out.append(f"  fan-out rounds (last socket reached, ms): {rounds}")
        return out


def pct(values: list[float], p: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def _create_user():
    user = get_user_model().objects.create_user(
        username=f"bench-{uuid.uuid4().hex[:12]}", email="", is_active=True
    )
    return user


def _session_for(user) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    # The backend a login stores: the first that loads users (django-axes' only refuses).
    store[BACKEND_SESSION_KEY] = next(
        b for b in settings.AUTHENTICATION_BACKENDS if not b.startswith("axes.")
    )
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def _notify_and_time(user) -> tuple[int, float]:
    """One notification through the one door; when its transaction committed."""
    from notifications.events import Event
    from notifications.publish import notify

    committed: list[float] = []
    with transaction.atomic():
        transaction.on_commit(lambda: committed.append(time.perf_counter()))
        notification = notify(
            recipient=user, event=Event.FOLLOW_UP_DUE, params={"case": "BENCH/0001"}
        )
    return notification.pk, committed[0]


def _cleanup(user, session_keys: list[str]) -> None:
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key__in=session_keys).delete()
    user.delete()
    close_old_connections()


async def _measure(
    host: str, user, keys: list[str], *, samples: int, sockets: int, rounds: int, figures: Figures
) -> None:
    from notifications.loopback import Socket

    notify_timed = sync_to_async(_notify_and_time)
    # Latency: one socket, notifications one after another.
    socket = await Socket.open(host, session_key=keys[0])
    await socket.receive_type("hello")
    for _ in range(samples):
        pk, committed = await notify_timed(user)
        message = await socket.receive_type("notification")
        assert message["id"] == pk
        figures.latencies_ms.append((message["received_at"] - committed) * 1000)
    await socket.close()
    if not sockets:
        return
    # Fan-out: many sockets of the user, one event each round.
    started = time.perf_counter()
    opened = []
    for start in range(0, sockets, 50):  # in batches: a burst of handshakes is not the point
        batch = await asyncio.gather(
            *(
                Socket.open(host, session_key=keys[i % len(keys)])
                for i in range(start, min(start + 50, sockets))
            )
        )
        await asyncio.gather(*(s.receive_type("hello", timeout=30) for s in batch))
        opened.extend(batch)
    figures.connect_s = time.perf_counter() - started
    figures.sockets = len(opened)
    try:
        for _ in range(rounds):
            pk, committed = await notify_timed(user)
            messages = await asyncio.gather(
                *(s.receive_type("notification", timeout=30) for s in opened)
            )
            assert all(m["id"] == pk for m in messages)
            arrivals = [(m["received_at"] - committed) * 1000 for m in messages]
            figures.fanout_last_ms.append(max(arrivals))
            figures.fanout_each_ms.extend(arrivals)
    finally:
        await asyncio.gather(*(s.close() for s in opened))


def run(
    *, redis_url: str | None, samples: int, sockets: int, rounds: int, timeout: float, write=print
) -> list[Figures]:
    """Run the benchmark (blocking; starts and stops an in-process daphne)."""
    import daphne.server  # installs the asyncio reactor before anything imports Twisted's
    from channels.layers import InMemoryChannelLayer, channel_layers
    from twisted.internet import reactor

    from config.asgi import application

    samples = max(1, min(samples, MAX_SAMPLES))
    sockets = max(0, min(sockets, MAX_SOCKETS))
    user = _create_user()
    keys = [_session_for(user) for _ in range(4)]
    close_old_connections()
    layers: list[tuple[str, object]] = [("in-memory layer", InMemoryChannelLayer())]
    if redis_url:
        from channels_redis.core import RedisChannelLayer

        # The same host options as config.settings.base uses for REDIS_URL.
        hosts = [{"address": redis_url, "socket_timeout": 15}]
        prefix = f"lepes-bench-{uuid.uuid4().hex[:8]}"
        layers.append((f"Redis layer ({redis_url})", RedisChannelLayer(hosts=hosts, prefix=prefix)))
    results: list[Figures] = []
    failure: list[BaseException] = []
    server = daphne.server.Server(
        application=application,
        endpoints=["tcp:port=0:interface=127.0.0.1"],
        signal_handlers=False,
        verbosity=0,
    )

    async def main():
        try:
            while not server.listening_addresses:
                await asyncio.sleep(0.01)
            host = "{}:{}".format(*server.listening_addresses[0])
            previous = channel_layers.backends.get("default")
            for name, layer in layers:
                channel_layers.backends["default"] = layer
                figures = Figures(layer=name)
                write(f"measuring on the {name} ...")
                await asyncio.wait_for(
                    _measure(
                        host,
                        user,
                        keys,
                        samples=samples,
                        sockets=sockets,
                        rounds=rounds,
                        figures=figures,
                    ),
                    timeout,
                )
                results.append(figures)
                if hasattr(layer, "flush"):
                    await layer.flush()
            if previous is not None:
                channel_layers.backends["default"] = previous
        except BaseException as error:  # reported after the reactor stops
            failure.append(error)
        finally:
            reactor.callLater(0.2, reactor.stop)

    server.ready_callable = lambda: reactor.callWhenRunning(lambda: asyncio.ensure_future(main()))
    try:
        server.run()
    finally:
        _cleanup(user, keys)
    if failure:
        raise failure[0]
    return results
