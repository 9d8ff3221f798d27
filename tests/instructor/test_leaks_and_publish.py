"""Hidden tests reach no student: not the student notebooks, not the public tests, not the
book, not the published copy (`make release`). Covers every lab in labsolutions/ (none is
fine; new labs are picked up), and checks itself on a tiny lab with a planted leak."""

from __future__ import annotations

import shutil

import nbformat
import pytest

from utils.instructor import leaks, paths, publish, student


def test_no_hidden_test_reaches_students():
    assert leaks.hidden_test_leaks() == []


@pytest.mark.parametrize("lab", paths.lab_names())
def test_hidden_tests_of_each_lab_are_found(lab):
    """The check is not vacuous: every lab's hidden tests yield names to look for."""
    names, _ = leaks.hidden_test_fingerprints(lab)
    assert names, f"{lab}: no hidden test functions found in the master"


@pytest.fixture(scope="module")
def tiny_course(tmp_path_factory):
    from support.tiny_course import LAB, write_tiny_lab

    root = tmp_path_factory.mktemp("course")
    write_tiny_lab(root)
    student.generate_student(LAB, root / "notebooks", root)
    (root / "book").mkdir()
    (root / "book" / "lab90_tiny.md").write_text("# Tiny\nThe tests check shapes and values.\n")
    for name in ("_toc.yml", "pyproject.toml", "README.md"):
        shutil.copyfile(paths.ROOT / name, root / name)
    shutil.copytree(paths.ROOT / "utils", root / "utils",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return root, LAB


def test_leak_check_finds_planted_leaks(tiny_course):
    root, lab = tiny_course
    assert leaks.hidden_test_leaks(root) == []
    names, lines = leaks.hidden_test_fingerprints(lab, root)
    assert names == {"test_double_values", "test_square_values", "test_relu_values"}
    chapter = root / "book" / "lab90_tiny.md"
    clean = chapter.read_text()
    chapter.write_text(clean + "\nSee test_double_values.\n")
    assert leaks.hidden_test_leaks(root) == [f"{chapter}: hidden test test_double_values of {lab}"]
    chapter.write_text(clean + "\n" + sorted(lines)[0] + "\n")
    assert len(leaks.hidden_test_leaks(root)) == 1
    chapter.write_text(clean)


def test_publish_writes_the_student_copy_only(tiny_course, tmp_path):
    root, lab = tiny_course
    dest = tmp_path / "public"
    files = publish.publish(dest, root)
    rel = {p.relative_to(dest).as_posix() for p in files}
    assert f"notebooks/{lab}/{lab}.ipynb" in rel and "utils/config.py" in rel and "book/lab90_tiny.md" in rel
    assert f"notebooks/{lab}/tests/q1_double.py" in rel  # the public tests grader.check needs
    assert "utils/artefacts/char_lstm_python_code.pt" in rel  # what Lab 3 loads
    # no solutions, no instructor tooling, nothing students cannot run
    assert not any(r.startswith(("labsolutions", "_build", "tests/", "utils/instructor")) for r in rel), sorted(rel)
    assert not {"Makefile", "CONTRIBUTING.md", "constraints.txt", "_config.yml"} & rel
    readme = (dest / "README.md").read_text()
    assert "make " not in readme and f"notebooks/{lab}/{lab}.ipynb" in readme
    pyproject = (dest / "pyproject.toml").read_text()
    assert "[project.optional-dependencies]" not in pyproject and "otter-grader>=7" not in pyproject
    assert "numpy" in pyproject and "[tool.setuptools.packages.find]" in pyproject
    assert "hidden=True" not in (dest / "notebooks" / lab / "tests" / "q1_double.py").read_text()
    assert leaks.hidden_test_leaks(root, [dest]) == []
    student = nbformat.read(dest / "notebooks" / lab / f"{lab}.ipynb", as_version=4)
    assert all(c.get("outputs", []) == [] for c in student.cells)
    with pytest.raises(ValueError, match="not empty"):
        publish.publish(dest, root)


def test_publish_refuses_a_leak(tiny_course, tmp_path):
    root, lab = tiny_course
    chapter = root / "book" / "lab90_tiny.md"
    clean = chapter.read_text()
    chapter.write_text(clean + "\ntest_square_values\n")
    try:
        with pytest.raises(ValueError, match="refusing to publish"):
            publish.publish(tmp_path / "public", root)
        assert not (tmp_path / "public").exists()
    finally:
        chapter.write_text(clean)
