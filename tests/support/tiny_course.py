"""A tiny lab in the repository's master-notebook format, for the grading and release tests.

``lab90_tiny`` has three millisecond questions: q1_double (numpy, hidden test uses
np.allclose), q2_square (hidden test uses np.testing.assert_allclose on 3 numbers), q3_relu
(torch, hidden test uses torch.allclose on 2 numbers); 2 points each, split evenly between
one public and one hidden test, the hidden tests drawing their inputs from the run's secret
seed; with ``written=True``, two written (manual) questions after them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from utils.instructor import paths, student

LAB = "lab90_tiny"
R, C, M = nbformat.v4.new_raw_cell, nbformat.v4.new_code_cell, nbformat.v4.new_markdown_cell
CONFIG = """# ASSIGNMENT CONFIG
name: lab90_tiny
init_cell: false
check_all_cell: false
export_cell: false
run_tests: false
solutions_pdf: false
tests:
  files: true
  ok_format: false
generate: true"""

# (name, solution body, public test, hidden test)
QUESTIONS = [
    ("q1_double", "def double(x):\n    # BEGIN SOLUTION\n    return 2 * np.asarray(x, dtype=float)\n    # END SOLUTION",
     "def test_double_shape(double, np):\n    assert double(np.ones(3)).shape == (3,)\ntest_double_shape(double, np)",
     "def test_double_values(double, np, seed=0):\n    x = np.random.default_rng(seed).standard_normal(4)\n"
     "    assert np.allclose(double(x), 2 * x)\ntest_double_values(double, np)"),
    ("q2_square",
     "def square(x):\n    # BEGIN SOLUTION\n    return np.asarray(x, dtype=float) ** 2\n    # END SOLUTION",
     "def test_square_shape(square, np):\n    assert square(np.ones(2)).shape == (2,)\ntest_square_shape(square, np)",
     "def test_square_values(square, np, seed=0):\n    x = np.random.default_rng(seed).standard_normal(3)\n"
     "    np.testing.assert_allclose(square(x), x ** 2)\ntest_square_values(square, np)"),
    ("q3_relu", "def relu(x):\n    # BEGIN SOLUTION\n    return torch.clamp(x, min=0)\n    # END SOLUTION",
     "def test_relu_shape(relu, torch):\n    assert relu(torch.zeros(2, 3)).shape == (2, 3)\n"
     "test_relu_shape(relu, torch)",
     "def test_relu_values(relu, torch, seed=0):\n"
     "    x = torch.randn(2, generator=torch.Generator().manual_seed(seed))\n"
     "    x = torch.stack([-x[0].abs(), x[1].abs()])  # one negative, one positive, in random sizes\n"
     "    assert torch.allclose(relu(x), x.clamp(min=0))\ntest_relu_values(relu, torch)"),
]


WRITTEN = [("w1_why_double", 2, "**Question (2 points).** Why does `double` return floats?",
            "**Model answer.** Because `np.asarray(x, dtype=float)` converts integer inputs first.\n\n"
            "**Rubric.** 1 point: names the conversion to float. "
            "1 point: says integers would overflow or truncate otherwise."),
           ("w2_relu_grad", 1, "**Question (1 point).** What is the derivative of ReLU at 0 in torch?",
            "**Model answer.** torch uses 0 for the derivative of `clamp(x, min=0)` at exactly 0.\n\n"
            "**Rubric.** 1 point: zero, with the reason that the subgradient convention picks it.")]


def write_tiny_lab(root: Path, written: bool = False) -> None:
    """A master notebook in the CONTRIBUTING.md format, plus the _config.yml it needs; with
    ``written``, two written (manual) questions after the coded ones."""
    (root / "labsolutions").mkdir(parents=True)
    shutil.copyfile(paths.ROOT / "_config.yml", root / "_config.yml")
    cells = [R(CONFIG), M("# Tiny lab\nThree one-line questions."), C(student.setup_cell(LAB, root)),
             C("import numpy as np\nimport torch")]
    for name, sol, public, hidden in QUESTIONS:
        cells += [R(f"# BEGIN QUESTION\nname: {name}\npoints: 2"), M(f"Write `{name}`."),
                  R("# BEGIN SOLUTION"), C(sol), R("# END SOLUTION"), R("# BEGIN TESTS"), C(public),
                  C('""" # BEGIN TEST CONFIG\nhidden: true\n""" # END TEST CONFIG\n' + hidden),
                  R("# END TESTS"), R("# END QUESTION")]
    for name, points, prompt, model in WRITTEN if written else []:
        cells += [R(f"# BEGIN QUESTION\nname: {name}\nmanual: true\npoints: {points}"), M(prompt),
                  R("# BEGIN SOLUTION"), M(model), R("# END SOLUTION"), R("# END QUESTION")]
    cells.append(C("print(double(np.ones(2)), square(np.ones(2)), relu(torch.ones(1)))"))
    # torch changes itself on first use (an optimizer class wraps its step, dynamo wraps
    # manual_seed): a correct notebook that trains must not look like tampering
    cells.append(C("w = torch.zeros(2, requires_grad=True)\nopt = torch.optim.Adam([w], lr=0.1)\n"
                   "(w - 1).pow(2).sum().backward()\nopt.step()\ntorch.manual_seed(0)"))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, root / "labsolutions" / f"{LAB}.ipynb")


def build_tiny_course(root: Path, written: bool = False) -> Path:
    """The tiny lab's master, its autograder (with the solved notebook) and its student notebook."""
    write_tiny_lab(root, written)
    student.generate_autograder(LAB, root / "_build" / "autograder", root)
    student.generate_student(LAB, root / "notebooks", root)
    return root


def solution(root):
    return nbformat.read(root / "_build" / "autograder" / LAB / f"{LAB}-solution.ipynb", as_version=4)


def code_cell_defining(nb, name):
    return next(c for c in nb.cells if c.cell_type == "code" and c.source.lstrip().startswith(f"def {name}("))


def with_function(root, name, body):
    nb = solution(root)
    code_cell_defining(nb, name).source = body
    return nb


def appended(root, *sources, at=None):
    nb = solution(root)
    new = [C(s) for s in sources]
    nb.cells[at if at is not None else len(nb.cells):at if at is not None else len(nb.cells)] = new
    return nb


FULL = {"q1_double": 2, "q2_square": 2, "q3_relu": 2}
NONE = {"q1_double": 0, "q2_square": 0, "q3_relu": 0}
