"""Launch the python3 kernel as early as possible.

Only jupyter_client is imported here (not nbformat/nbclient/nbconvert), so the
kernel process starts booting ~0.2 s after the interpreter starts; the heavy
imports in :mod:`nbrunner.execute` then run while the kernel boots.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Optional

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager

KERNEL_NAME = "python3"
KERNELSPEC_METADATA = {
    "name": "python3",
    "display_name": "Python 3 (ipykernel)",
    "language": "python",
}


class SpecManager(KernelSpecManager):
    """Resolve "python3" without searching the kernel dirs.

    The stock lookup imports IPython and ipykernel (and debugpy) into *this*
    process only to locate the built-in kernelspec (~0.5 s). The kernel is
    ``python3 -m nbrunner.kernel`` (ipykernel without debugpy).
    """

    def get_kernel_spec(self, kernel_name):
        if kernel_name == KERNEL_NAME:
            return KernelSpec(
                argv=[sys.executable, "-m", "nbrunner.kernel", "-f", "{connection_file}"],
                display_name=KERNELSPEC_METADATA["display_name"],
                language="python",
                interrupt_mode="signal",
                metadata={"debugger": False},
                resource_dir="",
            )
        return super().get_kernel_spec(kernel_name)


async def launch_kernel(cwd: str, stdout_fd: Optional[int] = None) -> AsyncKernelManager:
    """Start the kernel process (does not wait for it to answer)."""
    km = AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=SpecManager())
    os.makedirs(cwd, exist_ok=True)
    kwargs = {}
    if stdout_fd is not None:
        kwargs["stdout"] = stdout_fd
    await km.start_kernel(
        extra_arguments=[
            # what nbclient would add: no sqlite history file
            "--HistoryManager.hist_file=:memory:",
            # the kernel's own log (not cell output) goes to our stderr; keep it quiet
            "--IPKernelApp.log_level=ERROR",
        ],
        cwd=cwd,
        **kwargs,
    )
    return km


def kill_kernel(km: Optional[AsyncKernelManager]) -> None:
    """Kill the kernel right away (SIGKILL to its process group) and reap it."""
    if km is None:
        return
    prov = getattr(km, "provisioner", None)
    proc = getattr(prov, "process", None) if prov is not None else None
    if proc is not None and proc.poll() is None:
        pgid = getattr(prov, "pgid", None)
        try:
            if pgid:
                os.killpg(pgid, signal.SIGKILL)
            else:
                proc.kill()
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=2)
        except Exception:
            pass
    try:
        km.cleanup_connection_file()
    except Exception:
        pass
