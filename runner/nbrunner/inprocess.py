"""The in-process engine (``NBRUNNER_ENGINE=inprocess``): one Python process instead of runner + kernel.

The runner process (PID 1) imports IPython, builds and warms the shell (shell_child.py) and prints
READY; nothing else is imported (no zmq, jupyter_client, nbclient, nbconvert, nbformat). On input it
injects the cells, then **forks** a child that executes them and sends each output and cell event
over a pipe. The runner keeps the executed notebook (recorder.py, nbclient's rules), prints progress,
serves the portal relay, enforces the deadline by killing the child's process group, sees a crash as
the child's exit without its last event (DeadKernelError, as nbclient reports a dead kernel), and
writes the outputs. Why fork: the child starts warm for free (copy-on-write), and a notebook that
segfaults, calls ``os._exit`` or is OOM-killed cannot take the result with it. Modules named in
``NBRUNNER_PRELOAD`` are imported in the runner while idle, so the child inherits them.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import threading
import time
import traceback
from types import SimpleNamespace
from typing import Any, Dict, Optional, Tuple

from . import inject as inj
from . import inputs, limits, nbjson, output, plan, preload
from .progress import Progress
from .relay import Relay

_DEBUG = os.environ.get("NBRUNNER_DEBUG", "") not in ("", "0")
_log, _stdout_line, _now_ms, _write_atomically = output.log, output.stdout_line, output.now_ms, output.write_atomically


class Engine:
    def __init__(self, workdir: str, t_start: float) -> None:
        self.workdir = workdir
        self.t_start = t_start
        self.input_dir = os.path.join(workdir, "input")
        self.output_dir = os.path.join(workdir, "output")
        self.stdin_mode = os.environ.get("NBRUNNER_INPUT", "") == "stdin"
        self.poll_interval = float(os.environ.get("NBRUNNER_POLL_SECONDS", "0.005"))
        self.relay = Relay(_stdout_line)
        self.shell = None
        self.child: Optional[int] = None
        self.started_at: Optional[int] = None
        self.snapshot = "runner"
        self.output_files_limits: Optional[Dict[str, int]] = None
        self.timings: Dict[str, Optional[int]] = {"kernelReadyMs": None, "inputSeenMs": None,
                                                  "executeMs": None, "exportMs": None}

    def debug(self, msg: str) -> None:
        if _DEBUG:
            _log(f"+{(time.monotonic() - self.t_start) * 1000:.0f}ms {msg}")

    def kill_child(self, pid: Optional[int] = None) -> None:
        """SIGKILL to the child's process group: what the notebook started dies with it, as with a kernel."""
        pid = pid or self.child
        if pid is not None:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    # ------------------------------------------------------------------ main

    def main(self) -> int:
        os.makedirs(self.workdir, exist_ok=True)
        os.chdir(self.workdir)
        if sys.path and sys.path[0] in ("", os.getcwd()):
            del sys.path[0]
        # As IPython's kernel app (InteractiveShellApp.init_path): the working folder is importable,
        # after the standard library.
        at = next((i for i, p in enumerate(sys.path) if os.path.basename(p) in ("site-packages", "dist-packages")), 0)
        sys.path.insert(at, "")
        try:
            from . import shell_child

            self.shell = shell_child.build()
            shell_child.warm(self.shell)
        except Exception as e:
            _log("shell start-up failed:\n" + traceback.format_exc())
            self.started_at = _now_ms()
            return self.finish(None, "error", plan.err(type(e).__name__, f"kernel start-up failed: {e}"),
                               f"kernel start-up failed: {e}")
        t_ready = time.monotonic()
        self.timings["kernelReadyMs"] = int((t_ready - self.t_start) * 1000)
        _stdout_line("NBRUNNER READY")
        return asyncio.run(self.run(t_ready))

    async def run(self, t_ready: float) -> int:
        stdin_line = inputs.start_stdin_reader(self.relay.on_reply) if self.stdin_mode else None
        await inputs.wait_for_input(self.input_dir, stdin_line, self.poll_interval, preload.IDLE_SECONDS,
                                    self.on_idle, _log)
        t_go = time.monotonic()
        self.started_at = _now_ms()
        self.timings["inputSeenMs"] = int((t_go - t_ready) * 1000)
        self.debug("input seen")
        try:
            nb, spec = self.load_input()
        except Exception as e:
            msg = str(e) if isinstance(e, (ValueError, OSError)) else repr(e)
            self.timings["executeMs"] = int((time.monotonic() - t_go) * 1000)
            return self.finish(self.read_notebook_as_is(), "error", plan.err(type(e).__name__, msg),
                               f"invalid input: {msg}")
        status, error, message = await self.execute(nb, spec)
        self.timings["executeMs"] = int((time.monotonic() - t_go) * 1000)
        self.debug("executed")
        return self.finish(nb, status, error, message)

    # ------------------------------------------------------------------ input

    def on_idle(self) -> None:
        """A warm container: what a cold run pays only when it needs it, done now, in this process,
        before the fork (the child starts with it done)."""
        from .shell_child import warm_tracebacks

        warm_tracebacks(self.shell)
        mods = preload.modules()
        if mods:
            self.debug(f"preloading {mods}")
            self.shell.run_cell(preload.code(mods), store_history=False, silent=True)

    @staticmethod
    def clear_outputs(nb: Dict[str, Any]) -> None:
        for cell in nb["cells"]:
            if cell.get("cell_type") == "code":
                cell["outputs"] = []
                cell["execution_count"] = None

    def read_notebook_as_is(self) -> Optional[Dict[str, Any]]:
        try:
            with open(os.path.join(self.input_dir, "notebook.ipynb"), "rb") as f:
                nb = nbjson.reads(f.read().decode("utf-8"))
            self.clear_outputs(nb)
            return nb
        except Exception:
            return None

    def load_input(self):
        try:
            with open(os.path.join(self.input_dir, "spec.json"), "rb") as f:
                raw = json.loads(f.read().decode("utf-8"))
        except FileNotFoundError:
            raise inj.SpecError("input/spec.json is missing") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise inj.SpecError(f"spec.json is not valid JSON: {e}") from None
        spec = inj.parse_spec(raw)
        spec["outputLimitBytes"] = limits.limit_from_spec(raw)
        self.snapshot = plan.snapshot_mode(raw)
        try:
            with open(os.path.join(self.input_dir, "notebook.ipynb"), "rb") as f:
                nb = nbjson.reads(f.read().decode("utf-8"))
        except FileNotFoundError:
            raise inj.SpecError("input/notebook.ipynb is missing") from None
        except Exception as e:
            raise inj.SpecError(f"notebook.ipynb is not a readable notebook: {e}") from None
        self.clear_outputs(nb)  # a fresh run
        inj.inject(nb, spec["parameters"], spec["webhookPayload"])
        # What ran it, as nbclient's whole-notebook execute() records.
        from .shell_child import LANGUAGE_INFO

        nb["metadata"]["language_info"] = json.loads(json.dumps(LANGUAGE_INFO))
        if not nb["metadata"].get("kernelspec"):
            nb["metadata"]["kernelspec"] = dict(plan.KERNELSPEC_METADATA)
        return nb, spec

    # ------------------------------------------------------------------ execute

    async def execute(self, nb: Dict[str, Any], spec: Dict[str, Any]) -> plan.Outcome:
        from .recorder import Recorder
        from . import shell_child

        timeout_s = spec["timeoutSeconds"]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        self.output_files_limits = spec.get("outputFiles")
        env = dict(spec["env"] or {})
        if spec.get("relay") and self.stdin_mode:
            # The portal, reachable from the notebook through the relay on the container's loopback.
            await self.relay.start()
            env["NBA_PORTAL_URL"] = self.relay.url + "/sharing/rest"

        rec = Recorder(nb)
        limits.OutputLimit(spec["outputLimitBytes"]).install(rec, new_output=nbjson.new_output)
        progress = Progress(SimpleNamespace(cells=nb["cells"]), _stdout_line)
        progress.attach(rec)

        r, w = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child
            try:
                os.close(r)
                shell_child.run(self.shell, nb, env, w, plan.executes, plan.allows_error)
            finally:
                os._exit(70)
        self.child = pid
        os.close(w)
        if self.snapshot == "runner":
            # Rendered after the run; the exporter's imports and warm-up overlap the cells (after the
            # fork: the child must not inherit a thread in the middle of an import).
            threading.Thread(target=self._warm_exporter, name="nbrunner-export-warm", daemon=True).start()
        self.debug(f"child {pid} forked")

        state = SimpleNamespace(active=None, next=None, done=False, failed=None, executed=0, buf=b"")
        done_seen = loop.create_future()
        code_cells = plan.code_cells(nb)
        state.next = code_cells[0] if code_cells else None

        def on_event(ev: Dict[str, Any]) -> None:
            kind, index = ev["msg_type"], ev["cell"]
            if kind == "cell_start":  # every code cell, also the blank and skipped ones
                state.active = index
                progress.start(index)
            elif kind == "cell_end":
                ok = ev["content"]["ok"]
                progress.end(index, ok)
                state.executed += ok  # counted as the kernel engine counts: every code cell passed
                state.active = None
                later = [i for i in code_cells if i > index]
                state.next = later[0] if later else None
            elif kind == "done":
                state.done = True
                if not done_seen.done():
                    done_seen.set_result(None)
            elif index is not None and index == state.active:
                if kind == "busy":
                    rec.start_cell(index)
                rec.process(index, ev)
                if kind == "execute_reply":
                    if ev["content"]["status"] == "error" and not plan.allows_error(nb["cells"][index]):
                        state.failed = index

        def on_readable() -> None:
            while True:
                try:
                    data = os.read(r, 1 << 20)
                except (BlockingIOError, InterruptedError):
                    return
                if not data:  # the child and all it forked are gone
                    loop.remove_reader(r)
                    return
                lines = (state.buf + data).split(b"\n")
                state.buf = lines.pop()
                for line in lines:
                    try:
                        on_event(json.loads(line.decode("utf-8", "surrogateescape")))
                    except Exception:
                        _log("bad event from the notebook process:\n" + traceback.format_exc())

        os.set_blocking(r, False)
        loop.add_reader(r, on_readable)
        # The child's exit, seen even if something it forked still holds the pipe open.
        exited = loop.run_in_executor(None, os.waitpid, pid, 0)
        # The child's last event is `done`, then it exits: the run's outcome is known then, and tearing down its
        # memory need not be waited for (it is killed with what it left running, below).
        await asyncio.wait([exited, done_seen], timeout=max(deadline - loop.time(), 0.001),
                           return_when=asyncio.FIRST_COMPLETED)
        timed_out = not exited.done() and not done_seen.done()
        if timed_out:
            self.kill_child()
        status = (await exited)[1] if not done_seen.done() else 0
        self.child = None
        self.kill_child(pid)  # what it left running
        on_readable()  # whatever it sent before it ended is in the pipe
        loop.remove_reader(r)
        os.close(r)

        if state.done:  # all cells ran, even if the deadline came while it was exiting
            if state.failed is not None:
                return self.error_outcome(nb, state.failed)
            return ("succeeded", None, f"executed {state.executed} code cell(s) successfully")
        index = state.active if state.active is not None else state.next
        if index is None:
            index = code_cells[-1] if code_cells else 0
        if state.active is not None:
            progress.end(state.active, False)
        if timed_out:
            outcome = plan.timeout_outcome(timeout_s, index, started=state.active is not None)
            if state.active is not None:
                nb["cells"][index].setdefault("outputs", []).append(plan.timeout_output(outcome[2]))
            return outcome
        _log(f"the notebook's process ended with status {status:#x}")
        return plan.dead_outcome(index)

    @staticmethod
    def error_outcome(nb: Dict[str, Any], index: int) -> plan.Outcome:
        for out in nb["cells"][index].get("outputs", []):
            if out.get("output_type") == "error":
                e = plan.err(out.get("ename", ""), out.get("evalue", ""), index,
                             [plan.strip_ansi(t) for t in out.get("traceback", [])])
                return ("failed", e, f"cell {index} raised {e['ename']}: {e['evalue']}")
        e = plan.err("CellExecutionError", "the cell raised an error", index)
        return ("failed", e, f"cell {index} raised {e['ename']}: {e['evalue']}")

    # ------------------------------------------------------------------ output

    _exporter_warm = False
    _exporter_lock = threading.Lock()

    def _warm_exporter(self) -> None:
        """Imports and warms nbconvert (html_export.py) once; called in a thread while the cells run."""
        with self._exporter_lock:
            if not Engine._exporter_warm:
                try:
                    from . import html_export

                    html_export.warm()
                    Engine._exporter_warm = True
                except Exception:
                    _log("warming the HTML exporter failed:\n" + traceback.format_exc())

    def render_snapshot(self, nb: Dict[str, Any]) -> Tuple[str, Optional[str]]:
        """(html, None), or the plain snapshot and why nbconvert failed."""
        self._warm_exporter()
        from . import html_export

        return html_export.render(_as_node(nb))

    def finish(self, nb: Optional[Dict[str, Any]], status: str, error: Optional[Dict[str, Any]], message: str) -> int:
        """notebook.ipynb, then snapshot.html unless spec.snapshot is "none", then result.json (last,
        atomically); the OUTPUT line in stdin mode, the DONE line; returns the exit code."""
        t0 = time.monotonic()
        self.relay.close()
        notes = []
        try:
            os.makedirs(self.output_dir, exist_ok=True)
        except OSError as e:
            _log(f"cannot create {self.output_dir}: {e}")
        nb_text, html = None, None
        if nb is not None:
            try:
                nb_text = nbjson.writes(nb)
                _write_atomically(os.path.join(self.output_dir, "notebook.ipynb"), nb_text.encode("utf-8"))
            except Exception as e:
                notes.append(f"writing notebook.ipynb failed: {e}")
                _log(traceback.format_exc())
            if self.snapshot == "runner":
                try:
                    html, note = self.render_snapshot(nb)
                except Exception as e:  # nbconvert not importable: the worker renders a plain one
                    html, note = None, f"HTML export failed: {e}"
                    _log(traceback.format_exc())
                if note:
                    notes.append(note)
                try:
                    _write_atomically(os.path.join(self.output_dir, "snapshot.html"), html.encode("utf-8"))
                except Exception as e:
                    notes.append(f"writing snapshot.html failed: {e}")
        self.timings["exportMs"] = int((time.monotonic() - t0) * 1000)
        return output.emit(workdir=self.workdir, output_dir=self.output_dir, stdin_mode=self.stdin_mode, status=status,
                           error=error, message=message, notes=notes, started_at=self.started_at,
                           timings=self.timings, output_files_limits=self.output_files_limits, nb_text=nb_text,
                           html=html)


def _as_node(nb: Dict[str, Any]):
    import nbformat

    return nbformat.from_dict(nb)


_ENGINE: Optional[Engine] = None


def _on_signal(signum, frame) -> None:  # pragma: no cover - exercised by `docker stop`
    if _ENGINE is not None:
        _ENGINE.kill_child()
    os._exit(128 + signum)


def main(t_start: float) -> int:
    global _ENGINE
    workdir = os.environ.get("NBRUNNER_WORKDIR", "/work")
    _ENGINE = engine = Engine(workdir, t_start)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _on_signal)
    try:
        return engine.main()
    except Exception:
        _log("internal error:\n" + traceback.format_exc())
        try:
            return engine.finish(None, "error", plan.err("InternalError", "nbrunner crashed"), "nbrunner internal error")
        except Exception:
            return 2
    finally:
        engine.kill_child()
