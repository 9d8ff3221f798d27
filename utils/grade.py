"""Grade student submissions with a lab's otter autograder.

Usage::

    python -m utils.grade SUBMISSIONS_DIR --lab lab01_rnn_numpy --out results/

Each submission is graded by ``otter run`` in its own process and its own temporary
directory, with ``LAB_FAST=1`` and a wall-clock limit. Results go to
``OUT/grades.csv`` (one row per submission).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .release import ROOT, generate_autograder, lab_names


@dataclass
class Grade:
    student: str
    status: str  # ok, timeout, crashed, not-a-notebook
    scores: dict[str, float] = field(default_factory=dict)
    max_scores: dict[str, float] = field(default_factory=dict)
    message: str = ""

    @property
    def total(self) -> float:
        return float(sum(self.scores.values()))


def autograder_zip(lab: str, build_dir: Path = ROOT / "_build" / "autograder") -> Path:
    """The lab's autograder zip, built from labsolutions/ when missing or older than the master."""
    if lab not in lab_names():
        raise ValueError(f"unknown lab {lab!r}; labs are {', '.join(lab_names())}")
    target = build_dir / lab / f"{lab}-autograder.zip"
    master = ROOT / "labsolutions" / f"{lab}.ipynb"
    if not target.exists() or target.stat().st_mtime < master.stat().st_mtime:
        target = generate_autograder(lab, build_dir)
    return target


def grade_submission(submission: Path, lab: str, timeout: float = 300.0) -> Grade:
    """Grade one notebook; never raises for a bad submission, reports it in ``status``."""
    submission = Path(submission)
    student = submission.stem
    zip_path = autograder_zip(lab)
    with tempfile.TemporaryDirectory(prefix="grade-") as tmp:
        work = Path(tmp) / "submission"
        out = Path(tmp) / "out"
        work.mkdir()
        out.mkdir()
        nb_path = work / f"{lab}.ipynb"
        shutil.copyfile(submission, nb_path)
        env = dict(os.environ, LAB_FAST="1")
        cmd = [sys.executable, "-m", "otter", "run", "-a", str(zip_path), str(nb_path), "-o", str(out)]
        try:
            proc = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return Grade(student, "timeout", message=f"grading took longer than {timeout:.0f} s")
        results = out / "results.json"
        if not results.exists():
            return Grade(student, "crashed", message=(proc.stderr or proc.stdout)[-2000:])
        data = json.loads(results.read_text())
    grade = Grade(student, "ok")
    for test in data.get("tests", []):
        if "score" in test and test.get("name") != "Public Tests":
            grade.scores[test["name"]] = float(test["score"])
            grade.max_scores[test["name"]] = float(test["max_score"])
    return grade


def write_csv(grades: list[Grade], path: Path) -> None:
    questions = sorted({q for g in grades for q in g.max_scores})
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "status", *questions, "total"])
        for g in grades:
            writer.writerow([g.student, g.status, *(g.scores.get(q, 0.0) for q in questions), g.total])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils.grade", description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", type=Path, help="folder of .ipynb submissions")
    parser.add_argument("--lab", required=True)
    parser.add_argument("--out", type=Path, default=Path("results"))
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per submission")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    grades = [grade_submission(p, args.lab, args.timeout) for p in sorted(args.submissions.glob("*.ipynb"))]
    write_csv(grades, args.out / "grades.csv")
    print(f"graded {len(grades)} submissions; wrote {args.out / 'grades.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
