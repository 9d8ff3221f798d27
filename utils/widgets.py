"""ipywidgets for the labs, each with a static fallback.

A widget is interactive only with a live kernel. The rendered book has none, so book
chapters call the same functions with ``static=True``: they then draw or print the
result for a fixed list of settings instead of showing a control. The static path is
also taken when ipywidgets is not installed.
"""

from __future__ import annotations

from typing import Callable, Sequence


def _have_ipywidgets() -> bool:
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def slider(render: Callable[[float], None], name: str, values: Sequence[float],
           start: float | None = None, static: bool = False, static_values: Sequence[float] | None = None):
    """Call ``render(value)`` under a slider over ``values`` (or, statically, for each
    of ``static_values``, default: first, middle and last of ``values``).

    Returns the widget, or ``None`` on the static path.
    """
    values = list(values)
    if not values:
        raise ValueError("slider needs at least one value")
    if static or not _have_ipywidgets():
        for v in static_values if static_values is not None else sorted({values[0], values[len(values) // 2], values[-1]}):
            render(v)
        return None
    import ipywidgets as w

    control = w.SelectionSlider(options=values, value=start if start is not None else values[len(values) // 2],
                                description=name, continuous_update=False)
    return w.interact(render, **{"value": control})


# ---------------------------------------------------------------------------
# Lab 6 (Transformers): attention-map explorer
# ---------------------------------------------------------------------------

def _draw_attention(ax, weights, tokens, title=None):
    ax.imshow(weights, cmap="viridis", vmin=0, vmax=max(float(weights.max()), 1e-12))
    ticks = range(len(tokens))
    labels = [repr(t)[1:-1] if t.isspace() else t for t in tokens]
    ax.set_xticks(ticks, labels, fontsize=6)
    ax.set_yticks(ticks, labels, fontsize=6)
    ax.set_xlabel("attended position (key)", fontsize=8)
    ax.set_ylabel("position (query)", fontsize=8)
    if title:
        ax.set_title(title, fontsize=9)


def attention_explorer(attention_fn: Callable, text: str, static: bool = False):
    """Explore attention maps: ``attention_fn(text) -> (tokens, maps)`` with ``maps`` of shape
    (layers, heads, T, T) (row = query position) and ``tokens`` a sequence of T strings.

    Interactive: a text box and layer/head dropdowns above one heatmap. Static (or without
    ipywidgets): a grid of every layer and head for ``text``. Returns the widget or ``None``.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    tokens, maps = attention_fn(text)
    maps = np.asarray(maps)
    if maps.ndim != 4 or maps.shape[2] != maps.shape[3] or maps.shape[2] != len(tokens):
        raise ValueError(f"attention_fn must return T tokens and maps of shape (layers, heads, T, T), "
                         f"got {len(tokens)} tokens and maps of shape {maps.shape}")
    n_layers, n_heads = maps.shape[:2]
    if static or not _have_ipywidgets():
        fig, axes = plt.subplots(n_layers, n_heads, figsize=(3.2 * n_heads, 3.3 * n_layers), squeeze=False)
        for l in range(n_layers):
            for h in range(n_heads):
                _draw_attention(axes[l, h], maps[l, h], tokens, f"layer {l + 1}, head {h + 1}")
        fig.tight_layout()
        return None
    import ipywidgets as w

    def render(text, layer, head):
        toks, m = attention_fn(text)
        fig, ax = plt.subplots(figsize=(6, 6))
        _draw_attention(ax, np.asarray(m)[layer - 1, head - 1], toks, f"layer {layer}, head {head}")
        plt.show()

    return w.interact(render,
                      text=w.Text(value=text, description="text", continuous_update=False),
                      layer=w.Dropdown(options=list(range(1, n_layers + 1)), description="layer"),
                      head=w.Dropdown(options=list(range(1, n_heads + 1)), description="head"))
