"""A minimal asyncio websocket client, for talking to a local daphne over loopback: used by
``manage.py bench_notifications`` and by the cross-process tests. (Autobahn's asyncio client
cannot run in a process where daphne's Twisted flavour of txaio is already chosen.)

Only what those need: the handshake with a session cookie and an origin, text frames in both
directions, ping/pong and close. Not a general-purpose client.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import struct
import time

from django.conf import settings

TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


class HandshakeRefused(ConnectionError):
    pass


class Socket:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader = reader
        self.writer = writer
        self.messages: asyncio.Queue[dict] = asyncio.Queue()
        self.closed_code: int | None = None
        self._reading = asyncio.ensure_future(self._read_loop())

    @classmethod
    async def open(
        cls,
        host: str,
        *,
        session_key: str,
        path: str = "/ws/notifications/",
        origin: str | None = None,
    ) -> Socket:
        hostname, port = host.rsplit(":", 1)
        reader, writer = await asyncio.open_connection(hostname, int(port))
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {path} HTTP/1.1\r\n"
            f"Host: {host}\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n"
            f"Origin: {origin or 'http://' + host}\r\n"
            f"Cookie: {settings.SESSION_COOKIE_NAME}={session_key}\r\n\r\n"
        )
        writer.write(request.encode("latin-1"))
        await writer.drain()
        status = await reader.readline()
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        if b" 101 " not in status:
            writer.close()
            raise HandshakeRefused(status.decode("latin-1").strip())
        return cls(reader, writer)

    async def _read_loop(self) -> None:
        buffer = b""
        try:
            while True:
                first, second = await self.reader.readexactly(2)
                opcode, length = first & 0x0F, second & 0x7F
                if length == 126:
                    (length,) = struct.unpack("!H", await self.reader.readexactly(2))
                elif length == 127:
                    (length,) = struct.unpack("!Q", await self.reader.readexactly(8))
                payload = await self.reader.readexactly(length)
                if opcode == PING:
                    self._send(PONG, payload)
                elif opcode == CLOSE:
                    code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                    self._finish(code)
                    self._send(CLOSE, payload[:2])
                    return
                elif opcode in (TEXT, 0x0):
                    buffer += payload
                    if first & 0x80:  # FIN: the message is complete
                        message, buffer = json.loads(buffer), b""
                        message.setdefault("received_at", time.perf_counter())
                        self.messages.put_nowait(message)
        except (asyncio.IncompleteReadError, ConnectionError):
            self._finish(1006)

    def _finish(self, code: int) -> None:
        if self.closed_code is None:
            self.closed_code = code
            self.messages.put_nowait({"type": "closed", "code": code})

    def _send(self, opcode: int, payload: bytes) -> None:
        if self.writer.is_closing():
            return
        mask = os.urandom(4)
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
        elif length < 1 << 16:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
        masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
        self.writer.write(header + mask + masked)

    def send_json(self, content: dict) -> None:
        self._send(TEXT, json.dumps(content).encode())

    async def receive(self, timeout: float = 5) -> dict:
        return await asyncio.wait_for(self.messages.get(), timeout)

    async def receive_type(self, kind: str, timeout: float = 5) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            message = await self.receive(max(deadline - time.monotonic(), 0.01))
            if message["type"] == kind:
                return message

    async def close(self) -> None:
        if self.closed_code is None:
            self._send(CLOSE, struct.pack("!H", 1000))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._reading), 2)
        self._reading.cancel()
        self.writer.close()
