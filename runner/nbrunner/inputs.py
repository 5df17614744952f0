"""Waiting for the run's input, in both engines: ``input/.go`` (file mode) or one JSON line on stdin.

Stdin mode (``NBRUNNER_INPUT=stdin``): the line is read in a thread, so start-up is not blocked; it
may arrive before READY (a cold start) or long after (a warm container). Later stdin lines are the
worker's answers to relayed portal requests. Standard library only.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
import time
from typing import Callable, Optional


def start_stdin_reader(on_relay_reply: Callable[[object], None]) -> asyncio.Future:
    """A future of the first stdin line (b"" if stdin closes first); later lines go to the relay."""
    loop = asyncio.get_running_loop()
    fut = loop.create_future()

    def read() -> None:
        try:
            line = sys.stdin.buffer.readline()
        except Exception:  # pragma: no cover
            line = b""
        loop.call_soon_threadsafe(lambda: fut.done() or fut.set_result(line))
        for later in iter(sys.stdin.buffer.readline, b""):
            try:
                msg = json.loads(later.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                continue
            if isinstance(msg, dict) and "relay" in msg:
                loop.call_soon_threadsafe(on_relay_reply, msg["relay"])

    threading.Thread(target=read, name="nbrunner-stdin", daemon=True).start()
    return fut


def store_stdin_input(input_dir: str, line: bytes, log: Callable[[str], None]) -> None:
    """Writes the stdin message as the input files, so they are read as in file mode. A line that is
    not a JSON object leaves the files missing: a SpecError follows."""
    try:
        msg = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        log(f"stdin input is not valid JSON: {e}")
        return
    if not isinstance(msg, dict):
        return
    os.makedirs(input_dir, exist_ok=True)
    notebook = msg.get("notebook")
    if not isinstance(notebook, str):
        notebook = json.dumps(notebook)
    with open(os.path.join(input_dir, "notebook.ipynb"), "wb") as f:
        f.write(notebook.encode("utf-8"))
    with open(os.path.join(input_dir, "spec.json"), "wb") as f:
        f.write(json.dumps(msg.get("spec")).encode("utf-8"))


async def wait_for_input(input_dir: str, stdin_line: Optional[asyncio.Future], poll_interval: float,
                         idle_seconds: float, on_idle: Callable[[], None], log: Callable[[str], None]) -> None:
    """Returns once the input is there; calls ``on_idle`` once if none came within ``idle_seconds``."""
    go, stat = os.path.join(input_dir, ".go"), os.stat
    idle_at: Optional[float] = time.monotonic() + idle_seconds
    fut = stdin_line
    while True:
        if idle_at is not None and time.monotonic() >= idle_at:
            idle_at = None
            on_idle()
        if fut is not None and fut.done():
            line = fut.result()
            if line.strip():
                store_stdin_input(input_dir, line, log)
                return
            fut = None  # stdin closed without input: keep waiting for files
        try:
            stat(go)
            return
        except (FileNotFoundError, NotADirectoryError):
            pass
        if fut is not None:
            # Wakes as soon as the line is read, else polls the file every interval.
            await asyncio.wait([fut], timeout=poll_interval)
        else:
            await asyncio.sleep(poll_interval)
