"""Preloading a runtime's heavy libraries into an idle warm kernel.

A warm container may wait minutes for its run; a standard-runtime notebook's first cell usually
imports pandas and matplotlib (seconds). ``NBRUNNER_PRELOAD`` (comma-separated modules, set in the
standard image) names what to import, silently, once the runner has been idle for ``IDLE_SECONDS``
after READY: a cold run's input arrives within milliseconds of READY and never waits for it. The
import is one silent execution the kernel runs before the notebook's cells (shell requests are
handled in order); its outputs and reply carry their own message id, which nbclient ignores.
"""

from __future__ import annotations

import os
import re
from typing import List

IDLE_SECONDS = 1.0
_MODULE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def modules() -> List[str]:
    return [m for m in (x.strip() for x in os.environ.get("NBRUNNER_PRELOAD", "").split(",")) if _MODULE.match(m)]


def code(mods: List[str]) -> str:
    # Each import on its own, so one missing library does not stop the others; nothing stays in the namespace.
    lines = [f"try:\n    import {m}\nexcept Exception:\n    pass" for m in mods]
    names = sorted({m.split(".")[0] for m in mods})
    return "\n".join(lines) + f"\nfor _n in {names!r}:\n    globals().pop(_n, None)\ndel _n"


def start(kc, mods: List[str]) -> None:
    """Sends the imports to the kernel without waiting for them."""
    if mods:
        kc.execute(code(mods), silent=True, store_history=False, allow_stdin=False, stop_on_error=False)
