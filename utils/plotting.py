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


# ---------------------------------------------------------------------------
# Lab 5 (PixelRNN / PixelCNN): image grids and pixel-dependency maps
# ---------------------------------------------------------------------------

def image_grid(images, ncols: int = 8, ax=None, title: str | None = None, pad: int = 1):
    """Show binary or grey images ``(N, H, W)`` (or ``(N, 1, H, W)``) as one grid, black on white."""
    images = np.asarray(images, dtype=np.float64)
    if images.ndim == 4 and images.shape[1] == 1:
        images = images[:, 0]
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(f"images must have shape (N, H, W) or (N, 1, H, W) with N >= 1, got {images.shape}")
    n, h, w = images.shape
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    canvas = np.full((nrows * (h + pad) + pad, ncols * (w + pad) + pad), 0.5)
    for k, img in enumerate(images):
        r, c = divmod(k, ncols)
        canvas[pad + r * (h + pad):pad + r * (h + pad) + h, pad + c * (w + pad):pad + c * (w + pad) + w] = img
    ax = _axes(ax, figsize=(ncols * 0.6 + 0.5, nrows * 0.6 + 0.5))
    ax.imshow(canvas, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return ax


def plot_dependencies(deps, shape, pixel, ax=None, title: str | None = None):
    """Draw which input pixels one output pixel depends on.

    ``deps`` is a ``(D, D)`` boolean matrix (``deps[i, j]``: output ``i`` depends on input
    ``j``, raster order, ``D = H * W``) or the ``(D,)`` row of one output; ``pixel`` is
    ``(row, col)``. Blue: dependencies; red: the pixel; hatched grey: pixels that come
    before it in raster order but that it cannot see (the blind spot).
    """
    from matplotlib.colors import ListedColormap

    H, W = shape
    r, c = pixel
    if not (0 <= r < H and 0 <= c < W):
        raise ValueError(f"pixel must lie in the {H}x{W} image, got {pixel}")
    deps = np.asarray(deps, dtype=bool)
    i = r * W + c
    row = deps[i] if deps.ndim == 2 else deps
    if row.shape != (H * W,):
        raise ValueError(f"deps must have shape ({H * W}, {H * W}) or ({H * W},), got {deps.shape}")
    codes = np.zeros(H * W)
    codes[:i] = 1  # in the past but not seen: blind
    codes[row] = 2
    codes[i] = 3
    ax = _axes(ax, figsize=(2.4, 2.4))
    ax.imshow(codes.reshape(H, W), cmap=ListedColormap(["white", "#d9d9d9", "#3b75af", "#d62728"]),
              vmin=-0.5, vmax=3.5, interpolation="nearest")
    ax.set_xticks(np.arange(-0.5, W, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, H, 1), minor=True)
    ax.grid(which="minor", color="white", linewidth=0.5)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    blind = int(i - row[:i].sum())
    ax.set_title(f"{title}\n{blind} blind" if title else f"{blind} blind", fontsize=9)
    return ax


# ----------------------------------------------------------------------------------------
# Lab 3 (LSTM and GRU): activations of one cell shown as coloured text, after the figures
# of Karpathy, Johnson and Fei-Fei (2016).
# ----------------------------------------------------------------------------------------

def activation_html(text: str, values, title: str = "", vmax: float | None = None) -> str:
    """HTML that renders ``text`` with each character's background coloured by ``values``
    (one number per character): blue for negative, red for positive, white for 0,
    saturating at ``vmax`` (default: the largest |value|). Newlines are kept.
    """
    import html as _html

    values = np.asarray(values, dtype=np.float64)
    if values.shape != (len(text),):
        raise ValueError(f"values must have shape ({len(text)},) (one per character), got {values.shape}")
    scale = vmax if vmax is not None else max(float(np.abs(values).max()), 1e-12)
    spans = []
    for ch, v in zip(text, values):
        a = min(abs(v) / scale, 1.0)
        rgb = (255, int(255 * (1 - a)), int(255 * (1 - a))) if v > 0 else (int(255 * (1 - a)), int(255 * (1 - a)), 255)
        shown = "\u21b5\n" if ch == "\n" else _html.escape(ch)
        spans.append(f'<span style="background-color:rgb{rgb}">{shown}</span>')
    head = (f"<div style='font-family:sans-serif;font-size:90%;margin:4px 0'>{_html.escape(title)}</div>"
            if title else "")
    return (f"{head}<pre style='font-family:monospace;font-size:80%;line-height:1.25;white-space:pre;"
            f"background:white;color:black;padding:4px;border:1px solid #ddd'>{''.join(spans)}</pre>")
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


def show_answer(image, alpha, answers, probs, title: str = ""):
    """A VQA model's answer: the scene, its attention over the scene's cells, and its top answers.

    ``image`` (3, S, S) in [0, 1]; ``alpha`` (L,) attention weights over a sqrt(L) x sqrt(L) grid of
    cells; ``answers`` and ``probs`` the top answers and their probabilities, best first.
    Returns the array of Axes.
    """
    import matplotlib.pyplot as plt

    probs = np.asarray(probs, dtype=np.float64)
    if len(answers) == 0 or probs.shape != (len(answers),):
        raise ValueError(f"need one probability per answer, got {len(answers)} answers and shape {probs.shape}")
    _, axes = plt.subplots(1, 3, figsize=(8, 2.4), gridspec_kw={"width_ratios": [1, 1, 1.6]})
    show_attention(image, ["attention"], np.asarray(alpha, dtype=np.float64)[None], axes=axes[:2], title="scene")
    axes[2].barh(list(answers)[::-1], probs[::-1])
    axes[2].set(xlim=(0, 1), xlabel="probability")
    axes[2].set_title(title, fontsize=7)
    plt.tight_layout()
    return axes



GRID_MARKERS = {"circle": "o", "square": "s", "triangle": "^"}


def draw_grid_world(grid, start, goal: int, paths=(), title: str = "", ax=None):
    """A layout of :mod:`utils.data.gridnav` with the agents' paths on it.

    ``grid`` (n, n) cell tokens: walls grey, each landmark drawn as its shape in its scene colour,
    the ``goal`` (a landmark id, an index into ``LANDMARKS``) ringed. ``start`` (row, column,
    heading): an arrow along the heading. ``paths``: (label, cells, colour, stopped) with ``cells``
    (m, 2) the (row, column) cells visited in order; the end is a square when the agent stopped
    and a cross when it ran out of actions (``stopped`` None: no end marker). Paths are shifted
    by a tenth of a cell from one another so that overlapping ones stay visible. Returns the Axes.
    """
    from .data.gridnav import DC, DR, LANDMARKS, WALL
    from .data.shapes import COLORS

    grid = np.asarray(grid)
    n = grid.shape[0]
    goal_cells = np.argwhere(grid == 2 + goal)
    if grid.ndim != 2 or grid.shape != (n, n) or len(goal_cells) != 1:
        raise ValueError(f"need a square grid holding the goal landmark {goal} once, got shape {grid.shape}")
    ax = _axes(ax, figsize=(4, 4))
    cell = ax.get_window_extent().width / n * 72 / ax.figure.dpi  # one cell, in points
    ax.imshow(grid == WALL, cmap="Greys", vmin=0, vmax=1.5)
    for r, c in np.argwhere(grid >= 2):
        colour, shape = LANDMARKS[grid[r, c] - 2]
        ax.scatter(c, r, marker=GRID_MARKERS[shape], s=(0.5 * cell) ** 2, color=COLORS[colour],
                   edgecolors="k", zorder=3)
    (gr, gc), = goal_cells
    ax.scatter(gc, gr, marker="o", s=(0.95 * cell) ** 2, facecolors="none", edgecolors="k", linewidths=1.5)
    r0, c0, h0 = (int(v) for v in start)
    ax.annotate("", xy=(c0 + 0.45 * DC[h0], r0 + 0.45 * DR[h0]), xytext=(c0, r0),
                arrowprops=dict(arrowstyle="->", lw=2))
    for k, (label, cells, colour, stopped) in enumerate(paths):
        cells = np.asarray(cells, dtype=float) + (k - (len(paths) - 1) / 2) * 0.1
        ax.plot(cells[:, 1], cells[:, 0], "-o", color=colour, lw=2, ms=3, label=label)
        if stopped is not None:
            ax.scatter(cells[-1, 1], cells[-1, 0], marker="s" if stopped else "x", s=60, color=colour, zorder=4)
    ax.set(xticks=[], yticks=[], xlim=(-0.5, n - 0.5), ylim=(n - 0.5, -0.5))
    ax.set_title(title, fontsize=8)
    return ax
