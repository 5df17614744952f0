"""Notebook JSON read/write without importing nbformat (the in-process engine's fast path).

Byte-for-byte what ``nbformat.reads(text, as_version=4)`` / ``nbformat.writes(nb)`` give for an
nbformat-4 notebook: multi-line strings rejoined on read and split on write, transient metadata
stripped, ``json.dumps(indent=1, sort_keys=True, ensure_ascii=False)``. Older versions, which need
converting, go through nbformat (imported only then). Standard library only (unit-tested on the host).
"""

from __future__ import annotations

import copy
import json
from typing import Any, Dict

_NON_TEXT_SPLIT_MIMES = {"application/javascript", "image/svg+xml"}


def _is_json_mime(mime: str) -> bool:
    return mime == "application/json" or (mime.startswith("application/") and mime.endswith("+json"))


def _rejoin_bundle(data: Dict[str, Any]) -> None:
    for key, value in list(data.items()):
        if not _is_json_mime(key) and isinstance(value, list) and all(isinstance(x, str) for x in value):
            data[key] = "".join(value)


def _split_bundle(data: Dict[str, Any]) -> None:
    for key, value in list(data.items()):
        if isinstance(value, str) and (key.startswith("text/") or key in _NON_TEXT_SPLIT_MIMES):
            data[key] = value.splitlines(True)


def _strip_transient(nb: Dict[str, Any]) -> None:
    meta = nb.get("metadata") or {}
    for key in ("orig_nbformat", "orig_nbformat_minor", "signature"):
        meta.pop(key, None)
    for cell in nb.get("cells", []):
        (cell.get("metadata") or {}).pop("trusted", None)


def reads(text: str) -> Dict[str, Any]:
    """An nbformat-4 notebook as plain dicts (older versions converted through nbformat)."""
    nb = json.loads(text)
    if not isinstance(nb, dict) or not isinstance(nb.get("cells", []), list):
        raise ValueError("not a notebook (no cells list)")
    if nb.get("nbformat") != 4:
        import nbformat  # converting v1-v3 is rare: pay for nbformat only then

        return reads(nbformat.writes(nbformat.reads(text, as_version=4)))
    nb.setdefault("metadata", {})
    for cell in nb["cells"]:
        if not isinstance(cell, dict):
            raise ValueError("a cell is not an object")
        cell.setdefault("metadata", {})
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])
        for att in (cell.get("attachments") or {}).values():
            _rejoin_bundle(att)
        if cell.get("cell_type") == "code":
            for out in cell.get("outputs", []):
                kind = out.get("output_type", "")
                if kind in ("execute_result", "display_data"):
                    _rejoin_bundle(out.get("data", {}))
                elif kind and isinstance(out.get("text", ""), list):
                    out["text"] = "".join(out["text"])
    _strip_transient(nb)
    return nb


def writes(nb: Dict[str, Any]) -> str:
    nb = copy.deepcopy(nb)
    for cell in nb.get("cells", []):
        if isinstance(cell.get("source"), str):
            cell["source"] = cell["source"].splitlines(True)
        for att in (cell.get("attachments") or {}).values():
            _split_bundle(att)
        if cell.get("cell_type") == "code":
            for out in cell.get("outputs", []):
                if out.get("output_type") in ("execute_result", "display_data"):
                    _split_bundle(out.get("data", {}))
                elif out.get("output_type") == "stream" and isinstance(out.get("text"), str):
                    out["text"] = out["text"].splitlines(True)
    _strip_transient(nb)
    return json.dumps(nb, indent=1, sort_keys=True, separators=(",", ": "), ensure_ascii=False)


def new_output(output_type: str, **fields: Any) -> Dict[str, Any]:
    """nbformat.v4.new_output: display_data/execute_result always carry data and metadata."""
    out: Dict[str, Any] = {"output_type": output_type}
    if output_type in ("display_data", "execute_result"):
        out["metadata"] = {}
        out["data"] = {}
    if output_type == "execute_result":
        out["execution_count"] = None
    out.update(fields)
    return out


def output_from_msg(msg: Dict[str, Any]) -> Dict[str, Any]:
    """nbformat.v4.output_from_msg, for the message kinds the engine produces."""
    kind, c = msg["msg_type"], msg["content"]
    if kind == "execute_result":
        return new_output(kind, metadata=c["metadata"], data=c["data"], execution_count=c["execution_count"])
    if kind == "stream":
        return new_output(kind, name=c["name"], text=c["text"])
    if kind == "display_data":
        return new_output(kind, metadata=c["metadata"], data=c["data"])
    if kind == "error":
        return new_output(kind, ename=c["ename"], evalue=c["evalue"], traceback=c["traceback"])
    raise ValueError(f"unhandled message {kind}")
