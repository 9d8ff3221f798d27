"""``python -m utils.instructor.grade SUBMISSIONS --lab LAB --out OUT [--workers N]``: grade a folder.

Writes ``OUT/grades.csv`` (one row per submission) and ``OUT/feedback/STUDENT.txt``, and
prints a summary. ``book/instructor.md`` explains the statuses and what is guaranteed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from ..paths import ROOT, master_path
from . import report, sandbox, written
from .lab import load_lab
from .runner import STATUSES, Grade, Settings, grade_files


class NoSandbox(RuntimeError):
    """No sandbox can be made here and the instructor did not accept running without one."""


def grade_folder(submissions, lab: str, out: Path | None = None, *, workers: int | None = None,
                 timeout: float = 300.0, cell_timeout: float = 120.0, test_timeout: float = 60.0,
                 memory_mb: int = 4096, root: Path = ROOT, progress: bool = True, unsafe: bool = False,
                 tests_zip: Path | None = None, seed: int | None = None, info: dict | None = None) -> list[Grade]:
    """Grade a folder (every regular, non-hidden file in it) or a list of files."""
    if isinstance(submissions, (str, Path)):
        folder = Path(submissions)
        files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")) \
            if folder.is_dir() else [folder]
    else:
        files = [Path(p) for p in submissions]
    why = None if unsafe else sandbox.available()
    if why is not None:
        raise NoSandbox(f"cannot make a sandbox here ({why}). Grading would run students' code with your "
                        "rights; pass --unsafe-no-sandbox to do it anyway.")
    if out is not None:
        report.prepare_out(Path(out))  # refuse a bad folder before any submission runs
    labt = load_lab(lab, root, tests_zip)
    settings = Settings(timeout, min(cell_timeout, timeout), min(test_timeout, timeout),
                        sandbox.Limits(memory_mb=memory_mb, cpu_seconds=int(timeout) + 10), unsafe)
    if seed is None:
        import secrets
        seed = secrets.randbits(63)
    if info is not None:
        info.update(sandboxed=not unsafe, root=os.geteuid() == 0, seed=seed)
    grades = grade_files(files, labt, settings, workers or os.cpu_count() or 1, progress, seed)
    if out is not None:
        report.write_results(grades, Path(out))
        master = master_path(lab, Path(root))
        if master.exists():  # the written answers, for the teaching assistants
            written.export([g.student for g in grades], files, master, Path(out))
    return grades


def grade_submission(submission: Path, lab: str, timeout: float = 300.0, *, root: Path = ROOT,
                     memory_mb: int = 4096) -> Grade:
    """Grade one notebook; never raises for a bad submission, reports it in ``status``."""
    (g,) = grade_folder([Path(submission)], lab, timeout=timeout, root=root, memory_mb=memory_mb,
                        workers=1, progress=False)
    return g


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils.instructor.grade", description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", type=Path, nargs="?", help="folder of submissions (or one .ipynb)")
    parser.add_argument("--lab", help="lab name, e.g. lab01_rnn_numpy")
    parser.add_argument("--merge-written", type=Path, metavar="RESULTS",
                        help="merge the filled RESULTS/written.csv into RESULTS/grades-final.csv (no grading)")
    parser.add_argument("--force", action="store_true", help="with --merge-written: replace grades-final.csv")
    parser.add_argument("--out", type=Path, default=Path("results"), help="new folder for grades.csv and feedback/")
    parser.add_argument("--workers", type=int, default=os.cpu_count(), help="submissions at once (default: cores)")
    parser.add_argument("--timeout", type=float, default=300.0, help="wall-clock seconds per submission")
    parser.add_argument("--cell-timeout", type=float, default=120.0, help="seconds per code cell")
    parser.add_argument("--test-timeout", type=float, default=60.0, help="seconds per test case")
    parser.add_argument("--memory", type=int, default=4096, help="address-space limit per submission, MiB")
    parser.add_argument("--root", type=Path, default=ROOT, help="course repository (labsolutions/ inside)")
    parser.add_argument("--tests", type=Path, help="the lab's otter autograder zip (default: built from --root)")
    parser.add_argument("--gradescope", type=Path, help="also write Gradescope's results.json here")
    parser.add_argument("--seed", type=int, help="the hidden tests' seed (default: a new secret one per run)")
    parser.add_argument("--unsafe-no-sandbox", action="store_true",
                        help="run submissions without a sandbox (when none can be made; see the instructor guide)")
    args = parser.parse_args(argv)
    if args.merge_written:
        try:
            target = written.merge(args.merge_written, force=args.force)
        except (written.MergeError, OSError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        print(f"wrote {target}")
        return 0
    if args.submissions is None or args.lab is None:
        parser.error("give SUBMISSIONS and --lab (or --merge-written RESULTS)")
    if not args.submissions.exists():
        parser.error(f"{args.submissions} does not exist")
    if args.unsafe_no_sandbox:
        print(sandbox.UNSAFE_WARNING, file=sys.stderr)
    submissions = args.submissions
    if args.gradescope and submissions.is_dir():  # Gradescope's folder: grade the notebook(s) in it
        submissions = sorted(p for p in submissions.iterdir() if p.suffix == ".ipynb" and p.is_file())
    start, info = time.perf_counter(), {}
    try:
        grades = grade_folder(submissions, args.lab, args.out, workers=args.workers, timeout=args.timeout,
                              cell_timeout=args.cell_timeout, test_timeout=args.test_timeout,
                              memory_mb=args.memory, root=args.root, unsafe=args.unsafe_no_sandbox,
                              tests_zip=args.tests, seed=args.seed, info=info)
    except (NoSandbox, report.UnsafeOutput) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.gradescope:
        from .gradescope import write_results_json
        write_results_json(grades[0] if len(grades) == 1 else None, grades, args.gradescope)
    print(report.summary(grades, time.perf_counter() - start, STATUSES))
    print(f"hidden tests' seed: {info['seed']} (regrade with --seed {info['seed']} to reproduce this run)")
    print(f"wrote {args.out / 'grades.csv'} and {args.out / 'feedback'}/"
          + (f", and {args.out / 'written'}/ with written.csv" if (args.out / "written.csv").exists() else ""))
    if args.unsafe_no_sandbox:
        print(sandbox.UNSAFE_WARNING, file=sys.stderr)
    return 0
