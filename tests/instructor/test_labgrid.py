"""utils.labgrid: Lab 3's reference grid is run with the notebook's own code, resumes, and the
committed file covers the notebook's REFERENCE_GRID with the notebook's budget."""

import json

import nbformat
import pytest

from utils.instructor import labgrid

FAKE_CELLS = [
    "import json, os, pathlib\nCOPY_SYMBOLS, COPY_CATEGORIES = 10, 8\nLOG = pathlib.Path(os.environ['FAKE_GRID_LOG'])",
    "def train_cell(cell_name, task, T, steps, seeds=(0,), hidden=4, batch=2, lr=0.1, n_test=3, progress=None):\n"
    "    pass",
    "def run_grid(cells, tasks, Ts, steps, seeds, desc='grid'):\n"
    "    with open(LOG, 'a') as fh:\n"
    "        fh.write(f'{cells[0]} {tasks[0]} {Ts[0]}\\n')\n"
    "    ratio = [0.01 * Ts[0] if cells[0] == 'gated' else 1.0 for _ in seeds]\n"
    "    return [dict(cell=cells[0], task=tasks[0], T=Ts[0], steps=steps, seeds=list(seeds), test=ratio,\n"
    "                 ratio=ratio, seconds=0.5, curve=[1.0])]",
    "REFERENCE_GRID = dict(cells=('tanh', 'gated'), tasks=('adding', 'copy'), Ts=GRID_TS, steps=STEPS, seeds=(0, 1))",
    "raise AssertionError('cells after the REFERENCE_GRID cell must not run')",
]


def fake_notebook(path, Ts=(5, 10), steps=7):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# fake lab")]
    for src in FAKE_CELLS:
        src = src.replace("GRID_TS", repr(tuple(Ts))).replace("STEPS", str(steps))
        nb.cells.append(nbformat.v4.new_code_cell(src))
    nbformat.write(nb, str(path))
    return path


def test_runs_missing_rows_only_and_resumes(tmp_path, monkeypatch):
    log = tmp_path / "calls.log"
    monkeypatch.setenv("FAKE_GRID_LOG", str(log))
    out = tmp_path / "grid.json"
    nb = fake_notebook(tmp_path / "lab.ipynb")

    assert labgrid.main(["--notebook", str(nb), "--out", str(out), "--jobs", "2"]) == 0
    data = json.loads(out.read_text())
    assert data["missing"] == []
    assert [(r["task"], r["T"], r["cell"]) for r in data["rows"]] == [
        ("adding", 5, "tanh"), ("adding", 5, "gated"), ("adding", 10, "tanh"), ("adding", 10, "gated"),
        ("copy", 5, "tanh"), ("copy", 5, "gated"), ("copy", 10, "tanh"), ("copy", 10, "gated")]
    assert data["config"] == dict(cells=["tanh", "gated"], tasks=["adding", "copy"], Ts=[5, 10], steps=7,
                                  seeds=[0, 1], hidden=4, batch=2, lr=0.1, n_test=3,
                                  copy_symbols=10, copy_categories=8)
    assert len(log.read_text().splitlines()) == 8

    # Nothing left: a second run trains nothing.
    assert labgrid.main(["--notebook", str(nb), "--out", str(out)]) == 0
    assert len(log.read_text().splitlines()) == 8

    # A new length runs just its four rows; the old ones are kept untouched.
    nb = fake_notebook(tmp_path / "lab.ipynb", Ts=(5, 10, 20))
    assert labgrid.main(["--notebook", str(nb), "--out", str(out), "--jobs", "2"]) == 0
    calls = log.read_text().splitlines()
    assert sorted(calls[8:]) == ["gated adding 20", "gated copy 20", "tanh adding 20", "tanh copy 20"]
    assert len(json.loads(out.read_text())["rows"]) == 12


def test_refuses_rows_of_another_budget(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FAKE_GRID_LOG", str(tmp_path / "calls.log"))
    out = tmp_path / "grid.json"
    assert labgrid.main(["--notebook", str(fake_notebook(tmp_path / "a.ipynb")), "--out", str(out)]) == 0
    before = out.read_text()
    assert labgrid.main(["--notebook", str(fake_notebook(tmp_path / "b.ipynb", steps=8)), "--out", str(out)]) == 2
    assert "another budget" in capsys.readouterr().out
    assert out.read_text() == before
    assert labgrid.main(["--notebook", str(tmp_path / "b.ipynb"), "--out", str(out), "--fresh"]) == 0
    assert json.loads(out.read_text())["config"]["steps"] == 8


def test_notebook_without_marker(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1")]
    nbformat.write(nb, str(tmp_path / "x.ipynb"))
    with pytest.raises(ValueError, match="REFERENCE_GRID"):
        labgrid.load_notebook_code(tmp_path / "x.ipynb")


def test_committed_grid_matches_the_lab():
    """The committed file was trained with the lab's budget and holds every row the lab asks for."""
    ns = labgrid.load_notebook_code()
    config = labgrid.grid_config(ns)
    data = json.loads(labgrid.GRID_FILE.read_text())
    assert labgrid.same_budget(data["config"], config)
    have = {labgrid.row_key(r["cell"], r["task"], r["T"]) for r in data["rows"]}
    wanted = {labgrid.row_key(c, t, T) for t in config["tasks"] for T in config["Ts"] for c in config["cells"]}
    assert wanted <= have, f"rows missing from {labgrid.GRID_FILE.name}: {sorted(wanted - have)}"
    assert data["missing"] == []
    for r in data["rows"]:
        assert len(r["ratio"]) == len(config["seeds"]) and r["steps"] == config["steps"]
