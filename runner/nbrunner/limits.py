"""A per-run cap on what the notebook's cells output (stream text, display data, results).

Why: a notebook printing without bound would grow the runner's memory, the worker's and the stored
run without bound. Once the cap is reached, later outputs are dropped and one visible note (a stderr
stream output) says so, in the notebook and therefore in the snapshot.
"""
import json
from typing import Any, Callable, Dict, Optional

DEFAULT_LIMIT = 10 * 1024 * 1024


def limit_from_spec(raw: Dict[str, Any]) -> int:
    """`outputLimitBytes` of the spec (an integer > 0), else the default."""
    v = raw.get("outputLimitBytes") if isinstance(raw, dict) else None
    if isinstance(v, int) and not isinstance(v, bool) and v > 0:
        return v
    return DEFAULT_LIMIT


def note(limit: int) -> str:
    return (f"\n[output truncated: this run's output reached its limit of {limit} bytes "
            f"({limit / 1048576:.1f} MiB, the site property maxRunOutputBytes); later output was dropped]\n")


class OutputLimit:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self.truncated = False

    def install(self, client, new_output: Optional[Callable[..., Any]] = None) -> None:
        """Wraps nbclient's `output` (called once per output message) on this client."""
        if new_output is None:
            import nbformat  # not at module level: the unit tests run with the standard library only

            new_output = nbformat.v4.new_output
        original = client.output

        def output(outs, msg, display_id, cell_index) -> Optional[Any]:
            if self.truncated:
                return None
            size = _size(msg.get("content") or {})
            if self.used + size > self.limit:
                self.truncated = True
                outs.append(new_output("stream", name="stderr", text=note(self.limit)))
                return None
            self.used += size
            return original(outs, msg, display_id, cell_index)

        client.output = output


def _size(content: Dict[str, Any]) -> int:
    text = content.get("text")
    if isinstance(text, str):
        return len(text.encode("utf-8", "replace"))
    try:
        return len(json.dumps(content, ensure_ascii=False).encode("utf-8", "replace"))
    except (TypeError, ValueError):
        return 0
