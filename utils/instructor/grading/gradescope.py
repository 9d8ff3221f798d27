"""The Gradescope autograder: the same grader, on the one submission Gradescope hands it.

``build(lab)`` writes ``_build/gradescope/LAB/LAB-gradescope.zip`` holding Gradescope's
``setup.sh`` and ``run_autograder``, the ``utils`` package, the lab's tests (its otter
autograder zip), the public tests, and ``requirements.txt`` pinned to this environment's
versions. In Gradescope's container ``run_autograder`` grades ``/autograder/submission``
with ``python -m utils.instructor.grade`` (sandbox and all) and writes
``/autograder/results/results.json``. ``AUTOGRADER_ROOT`` and ``AUTOGRADER_PYTHON`` point
it elsewhere, which is how the test suite runs it in a folder laid out like Gradescope's.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

from ..paths import ROOT
from .lab import autograder_zip

RUNTIME = ["numpy", "torch", "matplotlib", "ipywidgets", "tqdm", "scikit-learn", "otter-grader", "pyyaml",
           "threadpoolctl", "sacrebleu", "ipython"]

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image (as root).
set -euo pipefail
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y bubblewrap python3 python3-venv python3-pip
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install -q -r /autograder/source/requirements.txt
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for each submission. AUTOGRADER_ROOT / AUTOGRADER_PYTHON move it (tests).
# If Gradescope's container cannot make namespaces the grader refuses to run; set
# UNSAFE=--unsafe-no-sandbox below only after reading the instructor guide.
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PY="${{AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}}"
UNSAFE=""
cd "$ROOT/source"
rm -rf "$ROOT/results/rnnlabs"
"$PY" -m utils.instructor.grade "$ROOT/submission" --lab {lab} --root "$ROOT/source" --tests "$ROOT/source/tests.zip" \\
    --out "$ROOT/results/rnnlabs" --gradescope "$ROOT/results/results.json" --workers 1 $UNSAFE
"""


def build(lab: str, out_root: Path | None = None, root: Path = ROOT) -> Path:
    root = Path(root)
    out = Path(out_root or root / "_build" / "gradescope") / lab
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    tests = autograder_zip(lab, root=root)
    target = out / f"{lab}-gradescope.zip"
    pins = []
    for name in RUNTIME:
        try:
            pins.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pins.append(name)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("setup.sh"), SETUP)
        info = zipfile.ZipInfo("run_autograder")
        info.external_attr = 0o755 << 16
        z.writestr(info, RUN.format(lab=lab))
        z.writestr("requirements.txt", "\n".join(pins) + "\n")
        z.write(tests, "tests.zip")
        for p in sorted((root / "notebooks" / lab / "tests").glob("*.py")):
            z.write(p, f"notebooks/{lab}/tests/{p.name}")
        package = Path(__file__).resolve().parents[2]  # the utils package (runtime and instructor)
        for p in sorted(package.rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts:
                z.write(p, "utils/" + p.relative_to(package).as_posix())
    return target


def write_results_json(grade, grades: list, path: Path) -> None:
    """Gradescope's results.json for the one submission (a zero with the reason otherwise)."""
    path = Path(path)
    if grade is None:
        text = ("expected exactly one notebook in the submission, found "
                f"{len(grades)}: {', '.join(g.student for g in grades) or 'none'}")
        result = {"score": 0, "output": text, "tests": []}
    else:
        tests = []
        for q, points in grade.max_scores.items():
            lines = [f for f in grade.feedback if f.startswith(f"{q}:")]
            tests.append({"name": q, "score": grade.scores.get(q, 0.0), "max_score": points,
                          "output": "\n".join(lines) or "every test passed"})
        other = [f for f in grade.feedback if not any(f.startswith(f"{q}:") for q in grade.max_scores)]
        head = f"status: {grade.status}" + (f" ({grade.message})" if grade.message else "")
        result = {"score": grade.total, "output": "\n".join([head, *other]), "tests": tests}
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as f:
        json.dump(result, f, indent=1)
    Path(f.name).replace(path)
