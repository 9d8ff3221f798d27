"""Shared figures. Each function draws into a given (or new) Axes and returns it, so
labs and book chapters compose them; nothing here calls ``plt.show``.
"""

from __future__ import annotations

import numpy as np


def _axes(ax=None, figsize=(6, 3.5)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def smooth(values, weight: float = 0.98) -> np.ndarray:
    """Exponential moving average with bias correction (the first points are not dragged to 0)."""
    values = np.asarray(values, dtype=np.float64)
    if not 0 <= weight < 1:
        raise ValueError(f"weight must lie in [0, 1), got {weight}")
    out = np.empty_like(values)
    avg = 0.0
    for i, v in enumerate(values):
        avg = weight * avg + (1 - weight) * v
        out[i] = avg / (1 - weight ** (i + 1))
    return out


def plot_curves(curves: dict, xlabel: str = "iteration", ylabel: str = "loss", ax=None,
                logy: bool = False, smoothing: float = 0.0, title: str | None = None):
    """Plot named curves. ``curves`` maps a label to ``ys`` or to ``(xs, ys)``."""
    ax = _axes(ax)
    for label, curve in curves.items():
        xs, ys = curve if isinstance(curve, tuple) else (np.arange(len(curve)), curve)
        ys = smooth(ys, smoothing) if smoothing else np.asarray(ys)
        ax.plot(xs, ys, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    if len(curves) > 1:
        ax.legend()
    ax.grid(alpha=0.3)
    return ax
