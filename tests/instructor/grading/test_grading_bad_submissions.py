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
import time
from pathlib import Path

import nbformat
import pytest
from support.tiny_course import (
    FULL,
    LAB,
    NONE,
    C,
    appended,
    build_tiny_course,
    code_cell_defining,
    solution,
    with_function,
)

from utils.instructor import student
from utils.instructor.grade import grade_folder, read_submission


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_tiny_course(tmp_path_factory.mktemp("course"))


# ------------------------------------------------------------------------------------------
# The cases. Each is (file name, content or notebook, expected status, expected scores).


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


def cases(root):
    autograder_zip = root / "_build" / "autograder" / LAB / f"{LAB}-autograder.zip"
    other_lab = solution(root)
    other_lab.cells[next(i for i, c in enumerate(other_lab.cells) if "bootstrap(" in c.source)].source = \
        student.setup_cell("lab01_rnn_numpy", root)
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
        ("unprintable_exception.ipynb", with_function(  # its message cannot be read: still only a failure
            root, "relu", "def relu(x):\n    class Odd(Exception):\n        def __str__(self):\n"
                          "            raise RuntimeError('no message')\n    raise Odd()"),
         "ok", {**FULL, "q3_relu": 0}),
        # limits
        ("loop_top_level.ipynb", appended(root, "while True:\n    pass"), "timeout", FULL),
        ("loop_in_q2.ipynb", with_function(  # loops only on the hidden test's input (3 numbers)
            root, "square", "def square(x):\n    while len(x) == 3:\n        pass\n    return np.asarray(x) ** 2"),
         "timeout", {**FULL, "q2_square": 1}),
        ("loop_swallows_interrupts.ipynb", appended(
            root, "import time\nwhile True:\n    try:\n        time.sleep(0.01)\n"
                  "    except BaseException:\n        pass"),
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
    "os_exit_in_q3", "segfault", "unprintable_exception", "loop_top_level", "loop_in_q2",
    "loop_swallows_interrupts", "memory_bomb",
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
    for name in batch["expected"]:
        assert (out / "feedback" / f"{name}.txt").exists()
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
