"""Run-mode switches shared by every lab.

Fast mode (``LAB_FAST=1``: CI and grading) shrinks every size that costs time so a lab
runs in under a minute on a 2-core CPU; full mode (the default) is what students run, on
a CUDA GPU when there is one (``device()``), where ``pick(..., gpu=...)`` lets a budget
that CPU time limits grow. ``LAB_DEVICE=cpu`` or ``LAB_DEVICE=cuda`` forces the device
(``make bench-gpu`` runs the labs with ``LAB_DEVICE=cuda``).
"""

from __future__ import annotations

import os
import random

import numpy as np

FAST: bool = os.environ.get("LAB_FAST", "0").strip().lower() in {"1", "true", "yes"}


_UNSET = object()


def pick(fast, full, gpu=_UNSET):
    """Return ``fast`` in fast mode and ``full`` otherwise; in full mode on a CUDA GPU
    (``device()``), ``gpu`` when it is given.

    Wrap every size that costs time: ``n_iters = pick(fast=50, full=5000)``; a budget set by
    what a CPU can do in a class period can grow on a GPU: ``pick(fast=4, full=800, gpu=4000)``.
    """
    if FAST:
        return fast
    if gpu is not _UNSET and device().type == "cuda":
        return gpu
    return full


def device():
    """The torch device labs should use: CUDA when available, else the CPU.

    ``LAB_DEVICE=cpu`` forces the CPU (to compare on a GPU machine); ``LAB_DEVICE=cuda``
    insists on a GPU and raises when PyTorch sees none.
    """
    import torch

    want = os.environ.get("LAB_DEVICE", "").strip().lower()
    if want not in ("", "cpu", "cuda"):
        raise ValueError(f"LAB_DEVICE must be 'cpu' or 'cuda', got {want!r}")
    if want == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("LAB_DEVICE=cuda, but PyTorch sees no CUDA GPU here")
    if want == "cpu":
        return torch.device("cpu")
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's legacy global and torch's generators (CPU and CUDA).

    Labs that need a NumPy generator should still create their own
    ``np.random.default_rng(seed)``: explicit generators make results independent
    of cell execution order.
    """
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    try:
        import torch
    except ImportError:  # torch is optional for the NumPy-only labs
        return
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
