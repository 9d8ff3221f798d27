"""Written answers: the export by question for teaching assistants, and the merge back into
the grades, on a tiny lab with two written questions (a solution, an untouched notebook, a
half-answered one, one whose answer cell was deleted, and a file that is not a notebook)."""

from __future__ import annotations

import csv

import nbformat
import pytest
from support.tiny_course import LAB, WRITTEN, build_tiny_course

from utils.instructor import leaks, paths
from utils.instructor.grade import grade_folder
from utils.instructor.grading import cli, written


def answer_cells(nb):
    """The written questions' answer cells (coded questions' cells carry the same tag)."""
    return [i for i, c in enumerate(nb.cells)
            if c.cell_type == "markdown" and "otter_answer_cell" in c.metadata.get("tags", [])]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = build_tiny_course(tmp_path_factory.mktemp("course"), written=True)
    subs = tmp_path_factory.mktemp("subs")
    student = nbformat.read(root / "notebooks" / LAB / f"{LAB}.ipynb", as_version=4)
    nbformat.write(nbformat.read(root / "_build" / "autograder" / LAB / f"{LAB}-solution.ipynb", as_version=4),
                   subs / "ada.ipynb")
    nbformat.write(student, subs / "bob.ipynb")
    half = nbformat.from_dict(student)
    half.cells[answer_cells(half)[0]].source = "Because **floats** come from `dtype=float`."
    nbformat.write(half, subs / "cy.ipynb")
    deleted = nbformat.from_dict(student)
    del deleted.cells[answer_cells(deleted)[0]]
    nbformat.write(deleted, subs / "dee.ipynb")
    (subs / "eve.ipynb").write_bytes(b"")
    out = tmp_path_factory.mktemp("results") / "lab90"
    grade_folder(subs, LAB, out, workers=2, timeout=60, root=root, progress=False)
    return root, out


def test_one_file_per_question_with_model_answer_rubric_and_every_answer(graded):
    _, out = graded
    text = (out / "written" / "w1_why_double.md").read_text()
    name, points, prompt, model = WRITTEN[0]
    assert text.startswith("# w1_why_double (2 points)") and prompt in text
    head, answers = text.split("## Answers")
    assert "**Rubric.** 1 point: names the conversion" in head and "**Model answer.**" in head
    sections = dict(s.split("\n", 1) for s in answers.split("### ")[1:])
    assert list(sections) == ["ada", "bob", "cy", "dee", "eve"]
    assert "**Model answer.**" in sections["ada"]  # the solution notebook answers with the model answer
    assert "unanswered" in sections["bob"] and "Because **floats**" in sections["cy"]
    assert "no answer cell" in sections["dee"] and "not a readable notebook" in sections["eve"]
    assert "unanswered" in (out / "written" / "w2_relu_grad.md").read_text().split("### cy")[1]


def test_written_csv_has_a_row_per_student_and_question(graded):
    _, out = graded
    rows = list(csv.DictReader((out / "written.csv").open()))
    assert [(r["student"], r["question"], r["max_points"], r["score"]) for r in rows[:2]] == [
        ("ada", "w1_why_double", "2", ""), ("ada", "w2_relu_grad", "1", "")]
    assert len(rows) == 10 and {r["answer"] for r in rows if r["student"] == "dee"} == {"missing", "unanswered"}


def fill(out, scores, path=None):
    rows = list(csv.DictReader((out / "written.csv").open()))
    for r in rows:
        r["score"] = scores.get((r["student"], r["question"]), "1")
    target = path or out / "written.csv"
    with open(target, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return rows


def test_merge_recomputes_totals_and_refuses_to_overwrite(graded, tmp_path):
    _, out = graded
    original = (out / "written.csv").read_text()
    try:
        fill(out, {("ada", "w1_why_double"): "2", ("bob", "w1_why_double"): "0", ("bob", "w2_relu_grad"): "0"})
        assert cli.main(["--merge-written", str(out)]) == 0
        rows = {r["student"]: r for r in csv.DictReader((out / "grades-final.csv").open())}
        assert (rows["ada"]["autograded"], rows["ada"]["written"], rows["ada"]["total"], rows["ada"]["max_total"]) == \
            ("6", "3", "9", "9")
        assert (rows["bob"]["total"], rows["eve"]["status"]) == ("0", "not-a-notebook")
        assert cli.main(["--merge-written", str(out)]) == 2  # exists: not replaced silently
        assert cli.main(["--merge-written", str(out), "--force"]) == 0
    finally:
        (out / "written.csv").write_text(original)
        (out / "grades-final.csv").unlink(missing_ok=True)


@pytest.mark.parametrize("case, message", [
    ("above_max", "above the question's 1 points"), ("not_a_number", "is not a number"),
    ("missing_row", "has no score for w2_relu_grad"), ("unknown_student", "is not in grades.csv")])
def test_merge_rejects_a_bad_csv_and_writes_nothing(graded, case, message):
    _, out = graded
    original = (out / "written.csv").read_text()
    try:
        rows = fill(out, {("cy", "w2_relu_grad"): {"above_max": "1.5", "not_a_number": "one"}.get(case, "1")})
        if case in ("missing_row", "unknown_student"):
            rows = [r for r in rows if not (r["student"] == "cy" and r["question"] == "w2_relu_grad")]
            if case == "unknown_student":
                rows.append({**rows[0], "student": "mallory"})
            with open(out / "written.csv", "w", newline="") as f:
                w = csv.DictWriter(f, fieldnames=list(rows[0]))
                w.writeheader()
                w.writerows(rows)
        with pytest.raises(written.MergeError, match=message):
            written.merge(out)
        assert not (out / "grades-final.csv").exists()
    finally:
        (out / "written.csv").write_text(original)


def test_model_answers_and_rubrics_reach_no_student(graded):
    root, _ = graded
    student = (root / "notebooks" / LAB / f"{LAB}.ipynb").read_text()
    assert "Model answer" not in student and "Rubric" not in student
    assert "(2 points)" in student and written.PLACEHOLDER in student  # what the student sees
    assert leaks.hidden_test_leaks(root) == []
    book = root / "book"
    book.mkdir(exist_ok=True)
    (book / "leak.md").write_text(WRITTEN[1][3].split("\n")[0] + "\n")
    try:
        assert any("a line of a hidden test" in leak for leak in leaks.hidden_test_leaks(root))
    finally:
        (book / "leak.md").unlink()


@pytest.mark.parametrize("lab", paths.lab_names())
def test_every_written_question_of_every_lab_has_a_model_answer_and_rubric(lab):
    master = paths.ROOT / "labsolutions" / f"{lab}.ipynb"
    questions = written.written_questions(master)
    assert questions, f"{lab} has no written question"
    for q in questions:
        assert q.points > 0 and f"({q.points:g} point" in q.prompt, q.name
        assert q.solution.startswith("**Model answer.**") and "**Rubric.**" in q.solution, q.name
    text = master.read_text()
    assert "Your answer:" not in text and "*Your answer:*" not in text  # every question converted
    student = (paths.ROOT / "notebooks" / lab / f"{lab}.ipynb").read_text()
    assert student.count(written.PLACEHOLDER) == len(questions)
