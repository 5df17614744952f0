"""What the in-process engine runs and how a run ends: nbclient's cell rules, without nbclient.

Standard library only (unit-tested on the host).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

from .inject import SpecError, cell_tags

SNAPSHOT_MODES = ("runner", "none")

# What nbclient's whole-notebook run records when the notebook has no kernelspec (kernel_boot.py's).
KERNELSPEC_METADATA = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}

_ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")

Outcome = Tuple[str, Optional[Dict[str, Any]], str]  # status, error, message


def snapshot_mode(raw: Any) -> str:
    """spec.snapshot: "runner" (default: snapshot.html rendered in the container) or "none"."""
    v = raw.get("snapshot") if isinstance(raw, dict) else None
    if v is None:
        return "runner"
    if v not in SNAPSHOT_MODES:
        raise SpecError(f"snapshot must be one of {', '.join(SNAPSHOT_MODES)}")
    return v


def executes(cell: Dict[str, Any]) -> bool:
    """nbclient runs a code cell unless its source is blank or it is tagged skip-execution."""
    return (cell.get("cell_type") == "code" and bool(str(cell.get("source", "")).strip())
            and "skip-execution" not in cell_tags(cell))


def allows_error(cell: Dict[str, Any]) -> bool:
    return "raises-exception" in cell_tags(cell)


def code_cells(nb: Dict[str, Any]) -> List[int]:
    return [i for i, c in enumerate(nb["cells"]) if c.get("cell_type") == "code"]


def err(ename: str, evalue: str, cell_index: Optional[int] = None,
        tb: Optional[List[str]] = None) -> Dict[str, Any]:
    return {"ename": ename, "evalue": evalue, "traceback": tb or [], "cellIndex": cell_index}


def timeout_outcome(timeout_s: float, index: int, started: bool) -> Outcome:
    where = f"while executing cell {index}" if started else f"before cell {index}"
    evalue = f"notebook exceeded timeoutSeconds={timeout_s:g} ({where})"
    return ("timeout", err("TimeoutError", evalue, index), evalue)


def timeout_output(evalue: str) -> Dict[str, Any]:
    """The error output the timed-out cell gets, so the snapshot shows it."""
    return {"output_type": "error", "ename": "TimeoutError", "evalue": evalue, "traceback": [f"TimeoutError: {evalue}"]}


def dead_outcome(index: int) -> Outcome:
    return ("failed", err("DeadKernelError", "Kernel died", index), f"the kernel died while executing cell {index}")


def strip_ansi(s: str) -> str:
    return _ANSI_RE.sub("", s)
