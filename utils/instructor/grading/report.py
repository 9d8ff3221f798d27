"""Writes the results: ``grades.csv``, ``feedback/STUDENT.txt`` and a summary.

Only the grader writes here, into a folder it creates itself. It refuses a path that is a
symbolic link, a folder whose parent anyone may write to (without the sticky bit), and an
existing folder it did not make (one without its marker file, or owned by another user).
Every file is written to a temporary name and renamed into place.
"""

from __future__ import annotations

import csv
import io
import os
import stat
from collections import Counter
from pathlib import Path

MARKER = ".rnnlabs-results"


class UnsafeOutput(ValueError):
    """The results folder cannot be written safely."""


def prepare_out(out: Path) -> Path:
    out = Path(out)
    if out.is_symlink():
        raise UnsafeOutput(f"{out} is a symbolic link: give a real folder for the results")
    parent = out.absolute().parent
    pst = parent.stat()
    if pst.st_mode & stat.S_IWOTH and not pst.st_mode & stat.S_ISVTX:
        raise UnsafeOutput(f"{parent} can be written by anyone: put the results somewhere only you can write")
    if out.exists():
        st = out.lstat()
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid() or not (out / MARKER).is_file() \
                or (out / MARKER).is_symlink():
            raise UnsafeOutput(f"{out} exists and was not made by the grader: choose a new folder "
                               "(or delete this one)")
    else:
        out.mkdir(mode=0o755)
        (out / MARKER).write_text("made by python -m utils.instructor.grade\n")
    fb = out / "feedback"
    if fb.is_symlink() or (fb.exists() and not fb.is_dir()):
        raise UnsafeOutput(f"{fb} is not a folder the grader made")
    fb.mkdir(exist_ok=True)
    return out


def atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    with open(tmp, "x") as f:
        f.write(text)
    os.replace(tmp, path)


def _num(x: float) -> str:
    return f"{x:g}"


def write_results(grades: list, out: Path) -> None:
    out = prepare_out(out)
    questions = list(dict.fromkeys(q for g in grades for q in g.max_scores))
    maxes = {q: next(g.max_scores[q] for g in grades if q in g.max_scores) for q in questions}
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["student", "status", *questions, "total", "max_total", "seconds", "message"])
    for g in grades:
        w.writerow([g.student, g.status, *(_num(g.scores.get(q, 0.0)) for q in questions),
                    _num(g.total), _num(sum(maxes.values())), f"{g.seconds:.1f}", g.message])
    for g in grades:
        lines = [f"Student: {g.student}", f"Status: {g.status}" + (f" ({g.message})" if g.message else ""),
                 f"Total: {_num(g.total)} / {_num(sum(maxes.values()))}", ""]
        lines += [f"{q}: {_num(g.scores.get(q, 0.0))} / {_num(maxes[q])}" for q in questions]
        lines += ["", "Failed tests and errors:" if g.feedback else "Every test passed."]
        lines += [f"- {line}" for line in g.feedback]
        atomic_write(out / "feedback" / f"{g.student}.txt", "\n".join(lines) + "\n")
    atomic_write(out / "grades.csv", buf.getvalue())


def summary(grades: list, seconds: float, statuses) -> str:
    counts = Counter(g.status for g in grades)
    totals = sorted(g.total for g in grades)
    maxt = sum(grades[0].max_scores.values()) if grades else 0
    lines = [f"graded {len(grades)} submissions in {seconds:.1f} s "
             f"({seconds / max(1, len(grades)):.2f} s each)",
             "status: " + ", ".join(f"{s} {counts[s]}" for s in statuses if counts[s])]
    if totals:
        lines.append(f"total (out of {maxt:g}): mean {sum(totals) / len(totals):.2f}, "
                     f"median {totals[len(totals) // 2]:g}, min {totals[0]:g}, max {totals[-1]:g}")
    lines += [f"  {g.student}: {g.status}: {g.message}" for g in grades if g.status != "ok"]
    return "\n".join(lines)
