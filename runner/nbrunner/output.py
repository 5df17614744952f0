"""What both engines write at the end of a run (standard library only, so the in-process engine stays light):
result.json (last, atomically), the OUTPUT line in stdin mode, the DONE line. See runner/README.md."""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any, Dict, List, Optional

from . import outfiles

EXIT_CODES = {"succeeded": 0, "failed": 1, "error": 2, "timeout": 3}


def log(msg: str) -> None:
    sys.stderr.write(f"[nbrunner] {msg}\n")
    sys.stderr.flush()


def stdout_line(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def now_ms() -> int:
    return int(time.time() * 1000)


def write_atomically(path: str, data: bytes) -> None:
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def emit(*, workdir: str, output_dir: str, stdin_mode: bool, status: str, error: Optional[Dict[str, Any]],
         message: str, notes: List[str], started_at: Optional[int], timings: Dict[str, Any],
         output_files_limits: Optional[Dict[str, int]], nb_text: Optional[str], html: Optional[str],
         summary: str = "") -> int:
    """Writes result.json, prints OUTPUT (stdin mode) and DONE; returns the exit code. `notes` are appended to the
    message; `summary` is added to the stderr line."""
    if notes:
        message = f"{message} ({'; '.join(notes)})"
    result: Dict[str, Any] = {"status": status, "error": error, "message": message,
                              "startedAt": started_at, "finishedAt": now_ms(), "timings": timings}
    if output_files_limits is not None:
        try:
            lim = output_files_limits
            result["outputFiles"] = outfiles.collect(workdir, lim["maxBytes"], lim["maxCount"])
        except Exception as e:
            log(f"collecting output files failed: {e!r}")
    try:
        write_atomically(os.path.join(output_dir, "result.json"),
                         json.dumps(result, ensure_ascii=False, indent=2).encode("utf-8"))
    except Exception as e:
        log(f"writing result.json failed: {e}")
    log(f"{status}: {message} timings={json.dumps(timings)}{summary}")
    if stdin_mode:
        # One line (json.dumps escapes newlines); the host needs no copy out of the container.
        stdout_line("NBRUNNER OUTPUT " + json.dumps({"result": result, "notebook": nb_text, "snapshot": html},
                                                    ensure_ascii=True))
    stdout_line(f"NBRUNNER DONE {status}")
    return EXIT_CODES[status]
