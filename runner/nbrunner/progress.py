"""Live progress on the runner channel: one ``NBRUNNER PROGRESS <json>`` line when a code cell starts, when it
ends, and (at most every ``OUTPUT_INTERVAL`` seconds) while it prints, carrying the last lines of its stream
output. The host shows them as the job's ``progress`` and streams them as server-sent events.

Payload: ``{"cell": i, "total": n, "codeCell": k, "codeCells": m, "phase": "start"|"output"|"end",
"status": "ok"|"error" (end only), "lines": [...]}`` where ``cell`` is the notebook index (as in errors) and
``codeCell`` the 1-based position among code cells.
"""
from __future__ import annotations

import asyncio
import json
import time
from typing import Any, Callable, Dict, List, Optional

MAX_LINES = 20
MAX_LINE_CHARS = 500
OUTPUT_INTERVAL = 0.25


class Progress:
    def __init__(self, nb, emit: Callable[[str], None], clock: Callable[[], float] = time.monotonic) -> None:
        self.emit = emit
        self.clock = clock
        self.total = len(nb.cells)
        self.code_index = {i: k + 1 for k, i in enumerate(i for i, c in enumerate(nb.cells) if c.get("cell_type") == "code")}
        self.cell: Optional[int] = None
        self.lines: List[str] = []
        self.partial = ""
        self.last_output = float("-inf")
        self.pending = False
        self.timer: Optional[asyncio.TimerHandle] = None

    def attach(self, client) -> None:
        """Wraps the client's output handler to see stream outputs as they arrive."""
        original = client.output

        def output(outs, msg, display_id, cell_index):
            out = original(outs, msg, display_id, cell_index)
            if msg.get("msg_type") == "stream":
                self.stream(str(msg.get("content", {}).get("text", "")))
            return out

        client.output = output

    def start(self, index: int) -> None:
        self.cell, self.lines, self.partial, self.pending = index, [], "", False
        self.last_output = float("-inf")
        self._send("start")

    def end(self, index: int, ok: bool) -> None:
        if self.partial:
            self._push(self.partial)
            self.partial = ""
        self._cancel_timer()
        self._send("end", status="ok" if ok else "error")
        self.cell = None

    def stream(self, text: str) -> None:
        if self.cell is None or not text:
            return
        parts = (self.partial + text).split("\n")
        self.partial = parts.pop()
        for line in parts:
            self._push(line)
        wait = OUTPUT_INTERVAL - (self.clock() - self.last_output)
        if wait <= 0:
            self._output()
        elif not self.pending:
            # Lines printed within the interval go out when it ends, even if the cell then prints nothing more.
            self.pending = True
            try:
                self.timer = asyncio.get_running_loop().call_later(wait, self._flush)
            except RuntimeError:  # no loop (tests): sent with the next output or the end
                pass

    def _flush(self) -> None:
        self.timer = None
        if self.pending and self.cell is not None:
            self._output()

    def _output(self) -> None:
        self._cancel_timer()
        self.last_output = self.clock()
        self._send("output")

    def _cancel_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def _push(self, line: str) -> None:
        self.lines.append(line.rstrip("\r")[:MAX_LINE_CHARS])
        del self.lines[:-MAX_LINES]

    def _send(self, phase: str, **extra: Any) -> None:
        if self.cell is None:
            return
        payload: Dict[str, Any] = {
            "cell": self.cell,
            "total": self.total,
            "codeCell": self.code_index.get(self.cell),
            "codeCells": len(self.code_index),
            "phase": phase,
            "lines": self.lines + ([self.partial[:MAX_LINE_CHARS]] if self.partial else []),
            **extra,
        }
        self.pending = False
        try:
            self.emit("NBRUNNER PROGRESS " + json.dumps(payload, ensure_ascii=True))
        except Exception:  # progress never fails a run
            pass
