"""Output files: what the notebook wrote under the working folder, kept within limits.

After the last cell, every regular file under the working folder (``/work``) except the runner's own
``input/`` and ``output/`` is a candidate, in path order; files are kept while the total stays within
``maxBytes`` and the count within ``maxCount``, the others are dropped (and named). Kept files are
hard-linked (copied if that fails) to ``output/files/<relative path>`` for the host to copy out.
Symbolic links and other non-regular files are ignored, so nothing outside the folder is reachable.
"""

from __future__ import annotations

import os
import shutil
from typing import Any, Dict, List

RESERVED = {"input", "output"}


def collect(workdir: str, max_bytes: int, max_count: int) -> Dict[str, List[Dict[str, Any]]]:
    found = []
    for root, dirs, files in os.walk(workdir, followlinks=False):
        rel_root = os.path.relpath(root, workdir)
        if rel_root == ".":
            dirs[:] = [d for d in dirs if d not in RESERVED]
        for name in files:
            path = os.path.join(root, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if not os.path.isfile(path) or os.path.islink(path):
                continue
            rel = os.path.normpath(os.path.join(rel_root, name)).replace(os.sep, "/")
            found.append((rel, st.st_size, path))
    found.sort()
    kept: List[Dict[str, Any]] = []
    dropped: List[Dict[str, Any]] = []
    total = 0
    dest_root = os.path.join(workdir, "output", "files")
    for rel, size, path in found:
        if len(kept) >= max_count or total + size > max_bytes:
            dropped.append({"name": rel, "size": size})
            continue
        dest = os.path.join(dest_root, rel)
        try:
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            if os.path.lexists(dest):
                os.remove(dest)
            try:
                os.link(path, dest)
            except OSError:
                shutil.copyfile(path, dest)
        except OSError:
            dropped.append({"name": rel, "size": size})
            continue
        total += size
        kept.append({"name": rel, "size": size})
    return {"kept": kept, "dropped": dropped}
