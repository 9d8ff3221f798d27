"""A lab's tests, read once by the grader: every question, its cases, points and test functions.

The tests come from the lab's otter autograder zip (built from ``labsolutions/`` when
missing or stale, or given explicitly, as in the Gradescope autograder). They are
compiled here, in the grader's own process, and never sent to a submission.
"""

from __future__ import annotations

import inspect
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..paths import ROOT, lab_names, master_path
from ..student import generate_autograder


@dataclass(frozen=True)
class Case:
    name: str
    hidden: bool
    points: float
    func: object  # the test function; it receives the notebook's names by parameter name
    params: tuple  # (name, has_default) per parameter


@dataclass(frozen=True)
class Question:
    name: str
    points: float
    all_or_nothing: bool
    cases: tuple


@dataclass
class LabTests:
    lab: str
    questions: tuple
    public_tests: dict  # file name -> source: what students have in tests/, for grader.check

    @property
    def max_scores(self) -> dict:
        return {q.name: q.points for q in self.questions}


def autograder_zip(lab: str, build_dir: Path | None = None, root: Path = ROOT) -> Path:
    """The lab's otter autograder zip, built from labsolutions/ when missing or older than the master."""
    root = Path(root)
    if lab not in lab_names(root):
        raise ValueError(f"unknown lab {lab!r}; labs are {', '.join(lab_names(root)) or 'none'}")
    build_dir = Path(build_dir) if build_dir else root / "_build" / "autograder"
    target = build_dir / lab / f"{lab}-autograder.zip"
    master = master_path(lab, root)
    def stale():
        return not target.exists() or target.stat().st_mtime < master.stat().st_mtime

    if stale():
        import fcntl

        # Parallel test workers (and graders) may ask at once: one builds, the others wait and reuse.
        build_dir.mkdir(parents=True, exist_ok=True)
        with open(build_dir / f".{lab}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if stale():
                target = generate_autograder(lab, build_dir, root)
    return target


def load_lab(lab: str, root: Path = ROOT, tests_zip: Path | None = None) -> LabTests:
    """Every question of ``lab`` with its compiled test cases (public and hidden)."""
    from otter.test_files.exception_test import ExceptionTestFile

    zip_path = Path(tests_zip) if tests_zip else autograder_zip(lab, root=root)
    sources = {}
    with zipfile.ZipFile(zip_path) as z:
        for name in sorted(z.namelist()):
            if name.startswith("tests/") and name.endswith(".py"):
                sources[Path(name).stem] = z.read(name).decode()
    if not sources:
        raise ValueError(f"{zip_path} holds no tests/*.py")
    questions, public = [], {}
    for q, src in sources.items():
        tf = ExceptionTestFile.from_string(src, f"tests/{q}.py")
        cases = []
        for tc in tf.test_cases:
            func = tc.body.test_func
            params = tuple((p.name, p.default is not inspect.Parameter.empty)
                           for p in inspect.signature(func).parameters.values())
            cases.append(Case(tc.name, bool(tc.hidden), float(tc.points or 0), func, params))
        questions.append(Question(q, float(tf.possible), bool(tf.all_or_nothing), tuple(cases)))
    public_dir = Path(root) / "notebooks" / lab / "tests"
    if public_dir.is_dir():
        public = {p.name: p.read_text() for p in sorted(public_dir.glob("*.py"))}
    return LabTests(lab, tuple(questions), public)
