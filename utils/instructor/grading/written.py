"""Written answers: an export that teaching assistants grade by question, and the merge back.

A written question in a master notebook is an otter *manual* question whose solution is
the model answer followed by the rubric (``CONTRIBUTING.md``)::

    raw:      # BEGIN QUESTION / name: w1_temperature / manual: true / points: 2
    markdown: **Question (2 points).** the prompt
    raw:      # BEGIN SOLUTION
    markdown: **Model answer.** ...  **Rubric.** ...
    raw:      # END SOLUTION
    raw:      # END QUESTION

Students get the prompt (marked ``<!-- BEGIN QUESTION -->``) and an answer cell to replace.
Grading a folder writes ``OUT/written/QUESTION.md`` (prompt, points, model answer and
rubric, then every student's answer, unanswered ones marked) and ``OUT/written.csv`` (one
row per student and question, with an empty score column). ``merge`` checks a filled
``written.csv`` against ``grades.csv`` and writes ``grades-final.csv``. Nothing here runs
a submission: answers are read from the notebook's JSON.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .report import atomic_write

PLACEHOLDER = "_Type your answer here, replacing this text._"
BEGIN, END = "<!-- BEGIN QUESTION -->", "<!-- END QUESTION -->"
MAX_ANSWER = 20_000  # characters of one answer kept in the export
MAX_NOTEBOOK = 200 * 2**20


@dataclass(frozen=True)
class WrittenQuestion:
    name: str
    points: float
    prompt: str
    solution: str  # model answer and rubric (markdown)


def _text(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def written_questions(master: Path) -> list[WrittenQuestion]:
    """The manual questions of a master notebook, in order."""
    cells = json.loads(Path(master).read_text())["cells"]
    out = []
    for i, cell in enumerate(cells):
        src = _text(cell).strip()
        if cell["cell_type"] != "raw" or not src.startswith("# BEGIN QUESTION"):
            continue
        config = yaml.safe_load(src.split("\n", 1)[1]) or {}
        if not config.get("manual"):
            continue
        prompt, solution, j = "", [], i + 1
        while j < len(cells) and not _text(cells[j]).strip().startswith("# END QUESTION"):
            t = _text(cells[j])
            if cells[j]["cell_type"] == "markdown" and not prompt:
                prompt = t.strip()
            elif t.strip() == "# BEGIN SOLUTION":
                j += 1
                while j < len(cells) and _text(cells[j]).strip() != "# END SOLUTION":
                    solution.append(_text(cells[j]).strip())
                    j += 1
            j += 1
        out.append(WrittenQuestion(config["name"], float(config.get("points", 0)), prompt, "\n\n".join(solution)))
    return out


def _norm(text: str) -> str:
    """A prompt, whitespace-normalised, without the markers otter puts around it."""
    return " ".join(text.split(BEGIN, 1)[-1].split())


def read_answers(path: Path, questions: list[WrittenQuestion]) -> dict[str, tuple[str, str]]:
    """{question: (state, answer)}; state is answered, unanswered (the placeholder, or
    empty), missing (no answer cell), or no-notebook."""
    try:
        if Path(path).stat().st_size > MAX_NOTEBOOK:
            raise ValueError("too large")
        cells = json.loads(Path(path).read_bytes())["cells"]
        cells = [c for c in cells if isinstance(c, dict) and c.get("cell_type") in ("markdown", "code", "raw")]
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return {q.name: ("no-notebook", "") for q in questions}
    # otter puts BEGIN at the top of the prompt cell, which may also close the last question
    starts = [i for i, c in enumerate(cells) if BEGIN in _text(c)]
    by_prompt = {_norm(_text(cells[i])): i for i in starts}
    result = {}
    for k, q in enumerate(questions):
        i = by_prompt.get(_norm(q.prompt))
        if i is None and k < len(starts) and len(starts) == len(questions):
            i = starts[k]  # the prompt was edited: fall back on the order
        if i is None:
            result[q.name] = ("missing", "")
            continue
        body = []
        for c in cells[i + 1:]:
            t = _text(c)
            if t.lstrip().startswith(END) or BEGIN in t:
                break
            body.append(t if c["cell_type"] == "markdown" else f"```\n{t}\n```")
        answer = "\n\n".join(b.strip() for b in body).strip()
        if not body:
            result[q.name] = ("missing", "")
        elif not answer or answer == PLACEHOLDER:
            result[q.name] = ("unanswered", "")
        else:
            result[q.name] = ("answered", answer[:MAX_ANSWER])
    return result


def export(students: list[str], files: list[Path], master: Path, out: Path) -> list[WrittenQuestion]:
    """Write OUT/written/QUESTION.md and OUT/written.csv; returns the questions (none: nothing written)."""
    questions = written_questions(master)
    if not questions:
        return questions
    answers = {s: read_answers(f, questions) for s, f in zip(students, files)}
    folder = Path(out) / "written"
    folder.mkdir(exist_ok=True)
    notes = {"unanswered": "*(unanswered: the answer cell was left as given)*",
             "missing": "*(no answer cell: it was deleted or the question was removed)*",
             "no-notebook": "*(the submission is not a readable notebook)*"}
    for q in questions:
        parts = [f"# {q.name} ({q.points:g} points)", "## Question", q.prompt.replace(BEGIN, "").strip(),
                 "## Model answer and rubric", q.solution, "## Answers"]
        for s in students:
            state, text = answers[s][q.name]
            parts += [f"### {s}", text if state == "answered" else notes[state]]
        atomic_write(folder / f"{q.name}.md", "\n\n".join(parts) + "\n")
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["student", "question", "max_points", "score", "answer", "comment"])
    for s in students:
        for q in questions:
            w.writerow([s, q.name, f"{q.points:g}", "", answers[s][q.name][0], ""])
    atomic_write(Path(out) / "written.csv", buf.getvalue())
    return questions


class MergeError(ValueError):
    """A filled written.csv that does not fit grades.csv."""


def merge(out: Path, force: bool = False) -> Path:
    """Check OUT/written.csv (scores filled in) against OUT/grades.csv and write
    OUT/grades-final.csv with the written columns and the totals recomputed."""
    out = Path(out)
    target = out / "grades-final.csv"
    if target.exists() and not force:
        raise MergeError(f"{target} exists: delete it or pass --force to replace it")
    grades = list(csv.DictReader((out / "grades.csv").open(newline="")))
    auto_qs = [c for c in (grades[0].keys() if grades else []) if c not in
               ("student", "status", "total", "max_total", "seconds", "message")]
    students = [g["student"] for g in grades]
    scores, maxes, problems = {}, {}, []
    for n, row in enumerate(csv.DictReader((out / "written.csv").open(newline="")), start=2):
        s, q = row.get("student", ""), row.get("question", "")
        try:
            top = float(row["max_points"])
        except (KeyError, TypeError, ValueError):
            problems.append(f"line {n}: max_points is not a number")
            continue
        if s not in students:
            problems.append(f"line {n}: student {s!r} is not in grades.csv")
            continue
        if not re.fullmatch(r"\s*\d+(\.\d+)?\s*", row.get("score") or ""):
            problems.append(f"line {n}: {s}, {q}: score {row.get('score')!r} is not a number (grade it, or write 0)")
            continue
        value = float(row["score"])
        if value > top:
            problems.append(f"line {n}: {s}, {q}: score {value:g} is above the question's {top:g} points")
            continue
        if (s, q) in scores:
            problems.append(f"line {n}: {s}, {q} appears twice")
        scores[(s, q)], maxes[q] = value, top
    written_qs = list(maxes)
    for s in students:
        for q in written_qs:
            if (s, q) not in scores:
                problems.append(f"{s} has no score for {q}")
    if problems:
        raise MergeError("written.csv does not fit grades.csv; nothing was written:\n  " + "\n  ".join(problems[:50]))
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["student", "status", *auto_qs, *written_qs, "autograded", "written", "total", "max_total", "message"])
    max_auto = float(grades[0]["max_total"]) if grades else 0.0
    for g in grades:
        auto = float(g["total"])
        written = sum(scores[(g["student"], q)] for q in written_qs)
        by_hand = [f"{scores[(g['student'], q)]:g}" for q in written_qs]
        w.writerow([g["student"], g["status"], *(g[q] for q in auto_qs), *by_hand, f"{auto:g}", f"{written:g}",
                    f"{auto + written:g}", f"{max_auto + sum(maxes.values()):g}", g["message"]])
    atomic_write(target, buf.getvalue())
    return target
