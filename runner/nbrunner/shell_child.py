"""The in-process engine's executing side: an IPython shell that behaves as ipykernel's does.

Built and warmed in the runner before READY (``build``, ``warm``); the cells then run in a forked child
(``run``) that sends every output and cell event to the runner over a pipe, as JSON lines shaped like
kernel messages (``nbrunner.recorder`` applies them as nbclient does). What ipykernel does and a plain
``InteractiveShell`` does not, reproduced here because notebook code sees it: stdout/stderr buffered
and sent at most every 0.2 s (flushed before any display, result or error), the process's file
descriptors 1 and 2 captured too (subprocesses, C code), display data / results / errors as messages,
``input()``/``getpass`` refused with StdinNotImplementedError, ipykernel's cell file names
(``/tmp/ipykernel_<pid>/<hash>.py``, seen in warnings), its environment (TERM, PAGER), no pager, and a
shell type and config that libraries recognise as a notebook kernel (pandas, tqdm).
"""

from __future__ import annotations

import builtins
import codecs
import datetime
import getpass
import io
import json
import math
import os
import platform
import select
import signal
import sys
import tempfile
import threading
from binascii import b2a_base64
from typing import Any, Callable, Dict, List, Optional

FLUSH_INTERVAL = 0.2  # ipykernel's OutStream.flush_interval

LANGUAGE_INFO = {
    "name": "python",
    "version": platform.python_version(),
    "mimetype": "text/x-python",
    "codemirror_mode": {"name": "ipython", "version": sys.version_info[0]},
    "pygments_lexer": f"ipython{sys.version_info[0]}",
    "nbconvert_exporter": "python",
    "file_extension": ".py",
}


def _utcnow() -> str:
    # nbclient's timestamp(): the message header's date, '%Y-%m-%dT%H:%M:%S.%fZ'
    return datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _json_default(obj: Any) -> Any:
    # jupyter_client's json_default
    import numbers

    if isinstance(obj, datetime.datetime):
        return obj.isoformat()
    if isinstance(obj, bytes):
        return b2a_base64(obj).decode("ascii")
    if isinstance(obj, numbers.Integral):
        return int(obj)
    if isinstance(obj, numbers.Real):
        return float(obj)
    raise TypeError(f"{obj!r} is not JSON serializable")


def _clean(obj: Any) -> Any:
    # jupyter_client's fallback when a message does not serialise (nan/inf as their repr, sets as lists)
    if isinstance(obj, float) and (math.isnan(obj) or math.isinf(obj)):
        return repr(obj)
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [_clean(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    return obj


class Channel:
    """Messages to the runner: one JSON line each, written whole under a lock (threads flush streams)."""

    def __init__(self, fd: Optional[int]) -> None:
        self.fd = fd
        self.cell: Optional[int] = None
        self.lock = threading.RLock()

    def send(self, msg_type: str, content: Dict[str, Any], cell: Optional[int] = None) -> None:
        if self.fd is None:
            return
        ev = {"cell": self.cell if cell is None else cell, "msg_type": msg_type, "content": content,
              "date": _utcnow()}
        try:
            line = json.dumps(ev, default=_json_default, allow_nan=False)
        except (TypeError, ValueError):
            line = json.dumps(_clean(ev), default=_json_default)
        data = (line + "\n").encode("utf-8", "surrogateescape")
        with self.lock:
            view = memoryview(data)
            while view:
                view = view[os.write(self.fd, view):]


class OutStream(io.TextIOBase):
    """ipykernel's OutStream: buffered, sent as one stream message at most FLUSH_INTERVAL after a write."""

    def __init__(self, name: str, chan: Channel, fileno: int) -> None:
        super().__init__()
        self.name = name
        self._chan = chan
        self._fileno = fileno
        self._buf: List[str] = []
        self._lock = threading.RLock()
        self._timer: Optional[threading.Timer] = None
        # Set by _capture_fd: hands over what is waiting in the descriptor's pipe, so that a subprocess's output
        # written before a flush is sent with it (in its own cell), not whenever the pump thread next runs.
        self.drain: Optional[Callable[[], None]] = None

    encoding = "UTF-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self._fileno

    def write(self, s: str) -> int:  # type: ignore[override]
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s)}")
        with self._lock:
            self._buf.append(s)
            if self._timer is None:
                self._timer = threading.Timer(FLUSH_INTERVAL, self.flush)
                self._timer.daemon = True
                self._timer.start()
        return len(s)

    def writelines(self, lines) -> None:  # type: ignore[override]
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if self.drain is not None:
            self.drain()
        with self._chan.lock:  # taken first: a timer's flush and the main thread's stay in order
            with self._lock:
                if self._timer is not None:
                    self._timer.cancel()
                    self._timer = None
                data, self._buf = "".join(self._buf), []
            if data:
                self._chan.send("stream", {"name": self.name, "text": data})


def _capture_fd(fd: int, stream: OutStream, echo_fd: int) -> None:
    """What ipykernel's watchfd does: writes to the descriptor itself (subprocesses, C code) become
    stream output, and are echoed to the container's stderr as the kernel's are."""
    r, w = os.pipe()
    os.dup2(w, fd)
    os.close(w)
    os.set_blocking(r, False)
    dec = codecs.getincrementaldecoder("utf-8")("replace")
    lock = threading.Lock()  # the pump and a flush's drain read in turn, so the text stays in order

    def read_available() -> bool:
        """Moves what the pipe holds now into the stream; False once the pipe is closed."""
        with lock:
            while True:
                try:
                    data = os.read(r, 65536)
                except BlockingIOError:
                    return True
                except OSError:
                    return False
                if not data:
                    return False
                text = dec.decode(data)
                if text:
                    stream.write(text)
                try:
                    os.write(echo_fd, data)
                except OSError:
                    pass

    def pump() -> None:
        while True:
            try:
                select.select([r], [], [])
            except (OSError, ValueError):
                return
            if not read_available():
                return

    def drain() -> None:
        read_available()

    stream.drain = drain
    threading.Thread(target=pump, name=f"nbrunner-fd{fd}", daemon=True).start()


def _defer_terminal_embed() -> None:
    """IPython's package imports ``IPython.terminal.embed`` (prompt_toolkit, ~25 ms) only to offer
    ``IPython.embed``, useless headless. A stand-in module imports the real one on first use, so
    notebook code that uses it (``from IPython.terminal.embed import ...``, ``IPython.embed()``) still works."""
    import importlib
    import types

    name = "IPython.terminal.embed"
    if name in sys.modules:
        return

    class Deferred(types.ModuleType):
        def real(self):
            if sys.modules.get(name) is self:
                del sys.modules[name]
            return importlib.import_module(name)

        def __getattr__(self, attr):
            if attr.startswith("__"):  # the import system probing (__path__, ...): not a use
                raise AttributeError(attr)
            return getattr(self.real(), attr)

    stand_in = Deferred(name)

    def embed(*args, **kwargs):
        return stand_in.real().embed(*args, **kwargs)

    embed.__module__ = name
    stand_in.embed = embed  # type: ignore[attr-defined]
    sys.modules[name] = stand_in


def build():
    """Imports IPython (without jedi, ~30 ms nobody uses headless) and builds the shell."""
    _defer_terminal_embed()
    blocked = "jedi" not in sys.modules
    if blocked:
        sys.modules["jedi"] = None  # type: ignore[assignment]  # -> ImportError: IPython completes without it
    try:
        return _build()  # the shell's completer is imported when it is built: keep jedi blocked till then
    finally:
        if blocked and sys.modules.get("jedi", 0) is None:
            del sys.modules["jedi"]  # `import jedi` in a notebook still works


def _build():
    from IPython.core.compilerop import CachingCompiler
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.error import StdinNotImplementedError
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    chan = Channel(None)

    class KernelCompiler(CachingCompiler):
        """ipykernel's XCachingCompiler: a cell's code is named /tmp/ipykernel_<pid>/<murmur2>.py."""

        def get_code_name(self, raw_code, transformed_code, number):
            name = os.environ.get("IPYKERNEL_CELL_NAME")
            if name is None:
                name = os.path.join(tempfile.gettempdir(), f"ipykernel_{os.getpid()}", f"{_murmur2(raw_code)}.py")
            return name

    class KernelDisplayHook(DisplayHook):
        """ipykernel's ZMQShellDisplayHook: the cell's result as an execute_result message."""

        def start_displayhook(self):
            self.msg = {"data": {}, "metadata": {}}

        def write_output_prompt(self):
            self.msg["execution_count"] = self.prompt_count

        def write_format_data(self, format_dict, md_dict=None):
            self.msg["data"] = format_dict
            self.msg["metadata"] = md_dict

        def finish_displayhook(self):
            sys.stdout.flush()
            sys.stderr.flush()
            if self.msg["data"]:
                chan.send("execute_result", self.msg)
            self.msg = None

    class KernelDisplayPublisher(DisplayPublisher):
        """ipykernel's ZMQDisplayPublisher: display_data / update_display_data / clear_output messages."""

        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
            sys.stdout.flush()
            sys.stderr.flush()
            self._validate_data(data, metadata)
            content = {"data": data, "metadata": metadata or {}, "transient": transient or {}}
            chan.send("update_display_data" if update else "display_data", content)

        def clear_output(self, wait=False):
            sys.stdout.flush()
            sys.stderr.flush()
            chan.send("clear_output", {"wait": wait})

    # Seen as a notebook kernel, as ipykernel's shell is: pandas checks for "zmq" in the type's name
    # (console.in_ipython_frontend) and for a `kernel` attribute (config_init.is_terminal), and then
    # formats frames 80 columns wide instead of for a terminal.
    class ZMQCompatibleShell(InteractiveShell):
        readline_use = False
        autoindent = False
        kernel = None
        _last_traceback = None

        def init_environment(self):
            # as ipykernel's shell: colour hints for `ls`, no interactive pagers in subprocesses
            os.environ.update({"TERM": "xterm-color", "CLICOLOR": "1", "PAGER": "cat", "GIT_PAGER": "cat"})
            # as ipykernel's app: matplotlib draws inline unless told otherwise; the kernel's parent
            if not os.environ.get("MPLBACKEND"):
                os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
            os.environ["JPY_PARENT_PID"] = str(os.getpid())

        def init_hooks(self):
            super().init_hooks()
            # ipykernel sends `obj?` help as a pager payload, which nbclient does not record
            self.set_hook("show_in_pager", lambda *a, **k: None, 99)

        def init_virtualenv(self):
            pass

        def run_cell(self, *args, **kwargs):
            self._last_traceback = None
            return super().run_cell(*args, **kwargs)

        def _showtraceback(self, etype, evalue, stb):
            sys.stdout.flush()
            sys.stderr.flush()
            chan.send("error", {"traceback": stb, "ename": str(etype.__name__), "evalue": str(evalue)})
            self._last_traceback = stb

    c = Config()
    c.HistoryManager.hist_file = ":memory:"  # as nbclient starts its kernels
    c.IPKernelApp.log_level = "ERROR"  # the config section a kernel has (tqdm.auto looks for it)
    shell = ZMQCompatibleShell.instance(
        config=c, compiler_class=KernelCompiler,
        displayhook_class=KernelDisplayHook, display_pub_class=KernelDisplayPublisher,
    )
    shell.displayhook.msg = None

    def no_raw_input(prompt=""):
        raise StdinNotImplementedError("raw_input was called, but this frontend does not support input requests.")

    def no_getpass(prompt="", stream=None):
        raise StdinNotImplementedError("getpass was called, but this frontend does not support input requests.")

    shell._nbr_chan = chan
    shell._nbr_no_input = (no_raw_input, no_getpass)
    return shell


def warm(shell) -> None:
    """Runs IPython's execution and display paths once, silently and outside the history (the first
    cell still gets count 1), so the first cell pays no lazy imports."""
    shell.run_cell("pass", store_history=False, silent=True)
    shell.display_formatter.format(1)


def warm_tracebacks(shell) -> None:
    """The first traceback's lazy work (stack_data, pygments' lexer and formatter: ~100 ms of CPU).
    Done while a warm container idles, not before READY: a cold run pays it only if a cell raises."""
    shell.run_cell("raise ValueError('nbrunner warm-up')", store_history=False, silent=True)
    sys.last_type = sys.last_value = sys.last_traceback = None
    shell._last_traceback = None


def run(shell, nb: Dict[str, Any], env: Optional[Dict[str, str]], events_fd: int,
        executes: Callable[[Dict[str, Any]], bool], allows_error: Callable[[Dict[str, Any]], bool]) -> None:
    """In the forked child: run the notebook's code cells one by one, then exit."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.setsid()  # its own process group: the runner kills it and whatever it started at once
    import asyncio

    asyncio.events._set_running_loop(None)  # the runner's loop is not this process's
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)  # stdin belongs to the runner (input and relay lines)
    os.close(devnull)
    sys.stdin = open(0, "r", closefd=False)
    chan = shell._nbr_chan
    chan.fd = events_fd
    echo = os.dup(2)
    sys.stdout = OutStream("stdout", chan, echo)
    sys.stderr = OutStream("stderr", chan, echo)
    _capture_fd(1, sys.stdout, echo)  # the runner's stdout is its channel: notebook code never writes there
    _capture_fd(2, sys.stderr, echo)
    if env:
        os.environ.update(env)
    no_raw_input, no_getpass = shell._nbr_no_input
    code = 0
    try:
        for index, cell in enumerate(nb["cells"]):
            if cell.get("cell_type") != "code":
                continue
            chan.send("cell_start", {}, index)
            if not executes(cell):
                chan.send("cell_end", {"ok": True}, index)
                continue
            chan.cell = index
            chan.send("busy", {})
            chan.send("execute_input", {"code": cell["source"], "execution_count": shell.execution_count})
            saved = builtins.input, getpass.getpass
            builtins.input, getpass.getpass = no_raw_input, no_getpass
            try:
                res = shell.run_cell(cell["source"], store_history=True, silent=False)
            finally:
                builtins.input, getpass.getpass = saved
            sys.stdout.flush()
            sys.stderr.flush()
            if res.success:
                reply = {"status": "ok", "execution_count": shell.execution_count - 1}
            else:
                e = res.error_before_exec or res.error_in_exec
                reply = {"status": "error", "execution_count": shell.execution_count - 1,
                         "traceback": shell._last_traceback or [], "ename": type(e).__name__, "evalue": str(e)}
            chan.send("execute_reply", reply)
            chan.send("idle", {})
            chan.cell = None
            stop = reply["status"] == "error" and not allows_error(cell)
            chan.send("cell_end", {"ok": not stop}, index)
            if stop:
                break
        chan.send("done", {})
    except BaseException:  # the engine itself broke: the runner reports the exit status
        code = 70
        import traceback

        os.write(echo, traceback.format_exc().encode("utf-8", "replace"))
    os._exit(code)


def _murmur2(data: str, seed: int = 0xC70F6907) -> int:
    """ipykernel.compiler.murmur2_x86 (the cell file names)."""
    m = 0x5BD1E995
    b = data.encode("utf8")
    length = len(b)
    h = seed ^ length
    end = length & 0xFFFFFFFC
    for i in range(0, end, 4):
        k = b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)
        k = (k * m) & 0xFFFFFFFF
        k ^= k >> 24
        k = (k * m) & 0xFFFFFFFF
        h = (h * m) & 0xFFFFFFFF
        h ^= k
    rest = length & 0x03
    k = 0
    if rest == 3:
        k = b[end + 2] << 16
    if rest in (2, 3):
        k |= b[end + 1] << 8
    if rest in (1, 2, 3):
        k |= b[end]
        h ^= k
        h = (h * m) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * m) & 0xFFFFFFFF
    h ^= h >> 15
    return h
