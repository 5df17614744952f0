"""``python3 -m nbrunner.manifest``: the libraries in this image, as JSON on stdout.

Run by the worker in a throw-away container (no network) so that a runtime's manifest is read from
the image itself, never typed by hand; works for images built on top of ours (e.g. `pip install arcgis`).
"""

import json
import platform
import sys
from importlib import metadata


def manifest() -> dict:
    seen = {}
    for dist in metadata.distributions():
        name = dist.metadata.get("Name")
        if name and name.lower() not in seen:
            seen[name.lower()] = {"name": name, "version": dist.version}
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "libraries": sorted(seen.values(), key=lambda d: d["name"].lower()),
    }


if __name__ == "__main__":
    sys.stdout.write(json.dumps(manifest(), ensure_ascii=True) + "\n")
