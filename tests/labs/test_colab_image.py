"""The Colab-image check: students' set-up cell changes nothing Colab ships, and every lab
passes its public checks in an environment with Colab's versions of what the course touches.

The environment is built from Colab's published ``pip freeze`` (``tests/colab/``) by
``utils.colabimage`` and cached in ~/.cache/rnn-labs (about 1.5 minutes the first time).
Differences from Colab, forced by this machine: Python 3.11 (Colab: 3.13) and torch
2.13.0+cpu (Colab: 2.11.0+cu128). Each lab gets its own copy of the environment and one
kernel, in which its answered notebook (the student notebook with the master's solutions,
as ``make autograder`` writes it) runs from the set-up cell on, in fast mode.
"""

import json
import re
import shutil
import time
import uuid

import nbformat
import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from utils import colab
from utils.instructor import colabimage as ci
from utils.instructor import paths, student

LABS = paths.lab_names()
PINS = ci.read_freeze()
ADDED = {ci.normalise(n): v for n, v in colab.ADD.items()}
# What this machine's pip configuration prints about local indexes that do not exist.
PIP_NOISE = re.compile(r"^WARNING: Location 'file:///opt/\S+' is ignored: it is neither a file nor a directory\.$")


def test_runtime_floors_are_met_by_colab_or_by_what_the_cell_adds():
    for req in map(Requirement, ci.runtime_requirements()):
        name = ci.normalise(req.name)
        version = ADDED.get(name) or PINS.get(name)
        assert version is not None, f"Colab lacks {name}: add it to utils.colab.ADD"
        if name == "torch":
            version = version.split("+")[0]
        assert req.specifier.contains(Version(version), prereleases=True), \
            f"pyproject.toml asks {req}, Colab has {name} {version}: lower the floor"


def test_the_cell_adds_only_what_colab_lacks():
    shipped = sorted(n for n in ADDED if n in PINS)
    assert not shipped, f"utils.colab.ADD lists packages Colab ships (it must never touch them): {shipped}"
    for name in ("jupyter-book", "nbval", "pytest", "pytest-xdist", "sphinx", "nbclient"):
        assert name not in ADDED, f"{name} is a build or test tool: it has no place in Colab"


@pytest.fixture(scope="module")
def image():
    return ci.build(log=lambda msg: print(msg, flush=True))


@pytest.fixture
def env(image):
    """A private copy of the Colab image for one test (the cached one stays pristine)."""
    copy = ci.private_copy(image, ci.CACHE / f"run-{uuid.uuid4().hex[:12]}")
    yield copy
    shutil.rmtree(copy, ignore_errors=True)


UNMET = """
import json
from importlib import metadata
from packaging.requirements import Requirement
names = json.loads(%r)
installed = {d.metadata["Name"].lower().replace("_", "-"): d.version for d in metadata.distributions()}
unmet = []
for name in names:
    for r in metadata.requires(name) or []:
        req = Requirement(r)
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        have = installed.get(req.name.lower().replace("_", "-").replace(".", "-"))
        if have is None or not req.specifier.contains(have, prereleases=True):
            unmet.append(f"{name} requires {r}, installed: {have}")
print(json.dumps(unmet))
"""


def _seconds(cell):
    t = cell.metadata.get("execution", {})
    start, end = t.get("iopub.execute_input"), t.get("shell.execute_reply")
    if not (start and end):
        return float("nan")
    from datetime import datetime
    return (datetime.fromisoformat(end.replace("Z", "+00:00"))
            - datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()


@pytest.mark.parametrize("lab", LABS)
def test_set_up_cell_adds_only_and_the_answered_lab_passes_its_checks(lab, env, tmp_path):
    before = ci.versions(env)
    assert ci.differences(before, PINS) == [], "the image must hold Colab's versions only"
    assert not set(ADDED) & set(before), "the image must not hold what the set-up cell adds"

    student.generate_autograder(lab, tmp_path / "autograder")
    nb = nbformat.read(tmp_path / "autograder" / lab / f"{lab}-solution.ipynb", as_version=4)
    content = tmp_path / "content"  # Colab's /content
    content.mkdir()
    ci.as_in_colab(nb, content)
    kernels = ci.kernel_dir(env, tmp_path, {"LAB_FAST": "1"})
    start = time.perf_counter()
    try:
        ci.execute(nb, kernels, content, timeout=300)
    finally:
        nbformat.write(nb, tmp_path / f"{lab}-executed.ipynb")  # for reading a failure
    wall = time.perf_counter() - start

    after = ci.versions(env)
    changed = {n: f"{v} -> {after.get(n, 'removed')}" for n, v in before.items() if after.get(n) != v}
    assert changed == {}, f"the set-up cell changed packages Colab ships: {changed}"
    added = {n: v for n, v in after.items() if n not in before}
    assert added == ADDED, "the set-up cell must add exactly utils.colab.ADD"
    unmet = json.loads(ci._run([ci.env_python(env), "-I", "-c", UNMET % json.dumps(sorted(colab.ADD))]))
    assert unmet == [], "what the set-up cell adds needs something Colab lacks: " + "; ".join(unmet)

    setup = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith(student.SETUP_MARKER))
    said = [ln for o in setup.outputs for ln in str(o.get("text", "")).splitlines() if not PIP_NOISE.match(ln)]
    assert said == [], "the set-up cell should run silently in Colab; it printed:\n" + "\n".join(said)
    assert (content / "rnn-labs" / "notebooks" / lab / "tests").is_dir()

    checks = ci.check_outputs(nb)
    assert checks, "the answered notebook has no grader.check cells"
    failed = [f"{q}: {text}" for q, passed, text in checks if not passed]
    assert failed == [], "public checks fail in the Colab image:\n" + "\n".join(failed)
    print(f"{lab}: set-up cell {_seconds(setup):.1f} s, whole notebook {wall:.1f} s, "
          f"{len(checks)} checks passed")


WIDGET_CELLS = [
    """import sys
sys.path.insert(0, {root!r})
import ipywidgets
assert ipywidgets.__version__ == "7.7.1", ipywidgets.__version__
import inspect
import numpy as np
from utils import widgets
calls, driven = [], set()""",
    # slider: an interact over a SelectionSlider
    """f = widgets.slider(lambda v: calls.append(("slider", v)), "x", [1, 2, 3])
f.widget.children[0].value = 3
assert ("slider", 3) in calls, calls
driven.add("slider")""",
    """deps = {"A": np.tril(np.ones((16, 16), dtype=bool), -1), "B": np.eye(16, dtype=bool)}
box = widgets.dependency_explorer(deps, (4, 4))
buttons = box.children[0].children[1].children
assert len(buttons) == 16
buttons[5].click()
driven.add("dependency_explorer")""",
    """text = "def f(x):\\n    return x\\n" * 20
acts = np.tanh(np.linspace(-2, 2, len(text) * 4)).reshape(len(text), 4)
f = widgets.cell_browser(text, acts, cells=[1], window=100, labels={1: "a cell"})
f.widget.children[0].value = 2
f.widget.children[1].value = 100
driven.add("cell_browser")""",
    """def attention(t):
    T = len(t)
    return list(t), np.full((2, 2, T, T), 1.0 / T)
f = widgets.attention_explorer(attention, "abcd")
f.widget.children[2].value = 2
f.widget.children[0].value = "xyz"
driven.add("attention_explorer")""",
    """box = widgets.dropdowns(lambda a, b: calls.append(("dropdowns", a, b)), {"a": [1, 2], "b": ["x", "y"]})
box.children[0].children[1].value = "y"
assert ("dropdowns", 1, "y") in calls, calls
driven.add("dropdowns")""",
    """helpers = {n for n, f in inspect.getmembers(widgets, inspect.isfunction)
           if not n.startswith("_") and f.__module__ == widgets.__name__}
assert helpers == driven, f"widget helpers the check does not drive: {sorted(helpers - driven)}"
print("driven:", sorted(driven))""",
]


def test_every_widget_helper_works_on_colabs_ipywidgets(env, tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src.format(root=str(ci.ROOT)) if "{root" in src else src)
                for src in WIDGET_CELLS]
    ci.execute(nb, ci.kernel_dir(env, tmp_path), tmp_path, timeout=120)
    problems = [o for c in nb.cells for o in c.outputs
                if o.output_type == "error" or "Traceback" in str(o.get("text", ""))]
    assert problems == [], f"a widget callback failed: {problems}"
    assert "driven:" in nb.cells[-1].outputs[0].text
