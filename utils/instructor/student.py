"""Student notebooks and autograders from the masters (``make students``, ``make autograder``).

``labsolutions/labNN_slug.ipynb`` (an otter-grader master) becomes

* ``notebooks/labNN_slug/labNN_slug.ipynb`` (solutions replaced by ``...``, hidden tests and
  outputs removed, a Colab badge and the generated set-up cell) and
  ``notebooks/labNN_slug/tests/*.py`` (the public tests), and
* ``_build/autograder/labNN_slug/labNN_slug-autograder.zip`` (every test, for grading).

The output is deterministic (stable cell ids, sorted JSON), so a second run changes nothing
and ``stale_files`` can compare the committed ``notebooks/`` with a fresh generation.
"""

from __future__ import annotations

import filecmp
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from .masters import first_code_cell
from .paths import ROOT, lab_names, master_path, repository

SETUP_MARKER = "# RNN Labs setup"


def colab_url(lab: str, root: Path = ROOT) -> str:
    url, branch = repository(root)
    path = url.split("github.com/", 1)[-1]
    return f"https://colab.research.google.com/github/{path}/blob/{branch}/notebooks/{lab}/{lab}.ipynb"


COLAB_CHECKOUT = "/content/rnn-labs"


def setup_cell(lab: str, root: Path = ROOT) -> str:
    """The first code cell of every student notebook (and, verbatim, of every master).

    In Colab it clones the course and calls ``utils.colab.bootstrap``, which adds the few
    packages Colab lacks (never changing one Colab ships) and enters the lab's folder; the
    install logic lives in ``utils.colab`` so that this text rarely changes."""
    url, branch = repository(root)
    return f'''{SETUP_MARKER} (generated; do not edit). In Colab it fetches the course
# and adds the few packages Colab lacks, changing none that Colab ships (about 15 s, once per
# session); on your own machine it does nothing.
import os, subprocess, sys
if "google.colab" in sys.modules:
    if not os.path.isdir("{COLAB_CHECKOUT}"):
        subprocess.run(["git", "clone", "--depth=1", "--branch={branch}", "{url}", "{COLAB_CHECKOUT}"], check=True)
    if "{COLAB_CHECKOUT}" not in sys.path:
        sys.path.insert(0, "{COLAB_CHECKOUT}")
from utils.colab import bootstrap
bootstrap("{lab}")
import otter
grader = otter.Notebook(tests_dir="tests")'''


def badge_cell(lab: str, root: Path = ROOT) -> str:
    return (f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab_url(lab, root)})\n\n"
            "Run the first code cell before anything else: in Colab it installs the course "
            "package; locally it does nothing. Check each answer with `grader.check(...)`.")


def check_master(master: Path) -> None:
    """A master must start (first code cell) with the exact generated setup cell."""
    nb = nbformat.read(master, as_version=4)
    got = nb.cells[first_code_cell(nb)].source
    want = setup_cell(master.stem)
    if got != want:
        raise ValueError(f"{master}: the first code cell must be the generated setup cell; "
                         f"print it with `python -m utils.instructor.release setup-cell {master.stem}`")


_NBVAL_LINE = re.compile(r"^[ \t]*#\s*NBVAL_\w+[^\n]*\n?", re.M)


def _strip_test_markers(nb) -> None:
    """Drop nbval's marker comments (``# NBVAL_CHECK_OUTPUT``...): they steer our tests, not students."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = _NBVAL_LINE.sub("", cell.source)


def _normalize(nb, lab: str) -> None:
    """Make a generated notebook byte-for-byte reproducible and output-free."""
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "otter": nb.metadata.get("otter", {}),
        "colab": {"provenance": []},
    }
    for i, cell in enumerate(nb.cells):
        cell.id = f"{lab.replace('_', '-')}-{i:03d}"
        keep = {k: v for k, v in cell.metadata.items() if k in ("tags", "deletable", "editable")}
        cell.metadata = keep
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None


def _otter_assign(master: Path, dest: Path) -> None:
    check_master(master)
    proc = subprocess.run([sys.executable, "-m", "otter", "assign", str(master), str(dest)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"otter assign failed for {master}:\n{proc.stdout}\n{proc.stderr}")


def generate_student(lab: str, out_root: Path, root: Path = ROOT) -> Path:
    """Write ``out_root/lab/`` (student notebook and public tests); return that folder."""
    master = master_path(lab, root)
    with tempfile.TemporaryDirectory() as tmp:
        dist = Path(tmp) / "dist"
        _otter_assign(master, dist)
        nb = nbformat.read(dist / "student" / f"{lab}.ipynb", as_version=4)
        nb.cells[first_code_cell(nb)].source = setup_cell(lab, root)
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(badge_cell(lab, root)))
        _strip_test_markers(nb)
        _normalize(nb, lab)
        out = out_root / lab
        if out.exists():
            shutil.rmtree(out)
        (out / "tests").mkdir(parents=True)
        nbformat.write(nb, out / f"{lab}.ipynb")
        for test in sorted((dist / "student" / "tests").glob("*.py")):
            shutil.copyfile(test, out / "tests" / test.name)
    return out


def generate_autograder(lab: str, out_root: Path, root: Path = ROOT) -> Path:
    """Write the lab's otter autograder zip (and ``lab-solution.ipynb``, the solved student
    notebook) under ``out_root/lab/``; return the zip's path."""
    master = master_path(lab, root)
    out = out_root / lab
    if out.exists():
        shutil.rmtree(out)
    with tempfile.TemporaryDirectory() as tmp:
        dist = Path(tmp) / "dist"
        _otter_assign(master, dist)
        (zip_path,) = (dist / "autograder").glob("*.zip")
        out.mkdir(parents=True)
        target = out / f"{lab}-autograder.zip"
        shutil.copyfile(zip_path, target)
        # The student notebook with the solutions filled in: what a perfect submission
        # looks like (the end-to-end tests grade it and expect full marks).
        shutil.copyfile(dist / "autograder" / f"{lab}.ipynb", out / f"{lab}-solution.ipynb")
    return target


def stale_files(root: Path = ROOT) -> list[str]:
    """Paths under notebooks/ that differ from a fresh generation (empty when in sync)."""
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        for lab in lab_names(root):
            generate_student(lab, fresh, root)
        committed = root / "notebooks"
        for lab_dir in sorted(set(p.name for p in fresh.iterdir()) | set(
                p.name for p in committed.iterdir() if p.is_dir()) if committed.exists() else []):
            a, b = fresh / lab_dir, committed / lab_dir
            files_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file()} if a.exists() else set()
            skip = {"__pycache__", ".ipynb_checkpoints"}
            files_b = ({p.relative_to(b) for p in b.rglob("*") if p.is_file() and not skip & set(p.parts)}
                       if b.exists() else set())
            for rel in sorted(files_a ^ files_b):
                problems.append(f"notebooks/{lab_dir}/{rel} (missing or extra)")
            for rel in sorted(files_a & files_b):
                if not filecmp.cmp(a / rel, b / rel, shallow=False):
                    problems.append(f"notebooks/{lab_dir}/{rel} (differs)")
    return problems
