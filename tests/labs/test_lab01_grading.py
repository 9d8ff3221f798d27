"""Lab 1 grading is precise: a submission with exactly one subtly wrong function (right shapes,
right forward pass, so it passes that question's public tests) loses exactly that question's
hidden points, plus those of q4_lm_model when the wrong function is one of the layers the
student's model is assembled from (the question says so: the model is built from their layers).

Each mutant is built inside the test from the solved student notebook that ``otter assign``
writes next to the autograder (what a perfect submission looks like, with otter's metadata)
by editing one line of one cell, then graded end to end by the real autograder
(``utils.grade.grade_submission``).
"""

from pathlib import Path

import nbformat
import pytest
import yaml

from utils.instructor import paths
from utils.instructor.grade import autograder_zip, grade_submission

LAB = "lab01_rnn_numpy"
MASTER = paths.ROOT / "labsolutions" / f"{LAB}.ipynb"

# question -> (line of the solution, subtly wrong replacement, what the bug is)
MUTANTS = {
    "q2_rnn_bptt": (
        "        dh_carry = da[t] @ Wh.T",
        "        dh_carry = np.zeros_like(da[t] @ Wh.T)",
        "BPTT that forgets the gradient flowing from h_t+1 back into h_t (truncation to one step)",
    ),
    "q3_temporal_layers": (
        "    np.add.at(dW, x, dout)  # unbuffered: repeated ids accumulate",
        "    dW[x] += dout",
        "embedding backward with buffered fancy indexing: repeated ids keep one contribution",
    ),
}


# q4 assembles the language model from the student's own layers, so their bugs carry into it.
BUILT_FROM = {"q4_lm_model": {"q2_rnn_bptt", "q3_temporal_layers"}}


def hidden_points(nb) -> dict:
    """Points of the hidden tests of each question, read from the master's test configs."""
    points, question = {}, None
    for cell in nb.cells:
        if cell.cell_type == "raw" and cell.source.startswith("# BEGIN QUESTION"):
            question = yaml.safe_load(cell.source.split("\n", 1)[1])["name"]
        elif cell.cell_type == "code" and cell.source.lstrip().startswith('""" # BEGIN TEST CONFIG'):
            config = yaml.safe_load(cell.source.split('"""')[1].replace("# BEGIN TEST CONFIG", ""))
            if config.get("hidden"):
                points[question] = points.get(question, 0) + config["points"]
    return points


def mutate(nb, old: str, new: str):
    """Copy of ``nb`` with the one cell line ``old`` replaced by ``new``."""
    nb = nbformat.from_dict(nb)
    hits = [c for c in nb.cells if c.cell_type == "code" and old in c.source.splitlines()]
    assert len(hits) == 1, f"expected exactly one cell with the line {old!r}, found {len(hits)}"
    hits[0].source = hits[0].source.replace(old, new)
    return nb


def test_every_question_has_hidden_points():
    points = hidden_points(nbformat.read(MASTER, as_version=4))
    assert set(points) == {"q1_rnn_step", "q2_rnn_bptt", "q3_temporal_layers", "q4_lm_model"}
    assert all(p > 0 for p in points.values())


@pytest.mark.parametrize("question", sorted(MUTANTS))
def test_one_wrong_function_loses_exactly_its_hidden_points(question, tmp_path: Path):
    master = nbformat.read(MASTER, as_version=4)
    solved = autograder_zip(LAB).parent / f"{LAB}-solution.ipynb"
    old, new, _ = MUTANTS[question]
    submission = tmp_path / f"{LAB}.ipynb"
    nbformat.write(mutate(nbformat.read(solved, as_version=4), old, new), submission)
    grade = grade_submission(submission, LAB, timeout=300)
    assert grade.status == "ok", grade.message
    lost = {q: grade.max_scores[q] - grade.scores[q] for q in grade.max_scores}
    hit = {question} | {q for q, layers in BUILT_FROM.items() if question in layers}
    expected = {q: (hidden_points(master)[q] if q in hit else 0) for q in grade.max_scores}
    assert lost == expected, f"points lost {lost}, expected {expected}"
