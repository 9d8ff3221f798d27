"""What must reach no student: hidden tests, model answers, development traces.

``hidden_test_leaks`` looks for every hidden test (and every written question's model answer
and rubric) of every master in what students receive; ``development_traces`` for phrases of
the course's own development in what they read. ``make test`` and ``make release`` run both.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from . import masters
from .grading.written import written_questions
from .paths import ROOT, lab_names, master_path

# Development traces a student cannot follow: phrases of the course's own history, its
# repository-only commands and files. ``development_traces`` looks for them in what a
# student reads (markdown and code of a generated notebook, and its public tests).
DEV_TRACES = [
    (re.compile(r"NBVAL_"), "an nbval marker"),
    (re.compile(r"the issue that", re.I), "a reference to the course's issue tracker"),
    (re.compile(r"\bour (first|second|earlier|previous) (version|attempt|run)", re.I), "development history"),
    (re.compile(r"\bour probes?\b", re.I), "the developers' probes"),
    (re.compile(r"`make\b[^`]*`|\bmake (?:lab\d\d[\w-]*|checkpoints|students|solutions|autograder|bench|"
                r"release|grade|venv|book|test)\b"), "a repository make target"),
    (re.compile(r"labsolutions"), "the instructors' master notebooks"),
    (re.compile(r"\btests?/test_\w+|\bpytest\b|\bnbval\b", re.I), "the course's test suite"),
    (re.compile(r"\butils[./]instructor\b|python -m utils\b"), "the instructor tools"),
]


def development_traces(text: str) -> list[str]:
    """(what: the matching text) for every development trace in ``text``."""
    found = []
    for pattern, what in DEV_TRACES:
        for m in pattern.finditer(text):
            end = text.find("\n", m.end())
            line = text[text.rfind("\n", 0, m.start()) + 1: end if end >= 0 else len(text)]
            found.append(f"{what}: {line.strip()[:100]}")
    return found


def hidden_test_fingerprints(lab: str, root: Path = ROOT) -> tuple[set[str], set[str]]:
    """(function names, distinctive lines) of the hidden tests of ``lab``'s master, and of
    the model answers and rubrics of its written questions.

    A line counts when it is at least 30 characters long, is not a comment, and appears in
    no code cell of any master that is not a hidden test (public tests and lab code are
    not secret, in this lab or another)."""
    def code_of(name):
        return masters.code_sources(masters.read(name, root))

    code = code_of(lab)
    hidden = [src for src in code if masters.is_hidden_test(src)]
    public_lines = {ln.strip() for other in lab_names(root) for src in code_of(other)
                    if not masters.is_hidden_test(src) for ln in src.splitlines()}
    names, lines = set(), set()
    for src in hidden:
        body = src.split('""" # END TEST CONFIG', 1)[-1]
        try:
            # the test functions themselves (nested helpers such as `h_T` are not distinctive)
            names |= {n.name for n in ast.parse(body).body if isinstance(n, ast.FunctionDef)}
        except SyntaxError:
            pass
        for ln in body.splitlines():
            ln = ln.strip()
            if len(ln) >= 30 and not ln.startswith("#") and ln not in public_lines:
                lines.add(ln)
    # the model answers and rubrics of written questions are as secret as the hidden tests
    for q in written_questions(master_path(lab, root)):
        lines |= {ln.strip() for ln in q.solution.splitlines() if len(ln.strip()) >= 30}
    return names, lines


def _text_files(folder: Path):
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not {".venv", "_build", ".git", "__pycache__"} & set(path.parts):
            try:
                yield path, path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue


def hidden_test_leaks(root: Path = ROOT, places: list[Path] | None = None) -> list[str]:
    """Every place (file: what) where a hidden test of a lab in ``root/labsolutions`` shows up.

    ``places`` defaults to what students receive: ``notebooks/`` (student notebooks and
    public tests) and ``book/``. Empty when nothing leaks (and when there are no labs)."""
    places = places if places is not None else [root / "notebooks", root / "book"]
    marks = {lab: hidden_test_fingerprints(lab, root) for lab in lab_names(root)}
    leaks = []
    for place in places:
        if not place.exists():
            continue
        files = [(place, place.read_text())] if place.is_file() else list(_text_files(place))
        for path, text in files:
            for lab, (names, lines) in marks.items():
                for name in sorted(names):
                    if re.search(rf"\b{re.escape(name)}\b", text):
                        leaks.append(f"{path}: hidden test {name} of {lab}")
                for line in sorted(lines):
                    if line in text:
                        leaks.append(f"{path}: a line of a hidden test of {lab}: {line[:60]}")
            if re.search(r"hidden\s*=\s*True|hidden:\s*true", text) and "notebooks" in path.parts:
                leaks.append(f"{path}: a hidden test marker")
    return leaks
