"""The Gradescope autograder, run locally in a folder laid out like Gradescope's container
(``source/`` unzipped from the autograder zip, ``submission/``, ``results/``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest
from support.tiny_course import LAB, build_tiny_course

from utils.instructor.grading import gradescope


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = build_tiny_course(tmp_path_factory.mktemp("course"))
    return root, gradescope.build(LAB, root / "_build" / "gradescope", root)


def run_autograder(zip_path, notebook, tmp_path):
    ag = tmp_path / "autograder"
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(ag / "source")
    (ag / "submission").mkdir()
    (ag / "results").mkdir()
    shutil.copyfile(notebook, ag / "submission" / "my_lab.ipynb")
    env = dict(os.environ, AUTOGRADER_ROOT=str(ag), AUTOGRADER_PYTHON=sys.executable)
    r = subprocess.run(["bash", str(ag / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads((ag / "results" / "results.json").read_text())


def test_zip_holds_what_gradescope_needs(built):
    _, zip_path = built
    names = set(zipfile.ZipFile(zip_path).namelist())
    assert {"setup.sh", "run_autograder", "requirements.txt", "tests.zip", "utils/instructor/grading/worker.py",
            f"notebooks/{LAB}/tests/q1_double.py"} <= names
    assert not any(n.startswith(("labsolutions", "_build")) for n in names)
    reqs = zipfile.ZipFile(zip_path).read("requirements.txt").decode()
    assert "torch==" in reqs and "otter-grader==" in reqs


def test_solution_gets_full_marks_and_untouched_gets_zero(built, tmp_path):
    root, zip_path = built
    full = run_autograder(zip_path, root / "_build" / "autograder" / LAB / f"{LAB}-solution.ipynb", tmp_path / "a")
    assert full["score"] == 6 and [t["name"] for t in full["tests"]] == ["q1_double", "q2_square", "q3_relu"]
    assert all(t["score"] == t["max_score"] == 2 for t in full["tests"]), full
    blank = run_autograder(zip_path, root / "notebooks" / LAB / f"{LAB}.ipynb", tmp_path / "b")
    assert blank["score"] == 0 and "status: ok" in blank["output"]
    assert "hidden test q1_double - 2 failed" in blank["tests"][0]["output"]
    assert "test_double_values" not in json.dumps(blank)
