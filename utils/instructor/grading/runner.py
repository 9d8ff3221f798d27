"""Grades a folder of submissions: one sandboxed process per submission, a few at a time.

For each submission the grader (this process) reads the notebook as JSON, starts a
sandbox, sends it the code cells, waits for them to run, then runs the lab's tests here
against the notebook's objects (``checks``). Statuses:

- ok: the notebook ran and every test ran (cells that raised are listed in the feedback);
- timeout: a cell or a test ran past its limit (the rest was graded), or the whole
  submission ran past ``timeout`` and was stopped (questions not graded by then score 0);
- memory: the notebook hit the memory limit;
- crashed: the notebook's process ended before grading finished;
- protocol: the notebook's process sent something that is not plain data, or answered
  out of turn; it was stopped;
- not-a-notebook, wrong-lab: the file was refused unread (nothing ran).
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import checks, sandbox
from .remote import Session, SessionEnded

STATUSES = ("ok", "timeout", "memory", "crashed", "protocol", "not-a-notebook", "wrong-lab")
MAX_SUBMISSION_BYTES = 200 * 2**20
MAX_FEEDBACK_LINES = 40


@dataclass
class Grade:
    student: str
    status: str
    scores: dict = field(default_factory=dict)
    max_scores: dict = field(default_factory=dict)
    message: str = ""
    feedback: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> float:
        return float(sum(self.scores.values()))


@dataclass
class Settings:
    timeout: float = 300.0  # one submission, notebook and tests
    cell_timeout: float = 120.0
    test_timeout: float = 60.0
    limits: sandbox.Limits = field(default_factory=sandbox.Limits)
    unsafe: bool = False  # run without a sandbox (only with --unsafe-no-sandbox)


def read_submission(path: Path, lab: str) -> tuple[str, str, list[str]]:
    """(status, message, code cell sources), read as JSON: nothing in the file runs here."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_SUBMISSION_BYTES:
            limit = MAX_SUBMISSION_BYTES // 2**20
            return "not-a-notebook", f"file is {size / 2**20:.0f} MiB, over the {limit} MiB limit", []
        raw = path.read_bytes()
    except OSError as e:
        return "not-a-notebook", f"cannot read the file: {e}", []
    if not raw.strip():
        return "not-a-notebook", "the file is empty", []
    try:
        nb = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as e:
        return "not-a-notebook", f"not valid JSON ({str(e)[:120]})", []
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list) or nb.get("nbformat") != 4:
        return "not-a-notebook", "JSON, but not a Jupyter notebook (nbformat 4)", []
    cells = []
    for cell in nb["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) and all(isinstance(s, str) for s in src) else src
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


def grade_one(student: str, path: Path, lab, settings: Settings, seed: int) -> Grade:
    """Grade one file. Never raises for a bad submission."""
    start = time.monotonic()
    g = Grade(student, "ok", {q: 0.0 for q in lab.max_scores}, dict(lab.max_scores))
    status, message, cells = read_submission(path, lab.lab)
    if status != "ok":
        g.status, g.message = status, message
        return g
    session = Session(settings.limits, settings.unsafe)
    session.deadline = start + settings.timeout
    ended = None
    try:
        session.run_notebook(cells, lab.public_tests, settings.cell_timeout)
        results, ended = checks.grade_questions(session, lab, seed, settings.test_timeout)
    except SessionEnded as e:
        results, ended = {}, e
    finally:
        session.close()
        g.seconds = round(time.monotonic() - start, 2)
    _fill(g, session, results, ended, settings)
    return g


def _fill(g: Grade, session, results, ended, settings):
    cell_errors = [e for e in session.cell_events if e[0] == "error"]
    cells_run = [e[1] for e in session.cell_events if e[0] == "cell"]
    for _, index, kind, text in cell_errors:
        if kind == "Timeout":
            g.feedback.append(f"code cell {index + 1} was stopped: it ran past the "
                              f"{settings.cell_timeout:g} s limit for one cell")
        else:
            g.feedback.append(f"code cell {index + 1} raised {kind}: {text}")
    timed_out = any(e[2] == "Timeout" for e in cell_errors)
    memory = any(e[2] == "MemoryError" for e in cell_errors)
    for q, (score, cases) in results.items():
        g.scores[q] = score
        for name, hidden, passed, reason in cases:
            if not passed:
                g.feedback.append(f"{q}: {'hidden' if hidden else 'public'} test {name} failed: {reason}")
                timed_out |= reason.startswith("stopped: it ran past")
                memory |= "raised MemoryError" in reason
    if ended is not None:
        where = f" in code cell {cells_run[-1] + 1}" if cells_run and not results else ""
        if ended.reason == "timeout":
            g.status, g.message = "timeout", f"stopped after the {settings.timeout:g} s limit{where}"
        elif ended.reason == "protocol":
            g.status, g.message = "protocol", ended.detail
        else:
            near = session.stderr_tail and b"MemoryError" in session.stderr_tail
            g.status = "memory" if (memory or near) else "crashed"
            g.message = ended.detail + where
        g.feedback.append(f"grading stopped: {g.message}; questions not graded by then score 0")
    elif timed_out:
        g.status, g.message = "timeout", "a cell or a test ran past its time limit (the rest was graded)"
    elif memory:
        g.status, g.message = "memory", f"the notebook hit the {settings.limits.memory_mb} MiB memory limit"
    if len(g.feedback) > MAX_FEEDBACK_LINES:
        extra = len(g.feedback) - MAX_FEEDBACK_LINES
        g.feedback = g.feedback[:MAX_FEEDBACK_LINES] + [f"... and {extra} more"]


def student_ids(files: list[Path]) -> list[str]:
    stems = [p.stem for p in files]
    return [p.stem if stems.count(p.stem) == 1 else p.name for p in files]


def grade_files(files: list[Path], lab, settings: Settings, workers: int = 1, progress: bool = True,
                seed: int | None = None) -> list[Grade]:
    """Grade every file (in order), ``workers`` at a time; the hidden tests' inputs come from
    one secret seed for the whole run."""
    seed = secrets.randbits(63) if seed is None else seed
    ids = student_ids(files)
    bar, lock = None, threading.Lock()
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=len(files), desc=f"grading {lab.lab}", unit="nb")

    def one(args):
        student, path = args
        g = grade_one(student, path, lab, settings, seed)
        if bar:
            with lock:
                bar.update(1)
        return g

    try:
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            return list(pool.map(one, zip(ids, files)))
    finally:
        if bar:
            bar.close()
