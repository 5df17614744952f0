"""Kernel launcher used by nbrunner: ``python3 -m nbrunner.kernel -f CONNECTION_FILE``.

Same as ``python3 -m ipykernel_launcher`` except that ipykernel is started
without debugpy (the Jupyter debugger is useless for headless runs and
importing it costs ~200 ms of kernel start-up). ``import debugpy`` still works
from notebook code afterwards.
"""

import os
import sys


def main() -> None:
    # Like ipykernel_launcher: drop the script/cwd entry while loading;
    # IPython's InteractiveShellApp.init_path() adds '' back for user code.
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    blocked = "debugpy" not in sys.modules
    if blocked:
        sys.modules["debugpy"] = None  # type: ignore[assignment]  # -> ImportError
    try:
        from ipykernel import kernelapp as app
    finally:
        if blocked and sys.modules.get("debugpy", 0) is None:
            del sys.modules["debugpy"]
    app.launch_new_instance()


if __name__ == "__main__":
    main()
