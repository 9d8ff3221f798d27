"""Every lab in labsolutions/, end to end: the master is well formed and was executed, the
committed student version is a fresh generation with no outputs, solutions or hidden tests,
and grading gives the solution full marks and the untouched student notebook none.

Labs are discovered from labsolutions/, so a new lab is covered without editing this file.
"""

import ast
import json

import nbformat
import pytest

from utils.instructor import masters, paths, student
from utils.instructor.grade import autograder_zip, grade_submission

ROOT = paths.ROOT
LABS = paths.lab_names()

GRADING_TIMEOUT = 240  # seconds per submission; fast mode runs a lab in well under a minute


def master(lab):
    return masters.read(lab)


def student_files(lab):
    folder = ROOT / "notebooks" / lab
    return [folder / f"{lab}.ipynb", *sorted((folder / "tests").glob("*.py"))]


def hidden_test_cells(nb):
    """Source of every hidden test cell in a master notebook."""
    return [src for src in masters.code_sources(nb) if masters.is_hidden_test(src)]


def solution_lines(nb):
    """Distinctive code lines between `# BEGIN SOLUTION` and `# END SOLUTION` comments."""
    lines = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        inside = False
        for line in cell.source.splitlines():
            if line.strip() == "# BEGIN SOLUTION":
                inside = True
            elif line.strip() == "# END SOLUTION":
                inside = False
            elif inside and len(line.strip()) >= 25 and not line.strip().startswith("#"):
                lines.append(line.strip())
    return lines


def test_there_is_at_least_one_lab():
    assert LABS, "labsolutions/ holds no labNN_*.ipynb"


@pytest.mark.parametrize("lab", LABS)
def test_master_is_well_formed(lab):
    student.check_master(ROOT / "labsolutions" / f"{lab}.ipynb")
    nb = master(lab)
    assert nb.cells[0].cell_type == "raw" and nb.cells[0].source.startswith("# ASSIGNMENT CONFIG")
    questions = [c for c in nb.cells if c.cell_type == "raw" and c.source.startswith("# BEGIN QUESTION")]
    coded = [c for c in questions if "manual: true" not in c.source]  # written questions have no tests
    assert coded, "a lab needs graded questions"
    assert len(hidden_test_cells(nb)) >= len(coded), "every coded question needs a hidden test"


@pytest.mark.parametrize("lab", LABS)
def test_master_is_committed_executed_top_to_bottom(lab):
    counts = [c.execution_count for c in master(lab).cells if c.cell_type == "code"]
    assert all(n is not None for n in counts), "run `make solutions` and commit the outputs"
    assert counts == sorted(counts), "outputs must come from one top-to-bottom run"


def test_committed_student_notebooks_are_a_fresh_generation():
    assert student.stale_files() == [], "run `make students` and commit notebooks/"


@pytest.mark.parametrize("lab", LABS)
def test_student_version_has_no_outputs_solutions_or_hidden_tests(lab):
    nb_path, *tests = student_files(lab)
    student = nbformat.read(nb_path, as_version=4)
    for cell in student.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    shipped = "\n".join(p.read_text() for p in [nb_path, *tests])
    assert "BEGIN SOLUTION" not in shipped and "END SOLUTION" not in shipped
    assert "hidden=True" not in shipped and "hidden: true" not in shipped
    m = master(lab)
    for cell in hidden_test_cells(m):
        for node in ast.parse(cell).body:
            if isinstance(node, ast.FunctionDef):
                assert node.name not in shipped, f"hidden test {node.name} leaked"
    for line in solution_lines(m):
        assert line not in shipped, f"solution line leaked: {line}"


_GRADED = {}


def graded(lab):
    """Grades of the solved and of the untouched student notebook (computed once per lab)."""
    if lab not in _GRADED:
        autograder_zip(lab)
        solved = ROOT / "_build" / "autograder" / lab / f"{lab}-solution.ipynb"
        _GRADED[lab] = (grade_submission(solved, lab, timeout=GRADING_TIMEOUT),
                        grade_submission(ROOT / "notebooks" / lab / f"{lab}.ipynb", lab,
                                         timeout=GRADING_TIMEOUT))
    return _GRADED[lab]


@pytest.mark.parametrize("lab", LABS)
def test_solution_gets_full_marks(lab):
    solution, _ = graded(lab)
    assert solution.status == "ok", solution.message
    assert solution.max_scores, "the autograder found no questions"
    assert solution.scores == solution.max_scores


@pytest.mark.parametrize("lab", LABS)
def test_untouched_student_notebook_gets_no_marks(lab):
    solution, student = graded(lab)
    assert student.status == "ok", student.message
    assert set(student.max_scores) == set(solution.max_scores)
    assert student.total == 0, json.dumps(student.scores)
