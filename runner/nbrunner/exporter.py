"""``python3 -m nbrunner.exporter``: the long-lived HTML exporter beside the worker.

Warms the exporter once, prints ``NBRUNNER EXPORTER READY``, then answers one request at a time: one
JSON line ``{"id": "...", "notebook": "<ipynb text>"}`` gives one line ``{"id": "...", "html": "..."}``
(plus ``"note"`` when it fell back to the plain snapshot) or ``{"id": "...", "error": "..."}``
(ASCII-safe JSON). With ``"raw": true`` in the request the line says ``"htmlBytes": N`` instead of
``"html"`` and N bytes of UTF-8 HTML follow it: no JSON escaping of 0.5 MB each way. Why an exporter:
rendering in every run container costs each run ~300 ms of CPU (nbconvert imports and warm-up); here it
costs a few ms per one-cell snapshot.

Requests come on stdin (answered on stdout) and, with ``NBRUNNER_EXPORTER_SOCKET`` set, on that Unix
socket too (answered on the same connection): why, a 0.5 MB snapshot through Docker's attach stream
takes ~25 ms, through a socket in a folder the worker shares ~1 ms. The socket listens before READY.
Exits when stdin closes (the worker is gone).
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
from typing import Any, BinaryIO, Callable, Dict, Optional

import nbformat

from . import html_export

_render_lock = threading.Lock()  # one render at a time, whichever carrier asked


def answer(line: bytes) -> Dict[str, Any]:
    try:
        req = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        return {"id": None, "error": f"request is not valid JSON: {e}"}
    if not isinstance(req, dict) or not isinstance(req.get("notebook"), str):
        return {"id": req.get("id") if isinstance(req, dict) else None,
                "error": "request must be an object with a string 'notebook'"}
    rid = req.get("id")
    try:
        nb = nbformat.reads(req["notebook"], as_version=4)
    except Exception as e:
        return {"id": rid, "error": f"not a readable notebook: {e}"}
    html, note = html_export.render(nb)
    out: Dict[str, Any] = {"id": rid, "html": html}
    if note:
        out["note"] = note
    if req.get("raw") is True:
        out["raw"] = True
    return out


def encode(reply: Dict[str, Any]) -> bytes:
    """The answer's bytes: its line, and the raw HTML after it when the request asked for that."""
    if not reply.pop("raw", False):
        return (json.dumps(reply, ensure_ascii=True) + "\n").encode("ascii")
    html = reply.pop("html")
    try:
        body = html.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (JSON allows them): U+FFFD, as the JSON answer decoded gave
        body = html.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode("utf-8")
    reply["htmlBytes"] = len(body)
    return (json.dumps(reply, ensure_ascii=True) + "\n").encode("ascii") + body


def serve(reader: BinaryIO, write: Callable[[bytes], None]) -> None:
    """Answers every request line of `reader` through `write`, until EOF."""
    for line in iter(reader.readline, b""):
        if not line.strip():
            continue
        with _render_lock:
            try:
                data = encode(answer(line))
            except Exception as e:  # never die on one request
                data = encode({"id": None, "error": f"internal error: {e!r}"})
        write(data)


def listen(path: str) -> Optional[socket.socket]:
    """The Unix socket at `path`, listening (readable and writable by whoever can reach its folder); None if it
    cannot be made (the worker then uses stdin and stdout)."""
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        if os.path.exists(path):
            os.unlink(path)
        srv.bind(path)
        os.chmod(path, 0o666)  # the folder, the worker's own, is what keeps others out
        srv.listen(4)
        return srv
    except OSError as e:
        srv.close()
        sys.stderr.write(f"[nbrunner.exporter] no socket at {path} ({e}); stdin only\n")
        return None


def accept_forever(srv: socket.socket) -> None:
    while True:
        try:
            conn, _ = srv.accept()
        except OSError:
            return
        threading.Thread(target=serve_connection, args=(conn,), daemon=True).start()


def serve_connection(conn: socket.socket) -> None:
    with conn, conn.makefile("rb") as reader:
        try:
            serve(reader, conn.sendall)
        except OSError:
            pass  # the worker closed it


def main() -> None:
    html_export.warm()
    path = os.environ.get("NBRUNNER_EXPORTER_SOCKET")
    srv = listen(path) if path else None
    if srv is not None:
        threading.Thread(target=accept_forever, args=(srv,), daemon=True).start()
    out = sys.stdout.buffer

    def write_stdout(data: bytes) -> None:
        out.write(data)
        out.flush()

    write_stdout(b"NBRUNNER EXPORTER READY\n")
    serve(sys.stdin.buffer, write_stdout)
    if path and srv is not None:
        try:
            os.unlink(path)
        except OSError:
            pass


if __name__ == "__main__":
    main()
