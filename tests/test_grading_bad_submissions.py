"""Bad submissions: every case is a notebook this file writes, graded in ONE batch (2 workers,
each submission in its own sandbox) against a tiny lab of three millisecond questions, so the
whole suite stays fast. The deliberate attacks are in test_grading_adversarial.py.

The tiny lab (built in a temporary folder, in the repository's master-notebook format):
q1_double (numpy, hidden test uses np.allclose), q2_square (hidden test uses
np.testing.assert_allclose on 3 numbers), q3_relu (torch, hidden test uses torch.allclose on 2
numbers); 2 points each, split evenly between one public and one hidden test. The hidden tests
draw their inputs from the run's secret seed.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import nbformat
import pytest

from utils import release
from utils.grade import grade_folder, read_submission

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
    ("q2_square", "def square(x):\n    # BEGIN SOLUTION\n    return np.asarray(x, dtype=float) ** 2\n    # END SOLUTION",
     "def test_square_shape(square, np):\n    assert square(np.ones(2)).shape == (2,)\ntest_square_shape(square, np)",
     "def test_square_values(square, np, seed=0):\n    x = np.random.default_rng(seed).standard_normal(3)\n"
     "    np.testing.assert_allclose(square(x), x ** 2)\ntest_square_values(square, np)"),
    ("q3_relu", "def relu(x):\n    # BEGIN SOLUTION\n    return torch.clamp(x, min=0)\n    # END SOLUTION",
     "def test_relu_shape(relu, torch):\n    assert relu(torch.zeros(2, 3)).shape == (2, 3)\ntest_relu_shape(relu, torch)",
     "def test_relu_values(relu, torch, seed=0):\n    x = torch.randn(2, generator=torch.Generator().manual_seed(seed))\n"
     "    x = torch.stack([-x[0].abs(), x[1].abs()])  # one negative, one positive, in random sizes\n"
     "    assert torch.allclose(relu(x), x.clamp(min=0))\ntest_relu_values(relu, torch)"),
]


WRITTEN = [("w1_why_double", 2, "**Question (2 points).** Why does `double` return floats?",
            "**Model answer.** Because `np.asarray(x, dtype=float)` converts integer inputs first.\n\n"
            "**Rubric.** 1 point: names the conversion to float. 1 point: says integers would overflow or truncate otherwise."),
           ("w2_relu_grad", 1, "**Question (1 point).** What is the derivative of ReLU at 0 in torch?",
            "**Model answer.** torch uses 0 for the derivative of `clamp(x, min=0)` at exactly 0.\n\n"
            "**Rubric.** 1 point: zero, with the reason that the subgradient convention picks it.")]


def write_tiny_lab(root: Path, written: bool = False) -> None:
    """A master notebook in the CONTRIBUTING.md format, plus the _config.yml it needs; with
    ``written``, two written (manual) questions after the coded ones."""
    (root / "labsolutions").mkdir(parents=True)
    shutil.copyfile(release.ROOT / "_config.yml", root / "_config.yml")
    cells = [R(CONFIG), M("# Tiny lab\nThree one-line questions."), C(release.setup_cell(LAB, root)),
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
    release.generate_autograder(LAB, root / "_build" / "autograder", root)
    release.generate_student(LAB, root / "notebooks", root)
    return root


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_tiny_course(tmp_path_factory.mktemp("course"))


# ------------------------------------------------------------------------------------------
# The cases. Each is (file name, content or notebook, expected status, expected scores).


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


def rewrites_tests(root, autograder_zip):
    """Empties every .py file it can reach (its own tests/, its neighbours') and overwrites the
    autograder zip, at top level and again while its own q1 is being tested."""
    attack = f"""import glob, os, pathlib
for p in glob.glob('**/*.py', recursive=True) + glob.glob('../**/*.py', recursive=True):
    try:
        pathlib.Path(p).write_text('')
    except OSError:
        pass
try:
    pathlib.Path({str(autograder_zip)!r}).write_bytes(b'not a zip')
except OSError:
    pass"""
    nb = with_function(root, "double", "def double(x):\n    " + attack.replace("\n", "\n    ") + "\n    return None")
    nb.cells.append(C(attack))
    return nb


def swaps_the_tests(root):
    """Unsolved functions, plus a cell that looks for the grader's test functions (up the
    stack, and among every object the garbage collector knows) and replaces them by ones
    that pass. They are in another process: no points."""
    nb = nbformat.read(root / "notebooks" / LAB / f"{LAB}.ipynb", as_version=4)
    nb.cells.append(C("""import gc, inspect, sys
found = [f.frame.f_locals["state"] for f in inspect.stack() if "state" in f.frame.f_locals]
found += [o for o in gc.get_objects() if isinstance(o, dict) and "case_funcs" in o]
for state in found:
    if isinstance(state, dict) and "case_funcs" in state:
        for key in list(state["case_funcs"]):
            state["case_funcs"][key] = lambda **kwargs: None"""))
    return nb


FULL = {"q1_double": 2, "q2_square": 2, "q3_relu": 2}
NONE = {"q1_double": 0, "q2_square": 0, "q3_relu": 0}


def cases(root):
    autograder_zip = root / "_build" / "autograder" / LAB / f"{LAB}-autograder.zip"
    other_lab = solution(root)
    other_lab.cells[next(i for i, c in enumerate(other_lab.cells) if "bootstrap(" in c.source)].source = \
        release.setup_cell("lab01_rnn_numpy", root)
    other_lab.metadata["otter"] = {"assignment_name": "lab01_rnn_numpy"}
    huge_saved = solution(root)
    huge_saved.cells[-1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="y" * 30_000_000)]
    return [
        ("solution.ipynb", solution(root), "ok", FULL),
        ("untouched.ipynb", nbformat.read(root / "notebooks" / LAB / f"{LAB}.ipynb", as_version=4), "ok", NONE),
        # broken code
        ("syntax_error.ipynb", with_function(root, "double", "def double(x)\n    return 2 * x"), "ok",
         {**FULL, "q1_double": 0}),
        ("exception_in_q2.ipynb", with_function(root, "square", "def square(x):\n    raise RuntimeError('todo')"),
         "ok", {**FULL, "q2_square": 0}),
        ("sys_exit.ipynb", appended(root, "import sys\nsys.exit(3)", at=5), "ok", FULL),
        ("os_exit_top_level.ipynb", appended(root, "import os\nos._exit(0)", at=5), "crashed", NONE),
        ("os_exit_in_q3.ipynb", with_function(  # only when the hidden test calls it, with shape (2,)
            root, "relu", "def relu(x):\n    if x.shape == (2,):\n        import os\n        os._exit(1)\n"
                          "    return torch.clamp(x, min=0)"), "crashed", {**FULL, "q3_relu": 0}),
        ("segfault.ipynb", appended(root, "import ctypes\nctypes.string_at(0)"), "crashed", NONE),
        # limits
        ("loop_top_level.ipynb", appended(root, "while True:\n    pass"), "timeout", FULL),
        ("loop_in_q2.ipynb", with_function(  # loops only on the hidden test's input (3 numbers)
            root, "square", "def square(x):\n    while len(x) == 3:\n        pass\n    return np.asarray(x) ** 2"),
         "timeout", {**FULL, "q2_square": 1}),
        ("loop_swallows_interrupts.ipynb", appended(
            root, "import time\nwhile True:\n    try:\n        time.sleep(0.01)\n    except BaseException:\n        pass"),
         "timeout", NONE),
        ("memory_bomb.ipynb", appended(
            root, "def bomb():\n    hog = []\n    while True:\n        hog.append(np.empty(10**8))\nbomb()"),
         "memory", FULL),
        ("huge_output.ipynb", appended(root, "print('x' * 50_000_000)\nfor i in range(20_000):\n    print(i)"),
         "ok", FULL),
        ("huge_saved_output.ipynb", huge_saved, "ok", FULL),
        # tampering with the tests, the libraries and the results: the tests run in the
        # grader's process, so a patched library fools nobody; the wrong function earns only
        # its public point (shapes)
        ("rewrites_tests.ipynb", rewrites_tests(root, autograder_zip), "ok", {**FULL, "q1_double": 0}),
        ("patches_allclose.ipynb", with_function(
            root, "double", "def double(x):\n    return np.zeros(len(x))\nnp.allclose = lambda *a, **k: True"),
         "ok", {**FULL, "q1_double": 1}),
        ("patches_function_code.ipynb", with_function(  # same object, new code
            root, "square", "def square(x):\n    return np.zeros(len(x))\n"
                            "np.testing.assert_allclose.__code__ = (lambda *a, **k: None).__code__"),
         "ok", {**FULL, "q2_square": 1}),
        ("patches_testing_during_call.ipynb", with_function(  # patches only when the hidden test calls
            root, "square", "def square(x):\n    if len(x) == 3:\n"
                            "        np.testing.assert_allclose = lambda *a, **k: None\n"
                            "    return np.zeros(len(x))"), "ok", {**FULL, "q2_square": 1}),
        ("patches_torch_allclose.ipynb", with_function(
            root, "relu", "def relu(x):\n    return x\ntorch.allclose = lambda *a, **k: True"),
         "ok", {**FULL, "q3_relu": 1}),
        # tests get the real numpy whatever `np` means in the notebook: the wrong double earns
        # only its public point, and square (which uses the fake np) fails honestly
        ("fake_np.ipynb", with_function(
            root, "double", "def double(x):\n    return np_real.zeros(len(x))\n"
                            "class _Fake:\n    def __getattr__(self, n):\n        return lambda *a, **k: True\n"
                            "np_real = np\nnp = _Fake()"), "ok", {"q1_double": 1, "q2_square": 0, "q3_relu": 2}),
        ("swaps_the_tests.ipynb", swaps_the_tests(root), "ok", NONE),
        ("fake_results.ipynb", appended(root, """
import json, os, pathlib
fake = {"tests": [{"name": q, "score": 2, "max_score": 2} for q in ("q1_double", "q2_square", "q3_relu")],
        "event": "question", "name": "q1_double", "score": 2, "cases": [], "tampered": []}
print(json.dumps(fake))
for where in ("results.json", "../results.json", "grades.csv", "../grades.csv"):
    try:
        pathlib.Path(where).write_text(json.dumps(fake))
    except OSError:
        pass
for fd in range(3, 30):
    for q in ("q1_double", "q2_square", "q3_relu"):
        try:
            os.write(fd, (json.dumps({**fake, "name": q}) + "\\n").encode())
        except OSError:
            pass
""", at=5), "ok", FULL),
        # not gradable
        ("empty.ipynb", b"", "not-a-notebook", NONE),
        ("invalid_json.ipynb", b'{"cells": [', "not-a-notebook", NONE),
        ("essay.pdf", b"%PDF-1.4 not a notebook", "not-a-notebook", NONE),
        ("other_lab.ipynb", other_lab, "wrong-lab", NONE),
    ]


@pytest.fixture(scope="module")
def batch(tiny, tmp_path_factory):
    subs = tmp_path_factory.mktemp("submissions")
    expected = {}
    for name, content, status, scores in cases(tiny):
        path = subs / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            nbformat.write(content, path)
        expected[path.stem] = (status, scores)
    # fake_results also gets "full" marks from its solution code: make it a stub instead, so a
    # forged result would show up as points it did not earn.
    nb = nbformat.read(subs / "fake_results.ipynb", as_version=4)
    for fn in ("double", "square", "relu"):
        code_cell_defining(nb, fn).source = f"def {fn}(x):\n    return None"
    nbformat.write(nb, subs / "fake_results.ipynb")
    # its writes to every inherited descriptor reach the reply pipe: the grader sees bytes that
    # are not a reply, stops it (status "protocol") and counts nothing it said
    expected["fake_results"] = ("protocol", NONE)
    out = tmp_path_factory.mktemp("results") / "lab90"
    zip_path = tiny / "_build" / "autograder" / LAB / f"{LAB}-autograder.zip"
    zip_before = zip_path.read_bytes()
    master_before = (tiny / "labsolutions" / f"{LAB}.ipynb").read_bytes()
    start = time.perf_counter()
    grades = grade_folder(subs, LAB, out, workers=2, timeout=30, cell_timeout=5, test_timeout=5,
                          memory_mb=3072, root=tiny, progress=False)
    seconds = time.perf_counter() - start
    return {"grades": {g.student: g for g in grades}, "expected": expected, "out": out, "seconds": seconds,
            "zip_before": zip_before, "zip_path": zip_path, "master_before": master_before, "root": tiny}


def names(root):
    return [Path(name).stem for name, *_ in cases(root)]


@pytest.mark.parametrize("case", [
    "solution", "untouched", "syntax_error", "exception_in_q2", "sys_exit", "os_exit_top_level",
    "os_exit_in_q3", "segfault", "loop_top_level", "loop_in_q2", "loop_swallows_interrupts", "memory_bomb",
    "huge_output", "huge_saved_output", "rewrites_tests", "patches_allclose", "patches_function_code",
    "patches_testing_during_call", "patches_torch_allclose", "fake_np", "swaps_the_tests", "fake_results", "empty",
    "invalid_json", "essay", "other_lab"])
def test_case_gets_the_right_status_and_score(batch, case):
    g = batch["grades"][case]
    status, scores = batch["expected"][case]
    if isinstance(status, tuple) and g.status in status:
        status = g.status
    assert (g.status, g.scores) == (status, scores), f"{case}: {g.status} {g.scores} ({g.message})"
    assert g.max_scores == {"q1_double": 2, "q2_square": 2, "q3_relu": 2}


def test_every_case_is_parametrized(tiny):
    assert sorted(names(tiny)) == sorted(
        test_case_gets_the_right_status_and_score.pytestmark[0].args[1])


def test_batch_completes_and_writes_csv_and_feedback(batch):
    out = batch["out"]
    rows = (out / "grades.csv").read_text().splitlines()
    assert rows[0].startswith("student,status,q1_double,q2_square,q3_relu,total,max_total")
    assert len(rows) == 1 + len(batch["expected"])
    for student in batch["expected"]:
        assert (out / "feedback" / f"{student}.txt").exists()
    fb = (out / "feedback" / "exception_in_q2.txt").read_text()
    assert "q2_square" in fb and "RuntimeError" in fb
    fb = (out / "feedback" / "patches_allclose.txt").read_text()
    assert "q1_double: 1 / 2" in fb and "hidden test q1_double - 2 failed" in fb
    print(f"graded {len(batch['expected'])} bad submissions in {batch['seconds']:.1f} s")


def test_tests_and_results_outside_the_submission_survive(batch):
    """rewrites_tests tried to overwrite every .py it could reach and the autograder zip: the
    sandbox shows it neither."""
    assert batch["zip_path"].read_bytes() == batch["zip_before"]
    assert (batch["root"] / "labsolutions" / f"{LAB}.ipynb").read_bytes() == batch["master_before"]


def test_read_submission_statuses(tmp_path):
    p = tmp_path / "x.ipynb"
    p.write_text(json.dumps({"cells": "nope", "nbformat": 4}))
    assert read_submission(p, LAB)[0] == "not-a-notebook"
    p.write_text(json.dumps({"cells": [], "nbformat": 4, "metadata": {"otter": {"assignment_name": "lab02_x"}}}))
    assert read_submission(p, LAB)[0] == "wrong-lab"
    p.write_text(json.dumps({"cells": [{"cell_type": "code", "source": ["x = 1\n", "y = 2"]}], "nbformat": 4}))
    assert read_submission(p, LAB) == ("ok", "", ["x = 1\ny = 2"])
