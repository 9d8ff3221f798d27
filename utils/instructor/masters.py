"""Reading master notebooks (``labsolutions/labNN_slug.ipynb``): the one parser.

A master is an otter-grader 7 assignment (CONTRIBUTING.md). Tools read three things from it:
its code cells, which of them are hidden tests, and, for the tools that time or rerun a
lab's own code (``bench``, ``labgrid``), named functions or the code up to a marker. Those
names are a contract between the masters and the tools (CONTRIBUTING.md lists them).
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import nbformat

from .paths import ROOT, master_path

# A hidden test cell starts with otter's test config saying ``hidden: true``.
HIDDEN_TEST = re.compile(r'\s*"""\s*#\s*BEGIN TEST CONFIG[^"]*hidden:\s*true')


def read(lab_or_path: str | Path, root: Path = ROOT):
    """The master of ``lab`` (a name) or the notebook at a path, as an nbformat notebook."""
    if str(lab_or_path).endswith(".ipynb"):
        return nbformat.read(Path(lab_or_path), as_version=4)
    return nbformat.read(master_path(str(lab_or_path), root), as_version=4)


def code_sources(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def is_hidden_test(source: str) -> bool:
    return bool(HIDDEN_TEST.match(source))


def first_code_cell(nb) -> int:
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            return i
    raise ValueError("the notebook has no code cell")


def strip_magics(source: str) -> str:
    """IPython magics and shell lines turned into comments, so that ``ast`` can parse a cell."""
    return "\n".join("pass  # " + line if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


def parse_cell(source: str) -> list[ast.stmt]:
    """The top-level statements of a code cell (none when it does not parse)."""
    try:
        return ast.parse(strip_magics(source)).body
    except SyntaxError:
        return []


def load_functions(notebook: Path, names: list[str]) -> dict:
    """The functions ``names`` as defined in ``notebook``'s code cells (last definition wins).

    Functions and classes they call that the notebook also defines come along; the
    notebook's import statements are executed first. Nothing else in the notebook runs.
    """
    defs: dict[str, str] = {}
    imports: list[str] = []
    for source in code_sources(read(notebook)):
        source = strip_magics(source)
        lines = source.splitlines()
        for node in parse_cell(source):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                defs[node.name] = "\n".join(lines[first - 1:node.end_lineno])
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                imports.append(ast.get_source_segment(source, node))
    missing = [n for n in names if n not in defs]
    if missing:
        raise KeyError(f"{Path(notebook).name} defines no {missing} (it defines {sorted(defs)})")
    needed, stack = [], list(names)
    while stack:
        name = stack.pop()
        if name in needed:
            continue
        needed.append(name)
        used = {n.id for n in ast.walk(ast.parse(defs[name])) if isinstance(n, ast.Name)}
        stack.extend(sorted(used & defs.keys()))
    namespace: dict = {"__name__": f"lab_{Path(notebook).stem}"}
    for statement in imports:
        try:
            exec(statement, namespace)
        except Exception:  # an import the functions do not need (widgets, otter...)
            pass
    for name in reversed(needed):
        exec(defs[name], namespace)
    return {n: namespace[n] for n in names}


def run_until(notebook: Path, stop_marker: str) -> dict:
    """Execute ``notebook``'s code cells in fast mode, in its folder, up to and including the
    first cell containing ``stop_marker``; return the resulting namespace."""
    os.environ["LAB_FAST"] = "1"
    os.environ.setdefault("MPLBACKEND", "Agg")
    ns: dict = {"__name__": "__lab__"}
    cwd = os.getcwd()
    os.chdir(Path(notebook).parent)  # as when the notebook runs (relative paths, otter tests)
    try:
        for i, source in enumerate(code_sources(read(notebook))):
            exec(compile(source, f"{Path(notebook).name}[code cell {i}]", "exec"), ns)
            if stop_marker in source:
                return ns
    finally:
        os.chdir(cwd)
    raise ValueError(f"{notebook}: no code cell contains {stop_marker!r}")
