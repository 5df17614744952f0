"""The runner: warm kernel -> wait for input -> inject -> execute -> export.

See runner/README.md for the contract with the host. Import this module only
after the kernel was launched (nbrunner.kernel_boot): the imports below
(nbformat, nbclient, and nbconvert unless NBRUNNER_SNAPSHOT=none) take ~1 s
and run while the kernel boots.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
import time
import traceback
from typing import Any, Dict, List, Optional, Tuple

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from . import inject as inj
from . import inputs
from . import limits
from . import output
from . import preload
from . import ready
from .relay import Relay
from .progress import Progress
from .kernel_boot import KERNEL_NAME, KERNELSPEC_METADATA, kill_kernel


_ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_DEBUG = os.environ.get("NBRUNNER_DEBUG", "") not in ("", "0")
_T0 = time.monotonic()  # replaced by the process start time in run()


# NBRUNNER_SNAPSHOT=none (the worker renders the snapshot itself, beside the container): nbconvert is
# never imported nor warmed here (~300 ms of CPU per run). The spec's "snapshot" says what one run gets;
# this only says what to prepare before READY, because the spec arrives after it.
_PREPARE_SNAPSHOT = os.environ.get("NBRUNNER_SNAPSHOT", "runner") != "none"


def _prewarm_validators() -> None:
    from nbformat.validator import get_validator

    # Light mode: only the current minor (nearly every input); an older one compiles when a notebook needs it.
    first = 0 if _PREPARE_SNAPSHOT else nbformat.v4.nbformat_minor
    for minor in range(first, nbformat.v4.nbformat_minor + 1):
        try:
            get_validator(4, minor)
        except Exception:
            pass


def _debug(msg: str) -> None:
    if _DEBUG:
        sys.stderr.write(f"[nbrunner +{(time.monotonic() - _T0) * 1000:.0f}ms] {msg}\n")
        sys.stderr.flush()


_log, _stdout_line, _now_ms, _atomic_write = output.log, output.stdout_line, output.now_ms, output.write_atomically


def _strip_ansi(s: str) -> str:
    return _ANSI_RE.sub("", s)


def _err(ename: str, evalue: str, cell_index: Optional[int] = None,
         tb: Optional[List[str]] = None) -> Dict[str, Any]:
    return {"ename": ename, "evalue": evalue, "traceback": tb or [], "cellIndex": cell_index}


Outcome = Tuple[str, Optional[Dict[str, Any]], str]  # status, error, message


class Runner:
    def __init__(self, workdir: str, km: Optional[AsyncKernelManager], t_start: float) -> None:
        self.workdir = workdir
        self.input_dir = os.path.join(workdir, "input")
        self.output_dir = os.path.join(workdir, "output")
        self.go_path = os.path.join(self.input_dir, ".go")
        self.poll_interval = float(os.environ.get("NBRUNNER_POLL_SECONDS", "0.005"))
        # Stdin mode (NBRUNNER_INPUT=stdin): the host sends the input as one JSON line on stdin
        # and reads the outputs back from one OUTPUT line on stdout. Why: Docker's archive API
        # costs ~80-150 ms to put the input in and ~90-130 ms to copy the output out (each call
        # forks a chrooted tar helper); an attached stdin/stdout costs a few ms. The files are
        # still written, so the file contract holds in both modes.
        self.stdin_mode = os.environ.get("NBRUNNER_INPUT", "") == "stdin"
        self.stdin_input: Optional[asyncio.Future] = None
        # The portal relay (relay.py): started for runs whose spec asks for it (stdin mode only).
        self.relay = Relay(_stdout_line)
        # Limits of the output files to keep (spec.outputFiles); None: none are collected.
        self.output_files_limits: Optional[Dict[str, int]] = None
        self.km = km
        self.t_start = t_start
        self.client: Optional[NotebookClient] = None
        # The spec's "snapshot": "runner" renders snapshot.html here, "none" leaves it to the host.
        self.snapshot = "runner"
        self.language_info: Optional[Dict[str, Any]] = None
        self.started_at: Optional[int] = None
        self.timings: Dict[str, Optional[int]] = {
            "kernelReadyMs": None,
            "inputSeenMs": None,
            "executeMs": None,
            "exportMs": None,
        }

    # ------------------------------------------------------------------ start-up

    async def warm_up(self) -> None:
        """Everything before READY: warm the exporter while the kernel boots,
        connect to the kernel, then warm the kernel itself."""
        assert self.km is not None
        if _PREPARE_SNAPSHOT:
            from . import html_export

            html_export.warm()
            _debug("exporter warm")

        self.client = NotebookClient(
            nbformat.v4.new_notebook(),  # placeholder until the input arrives
            km=self.km,
            kernel_name=KERNEL_NAME,
            timeout=None,
            interrupt_on_timeout=False,
            allow_errors=False,
            record_timing=True,
            startup_timeout=60,
            iopub_timeout=4,
        )
        # nbformat compiles one JSON schema per nbformat minor version (~30 ms
        # each) on first use; do the older minors in a thread while we wait
        # for the kernel, so reading a v4.0-4.4 notebook is fast too.
        prewarm = asyncio.get_running_loop().run_in_executor(None, _prewarm_validators)
        # Not nbclient's async_start_new_kernel_client: its wait_for_ready idles 200 ms (ready.py).
        kc = self.client.kc = self.km.client()
        kc.start_channels()
        reply = await ready.wait_for_ready(kc, self.km, timeout=60)
        kc.allow_stdin = False
        self.language_info = reply["content"].get("language_info")
        _debug("kernel answered")
        await prewarm
        _debug("validators warm")
        # Warm IPython's execution and traceback machinery so the first cell
        # (and a first error) do not pay for lazy imports. Silent and outside
        # the history, so the first notebook cell still gets execution_count 1.
        await self.run_silent("pass", timeout=30)
        await self.run_silent("raise ValueError('nbrunner warm-up')", timeout=30)
        await self.run_silent(
            "import sys as _s; _s.last_type = _s.last_value = _s.last_traceback = None; del _s",
            timeout=30,
        )

    async def run_silent(self, code: str, timeout: float) -> Dict[str, Any]:
        """Run code in the kernel outside the notebook (silent, no history)."""
        assert self.client is not None and self.client.kc is not None
        kc = self.client.kc
        msg_id = kc.execute(
            code, silent=True, store_history=False, allow_stdin=False, stop_on_error=False
        )
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("timed out waiting for the kernel")
            msg = await kc.get_shell_msg(timeout=remaining)
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                return msg["content"]

    def kill_kernel(self) -> None:
        try:
            kill_kernel(self.km)
        except Exception as e:  # never let cleanup hide the real result
            _log(f"kernel kill failed: {e!r}")

    # ------------------------------------------------------------------ main

    async def main(self, launch_error: Optional[BaseException]) -> int:
        loop = asyncio.get_running_loop()
        if self.stdin_mode:
            self.stdin_input = inputs.start_stdin_reader(self.relay.on_reply)
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(sig, self._on_signal, sig)
            except (NotImplementedError, RuntimeError):
                pass

        try:
            if launch_error is not None:
                raise launch_error
            await self.warm_up()
        except Exception as e:
            _log("kernel start-up failed:\n" + traceback.format_exc())
            self.kill_kernel()
            self.started_at = _now_ms()
            return self.finish(None, "error", _err(type(e).__name__, f"kernel start-up failed: {e}"),
                               f"kernel start-up failed: {e}")

        t_ready = time.monotonic()
        self.timings["kernelReadyMs"] = int((t_ready - self.t_start) * 1000)
        _debug("kernel warm")
        _stdout_line("NBRUNNER READY")

        await self.wait_for_input()
        t_go = time.monotonic()
        self.started_at = _now_ms()
        self.timings["inputSeenMs"] = int((t_go - t_ready) * 1000)
        _debug("input seen")

        try:
            nb, spec = self.load_input()
            _debug("input loaded")
        except Exception as e:
            msg = str(e) if isinstance(e, (ValueError, OSError)) else repr(e)
            self.timings["executeMs"] = int((time.monotonic() - t_go) * 1000)
            return self.finish(self._read_notebook_best_effort(), "error",
                               _err(type(e).__name__, msg), f"invalid input: {msg}")

        status, error, message = await self.execute(nb, spec)
        self.timings["executeMs"] = int((time.monotonic() - t_go) * 1000)
        _debug("executed")
        return self.finish(nb, status, error, message)

    def _on_signal(self, sig: int) -> None:
        _log(f"received signal {sig}, exiting")
        self.kill_kernel()
        sys.stdout.flush()
        os._exit(128 + sig)

    async def wait_for_input(self) -> None:
        # An idle (warm) runner imports the runtime's heavy libraries meanwhile (preload.py).
        mods = preload.modules()

        def on_idle() -> None:
            if mods:
                preload.start(self.client.kc, mods)
                _debug(f"preloading {mods}")

        await inputs.wait_for_input(self.input_dir, self.stdin_input, self.poll_interval,
                                    preload.IDLE_SECONDS, on_idle, _log)

    def _read_notebook_best_effort(self):
        """The input notebook as-is (outputs cleared, nothing injected), or None."""
        try:
            with open(os.path.join(self.input_dir, "notebook.ipynb"), "rb") as f:
                nb = nbformat.reads(f.read().decode("utf-8"), as_version=4)
            self._clear_outputs(nb)
            return nb
        except Exception:
            return None

    @staticmethod
    def _clear_outputs(nb) -> None:
        for cell in nb.cells:
            if cell.get("cell_type") == "code":
                cell["outputs"] = []
                cell["execution_count"] = None

    def load_input(self):
        spec_path = os.path.join(self.input_dir, "spec.json")
        nb_path = os.path.join(self.input_dir, "notebook.ipynb")
        try:
            with open(spec_path, "rb") as f:
                raw = json.loads(f.read().decode("utf-8"))
        except FileNotFoundError:
            raise inj.SpecError("input/spec.json is missing") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise inj.SpecError(f"spec.json is not valid JSON: {e}") from None
        # Before the checks: a bad spec still gets its snapshot where it asked for it.
        self.snapshot = "none" if isinstance(raw, dict) and raw.get("snapshot") == "none" else "runner"
        spec = inj.parse_spec(raw)
        spec["outputLimitBytes"] = limits.limit_from_spec(raw)

        try:
            with open(nb_path, "rb") as f:
                text = f.read().decode("utf-8")
            nb = nbformat.reads(text, as_version=4)
        except FileNotFoundError:
            raise inj.SpecError("input/notebook.ipynb is missing") from None
        except Exception as e:
            raise inj.SpecError(f"notebook.ipynb is not a readable notebook: {e}") from None

        # A fresh run: drop stale outputs that the input notebook may carry.
        self._clear_outputs(nb)

        inj.inject(nb, spec["parameters"], spec["webhookPayload"])
        nb = nbformat.from_dict(nb)  # injected plain dicts -> NotebookNode
        # Record what actually ran it, as nbclient's whole-notebook execute() does.
        if self.language_info:
            nb.metadata["language_info"] = nbformat.from_dict(self.language_info)
        if not nb.metadata.get("kernelspec"):
            nb.metadata["kernelspec"] = nbformat.from_dict(KERNELSPEC_METADATA)
        return nb, spec

    # ------------------------------------------------------------------ execute

    async def execute(self, nb, spec) -> Outcome:
        client = self.client
        assert client is not None
        client.nb = nb
        limits.OutputLimit(spec["outputLimitBytes"]).install(client)
        timeout_s = spec["timeoutSeconds"]
        deadline = time.monotonic() + timeout_s
        self.output_files_limits = spec.get("outputFiles")

        def remaining() -> float:
            return deadline - time.monotonic()

        if spec.get("relay") and self.stdin_mode:
            # The portal, reachable from the notebook through the relay on the container's loopback.
            await self.relay.start()
            spec["env"] = {**(spec["env"] or {}), "NBA_PORTAL_URL": self.relay.url + "/sharing/rest"}

        if spec["env"]:
            try:
                reply = await self.run_silent(inj.env_code(spec["env"]), timeout=max(1.0, remaining()))
            except Exception as e:
                return ("error", _err(type(e).__name__, f"could not set env: {e}"),
                        f"could not set environment variables in the kernel: {e}")
            if reply.get("status") != "ok":
                ev = f"{reply.get('ename')}: {reply.get('evalue')}"
                return ("error", _err("EnvError", ev),
                        f"could not set environment variables in the kernel: {ev}")

        # Per-cell timeout = time left of the overall deadline. nbclient treats
        # 0/None as "no timeout", so never hand it a value <= 0.
        client.timeout_func = lambda cell: max(remaining(), 0.001)
        progress = Progress(nb, _stdout_line)
        progress.attach(client)

        executed = 0
        for index, cell in enumerate(nb.cells):
            if cell.get("cell_type") != "code":
                continue
            if remaining() <= 0:
                return self._timeout(nb, index, timeout_s, started=False)
            progress.start(index)
            ok = False
            try:
                await asyncio.wait_for(
                    client.async_execute_cell(cell, index),
                    timeout=remaining() + 2.0,  # safety net; nbclient times out first
                )
                ok = True
                executed += 1
                _debug(f"cell {index} done")
            except (CellTimeoutError, asyncio.TimeoutError):
                return self._timeout(nb, index, timeout_s, started=True)
            except CellExecutionError as e:
                err = self._error_from_cell(cell, index, e)
                return ("failed", err, f"cell {index} raised {err['ename']}: {err['evalue']}")
            except DeadKernelError as e:
                return ("failed", _err("DeadKernelError", str(e) or "Kernel died", index),
                        f"the kernel died while executing cell {index}")
            finally:
                progress.end(index, ok)

        return ("succeeded", None, f"executed {executed} code cell(s) successfully")

    def _timeout(self, nb, index: int, timeout_s: float, started: bool) -> Outcome:
        where = f"while executing cell {index}" if started else f"before cell {index}"
        evalue = f"notebook exceeded timeoutSeconds={timeout_s:g} ({where})"
        if started:
            # Make the timeout visible in the executed notebook and the snapshot.
            nb.cells[index].setdefault("outputs", []).append(
                nbformat.v4.new_output("error", ename="TimeoutError", evalue=evalue,
                                       traceback=[f"TimeoutError: {evalue}"])
            )
        return ("timeout", _err("TimeoutError", evalue, index), evalue)

    @staticmethod
    def _error_from_cell(cell, index: int, exc: CellExecutionError) -> Dict[str, Any]:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return _err(out.get("ename", ""), out.get("evalue", ""), index,
                            [_strip_ansi(t) for t in out.get("traceback", [])])
        tb = _strip_ansi(str(getattr(exc, "traceback", "") or "")).splitlines()
        return _err(getattr(exc, "ename", "") or "CellExecutionError",
                    getattr(exc, "evalue", "") or str(exc), index, tb)

    # ------------------------------------------------------------------ output

    def cpu_ms(self) -> Dict[str, Optional[int]]:
        """CPU used so far by this process and by the kernel process (for bench/README.md's breakdown)."""
        import resource

        ru = resource.getrusage(resource.RUSAGE_SELF)
        out: Dict[str, Optional[int]] = {"runnerMs": int((ru.ru_utime + ru.ru_stime) * 1000), "kernelMs": None}
        try:
            pid = self.km.provisioner.process.pid
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            out["kernelMs"] = int((int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK"))
        except Exception:
            pass
        return out

    def render_snapshot(self, nb, notes: List[str]) -> Optional[str]:
        """snapshot.html, unless the spec leaves it to the host ("snapshot": "none"): then None."""
        if self.snapshot == "none":
            return None
        from . import html_export  # imported before READY unless NBRUNNER_SNAPSHOT=none

        html, note = html_export.render(nb)
        if note:
            notes.append(note)
            _log(note)
        try:
            _atomic_write(os.path.join(self.output_dir, "snapshot.html"), html.encode("utf-8"))
        except Exception as e:
            notes.append(f"writing snapshot.html failed: {e}")
        return html

    def finish(self, nb, status: str, error: Optional[Dict[str, Any]], message: str) -> int:
        """Write notebook.ipynb + snapshot.html (if there is a notebook), then
        result.json (last, atomically), print the DONE line, return the exit code."""
        t0 = time.monotonic()
        self.relay.close()
        notes = []
        try:
            os.makedirs(self.output_dir, exist_ok=True)
        except OSError as e:
            _log(f"cannot create {self.output_dir}: {e}")
        nb_text = None
        if nb is not None:
            try:
                nb_text = nbformat.writes(nb)
                _atomic_write(os.path.join(self.output_dir, "notebook.ipynb"), nb_text.encode("utf-8"))
            except Exception as e:
                notes.append(f"writing notebook.ipynb failed: {e}")
                _log(traceback.format_exc())
            html = self.render_snapshot(nb, notes)
        else:
            html = None
        self.timings["exportMs"] = int((time.monotonic() - t0) * 1000)
        return output.emit(workdir=self.workdir, output_dir=self.output_dir, stdin_mode=self.stdin_mode, status=status,
                           error=error, message=message, notes=notes, started_at=self.started_at,
                           timings=self.timings, output_files_limits=self.output_files_limits, nb_text=nb_text,
                           html=html, summary=f" cpu={json.dumps(self.cpu_ms())}")


async def _amain(workdir: str, km: Optional[AsyncKernelManager],
                 launch_error: Optional[BaseException], t_start: float) -> int:
    runner = Runner(workdir, km, t_start)
    try:
        return await runner.main(launch_error)
    except Exception:
        _log("internal error:\n" + traceback.format_exc())
        try:
            return runner.finish(None, "error", _err("InternalError", "nbrunner crashed"),
                                 "nbrunner internal error")
        except Exception:
            return 2
    finally:
        runner.kill_kernel()


def set_start_time(t_start: float) -> None:
    global _T0
    _T0 = t_start
