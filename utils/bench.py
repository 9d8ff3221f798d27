"""Measured runtimes: every lab in fast and full mode, and NumPy-vs-PyTorch speed ratios.

``make bench`` (``python -m utils.bench``) does two things:

1. Executes every solution notebook (``labsolutions/labNN_*.ipynb``) top to bottom with
   nbclient, in a fresh kernel per run, in fast mode (``LAB_FAST=1``) and in full mode,
   and records the wall time of its cells and the kernel's peak resident memory. The
   notebooks are not modified. The results go to ``book/_generated/bench.json`` (with a
   description of the machine) and ``book/_generated/bench.md``, the table the landing
   page includes.
2. Times the labs' own NumPy layers (forward + backward) against PyTorch on the CPU at
   batch 64, length 50, hidden 128 (input 128): ``rnn_forward``/``rnn_backward`` (lab 1)
   against ``torch.nn.RNN``, ``lstm_forward``/``lstm_backward`` (lab 3) against
   ``torch.nn.LSTM``, and lab 6's attention against ``F.scaled_dot_product_attention``.
   The functions are taken from the solution notebooks' code cells by name (with
   :mod:`ast`), so what is timed is exactly what the labs teach; their outputs are
   compared with PyTorch's before anything is timed. Ratios go to the terminal and to
   ``bench.json``.

Full mode runs every lab for several minutes: run it on an otherwise idle machine.

    python -m utils.bench                      # everything
    python -m utils.bench lab01_rnn_numpy      # some labs (both modes), then the ratios
    python -m utils.bench --modes fast         # fast mode only (full-mode numbers are kept)
    python -m utils.bench --no-labs            # only the speed ratios
    python -m utils.bench --no-labs --threads 2  # ... with two threads (default: one)
    python -m utils.bench --no-ratios          # only the lab runtimes
    python -m utils.bench --gpu                # full mode on a CUDA GPU (make bench-gpu)
"""

from __future__ import annotations

import argparse
import ast
import datetime as _dt
import json
import os
import platform
import re
import sys
import time
from itertools import permutations
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "book" / "_generated"
BENCH_JSON = OUT_DIR / "bench.json"
BENCH_MD = OUT_DIR / "bench.md"
PEAK_MARKER = "__RNNLABS_BENCH_PEAK__"


# --------------------------------------------------------------------------------------
# The machine
# --------------------------------------------------------------------------------------

def machine() -> dict:
    """What the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_kib = int(next(l for l in Path("/proc/meminfo").read_text().splitlines()
                           if l.startswith("MemTotal")).split()[1])
        mem_gib = round(mem_kib / 2**20)
    except (OSError, StopIteration, ValueError):
        mem_gib = None
    gpu = None
    try:
        import torch

        if torch.cuda.is_available():
            gpu = torch.cuda.get_device_name(0)
        torch_version = torch.__version__
    except ImportError:
        torch_version = None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    desc = f"{cores}-core CPU ({cpu})" + (f", {mem_gib} GiB RAM" if mem_gib else "")
    desc += f", GPU: {gpu}" if gpu else ", no GPU"
    return {"description": desc, "cores": cores, "cpu": cpu, "memory_gib": mem_gib, "gpu": gpu,
            "python": platform.python_version(), "numpy": np.__version__, "torch": torch_version,
            "os": platform.platform()}


def _load() -> str:
    try:
        return "load average %.2f %.2f %.2f (1, 5, 15 min)" % os.getloadavg()
    except OSError:
        return "load average unknown"


# --------------------------------------------------------------------------------------
# 1. Lab runtimes
# --------------------------------------------------------------------------------------

def lab_names() -> list[str]:
    return sorted(p.stem for p in (ROOT / "labsolutions").glob("lab[0-9][0-9]_*.ipynb"))


def run_lab(lab: str, fast: bool, timeout: int = 1800, device: str | None = None) -> dict:
    """Execute ``labsolutions/<lab>.ipynb`` in a fresh kernel; return its time and memory.

    ``wall_s`` runs from the start of the first cell to the end of the last one (kernel
    start-up excluded); ``slowest_cell_s`` and ``slowest_cell`` (its index in the notebook)
    name the longest single cell; ``peak_rss_mib`` is the kernel process's peak resident set
    size (``getrusage``), read by one extra cell appended after the lab. ``device`` ("cpu" or
    "cuda") sets ``LAB_DEVICE`` for the kernel (``utils.config.device``).
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    master = ROOT / "labsolutions" / f"{lab}.ipynb"
    nb = nbformat.read(master, as_version=4)
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
        if cell_index < n_lab_cells:  # not the memory probe appended below
            times["end"] = time.perf_counter()
            cell_times[cell_index] = times["end"] - times["cell_start"]

    env_before = {k: os.environ.get(k) for k in ("LAB_FAST", "PYTHONPATH", "LAB_DEVICE")}
    os.environ["LAB_FAST"] = "1" if fast else "0"
    if device is not None:
        os.environ["LAB_DEVICE"] = device
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env_before["PYTHONPATH"]) if p)
    result = {"ok": True}
    try:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(master.parent)}},
                                on_cell_start=on_cell_start, on_cell_executed=on_cell_executed)
        client.execute()
    except CellExecutionError as exc:
        plain = re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).strip()  # no terminal colours
        result = {"ok": False, "error": plain.splitlines()[-1][:300]}
    except Exception as exc:  # timeouts, dead kernels
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    finally:
        for key, value in env_before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
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
    result["load_after"] = _load()  # the last minute's load: the lab itself adds up to its threads
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
    """``book/_generated/bench.md``: the landing page's runtime table, from ``data``."""
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
                      f"cell where recorded, and the kernel's peak memory, measured by `make bench` on {m.get('description', 'an unknown machine')} "
                      f"(Python {m.get('python', '?')}, NumPy {m.get('numpy', '?')}, "
                      f"PyTorch {m.get('torch', '?')}); dates and load averages in `book/_generated/bench.json`."]
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
    """``book/_generated/bench-gpu.md``: full mode on a CUDA GPU next to the CPU's full mode."""
    cpu_runs = json.loads(BENCH_JSON.read_text()).get("labs", {}) if BENCH_JSON.exists() else {}
    lines = ["| Lab | Full mode on the GPU | Full mode on the CPU (`make bench`) |",
             "|-----|---------------------:|------------------------------------:|"]
    for lab in lab_names():
        gpu = data.get("labs", {}).get(lab)
        lines.append(f"| {int(lab[3:5])}. {_chapter_title(lab)} | {_cell(gpu)} | {_cell(cpu_runs.get(lab, {}).get('full'))} |")
    m = data.get("machine", {})
    lines += ["", f"Wall time of all the lab's cells and the kernel's peak host memory in full mode with "
                  f"`LAB_DEVICE=cuda`, measured by `make bench-gpu` on {m.get('description', '?')} "
                  f"(Python {m.get('python', '?')}, PyTorch {m.get('torch', '?')}); dates in "
                  f"`book/_generated/bench-gpu.json`. Labs whose budgets grow on a GPU "
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
# 2. Speed ratios: the labs' NumPy layers against PyTorch
# --------------------------------------------------------------------------------------

def _strip_magics(source: str) -> str:
    return "\n".join("pass  # " + line if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


def load_functions(notebook: Path, names: list[str]) -> dict:
    """The functions ``names`` as defined in ``notebook``'s code cells (last definition wins).

    Functions and classes they call that the notebook also defines come along; the
    notebook's import statements are executed first. Nothing else in the notebook runs.
    """
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    defs: dict[str, str] = {}
    imports: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        source = _strip_magics(cell.source)
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        lines = source.splitlines()
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                defs[node.name] = "\n".join(lines[first - 1:node.end_lineno])
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                imports.append(ast.get_source_segment(source, node))
    missing = [n for n in names if n not in defs]
    if missing:
        raise KeyError(f"{notebook.name} defines no {missing} (it defines {sorted(defs)})")
    needed, stack = [], list(names)
    while stack:
        name = stack.pop()
        if name in needed:
            continue
        needed.append(name)
        used = {n.id for n in ast.walk(ast.parse(defs[name])) if isinstance(n, ast.Name)}
        stack.extend(sorted(used & defs.keys()))
    namespace: dict = {"__name__": f"bench_{notebook.stem}"}
    for statement in imports:
        try:
            exec(statement, namespace)
        except Exception:  # an import the timed functions do not need (widgets, otter...)
            pass
    for name in reversed(needed):
        exec(defs[name], namespace)
    return {n: namespace[n] for n in names}


def _best_times(lab_fn, torch_fn, repeat: int) -> tuple[float, float]:
    """Best wall time of each function over ``repeat`` alternating runs, after a warm-up.

    Alternating makes both sides see the same machine (load on a shared machine comes and
    goes), and the minimum is the least disturbed run: other processes only ever add time.
    """
    lab_fn(), torch_fn()
    best = [float("inf"), float("inf")]
    for _ in range(repeat):
        for i, fn in enumerate((lab_fn, torch_fn)):
            start = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - start)
    return best[0], best[1]


def _lab_notebook(prefix: str) -> Path | None:
    found = sorted((ROOT / "labsolutions").glob(f"{prefix}_*.ipynb"))
    return found[0] if found else None


def ratio_rnn(kind: str, N=64, T=50, D=128, H=128, dtype=np.float32, repeat=7) -> dict:
    """Lab RNN/LSTM forward+backward against torch.nn.RNN/LSTM on the CPU, same shapes."""
    import torch

    lab = _lab_notebook("lab01" if kind == "rnn" else "lab03")
    if lab is None:
        raise FileNotFoundError(f"no solution notebook for the {kind.upper()} lab yet")
    fwd, bwd = f"{kind}_forward", f"{kind}_backward"
    f = load_functions(lab, [fwd, bwd])
    G = 1 if kind == "rnn" else 4
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, T, D)).astype(dtype)
    h0 = (0.1 * rng.standard_normal((N, H))).astype(dtype)
    Wx = (rng.standard_normal((D, G * H)) / np.sqrt(D)).astype(dtype)
    Wh = (rng.standard_normal((H, G * H)) / np.sqrt(H)).astype(dtype)
    b = (0.1 * rng.standard_normal(G * H)).astype(dtype)
    dout = rng.standard_normal((N, T, H)).astype(dtype)

    def numpy_step():
        out, cache = f[fwd](x, h0, Wx, Wh, b)
        return out, f[bwd](dout, cache)

    tdtype = torch.float32 if dtype == np.float32 else torch.float64
    module = (torch.nn.RNN(D, H, batch_first=True) if kind == "rnn"
              else torch.nn.LSTM(D, H, batch_first=True)).to(tdtype)
    xt = torch.tensor(x, requires_grad=True)
    h0t = torch.tensor(h0)[None]
    state = h0t if kind == "rnn" else (h0t, torch.zeros_like(h0t))
    doutt = torch.tensor(dout)

    # The same computation? Load the lab's weights into the module and compare outputs.
    # LSTM gate order differs between conventions (PyTorch: i, f, g, o): try each order.
    ours, _ = numpy_step()
    best = (np.inf, None)
    orders = [(0,)] if kind == "rnn" else list(permutations(range(4)))
    for order in orders:
        idx = np.concatenate([np.arange(g * H, (g + 1) * H) for g in order])
        with torch.no_grad():
            module.weight_ih_l0.copy_(torch.tensor(Wx[:, idx].T))
            module.weight_hh_l0.copy_(torch.tensor(Wh[:, idx].T))
            module.bias_ih_l0.copy_(torch.tensor(b[idx]))
            module.bias_hh_l0.zero_()
            theirs = module(xt, state)[0].numpy()
        err = float(np.max(np.abs(theirs - ours)))
        best = min(best, (err, order))
    # lab block k feeds PyTorch gate argsort(order)[k] of "ifgo"
    gate_order = None if kind == "rnn" else "".join("ifgo"[j] for j in np.argsort(best[1]))

    def torch_step():
        module.zero_grad(set_to_none=True)
        xt.grad = None
        out = module(xt, state)[0]
        out.backward(doutt)

    t_numpy, t_torch = _best_times(numpy_step, torch_step, repeat)
    return {"what": f"{kind.upper()} forward+backward, batch {N}, length {T}, input {D}, hidden {H}, "
                    f"{np.dtype(dtype).name}",
            "lab": lab.stem, "numpy_ms": round(1e3 * t_numpy, 2), "torch_ms": round(1e3 * t_torch, 2),
            "ratio": round(t_numpy / t_torch, 2), "max_abs_diff_vs_torch": float(f"{best[0]:.2e}"),
            "matches_torch": bool(best[0] < _TOL[np.dtype(dtype).name]),
            **({"lab_gate_order": gate_order} if gate_order else {})}


# Largest |lab - PyTorch| output difference accepted as "the same computation".
_TOL = {"float32": 1e-4, "float64": 1e-10}

# Lab 6's attention functions, timed when the notebook defines them: the NumPy one and
# the PyTorch one (through autograd); other names are tried for labs written differently.
ATTENTION_NAMES = ("scaled_dot_product_attention", "scaled_dot_product_attention_torch",
                   "attention_forward", "attention")


def attention_functions() -> list[str]:
    """The names of ``ATTENTION_NAMES`` that Lab 6's solution defines (empty if none)."""
    import nbformat

    lab = _lab_notebook("lab06")
    if lab is None:
        return []
    defined = {node.name for cell in nbformat.read(lab, as_version=4).cells if cell.cell_type == "code"
               for node in _safe_body(cell.source) if isinstance(node, ast.FunctionDef)}
    return [n for n in ATTENTION_NAMES if n in defined]


def ratio_attention(name: str | None = None, N=64, T=50, d=128, dtype=np.float32, repeat=7) -> dict:
    """Lab 6's attention ``name`` against F.scaled_dot_product_attention (CPU, same shapes).

    A NumPy function is timed forward only (forward+backward when the lab has a matching
    ``*_backward``); a PyTorch one forward+backward through autograd, like the reference.
    """
    import inspect

    import torch
    import torch.nn.functional as F

    lab = _lab_notebook("lab06")
    if lab is None:
        raise FileNotFoundError("no solution notebook for the Transformer lab yet")
    defined = attention_functions()
    name = name or (defined[0] if defined else None)
    if name not in defined:
        raise KeyError(f"{lab.name} defines none of {ATTENTION_NAMES}")
    backward = name.replace("forward", "backward") if name.endswith("_forward") else None
    f = load_functions(lab, [name] + ([backward] if backward and backward in defined else []))
    params = inspect.signature(f[name]).parameters
    required = [p for p in params.values() if p.default is inspect.Parameter.empty
                and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]

    def attn(q_, k_, v_):  # mask (when required) is None: no masking
        return f[name](q_, k_, v_, *([None] * (len(required) - 3)))
    rng = np.random.default_rng(0)
    q, k, v = (rng.standard_normal((N, T, d)).astype(dtype) for _ in range(3))
    dout = rng.standard_normal((N, T, d)).astype(dtype)
    qt, kt, vt = (torch.tensor(a, requires_grad=True) for a in (q, k, v))
    try:
        probe = attn(q, k, v)
    except Exception:  # not a NumPy function: it must take tensors
        probe = attn(qt, kt, vt)
    uses_torch = isinstance(probe, torch.Tensor) or (isinstance(probe, tuple) and isinstance(probe[0], torch.Tensor))
    if uses_torch:  # a PyTorch implementation: time forward+backward through autograd
        def lab_step():
            for t in (qt, kt, vt):
                t.grad = None
            out = attn(qt, kt, vt)
            (out[0] if isinstance(out, tuple) else out).backward(torch.tensor(dout))
        ours = attn(qt, kt, vt)
        ours = (ours[0] if isinstance(ours, tuple) else ours).detach().numpy()
        what = "forward+backward (autograd)"
    else:
        out_cache = probe
        has_bwd = backward in f and isinstance(out_cache, tuple)

        def lab_step():
            res = attn(q, k, v)
            if has_bwd:
                f[backward](dout, res[1])
        ours = out_cache[0] if isinstance(out_cache, tuple) else out_cache
        what = "forward+backward" if has_bwd else "forward only"

    def torch_step():
        if what == "forward only":
            with torch.no_grad():
                F.scaled_dot_product_attention(qt, kt, vt)
            return
        for t in (qt, kt, vt):
            t.grad = None
        F.scaled_dot_product_attention(qt, kt, vt).backward(torch.tensor(dout))

    with torch.no_grad():
        ref = F.scaled_dot_product_attention(qt, kt, vt).numpy()
    err = float(np.max(np.abs(np.asarray(ours) - ref)))
    t_lab, t_torch = _best_times(lab_step, torch_step, repeat)
    return {"what": f"attention `{name}({', '.join(params)})` {what}, batch {N}, length {T}, "
                    f"dim {d}, {np.dtype(dtype).name}, no mask",
            "lab": lab.stem, "lab_ms": round(1e3 * t_lab, 2), "torch_ms": round(1e3 * t_torch, 2),
            "ratio": round(t_lab / t_torch, 2), "max_abs_diff_vs_torch": float(f"{err:.2e}"),
            "matches_torch": bool(err < _TOL[np.dtype(dtype).name])}


def _safe_body(source: str):
    try:
        return ast.parse(_strip_magics(source)).body
    except SyntaxError:
        return []


def speed_ratios(repeat: int = 20, threads: int | None = None) -> list[dict]:
    """Every ratio, with NumPy's BLAS and PyTorch limited to ``threads`` (default 1).

    One thread by default: at these sizes (64 x 128 matrices) a second thread gains little,
    and on a shared machine extra threads only add noise (measured here: under load, two
    threads made both sides several times slower and the ratios erratic).
    """
    import torch

    threads = threads or 1
    torch.set_num_threads(threads)
    try:
        from threadpoolctl import threadpool_limits  # scikit-learn's dependency
    except ImportError:
        limiter = None
    else:
        limiter = threadpool_limits(limits=threads)
    try:
        return _speed_ratios(repeat)
    finally:
        if limiter is not None:
            limiter.restore_original_limits()


def _speed_ratios(repeat: int) -> list[dict]:
    import torch

    results = []
    jobs = [("RNN", lambda: ratio_rnn("rnn", repeat=repeat)),
            ("RNN", lambda: ratio_rnn("rnn", dtype=np.float64, repeat=repeat)),
            ("LSTM", lambda: ratio_rnn("lstm", repeat=repeat)),
            ("LSTM", lambda: ratio_rnn("lstm", dtype=np.float64, repeat=repeat)),
            *[("attention", lambda n=n: ratio_attention(n, repeat=repeat)) for n in attention_functions()
              or ["scaled_dot_product_attention"]]]
    print(f"\nSpeed ratios on the CPU (best of {repeat} alternating runs after a warm-up; {torch.get_num_threads()} "
          f"threads for NumPy's BLAS and PyTorch; {_load()}):")
    for label, job in jobs:
        try:
            r = job()
        except Exception as exc:
            r = {"what": label, "error": f"{type(exc).__name__}: {exc}"}
            print(f"  {label}: not measured ({r['error']})")
        else:
            ms = r.get("numpy_ms", r.get("lab_ms"))
            extra = f", lab gate order {r['lab_gate_order']}" if "lab_gate_order" in r else ""
            same = "" if r["matches_torch"] else " OUTPUTS DIFFER FROM PYTORCH'S"
            print(f"  {r['what']}: lab {ms} ms, PyTorch {r['torch_ms']} ms -> lab/PyTorch = "
                  f"{r['ratio']}x (max |diff| {r['max_abs_diff_vs_torch']}{extra}){same}")
        r["threads"] = torch.get_num_threads()
        results.append(r)
    return results


# --------------------------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("labs", nargs="*", help="labs to run (default: every lab in labsolutions/)")
    parser.add_argument("--modes", nargs="+", choices=["fast", "full"], default=["fast", "full"])
    parser.add_argument("--no-labs", action="store_true", help="skip the lab runs")
    parser.add_argument("--no-ratios", action="store_true", help="skip the speed ratios")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per speed ratio")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for NumPy's BLAS and PyTorch in the speed ratios (default 1)")
    parser.add_argument("--gpu", action="store_true",
                        help="full mode on the CUDA GPU only, into book/_generated/bench-gpu.* (make bench-gpu)")
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
