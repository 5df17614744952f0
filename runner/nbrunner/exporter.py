"""``python3 -m nbrunner.exporter``: the long-lived HTML exporter beside the worker.

Warms the exporter once, prints ``NBRUNNER EXPORTER READY``, then answers one request at a time: one
JSON line on stdin ``{"id": "...", "notebook": "<ipynb text>"}`` gives one line on stdout
``{"id": "...", "html": "..."}`` (plus ``"note"`` when it fell back to the plain snapshot) or
``{"id": "...", "error": "..."}`` (ASCII-safe JSON). Why: rendering in every run container costs each
run ~300 ms of CPU (nbconvert imports and warm-up); here it costs ~1.5 ms per one-cell snapshot.
Exits when stdin closes.
"""

from __future__ import annotations

import json
import sys
from typing import Any, Dict

import nbformat

from . import html_export


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
    return out


def main() -> None:
    html_export.warm()
    out = sys.stdout
    out.write("NBRUNNER EXPORTER READY\n")
    out.flush()
    for line in iter(sys.stdin.buffer.readline, b""):
        if not line.strip():
            continue
        try:
            reply = answer(line)
        except Exception as e:  # never die on one request
            reply = {"id": None, "error": f"internal error: {e!r}"}
        out.write(json.dumps(reply, ensure_ascii=True) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
