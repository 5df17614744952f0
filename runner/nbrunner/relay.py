"""The portal relay: HTTP on the container's own loopback, carried over the runner channel.

Run containers have no network (``--network none``), yet a notebook must be able to call its
portal. The runner listens on ``127.0.0.1:<port>`` inside the container; each request it gets is
printed as one stdout line ``NBRUNNER RELAY {"id","method","path","headers","body":"<base64>"}``, the
worker forwards it to the server's sharing/admin API with the run's token, and writes the answer
back as one stdin line ``{"relay":{"id","status","headers","body":"<base64>"}}``. Nothing else is
reachable: there is no route out of the container, and the worker forwards only API paths.

HTTP/1.1 with ``Content-Length`` bodies, one request per connection (``Connection: close``): what
``urllib`` and ``requests`` send. Chunked request bodies are refused (411).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
from typing import Callable, Dict, Optional

MAX_BODY = 32 * 1024 * 1024
MAX_HEADER = 64 * 1024
REPLY_TIMEOUT = 300.0
_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 411: "Length Required", 413: "Payload Too Large",
            431: "Request Header Fields Too Large", 502: "Bad Gateway", 504: "Gateway Timeout"}


class Relay:
    def __init__(self, emit: Callable[[str], None]) -> None:
        self._emit = emit  # writes one stdout line
        self._pending: Dict[str, asyncio.Future] = {}
        self._ids = itertools.count(1)
        self._server: Optional[asyncio.AbstractServer] = None
        self.port: Optional[int] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for fut in self._pending.values():
            if not fut.done():
                fut.cancel()

    def on_reply(self, reply: object) -> None:
        """A ``{"relay": {...}}`` line from the worker (called in the event loop)."""
        if not isinstance(reply, dict):
            return
        fut = self._pending.pop(str(reply.get("id")), None)
        if fut is not None and not fut.done():
            fut.set_result(reply)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            status, headers, body = await self._handle(reader)
        except Exception as e:  # a broken client: answer what we can
            status, headers, body = 400, {"content-type": "text/plain"}, f"bad request: {e}".encode()
        try:
            reason = _REASONS.get(status, "")
            lines = [f"HTTP/1.1 {status} {reason}"]
            for k, v in headers.items():
                if k.lower() not in ("content-length", "connection", "transfer-encoding"):
                    lines.append(f"{k}: {v}")
            lines += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
            writer.write("\r\n".join(lines).encode("latin-1") + body)
            await writer.drain()
        finally:
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader):
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.LimitOverrunError:
            return 431, {}, b"request header too large"
        if len(head) > MAX_HEADER:
            return 431, {}, b"request header too large"
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, target, _version = request_line.split(" ", 2)
        headers: Dict[str, str] = {}
        for line in header_lines:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return 411, {}, b"chunked request bodies are not supported; send Content-Length"
        length = int(headers.get("content-length", "0") or "0")
        if length > MAX_BODY:
            return 413, {}, b"request body too large"
        body = await reader.readexactly(length) if length else b""
        if target.startswith("http://") or target.startswith("https://"):
            # An absolute URL (a proxy-style request): only its path is relayed.
            target = "/" + target.split("/", 3)[3] if target.count("/") >= 3 else "/"
        rid = str(next(self._ids))
        fut = asyncio.get_running_loop().create_future()
        self._pending[rid] = fut
        msg = {"id": rid, "method": method.upper(), "path": target, "headers": headers,
               "body": base64.b64encode(body).decode("ascii")}
        self._emit("NBRUNNER RELAY " + json.dumps(msg, ensure_ascii=True))
        try:
            reply = await asyncio.wait_for(fut, REPLY_TIMEOUT)
        except asyncio.TimeoutError:
            self._pending.pop(rid, None)
            return 504, {"content-type": "text/plain"}, b"the portal did not answer in time"
        out = base64.b64decode(reply.get("body") or "")
        return int(reply.get("status") or 502), dict(reply.get("headers") or {}), out
