"""The submission's side: runs the notebook, then answers the grader's requests.

This process is untrusted: whatever it sends back is treated as a claim, never as a
verdict. It runs inside the sandbox (``utils.instructor.grading.sandbox``), reads request frames on
stdin and writes reply frames on the descriptor that was stdout when it started; the
notebook's own prints go to /dev/null.

Requests (dicts): ``run`` (the notebook's code cells), ``get`` (a global by name), ``call``,
``getattr``, ``getitem``, ``len`` (on an object it holds) and ``kit`` (a
``utils.testkit`` driver). Replies: ``{"ok": value}`` or ``{"error": [type, message]}``;
while cells run it also sends ``{"cell": index}`` and ``{"cell_error": [index, type, text]}``.
"""

from __future__ import annotations

import os
import signal
import sys

from . import wire

MAX_REFS = 100_000


class _Timeout(BaseException):
    """Raised in the notebook's code when a cell or a request runs past its time."""


def _on_alarm(signum, frame):
    signal.setitimer(signal.ITIMER_REAL, 1.0)  # again, if the code swallowed it
    raise _Timeout()


def _arm(seconds):
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, max(0.01, float(seconds)))


def _disarm():
    signal.setitimer(signal.ITIMER_REAL, 0)


class Worker:
    def __init__(self, out_fd: int):
        self.out_fd = out_fd
        self.refs: dict[int, object] = {}
        self.ref_of: dict[int, int] = {}  # id(object) -> its number: the same object keeps one number
        self.shell = None

    # ---- plain data in and out
    def send(self, value):
        try:
            frame = wire.encode(value, self._to_ref)
        except (wire.WireError, RecursionError, ValueError, TypeError, MemoryError) as e:
            frame = wire.encode({"error": ["ValueError", f"the result cannot be sent: {e}"[:300]]}, self._to_ref)
        view = memoryview(frame)
        while view:
            view = view[os.write(self.out_fd, view):]

    def _to_ref(self, obj):
        known = self.ref_of.get(id(obj))
        if known is not None and self.refs[known] is obj:
            return wire.Ref(known)
        if len(self.refs) >= MAX_REFS:
            raise wire.WireError("too many objects held for the grader")
        n = len(self.refs)
        self.refs[n], self.ref_of[id(obj)] = obj, n  # held here, so its id stays its own
        return wire.Ref(n)

    def _from_ref(self, i):
        if i not in self.refs:
            raise wire.WireError(f"no object number {i}")
        return self.refs[i]

    def _rebuild(self, name, args):
        from utils import testkit
        return testkit.rebuild(name, args)

    # ---- requests
    def run_cells(self, req):
        from IPython.core.interactiveshell import InteractiveShell
        from traitlets.config import Config

        for name, text in req.get("files", {}).items():  # the public tests, for grader.check
            path = os.path.join("tests", os.path.basename(name))
            os.makedirs("tests", exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
        cfg = Config()
        cfg.HistoryManager.enabled = False
        self.shell = InteractiveShell.instance(config=cfg)
        self.shell.set_custom_exc((MemoryError,), _free_memory)
        for i, src in enumerate(req["cells"]):
            self.send({"cell": i})
            err = None
            try:
                _arm(req["cell_timeout"])
                result = self.shell.run_cell(src, store_history=False)
                err = result.error_before_exec or result.error_in_exec
            except _Timeout as e:
                err = e
            finally:
                _disarm()
            if err is not None:
                kind = "Timeout" if isinstance(err, _Timeout) else type(err).__name__
                self.send({"cell_error": [i, kind, _text(err)]})
                err.__traceback__ = None
                self.shell.last_execution_result = None
                sys.last_type = sys.last_value = sys.last_traceback = None
        return len(req["cells"])

    def handle(self, req):
        op = req.get("op")
        if op == "run":
            return self.run_cells(req)
        if op == "get":
            ns = self.shell.user_ns if self.shell else {}
            if req["name"] not in ns:
                raise NameError(f"the notebook does not define {req['name']!r}")
            return ns[req["name"]]
        target = req.get("target")  # already the object: the decoder resolved its number
        if op == "call":
            return target(*req["args"], **req["kwargs"])
        if op == "getattr":
            return getattr(target, req["name"])
        if op == "getitem":
            return target[req["key"]]
        if op == "len":
            return len(target)
        if op == "kit":
            from utils import testkit
            fn = getattr(testkit, req["name"]).__wrapped__
            return fn(*req["args"], **req["kwargs"])
        raise ValueError(f"unknown request {op!r}")

    def serve(self, stream):
        while True:
            try:
                frame = wire.read_frame(stream)
            except EOFError:
                return
            req = wire.decode(frame, self._from_ref, self._rebuild)
            reply = None
            while reply is None:
                try:
                    reply = self.answer(req)
                except _Timeout:  # the alarm re-armed by _on_alarm went off in the answer's own handler
                    _disarm()
                    reply = TIMED_OUT
            self.send(reply)

    def answer(self, req) -> dict:
        """The reply to one request; whatever the notebook's code does, never raises (but _Timeout)."""
        try:
            if req.get("op") != "run":
                _arm(req.get("timeout", 60))
            value = self.handle(req)
            _disarm()
            return {"ok": value}
        except _Timeout:
            _disarm()
            return TIMED_OUT
        except BaseException as e:  # noqa: BLE001 (the notebook's code may raise anything)
            _disarm()
            e.__traceback__ = None
            return {"error": [type(e).__name__, _text(e)]}


TIMED_OUT = {"error": ["TimeoutError", "stopped: it ran past the time limit for one test"]}


def _text(e: BaseException) -> str:
    """str(e), even when the notebook's exception class breaks __str__."""
    try:
        text = str(e)
        return text[:300] if type(text) is str else "(no message)"
    except _Timeout:
        raise
    except BaseException:  # noqa: BLE001
        return "(its message could not be read)"


def _free_memory(shell, etype, value, tb, tb_offset=None):
    """After a MemoryError in a cell, drop the failing frames so the rest can still run."""
    while tb is not None:
        try:
            tb.tb_frame.clear()
        except RuntimeError:
            pass
        tb = tb.tb_next
    value.__traceback__ = value.__context__ = value.__cause__ = None
    import gc
    gc.collect()


def main() -> int:
    home = os.environ.get("HOME", ".")
    os.makedirs(home, exist_ok=True)
    os.chdir(home)
    out_fd = os.dup(1)
    diagnostics = os.dup(2)  # the grader reads it: the notebook's output goes to /dev/null instead
    os.set_inheritable(diagnostics, False)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.set_inheritable(out_fd, False)
    sys.stdout = open(os.devnull, "w")
    sys.stderr = open(os.devnull, "w")
    stdin = os.fdopen(os.dup(0), "rb", buffering=0)
    os.dup2(devnull, 0)
    worker = Worker(out_fd)  # (MPLBACKEND=Agg is in the environment: no window, no import here)
    worker.send({"ready": os.getpid()})
    try:
        worker.serve(stdin)
    except BaseException:  # a failure of the worker itself: tell the grader why, on the old stderr
        import traceback
        text = traceback.format_exc()
        summary = f"grading worker failed: {text.strip().splitlines()[-1]}\n"  # last: the grader keeps the tail
        os.write(diagnostics, (text[-1500:] + summary).encode(errors="replace"))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
