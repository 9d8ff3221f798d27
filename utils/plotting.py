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


# ---------------------------------------------------------------------------- Lab 4: captioning
def show_attention(image, words, alphas, grid: int | None = None, axes=None, title: str | None = None):
    """Draw ``image`` (3, S, S) once per word with that word's attention map on top.

    ``alphas``: (len(words), L) attention weights over a ``grid`` x ``grid`` feature map
    (``L = grid**2``; ``grid`` defaults to ``sqrt(L)``). Each map is upsampled to the image
    with nearest-neighbour blocks, so a cell covers exactly the pixels it summarises.
    Returns the array of Axes.
    """
    import matplotlib.pyplot as plt

    image = np.asarray(image, dtype=np.float64)
    alphas = np.asarray(alphas, dtype=np.float64)
    if image.ndim != 3 or image.shape[0] != 3:
        raise ValueError(f"image must have shape (3, S, S), got {image.shape}")
    if alphas.ndim != 2 or alphas.shape[0] != len(words):
        raise ValueError(f"alphas must have shape (len(words)={len(words)}, L), got {alphas.shape}")
    grid = grid or int(round(np.sqrt(alphas.shape[1])))
    if grid * grid != alphas.shape[1]:
        raise ValueError(f"L={alphas.shape[1]} is not grid**2 for grid={grid}")
    S = image.shape[1]
    if axes is None:
        _, axes = plt.subplots(1, len(words) + 1, figsize=(1.3 * (len(words) + 1), 1.6))
    axes = np.atleast_1d(axes)
    rgb = image.transpose(1, 2, 0)
    axes[0].imshow(rgb)
    axes[0].set_title(title or "image", fontsize=7)
    for ax, w, a in zip(axes[1:], words, alphas):
        big = np.kron(a.reshape(grid, grid), np.ones((S // grid, S // grid)))
        ax.imshow(rgb)
        ax.imshow(big / big.max(), cmap="gray", alpha=0.6, vmin=0, vmax=1,
                  extent=(-0.5, S - 0.5, S - 0.5, -0.5))
        ax.set_title(w, fontsize=8)
    for ax in axes:
        ax.axis("off")
    return axes
