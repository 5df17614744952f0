"""Container entrypoint: ``python3 -m nbrunner`` (no arguments).

``NBRUNNER_ENGINE`` picks the engine: ``inprocess`` (default; one process, IPython's shell, the
cells in a forked child: nbrunner/inprocess.py) or ``kernel`` (the runner + an ipykernel process
driven by nbclient, below; the baseline and fallback).

Order matters for the kernel engine for start-up latency:
  1. import jupyter_client only and launch the kernel process (kernel_boot);
  2. import nbformat/nbclient/nbconvert and warm the HTML exporter while the
     kernel boots in its own process (execute);
  3. connect, warm the kernel, print "NBRUNNER READY", wait for input/.go.
"""

import time

_T_START = time.monotonic()

import asyncio  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402

_KM = None  # the kernel manager, once launched


def _early_signal(signum, frame):  # pragma: no cover - exercised by `docker stop`
    # As PID 1 we would otherwise ignore SIGTERM until the runner installs its
    # own handler (after start-up), and `docker stop` would wait 10 s.
    if _KM is not None:
        from .kernel_boot import kill_kernel

        kill_kernel(_KM)
    os._exit(128 + signum)


signal.signal(signal.SIGTERM, _early_signal)
signal.signal(signal.SIGINT, _early_signal)


def _log(msg: str) -> None:
    sys.stderr.write(f"[nbrunner] {msg}\n")
    sys.stderr.flush()


async def _main(workdir: str) -> int:
    from .kernel_boot import launch_kernel

    global _KM
    km, launch_error = None, None
    try:
        # The kernel's own stdout goes to our stderr: our stdout carries only
        # the READY / DONE lines.
        km = _KM = await launch_kernel(workdir, stdout_fd=sys.stderr.fileno())
    except Exception as e:  # reported through result.json by the runner
        launch_error = e

    from . import execute

    execute.set_start_time(_T_START)
    execute._debug("kernel process launched, heavy imports done")
    return await execute._amain(workdir, km, launch_error, _T_START)


def main() -> None:
    workdir = os.environ.get("NBRUNNER_WORKDIR", "/work")
    code = 2
    try:
        if os.environ.get("NBRUNNER_ENGINE", "inprocess") == "kernel":
            code = asyncio.run(_main(workdir))
        else:
            from . import inprocess

            code = inprocess.main(_T_START)
    except BaseException as e:  # pragma: no cover - last resort
        _log(f"fatal: {e!r}")
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter teardown (zmq contexts, atexit hooks): exit immediately.
    os._exit(code)


if __name__ == "__main__":
    main()
