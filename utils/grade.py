"""Grade a folder of student submissions with a lab's hidden tests.

Usage::

    python -m utils.grade SUBMISSIONS_DIR --lab lab01_rnn_numpy --out results/
    python -m utils.grade SUBMISSIONS_DIR/alice.ipynb --lab lab01_rnn_numpy --out results/alice/

Writes ``OUT/grades.csv`` (one row per submission), ``OUT/feedback/STUDENT.txt`` (every
failed test and its message) and prints a summary. The instructor chapter
(``book/instructor.md``) explains the statuses and the design; in short:

* The tests (public and hidden) come from the lab's otter autograder zip, built from
  ``labsolutions/`` when missing or stale. They are read once, into memory, before any
  submission runs: a submission that rewrites test files on disk changes nothing.
* One *zygote* process imports numpy, torch, IPython, otter and whatever the lab and its
  tests import, compiles the tests, and takes a fingerprint of the numerical libraries and
  the grading code (every function, class and method object, with its code object).
  Every submission then runs in a child forked from the zygote (no import cost): its own
  session and process group, a fresh temporary working directory, ``LAB_FAST=1``, an
  address-space limit (``RLIMIT_AS``), a wall-clock limit (the whole process group is
  killed), and per-cell and per-test time limits.
* The child runs the notebook's code cells in an in-process IPython shell (magics work,
  errors do not stop the run, like ``otter run``), then runs each question's test cases
  against the notebook's globals. Before and after every question it compares the
  fingerprint: if the submission replaced ``numpy.allclose``, ``numpy.testing``,
  ``torch.allclose``, a builtin or anything in the grader, that question (and every later
  one while the change persists) scores 0 and the status is ``tampered``. Test parameters
  that name modules (``np``, ``torch``...) always receive the pristine module objects.
* Results travel to the zygote on a private pipe, tagged with a per-submission secret;
  nothing is read back from the submission's directory. The zygote is a child subreaper:
  processes a submission leaves behind (even ones that called ``setsid``) are killed.
  ``grades.csv`` and the feedback files are written by this process at the end.

Statuses: ok, tampered, memory, timeout, crashed, not-a-notebook, wrong-lab.
``GRADE_DEBUG=1`` prints each submission's event timeline (cells, errors, questions) to stderr.
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .release import ROOT, generate_autograder, lab_names

STATUSES = ("ok", "tampered", "memory", "timeout", "crashed", "not-a-notebook", "wrong-lab")
MAX_SUBMISSION_BYTES = 200 * 2**20  # a notebook larger than this is refused unread
UID_BASE = 61000  # when grading as root, running submissions get uids UID_BASE, UID_BASE + 1, ...

# Modules every zygote imports before fingerprinting (the lab's own imports are added).
BASE_PRELOAD = ["numpy", "numpy.testing", "numpy.linalg", "numpy.random", "math", "IPython",
                "otter", "otter.test_files", "matplotlib", "utils.gradcheck", "utils.config"]
# Top-level packages whose functions and classes are fingerprinted.
GUARDED = {"builtins", "math", "cmath", "operator", "functools", "numpy", "torch", "otter",
           "utils", "inspect", "sklearn", "scipy"}
# Test parameters with these names always receive the pristine module.
MODULE_ALIASES = {"np": "numpy", "numpy": "numpy", "torch": "torch", "nn": "torch.nn",
                  "F": "torch.nn.functional", "math": "math"}


@dataclass
class Grade:
    student: str
    status: str  # one of STATUSES
    scores: dict[str, float] = field(default_factory=dict)
    max_scores: dict[str, float] = field(default_factory=dict)
    message: str = ""  # one line for the CSV: why the status is not ok
    feedback: list[str] = field(default_factory=list)  # failed tests and messages
    seconds: float = 0.0

    @property
    def total(self) -> float:
        return float(sum(self.scores.values()))


# --------------------------------------------------------------------------------------
# The lab: tests read once from the autograder zip


def autograder_zip(lab: str, build_dir: Path | None = None, root: Path = ROOT) -> Path:
    """The lab's autograder zip, built from labsolutions/ when missing or older than the master."""
    root = Path(root)
    if lab not in lab_names(root):
        raise ValueError(f"unknown lab {lab!r}; labs are {', '.join(lab_names(root)) or 'none'}")
    build_dir = Path(build_dir) if build_dir else root / "_build" / "autograder"
    target = build_dir / lab / f"{lab}-autograder.zip"
    master = root / "labsolutions" / f"{lab}.ipynb"
    if not target.exists() or target.stat().st_mtime < master.stat().st_mtime:
        target = generate_autograder(lab, build_dir, root)
    return target


@dataclass
class LabTests:
    lab: str
    tests: dict[str, str]  # question name -> test file source (public and hidden cases)
    max_scores: dict[str, float]
    public_tests: dict[str, str]  # file name -> source, what students have in tests/
    preload: list[str]


def _imports(source: str) -> set[str]:
    """Modules a piece of code imports (ignoring code that does not parse)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def load_lab(lab: str, root: Path = ROOT) -> LabTests:
    import nbformat
    from otter.test_files.exception_test import ExceptionTestFile

    root = Path(root)
    zip_path = autograder_zip(lab, root=root)
    tests = {}
    with zipfile.ZipFile(zip_path) as z:
        for name in sorted(z.namelist()):
            if name.startswith("tests/") and name.endswith(".py"):
                tests[Path(name).stem] = z.read(name).decode()
    if not tests:
        raise ValueError(f"{zip_path} holds no tests/*.py")
    max_scores = {q: float(ExceptionTestFile.from_string(src, q).possible) for q, src in tests.items()}
    public_dir = root / "notebooks" / lab / "tests"
    public = {p.name: p.read_text() for p in sorted(public_dir.glob("*.py"))} if public_dir.is_dir() else {}
    master = nbformat.read(root / "labsolutions" / f"{lab}.ipynb", as_version=4)
    wanted = set()
    for cell in master.cells:
        if cell.cell_type == "code":
            wanted |= _imports(cell.source)
    for src in tests.values():
        wanted |= _imports(src)
    preload = BASE_PRELOAD + sorted(m for m in wanted if m.split(".")[0] not in {"os", "sys"})
    return LabTests(lab, tests, max_scores, public, preload)


# --------------------------------------------------------------------------------------
# Reading a submission (in this process: plain JSON, no code runs)


def read_submission(path: Path, lab: str) -> tuple[str, str, list[str]]:
    """(status, message, code cell sources). Status is "ok" when the notebook can be graded."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_SUBMISSION_BYTES:
            return "not-a-notebook", f"file is {size / 2**20:.0f} MiB, over the {MAX_SUBMISSION_BYTES // 2**20} MiB limit", []
        raw = path.read_bytes()
    except OSError as e:
        return "not-a-notebook", f"cannot read the file: {e}", []
    if not raw.strip():
        return "not-a-notebook", "the file is empty", []
    try:
        nb = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        return "not-a-notebook", f"not valid JSON ({str(e)[:120]})", []
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list) or nb.get("nbformat") != 4:
        return "not-a-notebook", "JSON, but not a Jupyter notebook (nbformat 4)", []
    cells = []
    for cell in nb["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        if not isinstance(src, str):
            return "not-a-notebook", "a code cell's source is not text", []
        cells.append(src)
    named = set(re.findall(r'''bootstrap\(\s*["'](lab\d\d_\w+)["']\s*\)''', "\n".join(cells)))
    meta = nb.get("metadata") or {}
    otter_meta = meta.get("otter") if isinstance(meta, dict) else None
    if isinstance(otter_meta, dict) and isinstance(otter_meta.get("assignment_name"), str):
        named.add(otter_meta["assignment_name"])
    if named and lab not in named:
        return "wrong-lab", f"this is a notebook of {', '.join(sorted(named))}, not {lab}", []
    return "ok", "", cells


# --------------------------------------------------------------------------------------
# Fingerprint of the numerical libraries and the grader (zygote and child)


def _cell_filled(c):
    try:
        c.cell_contents
        return True
    except ValueError:
        return False


def _ident(v, _id=id, _type=type, _function=type(_cell_filled)):
    """Identity of an object; for a plain Python function also of its code, defaults and
    closure (``f.__code__ = ...`` keeps ``id(f)``). Proxies (wrapt, functools) compute such
    attributes on access, so only true functions are looked into."""
    if _type(v) is not _function:
        return _id(v)
    cells = v.__closure__ or ()
    return (_id(v), _id(v.__code__), _id(v.__defaults__), _id(v.__kwdefaults__),
            tuple(_id(c.cell_contents) for c in cells if _cell_filled(c)))


# torch has about 800 modules; the ones tests and student code reach are these.
TORCH_GUARDED = ("torch.nn", "torch.testing", "torch.autograd", "torch.linalg", "torch.functional",
                 "torch._tensor", "torch.optim", "torch.random", "torch.special", "torch.fft")


def _is_guarded(name: str) -> bool:
    top = name.split(".")[0]
    if top != "torch":
        return top in GUARDED
    return name == "torch" or any(name == p or name.startswith(p + ".") for p in TORCH_GUARDED)


def _guarded_modules():
    return sorted((name, m) for name, m in list(sys.modules.items())
                  if m is not None and _is_guarded(name))


def fingerprint(modules, extra=(), dicts=None, _isinstance=isinstance, _type=type, _callable=callable,
                _vars=vars, _list=list, _id=id):
    """{(where, name): identity} of every callable, class and module reachable from
    ``modules`` (list of (name, module)) and of the classes they define; ``extra`` adds
    (label, dict) pairs. Plain data (flags, numbers) is left out: libraries change it."""
    fp = {}
    seen_classes = set()
    for name, mod in [*modules, *extra]:
        d = mod if _isinstance(mod, dict) else _vars(mod)
        watched = []
        if dicts is not None:
            dicts.append((d, watched))
        for k, v in _list(d.items()):
            if _callable(v) or _isinstance(v, _type(sys)):
                fp[(name, k)] = _ident(v)
                watched.append(k)
                if _isinstance(v, _type) and _id(v) not in seen_classes and \
                        str(getattr(v, "__module__", "")).split(".")[0] in GUARDED:
                    seen_classes.add(_id(v))
                    cwatched = []
                    if dicts is not None:
                        dicts.append((_vars(v), cwatched))
                    where = f"{v.__module__}.{v.__qualname__}"
                    for ak, av in _list(_vars(v).items()):
                        if _callable(av) or _isinstance(av, (classmethod, staticmethod, property)):
                            fp[(where, ak)] = _ident(av)
                            cwatched.append(ak)
    return fp


class Guard:
    """Detects changes to the fingerprinted objects, fast.

    ``check()`` first compares, at C speed, the identities of every value of every watched
    dict and the code, defaults and closure contents of every watched function with the
    baseline; only when something differs does it compute the full fingerprint, report the
    changed names, and (when only harmless things changed, such as a new submodule or a
    flag) move the baseline."""

    def __init__(self, modules, extra=()):
        from operator import attrgetter

        self.modules, self.extra, self.dicts = modules, list(extra), []
        self.pristine = fingerprint(modules, self.extra, self.dicts)
        fn = type(_cell_filled)
        self.funcs = [d[k] for d, keys in self.dicts for k in keys if type(d[k]) is fn]
        self.cells = [c for f in self.funcs for c in (f.__closure__ or ()) if _cell_filled(c)]
        self._getters = [attrgetter(a) for a in ("__code__", "__defaults__", "__kwdefaults__")]
        self._contents = attrgetter("cell_contents")
        self.baseline = self._fast()

    def _fast(self, _tuple=tuple, _map=map, _id=id):
        # Only what the fingerprint watches (callables, classes, modules): flags, counters
        # and keys added later (a submodule imported by the notebook) do not matter.
        try:
            return ([_tuple(_map(_id, _map(d.__getitem__, keys))) for d, keys in self.dicts],
                    [_tuple(_map(_id, _map(g, self.funcs))) for g in self._getters],
                    _tuple(_map(_id, _map(self._contents, self.cells))))
        except (ValueError, KeyError):  # a closure cell was emptied, a watched name deleted
            return None

    def check(self) -> list[str]:
        now = self._fast()
        if now is not None and now == self.baseline:
            return []
        diff = changed(self.pristine, fingerprint(self.modules, self.extra))
        if not diff and now is not None:
            self.baseline = now
        return diff


def changed(before, after) -> list[str]:
    """Names whose identity differs (or that were deleted)."""
    return sorted(f"{w}.{k}" if not w.endswith(k) else w for (w, k), v in before.items()
                  if after.get((w, k)) != v)


# --------------------------------------------------------------------------------------
# The child: runs one submission (forked from the zygote)


class _Timeout(BaseException):
    """Raised in student code by the per-cell / per-test alarm."""


_ARMED = [False]  # True only while student code (a cell, or a test calling it) runs


def _on_alarm(signum, frame):
    if not _ARMED[0]:
        return
    signal.setitimer(signal.ITIMER_REAL, 1.0)  # fire again if the student swallows it
    raise _Timeout()


def _arm(seconds: float) -> None:
    _ARMED[0] = True
    signal.setitimer(signal.ITIMER_REAL, seconds)


def _disarm() -> None:
    _ARMED[0] = False
    signal.setitimer(signal.ITIMER_REAL, 0)


def _set_limits(memory_mb: int) -> None:
    import resource
    limit = memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (512 * 2**20, 512 * 2**20))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-large write raises, does not kill


def _drop_privileges(uid: int) -> None:
    """Become ``uid`` (no groups), keeping only CAP_DAC_READ_SEARCH: the submission can still
    read (import the interpreter's modules, wherever they live) but can no longer write
    outside its own folder and /tmp, nor signal or trace the grader or other submissions."""
    import ctypes
    import resource

    libc = ctypes.CDLL(None, use_errno=True)

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]

    resource.setrlimit(resource.RLIMIT_NPROC, (256, 256))  # per uid: a fork bomb stops here
    if libc.prctl(8, 1, 0, 0, 0) != 0:  # PR_SET_KEEPCAPS
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_KEEPCAPS)")
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    data = (Data * 2)()
    data[0].effective = data[0].permitted = 1 << 2  # CAP_DAC_READ_SEARCH
    if libc.capset(ctypes.byref(Header(0x20080522, 0)), data) != 0:  # _LINUX_CAPABILITY_VERSION_3
        raise OSError(ctypes.get_errno(), "capset")
    libc.prctl(8, 0, 0, 0, 0)
    libc.prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS: no setuid binaries


def _probe_isolation(uid: int) -> bool:
    """Can a child drop to ``uid`` and still read the interpreter's files? (forks once)"""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            _drop_privileges(uid)
            import sysconfig
            stdlib = Path(sysconfig.get_paths()["stdlib"])
            (stdlib / "this.py").read_bytes()
            try:
                Path(sys.prefix, "isolation-probe").write_text("")  # must fail
            except OSError:
                code = 0
        except BaseException:  # noqa: BLE001
            code = 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def _child(job, state, res_fd):
    """Run one submission. Writes JSON lines on ``res_fd``; never returns normally."""
    write = os.write
    token = job["token"]

    clock = time.monotonic

    def send(**msg):
        msg["token"] = token
        msg["t"] = round(clock(), 3)
        write(res_fd, (json.dumps(msg) + "\n").encode())

    send(event="start", fork_seconds=round(time.monotonic() - job["forked_at"], 3))
    os.chdir(job["workdir"])
    (Path("tests")).mkdir(exist_ok=True)
    for name, src in state["public_tests"].items():
        Path("tests", name).write_text(src)
    for var in ("HOME", "MPLCONFIGDIR", "IPYTHONDIR", "TMPDIR"):
        os.environ[var] = job["workdir"] if var in ("HOME", "TMPDIR") else f"{job['workdir']}/.{var.lower()}"
    _set_limits(job["memory_mb"])
    uid = job.get("uid")
    if uid is not None:  # grading as root: run the notebook as an unprivileged user of its own
        for p in Path(".").rglob("*"):
            os.chown(p, uid, uid)
        os.chown(".", uid, uid)
        _drop_privileges(uid)
    signal.signal(signal.SIGALRM, _on_alarm)

    shell = state["shell"]
    ns = shell.user_ns
    reserve = [bytearray(64 << 20)]  # freed when the notebook hits the memory limit

    def on_memory_error(self, etype, value, tb, tb_offset=None):
        """Free what the failing frames allocated, so the grading can go on."""
        reserve.clear()
        while tb is not None:
            try:
                tb.tb_frame.clear()
            except RuntimeError:  # a frame still running (ours)
                pass
            tb = tb.tb_next
        value.__traceback__ = value.__context__ = value.__cause__ = None
        import gc
        gc.collect()

    shell.set_custom_exc((MemoryError,), on_memory_error)
    guard, pristine_mods = state["guard"], state["pristine_modules"]
    _check, _arm_, _disarm_, _signal = guard.check, _arm, _disarm, signal.signal

    # 1. the notebook, top to bottom; errors do not stop the run
    for i, src in enumerate(job["cells"]):
        send(event="cell", index=i)
        _arm_(job["cell_timeout"])
        try:
            result = shell.run_cell(src, store_history=False)
        except _Timeout:  # fired between IPython's own handlers
            result = None
            err = _Timeout()
        else:
            err = result.error_before_exec or result.error_in_exec
        finally:
            _disarm_()
        if err is not None:
            kind = "MemoryError" if isinstance(err, MemoryError) else type(err).__name__
            text = str(err)[:300]
            # Tracebacks keep the failing frames (and what they allocated) alive: drop them.
            err.__traceback__ = result = shell.last_execution_result = None
            sys.last_type = sys.last_value = sys.last_traceback = None
            send(event="cell-error", index=i, kind=kind, text=text)
            if not reserve:
                try:
                    reserve.append(bytearray(64 << 20))
                except MemoryError:
                    pass
    _disarm_()
    _signal(signal.SIGALRM, _on_alarm)

    # 2. the tests, question by question, with the fingerprint checked around each one
    after = _check()
    send(event="tests", tampered=after[:20])
    case_funcs = state["case_funcs"]  # watched by the guard: swapping a test is tampering
    for q, all_or_nothing, possible, tcases in state["questions"]:
        before = after
        cases, interrupted = [], False
        for key, name, hidden, points in tcases:
            func = case_funcs[key]
            params = list(func.__code__.co_varnames[:func.__code__.co_argcount])
            kwargs = {}
            for p in params:
                v = ns if p == "env" else ns.get(p)
                if p in MODULE_ALIASES and MODULE_ALIASES[p] in pristine_mods:
                    v = pristine_mods[MODULE_ALIASES[p]]
                elif isinstance(v, type(os)) and v.__name__ in pristine_mods:
                    v = pristine_mods[v.__name__]
                kwargs[p] = v
            _signal(signal.SIGALRM, _on_alarm)
            _arm_(job["test_timeout"])
            try:
                func(**kwargs)
                passed, msg = True, ""
            except _Timeout:
                passed, msg, interrupted = False, f"timed out after {job['test_timeout']:g} s", True
            except BaseException as e:  # noqa: BLE001 (SystemExit from student code included)
                passed = False
                msg = f"{type(e).__name__}: {e}"[:1000] if str(e) else type(e).__name__
                if isinstance(e, MemoryError):
                    send(event="cell-error", index=-1, kind="MemoryError", text=q)
            finally:
                _disarm_()
            cases.append({"name": name, "hidden": hidden, "points": points, "passed": passed, "message": msg})
        after = _check()
        tampered = sorted(set(before) | set(after))
        if tampered:
            score = 0.0
        elif all_or_nothing:
            score = possible if all(c["passed"] for c in cases) else 0.0
        else:
            score = float(sum(c["points"] for c in cases if c["passed"]))
        send(event="question", name=q, score=score, cases=cases, tampered=tampered[:20],
             interrupted=interrupted)
    send(event="done")
    os._exit(0)


# --------------------------------------------------------------------------------------
# The zygote: preloads, fingerprints, forks one child per submission, enforces limits


def _subreaper():
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except Exception:  # noqa: BLE001 (not Linux: orphans are only killed through their group)
        pass


def _children_of(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(d.name))
            except (OSError, ValueError, IndexError):
                pass
    return out


def _settle_torch() -> None:
    """Let torch make, before the fingerprint, the changes to itself it otherwise makes on
    first use: importing ``torch._dynamo`` wraps ``torch.manual_seed``, and creating the
    first optimizer of a class wraps that class's ``step`` (profiling hooks). Without this a
    correct notebook that trains with Adam would look like tampering."""
    if "torch" not in sys.modules:
        return
    import torch
    try:
        import torch._dynamo  # noqa: F401
    except Exception:  # noqa: BLE001 (older torch, or no dynamo on this platform)
        pass
    param = torch.zeros(1, requires_grad=True)
    for cls in list(vars(torch.optim).values()):
        if isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer) and cls is not torch.optim.Optimizer:
            for kwargs in ({"lr": 0.01}, {}):
                try:
                    cls([param], **kwargs)
                    break
                except Exception:  # noqa: BLE001 (an optimizer with other required arguments)
                    continue


def _warm_up(shell) -> None:
    """Pay otter's first-use costs (lazy imports) once, in the zygote, in a scratch folder."""
    _settle_torch()
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        try:
            Path("tests").mkdir()
            Path("warm.ipynb").write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4,
                                                      "nbformat_minor": 5}))
            Path("tests", "warm.py").write_text(
                "from otter.test_files import test_case\nOK_FORMAT = False\nname = 'warm'\npoints = 1\n"
                "@test_case()\ndef test_warm(np):\n    assert np.allclose(1, 1)\n")
            shell.run_cell("import numpy as np, otter\ngrader = otter.Notebook(tests_dir='tests')\n"
                           "grader.check('warm')", store_history=False)
            shell.reset(new_session=False)
        finally:
            os.chdir(here)


def _zygote_main() -> int:
    """Protocol (stdin/stdout, JSON lines). In: a setup message, then jobs, then EOF.
    Out: "ready", then one "result" per job, in completion order."""
    import importlib
    import selectors

    out = os.fdopen(os.dup(1), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 1)  # anything imports print goes nowhere
    inp = sys.stdin.buffer
    setup = json.loads(inp.readline())
    for name in setup["preload"]:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 (a module the lab imports may be optional)
            pass
    import matplotlib
    matplotlib.use("Agg")
    from otter.test_files.exception_test import ExceptionTestFile

    test_files = {q: ExceptionTestFile.from_string(src, f"tests/{q}.py") for q, src in setup["tests"].items()}
    questions, case_funcs = [], {}
    for q, tf in test_files.items():
        tcases = []
        for i, tc in enumerate(tf.test_cases):
            key = f"{q}:{i}"
            case_funcs[key] = tc.body.test_func
            tcases.append((key, tc.name, bool(tc.hidden), float(tc.points or 0)))
        questions.append((q, bool(tf.all_or_nothing), float(tf.possible), tuple(tcases)))
    # the test functions and the globals they see (test_case, the imports of the test file)
    extra = [("tests", case_funcs)] + [(f"tests/{key}", f.__globals__) for key, f in case_funcs.items()]
    from traitlets.config import Config
    from IPython.core.interactiveshell import InteractiveShell

    cfg = Config()
    cfg.HistoryManager.enabled = False  # no sqlite file, no history thread
    shell = InteractiveShell.instance(config=cfg)  # made once; each child gets a copy
    _warm_up(shell)
    modules = _guarded_modules()
    state = {"shell": shell, "questions": tuple(questions), "case_funcs": case_funcs, "public_tests": setup["public_tests"], "modules": modules,
             "extra": extra, "pristine_modules": dict(modules)}
    t0 = time.perf_counter()
    state["guard"] = Guard(modules, extra)
    fp_seconds = time.perf_counter() - t0
    _subreaper()
    isolate = setup.get("isolate_uid")
    if isolate is not None and not _probe_isolation(isolate):
        isolate = None
    out.write(json.dumps({"event": "ready", "fingerprint_entries": len(state["guard"].pristine),
                          "fingerprint_seconds": round(fp_seconds, 3), "isolated": isolate is not None,
                          "threads": __import__("threading").active_count(),
                          "preloaded": sorted(m for m in setup["preload"] if m in sys.modules)}) + "\n")

    import gc
    gc.collect()
    gc.freeze()  # children's garbage collector leaves the zygote's objects (and pages) alone
    workers = setup["workers"]
    pending = []  # jobs not started
    running = {}  # pid -> dict(job, fd, buf, deadline, start, msgs)
    sel = selectors.DefaultSelector()
    os.set_blocking(inp.fileno(), True)
    stdin_open = True
    sel.register(inp.fileno(), selectors.EVENT_READ, "stdin")
    inbuf = b""

    def start(job):
        if isolate is not None:
            used = {i["job"]["uid"] for i in running.values()}
            job["uid"] = next(isolate + k for k in range(workers + 1) if isolate + k not in used)
        r, w = os.pipe()
        job["forked_at"] = time.monotonic()
        pid = os.fork()
        if pid == 0:  # child
            try:
                os.setsid()
                os.close(r)
                os.dup2(devnull, 0)
                os.dup2(devnull, 1)
                os.dup2(devnull, 2)
                res_fd = os.dup(w)  # non-inheritable: shell commands do not get it
                os.closerange(3, res_fd)
                os.closerange(res_fd + 1, 65536)
                sys.stdout = sys.__stdout__ = open(os.devnull, "w")
                sys.stderr = sys.__stderr__ = open(os.devnull, "w")
                _child(job, state, res_fd)
            except BaseException as e:  # noqa: BLE001 (report the grader's own failure, then exit)
                import traceback
                try:
                    text = "".join(traceback.format_exception(e))[-2000:]
                    os.write(res_fd, (json.dumps({"token": job["token"], "event": "internal-error",
                                                  "text": text, "t": 0}) + "\n").encode())
                except BaseException:  # noqa: BLE001
                    pass
            finally:
                os._exit(70)
        os.close(w)
        os.set_blocking(r, False)
        sel.register(r, selectors.EVENT_READ, pid)
        running[pid] = {"job": job, "fd": r, "buf": b"", "start": time.monotonic(),
                        "deadline": time.monotonic() + job["timeout"], "msgs": [], "killed": False}

    def finish(pid, status_code, rusage):
        info = running.pop(pid)
        _drain(info)
        if not info.get("eof"):
            sel.unregister(info["fd"])
        os.close(info["fd"])
        try:
            os.killpg(pid, signal.SIGKILL)  # whatever the submission left in its group
        except OSError:
            pass
        for orphan in _children_of(os.getpid()):
            if orphan not in running:
                try:
                    os.kill(orphan, signal.SIGKILL)
                except OSError:
                    pass
        import shutil
        shutil.rmtree(info["job"]["workdir"], ignore_errors=True)
        res = {"event": "result", "id": info["job"]["id"], "msgs": info["msgs"][-2000:],
               "killed": info["killed"], "seconds": round(time.monotonic() - info["start"], 3),
               "exit": status_code, "maxrss_kb": rusage.ru_maxrss}
        out.write(json.dumps(res) + "\n")

    def _drain(info):
        while not info.get("eof"):
            try:
                chunk = os.read(info["fd"], 1 << 16)
            except BlockingIOError:
                break
            if not chunk:
                info["eof"] = True
                sel.unregister(info["fd"])
                break
            info["buf"] += chunk
            if len(info["buf"]) > 8 << 20:  # a flood on the result pipe: keep the tail
                info["buf"] = info["buf"][-(1 << 20):]
        *lines, info["buf"] = info["buf"].split(b"\n")
        for line in lines:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if isinstance(msg, dict) and msg.get("token") == info["job"]["token"]:
                info["msgs"].append(msg)

    while stdin_open or pending or running:
        while pending and len(running) < workers:
            start(pending.pop(0))
        now = time.monotonic()
        timeout = min([i["deadline"] for i in running.values()], default=now + 1) - now
        for key, _ in sel.select(timeout=max(0.0, min(timeout, 0.05))):
            if key.data == "stdin":
                chunk = os.read(inp.fileno(), 1 << 20)
                if not chunk:
                    stdin_open = False
                    sel.unregister(inp.fileno())
                    continue
                inbuf += chunk
                *lines, inbuf = inbuf.split(b"\n")
                pending.extend(json.loads(line) for line in lines if line.strip())
            else:
                _drain(running[key.data])
        now = time.monotonic()
        for pid, info in list(running.items()):
            if now > info["deadline"] and not info["killed"]:
                info["killed"] = True
                try:
                    os.killpg(pid, signal.SIGKILL)
                except OSError:
                    pass
        while running:
            try:
                pid, status, rusage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            if pid in running:
                finish(pid, status, rusage)
    return 0


# --------------------------------------------------------------------------------------
# The parent: prechecks, talks to the zygote, turns messages into grades


def _grade_from_result(student: str, lab: LabTests, res: dict, timeout: float, memory_mb: int) -> Grade:
    g = Grade(student, "ok", max_scores=dict(lab.max_scores), seconds=res["seconds"])
    if os.environ.get("GRADE_DEBUG"):
        t0 = res["msgs"][0]["t"] if res["msgs"] else 0
        print(student, [(m.get("event"), m.get("index", m.get("name")), round(m["t"] - t0, 2), m.get("text", "")[:200]) for m in res["msgs"]], file=sys.stderr)
    g.scores = {q: 0.0 for q in lab.max_scores}
    msgs = res["msgs"]
    cells_run = [m["index"] for m in msgs if m.get("event") == "cell"]
    errors = [m for m in msgs if m.get("event") == "cell-error"]
    questions = {}
    for m in msgs:
        if m.get("event") == "question" and m.get("name") in lab.max_scores and m["name"] not in questions:
            questions[m["name"]] = m
    done = any(m.get("event") == "done" for m in msgs)
    notes = []
    for q, m in questions.items():
        g.scores[q] = min(float(m.get("score", 0.0)), lab.max_scores[q])
        if m.get("tampered"):
            g.feedback.append(f"{q}: 0 points: the notebook changed the grading environment "
                              f"({', '.join(m['tampered'][:5])})")
        for c in m.get("cases", []):
            if not c.get("passed"):
                kind = "hidden" if c.get("hidden") else "public"
                g.feedback.append(f"{q}: {kind} test {c.get('name')} failed: {c.get('message')}")
    for e in errors:
        where = f"cell {e['index'] + 1}" if e["index"] >= 0 else f"test of {e['text']}"
        if e["kind"] == "_Timeout":
            notes.append(f"{where} stopped after the per-cell time limit")
            g.feedback.append(f"code cell {e['index'] + 1} was stopped: it ran past the per-cell time limit")
        elif e["index"] >= 0:
            g.feedback.append(f"code cell {e['index'] + 1} raised {e['kind']}: {e['text']}")
    tampered = sorted({n for m in questions.values() for n in m.get("tampered", [])})
    memory_hit = any(e["kind"] == "MemoryError" for e in errors)
    exit_sig = os.WTERMSIG(res["exit"]) if os.WIFSIGNALED(res["exit"]) else None
    if res["killed"]:
        g.status = "timeout"
        where = f" (in code cell {cells_run[-1] + 1})" if cells_run and not questions else ""
        g.message = f"killed after the {timeout:g} s wall-clock limit{where}"
        g.feedback.append(f"grading stopped: the notebook was {g.message}; questions not graded by then score 0")
    elif not done:
        near_limit = res["maxrss_kb"] * 1024 >= 0.8 * memory_mb * 2**20
        g.status = "memory" if (memory_hit or near_limit) else "crashed"
        try:
            how = f"signal {signal.Signals(exit_sig).name}" if exit_sig else f"exit code {os.WEXITSTATUS(res['exit'])}"
        except ValueError:
            how = f"signal {exit_sig}"
        internal = [m.get("text", "") for m in msgs if m.get("event") == "internal-error"]
        if internal:  # the grader's own code failed in this child (its traceback's last line)
            how += f", grader error: {internal[-1].strip().splitlines()[-1][:200]}"
        where = f"in code cell {cells_run[-1] + 1}" if cells_run and not questions else "while testing"
        g.message = f"the notebook's process ended ({how}) {where}; questions not graded score 0"
        g.feedback.append(g.message)
    elif any(m.get("interrupted") for m in questions.values()) or any(e["kind"] == "_Timeout" for e in errors):
        g.status = "timeout"
        g.message = "; ".join(notes) or "a test hit the per-test time limit"
    elif memory_hit:
        g.status = "memory"
        g.message = f"the notebook hit the {memory_mb} MiB memory limit (MemoryError)"
    if tampered and g.status == "ok":
        g.status = "tampered"
    if tampered:
        g.message = (g.message + "; " if g.message else "") + "changed: " + ", ".join(tampered[:5])
    if not questions and g.status == "ok":
        g.status, g.message = "crashed", "no test results came back"
    return g


def grade_folder(submissions: list[Path] | Path, lab: str, out: Path | None = None, *,
                 workers: int | None = None, timeout: float = 300.0, cell_timeout: float = 120.0,
                 test_timeout: float = 60.0, memory_mb: int = 4096, root: Path = ROOT,
                 progress: bool = True, isolate_uid: bool = True, info: dict | None = None) -> list[Grade]:
    """Grade submissions (a folder or a list of files); write OUT/grades.csv and
    OUT/feedback/ when ``out`` is given. Never raises for a bad submission. ``info``, when
    given, receives facts about the run (``isolated``: submissions ran as their own users)."""
    info = {} if info is None else info
    root = Path(root)
    if isinstance(submissions, (str, Path)):
        folder = Path(submissions)
        files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")) \
            if folder.is_dir() else [folder]
    else:
        files = [Path(p) for p in submissions]
    labt = load_lab(lab, root)
    workers = max(1, workers or os.cpu_count() or 1)
    ids = _student_ids(files)
    grades: dict[str, Grade] = {}
    jobs = []
    scratch = Path(tempfile.mkdtemp(prefix="grade-run-"))
    scratch.chmod(0o711)  # submissions (other uids when root) may enter their own folder, not list
    guarded_files = _sources_of_truth(lab, root)
    before = {p: _sha256(p) for p in guarded_files}
    for path, student in zip(files, ids):
        status, message, cells = read_submission(path, lab)
        if status != "ok":
            grades[student] = Grade(student, status, {q: 0.0 for q in labt.max_scores},
                                    dict(labt.max_scores), message)
            continue
        workdir = Path(tempfile.mkdtemp(prefix=f"sub-{len(jobs):04d}-", dir=scratch))
        (workdir / f"{lab}.ipynb").write_bytes(path.read_bytes())
        jobs.append({"id": student, "cells": cells, "workdir": str(workdir), "token": secrets.token_hex(16),
                     "timeout": timeout, "cell_timeout": min(cell_timeout, timeout),
                     "test_timeout": min(test_timeout, timeout), "memory_mb": memory_mb})
    try:
        if jobs:
            for g in _run_zygote(jobs, labt, workers, timeout, memory_mb, root, progress, isolate_uid, info):
                grades[g.student] = g
    finally:
        import shutil
        shutil.rmtree(scratch, ignore_errors=True)
        altered = [p for p in guarded_files if _sha256(p) != before[p]]
        if altered:
            zip_path = root / "_build" / "autograder" / lab / f"{lab}-autograder.zip"
            zip_path.unlink(missing_ok=True)  # rebuilt from labsolutions/ next time
            import warnings
            warnings.warn(GradingWarning(
                "a submission modified " + ", ".join(map(str, altered)) + " during grading. This run's "
                "grades are unaffected (tests were read before any submission ran); the autograder zip "
                "was deleted; check `git status` before grading again, and grade as root (each "
                "submission then runs as its own unprivileged user) to prevent this."))
    result = [grades[s] for s in ids]
    if out is not None:
        write_results(result, Path(out))
    return result


class GradingWarning(UserWarning):
    """Something outside a submission's folder changed while it ran."""


def _sources_of_truth(lab: str, root: Path) -> list[Path]:
    paths = [root / "labsolutions" / f"{lab}.ipynb",
             root / "_build" / "autograder" / lab / f"{lab}-autograder.zip"]
    return [p for p in paths if p.exists()]


def _sha256(path: Path) -> str | None:
    import hashlib
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _student_ids(files: list[Path]) -> list[str]:
    stems = [p.stem for p in files]
    return [p.stem if stems.count(p.stem) == 1 else p.name for p in files]


def _run_zygote(jobs, labt, workers, timeout, memory_mb, root, progress, isolate_uid=True, info=None):
    env = dict(os.environ, LAB_FAST="1", MPLBACKEND="Agg", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", TQDM_DISABLE="1", PYTHONDONTWRITEBYTECODE="1",
               IPYTHONDIR=str(Path(jobs[0]["workdir"]).parent / ".ipython"),
               PYTHONPATH=os.pathsep.join([str(ROOT.resolve())] + (
                   [os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])))
    env.pop("MPLCONFIGDIR", None)
    errlog = tempfile.TemporaryFile()
    proc = subprocess.Popen([sys.executable, "-m", "utils.grade", "--zygote"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=errlog, env=env, cwd=str(root),
                            start_new_session=True)
    bar = None
    try:
        isolate = UID_BASE if (isolate_uid and hasattr(os, "geteuid") and os.geteuid() == 0) else None
        proc.stdin.write((json.dumps({"preload": labt.preload, "tests": labt.tests, "workers": workers,
                                      "public_tests": labt.public_tests, "isolate_uid": isolate}) + "\n").encode())
        proc.stdin.flush()
        ready = proc.stdout.readline()
        if not ready:
            errlog.seek(0)
            raise RuntimeError("the grading process failed to start:\n" + errlog.read().decode()[-3000:])
        if info is not None:
            info.update(json.loads(ready))
        for job in jobs:
            proc.stdin.write((json.dumps(job) + "\n").encode())
        proc.stdin.close()
        if progress:
            from tqdm.auto import tqdm
            bar = tqdm(total=len(jobs), desc=f"grading {labt.lab}", unit="nb")
        seen = 0
        for line in proc.stdout:
            res = json.loads(line)
            if res.get("event") != "result":
                continue
            seen += 1
            if bar:
                bar.update(1)
            yield _grade_from_result(res["id"], labt, res, timeout, memory_mb)
        if seen < len(jobs):
            errlog.seek(0)
            raise RuntimeError("the grading process stopped early:\n" + errlog.read().decode()[-3000:])
    finally:
        if bar:
            bar.close()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        proc.wait()
        errlog.close()


def grade_submission(submission: Path, lab: str, timeout: float = 300.0, *, root: Path = ROOT,
                     memory_mb: int = 4096) -> Grade:
    """Grade one notebook; never raises for a bad submission, reports it in ``status``."""
    (g,) = grade_folder([Path(submission)], lab, timeout=timeout, root=root, memory_mb=memory_mb,
                        workers=1, progress=False)
    return g


# --------------------------------------------------------------------------------------
# Results


def write_results(grades: list[Grade], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    questions = list(dict.fromkeys(q for g in grades for q in g.max_scores))
    maxes = {q: next(g.max_scores[q] for g in grades if q in g.max_scores) for q in questions}
    with open(out / "grades.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", "status", *questions, "total", "max_total", "seconds", "message"])
        for g in grades:
            w.writerow([g.student, g.status, *(_num(g.scores.get(q, 0.0)) for q in questions),
                        _num(g.total), _num(sum(maxes.values())), f"{g.seconds:.1f}", g.message])
    fb = out / "feedback"
    fb.mkdir(exist_ok=True)
    for g in grades:
        lines = [f"Student: {g.student}", f"Status: {g.status}" + (f" ({g.message})" if g.message else ""),
                 f"Total: {_num(g.total)} / {_num(sum(maxes.values()))}", ""]
        lines += [f"{q}: {_num(g.scores.get(q, 0.0))} / {_num(maxes[q])}" for q in questions]
        lines += ["", "Failed tests and errors:" if g.feedback else "Every test passed."]
        lines += [f"- {line}" for line in g.feedback]
        (fb / f"{g.student}.txt").write_text("\n".join(lines) + "\n")


def _num(x: float) -> str:
    return f"{x:g}"


def summary(grades: list[Grade], seconds: float) -> str:
    from collections import Counter
    counts = Counter(g.status for g in grades)
    totals = sorted(g.total for g in grades)
    maxt = sum(grades[0].max_scores.values()) if grades else 0
    lines = [f"graded {len(grades)} submissions in {seconds:.1f} s "
             f"({seconds / max(1, len(grades)):.2f} s each)",
             "status: " + ", ".join(f"{s} {counts[s]}" for s in STATUSES if counts[s])]
    if totals:
        mid = totals[len(totals) // 2]
        lines.append(f"total (out of {maxt:g}): mean {sum(totals) / len(totals):.2f}, "
                     f"median {mid:g}, min {totals[0]:g}, max {totals[-1]:g}")
    for g in grades:
        if g.status != "ok":
            lines.append(f"  {g.student}: {g.status}: {g.message}")
    return "\n".join(lines)


def main(argv=None) -> int:
    if argv is None and sys.argv[1:2] == ["--zygote"]:
        return _zygote_main()
    parser = argparse.ArgumentParser(prog="python -m utils.grade", description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", type=Path, help="folder of submissions (or one .ipynb)")
    parser.add_argument("--lab", required=True, help="lab name, e.g. lab01_rnn_numpy")
    parser.add_argument("--out", type=Path, default=Path("results"), help="where grades.csv and feedback/ go")
    parser.add_argument("--workers", type=int, default=os.cpu_count(), help="submissions at once (default: cores)")
    parser.add_argument("--timeout", type=float, default=300.0, help="wall-clock seconds per submission")
    parser.add_argument("--cell-timeout", type=float, default=120.0, help="seconds per code cell")
    parser.add_argument("--test-timeout", type=float, default=60.0, help="seconds per test case")
    parser.add_argument("--memory", type=int, default=4096, help="address-space limit per submission, MiB")
    parser.add_argument("--root", type=Path, default=ROOT, help="course repository (labsolutions/ inside)")
    args = parser.parse_args(argv)
    if not args.submissions.exists():
        parser.error(f"{args.submissions} does not exist")
    start = time.perf_counter()
    grades = grade_folder(args.submissions, args.lab, args.out, workers=args.workers, timeout=args.timeout,
                          cell_timeout=args.cell_timeout, test_timeout=args.test_timeout,
                          memory_mb=args.memory, root=args.root)
    print(summary(grades, time.perf_counter() - start))
    print(f"wrote {args.out / 'grades.csv'} and {args.out / 'feedback'}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
