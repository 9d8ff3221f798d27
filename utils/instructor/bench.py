"""Measured runtimes: every lab in fast and full mode, then the speed ratios (``speed``).

``make bench`` (``python -m utils.instructor.bench``) executes every master top to bottom in
a fresh kernel (``execute``), in fast mode (``LAB_FAST=1``) and in full mode, and records the
wall time of its cells, the slowest cell and the kernel's peak resident memory. The
notebooks are not modified. The results go to ``utils/artefacts/bench.json`` (with a
description of the machine) and ``utils/artefacts/bench.md``, the table the book's landing
page includes. Full mode runs every lab for several minutes: run it on an idle machine.

    python -m utils.instructor.bench                      # everything
    python -m utils.instructor.bench lab01_rnn_numpy      # some labs (both modes), then the ratios
    python -m utils.instructor.bench --modes fast         # fast mode only (full-mode numbers are kept)
    python -m utils.instructor.bench --no-labs            # only the speed ratios
    python -m utils.instructor.bench --no-labs --threads 2  # ... with two threads (default: one)
    python -m utils.instructor.bench --no-ratios          # only the lab runtimes
    python -m utils.instructor.bench --gpu                # full mode on a CUDA GPU (make bench-gpu)
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import re
import sys
import time

from . import masters
from .execute import execute
from .machine import load_average, machine
from .paths import ARTEFACTS, ROOT, lab_names, master_path
from .speed import speed_ratios

OUT_DIR = ARTEFACTS
BENCH_JSON = OUT_DIR / "bench.json"
BENCH_MD = OUT_DIR / "bench.md"
PEAK_MARKER = "__RNNLABS_BENCH_PEAK__"


# --------------------------------------------------------------------------------------
# 1. Lab runtimes
# --------------------------------------------------------------------------------------

def run_lab(lab: str, fast: bool, timeout: int = 1800, device: str | None = None) -> dict:
    """Execute ``labsolutions/<lab>.ipynb`` in a fresh kernel; return its time and memory.

    ``wall_s`` runs from the start of the first cell to the end of the last one (kernel
    start-up excluded); ``slowest_cell_s`` and ``slowest_cell`` (its index in the notebook)
    name the longest single cell; ``peak_rss_mib`` is the kernel process's peak resident set
    size (``getrusage``), read by one extra cell appended after the lab. ``device`` ("cpu" or
    "cuda") sets ``LAB_DEVICE`` for the kernel (``utils.config.device``).
    """
    import nbformat
    from nbclient.exceptions import CellExecutionError

    nb = masters.read(lab)
    n_lab_cells = len(nb.cells)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import resource as _r, sys as _s\n"
        "_k = 1 if _s.platform == 'darwin' else 1024\n"
        f"print({PEAK_MARKER!r}, _r.getrusage(_r.RUSAGE_SELF).ru_maxrss * _k, "
        "_r.getrusage(_r.RUSAGE_CHILDREN).ru_maxrss * _k)"))
    times: dict[str, float] = {}
    cell_times: dict[int, float] = {}

    def on_cell_start(cell, cell_index, **_):
        times.setdefault("start", time.perf_counter())
        times["cell_start"] = time.perf_counter()

    def on_cell_executed(cell, cell_index, **_):
        if cell_index < n_lab_cells:  # not the memory probe appended above
            times["end"] = time.perf_counter()
            cell_times[cell_index] = times["end"] - times["cell_start"]

    env = {"LAB_FAST": "1" if fast else "0",
           "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    if device is not None:
        env["LAB_DEVICE"] = device
    result = {"ok": True}
    try:
        execute(nb, master_path(lab).parent, env=env, timeout=timeout,
                on_cell_start=on_cell_start, on_cell_executed=on_cell_executed)
    except CellExecutionError as exc:
        plain = re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).strip()  # no terminal colours
        result = {"ok": False, "error": plain.splitlines()[-1][:300]}
    except Exception as exc:  # timeouts, dead kernels
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    if "start" in times and "end" in times:
        result["wall_s"] = round(times["end"] - times["start"], 1)
    if cell_times:
        slowest = max(cell_times, key=cell_times.get)
        result["slowest_cell"], result["slowest_cell_s"] = slowest, round(cell_times[slowest], 1)
    for out in nb.cells[-1].get("outputs", []):
        text = out.get("text", "")
        if PEAK_MARKER in text:
            self_b, children_b = (int(v) for v in text.split(PEAK_MARKER, 1)[1].split()[:2])
            result["peak_rss_mib"] = round(self_b / 2**20)
            if children_b:
                result["children_peak_rss_mib"] = round(children_b / 2**20)
    result["measured"] = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    result["load_after"] = load_average()  # the last minute's load: the lab itself adds up to its threads
    try:
        result["load_1min"] = round(os.getloadavg()[0], 2)
    except OSError:
        pass
    return result


def _chapter_title(lab: str) -> str:
    chapter = ROOT / "book" / f"{lab}.md"
    if chapter.exists():
        for line in chapter.read_text().splitlines():
            if line.startswith("# "):  # without a "Lab N:" prefix: the table numbers the labs
                title = re.sub(r"^Lab\s*\d+\s*[:.]\s*", "", line[2:].strip())
                return title[:1].upper() + title[1:]
    return lab


def _fmt_time(seconds) -> str:
    if seconds is None:
        return "not measured"
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes, sec = divmod(int(round(seconds)), 60)
    return f"{minutes} min {sec:02d} s"


def _cell(run: dict | None) -> str:
    if not run:
        return "not measured yet"
    if not run.get("ok"):
        return f"failed ({run.get('error', '?')[:60]})"
    busy = run.get("load_1min", 0) > (os.cpu_count() or 1) + 1
    slowest = f" (slowest cell {_fmt_time(run['slowest_cell_s'])})" if "slowest_cell_s" in run else ""
    return (f"{_fmt_time(run.get('wall_s'))}, {run.get('peak_rss_mib', '?')} MiB{slowest}"
            + (" *" if busy else ""))


def write_table(data: dict) -> str:
    """``utils/artefacts/bench.md``: the landing page's runtime table, from ``data``."""
    labs = lab_names()
    lines = [
        "| Lab | Fast mode (CI, grading) | Full mode (what you run) |",
        "|-----|------------------------:|-------------------------:|",
    ]
    for lab in labs:
        runs = data.get("labs", {}).get(lab, {})
        name = (f"[{_chapter_title(lab)}]({lab}.md)" if (ROOT / "book" / f"{lab}.md").exists() else lab)
        lines.append(f"| {int(lab[3:5])}. {name} | {_cell(runs.get('fast'))} "
                     f"| {_cell(runs.get('full'))} |")
    m = data.get("machine", {})
    if not data.get("labs"):
        lines = ["No lab has been timed yet: run `make bench`."]
    else:
        lines += ["", f"Wall time of all the lab's cells (kernel start-up excluded), the longest single "
                      f"cell where recorded, and the kernel's peak memory, measured by `make bench` on "
                      f"{m.get('description', 'an unknown machine')} "
                      f"(Python {m.get('python', '?')}, NumPy {m.get('numpy', '?')}, "
                      f"PyTorch {m.get('torch', '?')}); dates and load averages in `utils/artefacts/bench.json`."]
        if "*" in "".join(lines):
            lines += ["", "\\* Measured while other work kept the machine busy (one-minute load average above "
                          "the core count plus one when the run ended): slower than on an idle machine."]
    ratios = [r for r in data.get("speed_ratios", {}).get("results", []) if "ratio" in r]
    if ratios:
        lines += ["", "| The lab's code against PyTorch's (CPU) | Lab | PyTorch | Lab / PyTorch |",
                  "|------------------------------|----:|--------:|--------------:|"]
        for r in ratios:
            flag = "" if r.get("matches_torch", True) else " (outputs differ from PyTorch's)"
            lines.append(f"| {r['what']}{flag} | {r.get('numpy_ms', r.get('lab_ms'))} ms | {r['torch_ms']} ms "
                         f"| {r['ratio']:.2f} |")
        lines += ["", "The labs' own layers, the ones you write, against PyTorch's on the same CPU: a "
                      "ratio of 2 means the lab's code takes twice as long. For the RNN and the LSTM both "
                      "loop over time: PyTorch's loop is compiled, the lab's is Python around batched "
                      f"matrix products. Best of {data['speed_ratios'].get('repeat', 'several')} alternating runs "
                      f"after a warm-up, {ratios[0].get('threads', '?')} thread(s), measured by `make bench` on "
                      f"{data['speed_ratios'].get('machine', '?')} ({data['speed_ratios'].get('measured', '?')}); "
                      "each lab output is compared with PyTorch's before it is timed."]
    text = "\n".join(lines) + "\n"
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    BENCH_MD.write_text(text)
    return text


BENCH_GPU_JSON = OUT_DIR / "bench-gpu.json"
BENCH_GPU_MD = OUT_DIR / "bench-gpu.md"


def write_gpu_table(data: dict) -> str:
    """``utils/artefacts/bench-gpu.md``: full mode on a CUDA GPU next to the CPU's full mode."""
    cpu_runs = json.loads(BENCH_JSON.read_text()).get("labs", {}) if BENCH_JSON.exists() else {}
    lines = ["| Lab | Full mode on the GPU | Full mode on the CPU (`make bench`) |",
             "|-----|---------------------:|------------------------------------:|"]
    for lab in lab_names():
        gpu = data.get("labs", {}).get(lab)
        cpu = cpu_runs.get(lab, {}).get("full")
        lines.append(f"| {int(lab[3:5])}. {_chapter_title(lab)} | {_cell(gpu)} | {_cell(cpu)} |")
    m = data.get("machine", {})
    lines += ["", f"Wall time of all the lab's cells and the kernel's peak host memory in full mode with "
                  f"`LAB_DEVICE=cuda`, measured by `make bench-gpu` on {m.get('description', '?')} "
                  f"(Python {m.get('python', '?')}, PyTorch {m.get('torch', '?')}); dates in "
                  f"`utils/artefacts/bench-gpu.json`. Labs whose budgets grow on a GPU "
                  f"(`pick(..., gpu=...)`) do more work there than on the CPU."]
    text = "\n".join(lines) + "\n"
    BENCH_GPU_MD.write_text(text)
    return text


def bench_gpu(labs: list[str]) -> int:
    """``make bench-gpu``: every lab in full mode on this machine's CUDA GPU."""
    try:
        import torch
        has_cuda = torch.cuda.is_available()
    except ImportError:
        has_cuda = False
    if not has_cuda:
        print("make bench-gpu needs a CUDA GPU that PyTorch can see (torch.cuda.is_available() is False "
              "here); run it on a GPU machine, e.g. a Colab GPU runtime with `make venv` done there.",
              file=sys.stderr)
        return 2
    data = json.loads(BENCH_GPU_JSON.read_text()) if BENCH_GPU_JSON.exists() else {}
    data.setdefault("labs", {})
    data["machine"] = machine()
    failed = False
    print(f"Timing {len(labs)} labs in full mode on {data['machine']['description']}")
    for lab in labs:
        print(f"  {lab} full mode on the GPU ... ", end="", flush=True)
        run = run_lab(lab, fast=False, device="cuda")
        data["labs"][lab] = run
        failed |= not run["ok"]
        print(_cell(run))
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    BENCH_GPU_JSON.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    write_gpu_table(data)
    print(f"wrote {BENCH_GPU_JSON.relative_to(ROOT)} and {BENCH_GPU_MD.relative_to(ROOT)}")
    return 1 if failed else 0


# --------------------------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils.instructor.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("labs", nargs="*", help="labs to run (default: every lab in labsolutions/)")
    parser.add_argument("--modes", nargs="+", choices=["fast", "full"], default=["fast", "full"])
    parser.add_argument("--no-labs", action="store_true", help="skip the lab runs")
    parser.add_argument("--no-ratios", action="store_true", help="skip the speed ratios")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per speed ratio")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for NumPy's BLAS and PyTorch in the speed ratios (default 1)")
    parser.add_argument("--gpu", action="store_true",
                        help="full mode on the CUDA GPU only, into utils/artefacts/bench-gpu.* (make bench-gpu)")
    args = parser.parse_args(argv)
    if args.gpu:
        labs = args.labs or lab_names()
        unknown = set(labs) - set(lab_names())
        if unknown:
            parser.error(f"no solution notebook for {sorted(unknown)}; labs are {lab_names()}")
        return bench_gpu(labs)

    data = json.loads(BENCH_JSON.read_text()) if BENCH_JSON.exists() else {}
    data.setdefault("labs", {})
    failed = False
    if not args.no_labs:
        labs = args.labs or lab_names()
        unknown = set(labs) - set(lab_names())
        if unknown:
            parser.error(f"no solution notebook for {sorted(unknown)}; labs are {lab_names()}")
        data["machine"] = machine()
        print(f"Timing {len(labs)} labs ({', '.join(args.modes)} mode) on {data['machine']['description']}")
        for lab in labs:
            for mode in args.modes:
                print(f"  {lab} {mode} mode ... ", end="", flush=True)
                run = run_lab(lab, fast=(mode == "fast"))
                data["labs"].setdefault(lab, {})[mode] = run
                failed |= not run["ok"]
                print(_cell(run))
        for lab in set(data["labs"]) - set(lab_names()):
            del data["labs"][lab]
    if not args.no_ratios:
        data["speed_ratios"] = {"machine": machine()["description"], "repeat": args.repeat,
                                "results": speed_ratios(args.repeat, args.threads),
                                "measured": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    BENCH_JSON.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    write_table(data)
    print(f"wrote {BENCH_JSON.relative_to(ROOT)} and {BENCH_MD.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
