"""The grader's side of one submission: a sandboxed process, and proxies for its objects.

``Session`` starts the worker (``utils.instructor.grading.worker``) in a sandbox, sends it requests
and waits for replies with a deadline, decoding every reply as plain data
(``utils.instructor.grading.wire``). ``Remote`` stands for an object that stays in the submission's
process: calling it, reading an attribute, indexing it or taking its length becomes a
request. Attribute names starting with an underscore are refused here, so NumPy's and
torch's conversion hooks (``__array__``, ``__array_interface__``...) never reach the
submission: a test that mixes a Remote with arrays simply fails.

A submission's process that dies, stops answering in time or sends anything that is not
plain data ends the session: every later request raises ``SessionEnded``, which is a
``BaseException`` so that no ``except Exception`` in a test can swallow it.
"""

from __future__ import annotations

import builtins
import os
import queue
import select
import subprocess
import threading
import time

from . import sandbox, wire

# Exceptions raised by the student's code come back as the same built-in type (so that a
# test can expect a ValueError); any other type arrives as StudentError.
PASSED_THROUGH = {n: getattr(builtins, n) for n in (
    "ValueError", "TypeError", "IndexError", "KeyError", "AttributeError", "RuntimeError", "NameError",
    "NotImplementedError", "ZeroDivisionError", "ArithmeticError", "OverflowError", "LookupError",
    "AssertionError", "MemoryError", "TimeoutError", "RecursionError", "FloatingPointError")}


class StudentError(Exception):
    """The student's code raised an exception of a type that is not passed through."""


class SessionEnded(BaseException):
    """The submission's process is gone: ``reason`` is one of timeout, crashed, protocol, memory."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


class Remote:
    """An object in the submission's process."""

    __slots__ = ("_session", "_id", "_label")

    def __init__(self, session, id_, label):
        self._session, self._id, self._label = session, id_, label

    def __call__(self, *args, **kwargs):
        return self._session.request({"op": "call", "target": self, "args": args, "kwargs": kwargs},
                                     f"{self._label}(...)")

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self._session.request({"op": "getattr", "target": self, "name": name}, f"{self._label}.{name}")

    def __getitem__(self, key):
        return self._session.request({"op": "getitem", "target": self, "key": key}, f"{self._label}[...]")

    def __len__(self):
        n = self._session.request({"op": "len", "target": self}, f"len({self._label})")
        if type(n) is not int or n < 0:
            raise TypeError(f"len({self._label}) is not a length")
        return n

    def __repr__(self):
        return f"<the notebook's {self._label}>"


def from_submission(exc: BaseException) -> bool:
    """Was this exception raised by the student's code (rather than by a test's check)?"""
    return getattr(exc, "_from_submission", False) is True


class Session:
    def __init__(self, limits: sandbox.Limits, unsafe: bool = False, python: str | None = None):
        import sys
        argv = [python or sys.executable, "-m", "utils.instructor.grading.worker"]
        cmd, env, preexec = sandbox.command(argv, limits, unsafe)
        self.proc = subprocess.Popen(cmd, env=env or None, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, preexec_fn=preexec, close_fds=True)
        self.ended: SessionEnded | None = None
        self._killed = False
        self.deadline = time.monotonic() + 3600.0  # set by the caller: this session's hard limit
        self.case_deadline = float("inf")  # set per test case by the caller
        self.stderr_tail = b""
        self._replies: queue.Queue = queue.Queue()
        self._in_fd = self.proc.stdin.fileno()
        os.set_blocking(self._in_fd, False)
        threading.Thread(target=self._read_replies, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        self.cell_events: list = []

    # ---- the pipes
    def _read_replies(self):
        stream = self.proc.stdout
        try:
            while True:
                frame = wire.read_frame(stream)
                self._replies.put(("frame", frame))
        except EOFError:
            self._replies.put(("eof", None))
        except (wire.WireError, OSError, ValueError) as e:
            self._replies.put(("bad", str(e)))

    def _read_stderr(self):
        for chunk in iter(lambda: self.proc.stderr.read(4096), b""):
            self.stderr_tail = (self.stderr_tail + chunk)[-4096:]

    def _write(self, data: bytes, until: float):
        view = memoryview(data)
        while view:
            left = until - time.monotonic()
            if left <= 0:
                self.end("timeout", "the notebook's process stopped reading")
            _, ready, _ = select.select([], [self._in_fd], [], left)
            if ready:
                try:
                    view = view[os.write(self._in_fd, view):]
                except (BrokenPipeError, OSError):
                    self.end("crashed", "the notebook's process ended")

    def end(self, reason: str, detail: str):
        """Stop the submission's process (and everything in its sandbox) for good."""
        if self.ended is None:
            self.ended = SessionEnded(reason, detail)
            self.kill()
        raise self.ended

    def _last_words(self) -> str:
        """What the sandbox or the worker itself wrote on stderr before ending (the notebook's own
        output goes to /dev/null), for the instructor's message."""
        time.sleep(0.1)  # the stderr thread reads to the end of the pipe
        text = " ".join(self.stderr_tail.decode(errors="replace").split())[-300:]
        return f": {text}" if text else ""

    def kill(self):
        if not self._killed:  # once: after the wait the process group's number may be reused
            self._killed = True
            try:
                os.killpg(self.proc.pid, 9)
            except OSError:
                pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass

    # ---- requests
    def _encode_arg(self, obj):
        if isinstance(obj, Remote) and obj._session is self:
            return wire.Ref(obj._id)
        raise TypeError(f"{type(obj).__name__} objects cannot be sent to the notebook")

    def receive(self, until: float, label: str):
        """The next frame from the submission, decoded."""
        try:
            kind, payload = self._replies.get(timeout=max(0.0, until - time.monotonic()))
        except queue.Empty:
            self.end("timeout", f"no answer in time ({label})")
        if kind == "eof":
            try:
                code = self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                code = None
            self.end("crashed", f"the notebook's process ended ({_exit_text(code)}) during {label}"
                     + self._last_words())
        if kind == "bad":
            self.end("protocol", f"the notebook's process sent a malformed reply ({payload[:100]})")
        try:
            return wire.decode(payload, lambda i: Remote(self, i, f"object #{i}"))
        except wire.WireError as e:
            self.end("protocol", f"the notebook's process sent something that is not plain data ({e})")

    def request(self, msg: dict, label: str):
        if self.ended is not None:
            raise self.ended
        timeout = min(self.case_deadline, self.deadline) - time.monotonic()
        msg = dict(msg, timeout=max(0.01, timeout))
        try:
            frame = wire.encode(msg, self._encode_arg)
        except wire.WireError as e:
            raise ValueError(f"the test's data cannot be sent: {e}") from None
        until = time.monotonic() + timeout + 2.0  # a grace second or two for the cooperative stop
        self._write(frame, until)
        reply = self.receive(until, label)
        if type(reply) is not dict or len(reply) != 1:
            self.end("protocol", "the notebook's process answered out of turn")
        if "ok" in reply:
            value = reply["ok"]
            if isinstance(value, Remote):
                value._label = label
            return value
        err = reply.get("error")
        if type(err) is not list or len(err) != 2 or not all(type(x) is str for x in err):
            self.end("protocol", "the notebook's process sent a malformed error")
        kind, text = err[0][:80], err[1][:300]
        exc = PASSED_THROUGH[kind](text) if kind in PASSED_THROUGH else StudentError(f"{kind}: {text}")
        exc._from_submission = True
        raise exc

    def run_notebook(self, cells: list[str], files: dict, cell_timeout: float) -> int:
        """Run the code cells; returns how many ran. Cell errors go to ``cell_events``."""
        try:
            hello = self.receive(self.deadline, "start-up")
        except SessionEnded as e:  # before any student code ran: stderr is the sandbox's own
            if e.reason != "crashed":  # (a crash's message carries it already)
                e.detail += self._last_words()
            raise
        if type(hello) is not dict or "ready" not in hello:
            self.end("protocol", "the notebook's process did not start properly")
        self._write(wire.encode({"op": "run", "cells": cells, "files": files, "cell_timeout": cell_timeout},
                                self._encode_arg), self.deadline)
        while True:
            msg = self.receive(self.deadline + 2.0, "the notebook's cells")
            if type(msg) is dict and "cell" in msg and type(msg["cell"]) is int:
                self.cell_events.append(("cell", msg["cell"]))
            elif type(msg) is dict and "cell_error" in msg and _is_cell_error(msg["cell_error"]):
                self.cell_events.append(("error", *msg["cell_error"]))
            elif type(msg) is dict and "ok" in msg:
                return len([e for e in self.cell_events if e[0] == "cell"])
            else:
                self.end("protocol", "the notebook's process answered out of turn")

    def lookup(self, name: str):
        return self.request({"op": "get", "name": name}, name)

    def kit(self, name: str, args, kwargs):
        return self.request({"op": "kit", "name": name, "args": args, "kwargs": kwargs}, f"{name}(...)")

    def close(self):
        self.kill()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                stream.close()
            except OSError:
                pass


def _is_cell_error(x) -> bool:
    return type(x) is list and len(x) == 3 and type(x[0]) is int and type(x[1]) is str and type(x[2]) is str


def _exit_text(code) -> str:
    if code is None:
        return "still running"
    if code < 0:
        import signal
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"
