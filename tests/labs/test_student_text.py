"""What a student reads carries no development traces (ARCHITECTURE.md, "Student text").

Every generated student notebook (markdown and code) and its public tests are scanned for
nbval markers, references to the course's issue tracker or development history,
repository-only commands (`make ...`), the instructors' master notebooks, the test suite
and the instructor tools.
"""


import nbformat
import pytest

from utils.instructor.leaks import development_traces
from utils.instructor.paths import ROOT, lab_names

LABS = lab_names()


@pytest.mark.parametrize("lab", LABS)
def test_student_notebook_has_no_development_traces(lab):
    folder = ROOT / "notebooks" / lab
    nb = nbformat.read(folder / f"{lab}.ipynb", as_version=4)
    problems = [f"cell {i} ({cell.cell_type}): {trace}"
                for i, cell in enumerate(nb.cells) for trace in development_traces(cell.source)]
    for test in sorted((folder / "tests").glob("*.py")):
        problems += [f"tests/{test.name}: {trace}" for trace in development_traces(test.read_text())]
    assert not problems, f"{lab}: development traces in the student notebook:\n" + "\n".join(problems)


@pytest.mark.parametrize("text, caught", [
    ("# NBVAL_CHECK_OUTPUT\nprint(1)", True),
    ("This is the issue that set this lab.", True),
    ("With that query our first version grounded 67.1%.", True),
    ("a few changes get in our probes", True),
    ("run `make lab03-grid` in the course repository", True),
    ("see labsolutions/lab02.ipynb", True),
    ("grade it with python -m utils.instructor.grade", True),
    ("`python -m utils.labgrid` reproduces it", True),
    ("the reference run (utils/artefacts/lab03_grid.json) ships with the course", False),
    ("you can make it cheaper; masks make a network autoregressive", False),
    ("the run committed with this notebook", False),
])
def test_development_traces_detector(text, caught):
    assert bool(development_traces(text)) is caught


def test_generation_strips_nbval_markers(tmp_path):
    from utils.instructor.student import generate_student

    lab = next(lab for lab in LABS
               if "NBVAL_CHECK_OUTPUT" in (ROOT / "labsolutions" / f"{lab}.ipynb").read_text())
    out = generate_student(lab, tmp_path)
    assert "NBVAL" not in (out / f"{lab}.ipynb").read_text()
