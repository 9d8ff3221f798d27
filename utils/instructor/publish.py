"""The student-facing copy of the course (``make release DEST=...``).

What students run and read, nothing else: the student notebooks and public tests, the
runtime package ``utils`` (without ``utils/instructor``), the chapters, and a README and
``pyproject.toml`` written for students (no instructor extras, no make targets they cannot
run). The copy is checked for hidden tests and instructor files after it is written.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from .leaks import hidden_test_leaks
from .paths import ROOT, lab_names
from .student import colab_url, stale_files

# What the student-facing copy holds (paths relative to the repository root); README.md and
# pyproject.toml are written for students by ``student_readme`` and ``student_pyproject``.
PUBLISHED = ["book", "notebooks", "utils", ".gitignore"]
_NEVER_AT_TOP = {"labsolutions", "_build", "tests", "scratch", "results", "submissions", "Makefile",
                 "CONTRIBUTING.md", "_config.yml", "_toc.yml", "constraints.txt", ".ci"}
_NEVER_PUBLISHED = {".venv", "__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".OTTER_LOG",
                    ".jupyter_cache", "_build", "instructor", "build"}


def student_readme(root: Path = ROOT) -> str:
    """The copy's README: what students do, in Colab and on their own machine."""
    labs = "\n".join(f"- [{lab}](notebooks/{lab}/{lab}.ipynb) "
                     f"([open in Colab]({colab_url(lab, root)}))" for lab in lab_names(root))
    return f"""# RNN Labs: the student notebooks

Each lab is a notebook in `notebooks/`, with its public checks in the `tests/` folder next to
it. The lecture chapters are in `book/` (read them on the course website).

{labs}

In Colab: open a lab with its link, run the first code cell (it installs what Colab lacks,
about 15 s), fill in every `...` and run the `grader.check(...)` cell below it. Submit the
notebook (File > Download > .ipynb) as your course says.

On your own machine (Python 3.10 or newer):

```bash
python -m venv .venv
.venv/bin/pip install -e . jupyterlab
.venv/bin/jupyter lab notebooks/
```
"""


def student_pyproject(root: Path = ROOT) -> str:
    """A ``pyproject.toml`` that installs the runtime ``utils`` and its dependencies, nothing else."""
    text = (root / "pyproject.toml").read_text()  # (tomllib is 3.11+; the course supports 3.10)

    def field(name):
        return re.search(rf'^{name} = "([^"]*)"', text, re.M).group(1)

    block = re.search(r"^dependencies = \[(.*?)^\]", text, re.M | re.S).group(1)
    deps = "".join(f'    "{d}",\n' for d in re.findall(r'^\s*"([^"]+)",?\s*$', block, re.M))
    project = {k: field(k) for k in ("name", "version", "requires-python")}
    return f"""[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "{project['name']}"
version = "{project['version']}"
description = "What the RNN Labs notebooks import."
readme = "README.md"
requires-python = "{project['requires-python']}"
dependencies = [
{deps}]

[tool.setuptools.packages.find]
include = ["utils*"]

[tool.setuptools.package-data]
utils = ["artefacts/*.pt", "artefacts/*.json", "artefacts/*.md"]
"""


def copy_published(dest: Path, root: Path = ROOT) -> None:
    """Copy what the student-facing repository holds (``PUBLISHED``, without build outputs or
    instructor tooling) from ``root`` into the existing folder ``dest``; no checks
    (``publish`` makes them)."""
    ignore = shutil.ignore_patterns(*_NEVER_PUBLISHED, "*.pyc")
    for name in PUBLISHED:
        src = root / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        elif src.is_file():
            shutil.copyfile(src, dest / name)
    (dest / "README.md").write_text(student_readme(root))
    (dest / "pyproject.toml").write_text(student_pyproject(root))


def publish(dest: Path, root: Path = ROOT) -> list[Path]:
    """Write the student-facing copy of the course (book, notebooks, utils, build files; no
    solutions, no hidden tests, no build outputs) to ``dest``, which must be empty or absent.

    ``notebooks/`` must be in sync with ``labsolutions/`` and free of hidden tests, and the
    copy is scanned again after writing; any problem raises ``ValueError`` (and removes
    ``dest``). Returns the files written."""
    dest = Path(dest).resolve()
    if dest.exists() and any(dest.iterdir()):
        raise ValueError(f"{dest} is not empty: publish into a new folder")
    if root.resolve() in [dest, *dest.parents]:
        raise ValueError(f"{dest} is inside the repository: publish outside it")
    stale = stale_files(root)
    if stale:
        raise ValueError("notebooks/ is out of date (run `make students`):\n" + "\n".join(stale))
    written = []
    dest.mkdir(parents=True, exist_ok=True)
    try:
        copy_published(dest, root)
        written = sorted(p for p in dest.rglob("*") if p.is_file())
        problems = hidden_test_leaks(root, [dest])
        problems += [f"{p}: must not be published" for p in written
                     if _NEVER_PUBLISHED & set(p.relative_to(dest).parts)
                     or p.relative_to(dest).parts[0] in _NEVER_AT_TOP]
        if problems:
            raise ValueError("refusing to publish:\n" + "\n".join(problems))
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise
    return written
