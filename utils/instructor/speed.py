"""NumPy-vs-PyTorch speed ratios: the labs' own layers against PyTorch's on the CPU.

Part of ``make bench`` (``python -m utils.instructor.bench``): the labs' NumPy layers
(forward + backward) at batch 64, length 50, hidden 128 (input 128): ``rnn_forward`` /
``rnn_backward`` (lab 1) against ``torch.nn.RNN``, ``lstm_forward`` / ``lstm_backward``
(lab 3) against ``torch.nn.LSTM``, and lab 6's attention against
``F.scaled_dot_product_attention``. The functions are taken from the masters' code cells by
name (``masters.load_functions``), so what is timed is exactly what the labs teach; their
outputs are compared with PyTorch's before anything is timed.
"""

from __future__ import annotations

import ast
import time
from itertools import permutations
from pathlib import Path

import numpy as np

from . import masters
from .machine import load_average
from .masters import load_functions
from .paths import lab_names, master_path


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
    found = [lab for lab in lab_names() if lab.startswith(f"{prefix}_")]
    return master_path(found[0]) if found else None


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
    lab = _lab_notebook("lab06")
    if lab is None:
        return []
    defined = {node.name for source in masters.code_sources(masters.read(lab))
               for node in masters.parse_cell(source) if isinstance(node, ast.FunctionDef)}
    return [n for n in ATTENTION_NAMES if n in defined]


def _lab_attention(name: str | None):
    """(lab notebook, name, attn(q, k, v) with no mask, loaded functions, backward name, parameters)."""
    import inspect

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
    return lab, name, attn, f, backward, params


def ratio_attention(name: str | None = None, N=64, T=50, d=128, dtype=np.float32, repeat=7) -> dict:
    """Lab 6's attention ``name`` against F.scaled_dot_product_attention (CPU, same shapes).

    A NumPy function is timed forward only (forward+backward when the lab has a matching
    ``*_backward``); a PyTorch one forward+backward through autograd, like the reference.
    """
    import torch
    import torch.nn.functional as F

    lab, name, attn, f, backward, params = _lab_attention(name)
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
          f"threads for NumPy's BLAS and PyTorch; {load_average()}):")
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
