"""Lab 3's reference T-vs-success grid, run with the lab's own code (for instructors)::

    python -m utils.instructor.labgrid [--jobs 2] [--fresh]        # or: make lab03-grid

The full grid (six cells x two tasks x three lengths x three seeds) takes about an hour of
one CPU core, more than a lab session, so the lab prints a committed copy,
``utils/artefacts/lab03_grid.json``. This module makes that file reproducible by one
command and guarantees that it comes from the lab itself: it executes the code cells of the
solution notebook (``labsolutions/lab03_lstm_gru.ipynb``) in fast mode, in order, up to and
including the cell that defines ``REFERENCE_GRID``, so the cells, ``train_cell`` and
``run_grid`` are the notebook's, not copies. It then trains every (cell, task, T) of
``REFERENCE_GRID`` that the file does not hold yet, ``--jobs`` rows at a time in worker
processes (one torch thread each), and writes the file after every finished row:
an interrupted run loses at most the rows in flight, and the next run resumes. Rows are
reused only when they were trained with the notebook's budget (steps, seeds, H, batch, learning
rate, copy-task size); adding a cell or a length to ``REFERENCE_GRID`` runs just the new rows.
``--fresh`` starts over.
"""

from __future__ import annotations

import argparse
import inspect
import json
import multiprocessing
import platform
import sys
import time
from pathlib import Path

from . import masters
from .paths import ARTEFACTS, master_path

NOTEBOOK = master_path("lab03_lstm_gru")
GRID_FILE = ARTEFACTS / "lab03_grid.json"
STOP_MARKER = "REFERENCE_GRID = dict("

_NS: dict = {}      # the notebook's namespace (in the main process and in every worker)


def load_notebook_code(notebook: Path = NOTEBOOK, stop_marker: str = STOP_MARKER) -> dict:
    """The namespace of the notebook's code cells (fast mode) up to the ``REFERENCE_GRID`` cell."""
    return masters.run_until(notebook, stop_marker)


def grid_config(ns: dict) -> dict:
    """Everything that decides a row's numbers: the grid, ``train_cell``'s defaults, the copy task."""
    defaults = {k: p.default for k, p in inspect.signature(ns["train_cell"]).parameters.items()
                if p.default is not inspect.Parameter.empty and k in ("hidden", "batch", "lr", "n_test")}
    grid = {k: list(v) if isinstance(v, (tuple, list)) else v for k, v in ns["REFERENCE_GRID"].items()}
    return dict(grid, **defaults, copy_symbols=ns["COPY_SYMBOLS"], copy_categories=ns["COPY_CATEGORIES"])


def same_budget(a: dict, b: dict) -> bool:
    """True when rows trained under config ``a`` are valid under ``b``: everything but the
    lists of cells, tasks and lengths (which only say which rows are wanted) is equal."""
    strip = lambda c: {k: v for k, v in c.items() if k not in ("cells", "tasks", "Ts")}
    return strip(a) == strip(b)


def row_key(cell: str, task: str, T: int) -> str:
    return f"{cell} {task} T={T}"


def _init_worker(notebook: Path) -> None:
    # Workers are spawned, not forked: a fork of a process whose torch/OpenMP thread pool has
    # started can deadlock. Each worker executes the notebook prefix itself (seconds in fast mode).
    global _NS
    _NS = load_notebook_code(notebook)
    import torch

    torch.set_num_threads(1)


def _run_row(job):
    cell, task, T = job
    g = _NS["REFERENCE_GRID"]
    rows = _NS["run_grid"](cells=(cell,), tasks=(task,), Ts=(T,), steps=g["steps"], seeds=tuple(g["seeds"]),
                           desc=row_key(cell, task, T))
    return rows[0]


def write(path: Path, config: dict, rows: list[dict]) -> None:
    import torch

    order = {row_key(c, t, T): i for i, (t, T, c) in enumerate(
        (t, T, c) for t in config["tasks"] for T in config["Ts"] for c in config["cells"])}
    rows = sorted(rows, key=lambda r: order[row_key(r["cell"], r["task"], r["T"])])
    done = {row_key(r["cell"], r["task"], r["T"]) for r in rows}
    out = dict(config=config, wall_time_s=round(sum(r["seconds"] for r in rows)), device="cpu",
               note=("the lab's run_grid, one row per worker process, 1 torch "
                     "thread each; wall_time_s sums the per-row wall times"),
               missing=[k for k in order if k not in done], torch=torch.__version__,
               python=platform.python_version(), rows=rows)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(out, indent=1) + "\n")
    tmp.replace(path)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Run Lab 3's reference T-vs-success grid (resumable).")
    p.add_argument("--jobs", type=int, default=1, help="rows trained at once (one process and core each)")
    p.add_argument("--fresh", action="store_true", help="ignore the rows already in the file")
    p.add_argument("--notebook", type=Path, default=NOTEBOOK)
    p.add_argument("--out", type=Path, default=GRID_FILE)
    args = p.parse_args(argv)

    global _NS
    _NS = load_notebook_code(args.notebook)
    config = grid_config(_NS)
    rows: list[dict] = []
    if args.out.exists() and not args.fresh:
        old = json.loads(args.out.read_text())
        if not same_budget(old.get("config", {}), config):
            print(f"{args.out}: its rows were trained with another budget than the notebook's; use "
                  f"--fresh to recompute them.\n  file:     {old.get('config')}\n  notebook: {config}")
            return 2
        wanted = {row_key(c, t, T) for t in config["tasks"] for T in config["Ts"] for c in config["cells"]}
        rows = [r for r in old["rows"] if row_key(r["cell"], r["task"], r["T"]) in wanted]
    have = {row_key(r["cell"], r["task"], r["T"]) for r in rows}
    jobs = [(c, t, T) for t in config["tasks"] for T in config["Ts"] for c in config["cells"]
            if row_key(c, t, T) not in have]
    print(f"{len(have)} rows kept, {len(jobs)} to run with {args.jobs} job(s)", flush=True)
    t0 = time.perf_counter()
    if not jobs:
        write(args.out, config, rows)
        return 0
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(min(args.jobs, len(jobs)), initializer=_init_worker, initargs=(args.notebook.resolve(),)) as pool:
        for row in pool.imap_unordered(_run_row, jobs):
            rows.append(row)
            write(args.out, config, rows)
            print(f"{row_key(row['cell'], row['task'], row['T'])}: loss/baseline "
                  f"{[round(v, 3) for v in row['ratio']]} ({row['seconds']:.0f} s; "
                  f"{time.perf_counter() - t0:.0f} s so far)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
