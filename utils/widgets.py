"""ipywidgets for the labs, each with a static fallback.

Every helper works with ipywidgets 7.x (Colab ships 7.7.1, and its front end renders only
7.x widgets) and 8.x (local installs); ``tests/labs/test_colab_image.py`` drives each of them
once on Colab's version. Helpers built on ``interact`` return the rendering function with
the widget as its ``.widget`` attribute, as ``ipywidgets.interact`` does.

A widget is interactive only with a live kernel. The rendered book has none, so book
chapters call the same functions with ``static=True``: they then draw or print the
result for a fixed list of settings instead of showing a control. The static path is
also taken when ipywidgets is not installed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence


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
        if static_values is None:
            static_values = sorted({values[0], values[len(values) // 2], values[-1]})
        for v in static_values:
            render(v)
        return None
    import ipywidgets as w

    control = w.SelectionSlider(options=values, value=start if start is not None else values[len(values) // 2],
                                description=name, continuous_update=False)
    return w.interact(lambda value: render(value), value=control)


# ---------------------------------------------------------------------------------------
# Labs 2 and 4: one dropdown per argument of a drawing function.
# ---------------------------------------------------------------------------------------

def dropdowns(render: Callable[..., None], options: dict, static: bool = False,
              static_values: Sequence[dict] | None = None, texts: dict | None = None):
    """Call ``render(**choice)`` under one dropdown per entry of ``options`` (name -> list
    of values), for example ``dropdowns(plot, {"rho": [0.5, 1.0], "nonlinearity": ["tanh"]})``,
    and one text box per entry of ``texts`` (name -> initial text; the drawing follows when
    Enter is pressed); or, statically, once for each dict in ``static_values`` (default: the
    first value of every option and the initial texts). Returns the widget box, or ``None``
    on the static path.

    The interactive path draws the first choice directly, then re-draws into an
    ``Output`` widget under the controls each time a control changes; nothing is drawn
    inside the widget until someone uses it, so headless execution (nbclient, nbval)
    records the first drawing as ordinary output.
    """
    texts = dict(texts or {})
    if not options:
        raise ValueError("dropdowns needs at least one option, e.g. {'rho': [0.5, 1.0]}")
    for name, values in options.items():
        if len(list(values)) == 0:
            raise ValueError(f"dropdowns needs at least one value for each option; {name!r} has none")
    if set(texts) & set(options):
        raise ValueError(f"names used both as an option and as a text: {sorted(set(texts) & set(options))}")
    if static or not _have_ipywidgets():
        default = {**{k: list(v)[0] for k, v in options.items()}, **texts}
        for choice in static_values if static_values is not None else [default]:
            unknown = set(choice) - set(options) - set(texts)
            if unknown:
                raise ValueError(f"static value names unknown options {sorted(unknown)}; "
                                 f"expected a subset of {sorted(set(options) | set(texts))}")
            render(**choice)
        return None
    import ipywidgets as w
    from IPython.display import display

    controls = {k: w.Dropdown(options=list(v), description=k) for k, v in options.items()}
    controls.update({k: w.Text(value=str(v), description=k, continuous_update=False,
                               layout=w.Layout(width="460px")) for k, v in texts.items()})
    out = w.Output()

    def update(_change=None):
        import matplotlib.pyplot as plt

        with out:
            out.clear_output(wait=True)
            render(**{k: c.value for k, c in controls.items()})
            plt.show()

    for c in controls.values():
        c.observe(update, names="value")
    render(**{k: c.value for k, c in controls.items()})
    box = w.VBox([w.HBox(list(controls.values())), out])
    display(box)
    return box


# ---------------------------------------------------------------------------
# Lab 5 (PixelRNN / PixelCNN): click a pixel, see what it depends on
# ---------------------------------------------------------------------------

def dependency_explorer(deps: dict, shape, static: bool = False, static_pixels=None, start=None):
    """Click a pixel of an ``H x W`` grid of buttons; see, for each model, the input pixels
    that pixel's prediction depends on (``utils.plotting.plot_dependencies``).

    ``deps`` maps a model name to its ``(D, D)`` boolean dependency matrix. Statically (or
    without ipywidgets) it draws one row of maps per pixel in ``static_pixels`` (default:
    the centre of the last row but one). Returns the widget, or ``None`` on the static path.
    """
    import matplotlib.pyplot as plt

    from .plotting import plot_dependencies

    H, W = shape
    if not deps:
        raise ValueError("deps must map at least one model name to a (D, D) matrix")

    def draw(pixel):
        fig, axes = plt.subplots(1, len(deps), figsize=(2.2 * len(deps), 2.6), squeeze=False)
        for ax, (name, d) in zip(axes[0], deps.items()):
            plot_dependencies(d, shape, pixel, ax=ax, title=name)
        fig.suptitle(f"output pixel (row {pixel[0]}, col {pixel[1]}) in red, what it depends on in blue",
                     fontsize=10, y=1.02)
        fig.tight_layout()
        plt.show()

    if static or not _have_ipywidgets():
        for pixel in static_pixels or [(H - 2, W // 2)]:
            draw(pixel)
        return None
    import ipywidgets as w

    out = w.Output()
    size = "22px" if W <= 12 else "12px"

    def on_click(button):
        out.clear_output(wait=True)
        with out:
            draw(button.pixel)

    buttons = []
    for r in range(H):
        for c in range(W):
            b = w.Button(layout=w.Layout(width=size, height=size, padding="0px"), tooltip=f"({r}, {c})")
            b.pixel = (r, c)
            b.on_click(on_click)
            buttons.append(b)
    grid = w.GridBox(buttons, layout=w.Layout(grid_template_columns=f"repeat({W}, {size})", grid_gap="1px"))
    box = w.HBox([w.VBox([w.Label("click a pixel"), grid]), out])
    with out:
        draw(start or (H - 2, W // 2))
    return box


# ----------------------------------------------------------------------------------------
# Lab 3 (LSTM and GRU): browse the activation of any LSTM cell over any stretch of text.
# ----------------------------------------------------------------------------------------

def cell_browser(text: str, acts, cells: Sequence[int] | None = None, window: int = 600,
                 static: bool = False, labels: dict | None = None):
    """Show ``acts[:, cell]`` (acts of shape (len(text), H)) as coloured text
    (:func:`utils.plotting.activation_html`) with a cell selector and a position slider.

    Static path (``static=True`` or no ipywidgets): renders the first ``window`` characters
    for each cell in ``cells`` (default: cell 0). ``labels`` maps a cell to a caption.
    Returns the widget, or ``None`` on the static path.
    """
    import numpy as np
    from IPython.display import HTML, display

    from .plotting import activation_html

    acts = np.asarray(acts)
    if acts.ndim != 2 or acts.shape[0] != len(text):
        raise ValueError(f"acts must have shape ({len(text)}, H), got {acts.shape}")
    labels = labels or {}
    cells = list(cells) if cells is not None else [0]

    def show(cell, start):
        stop = min(start + window, len(text))
        caption = f"cell {cell}" + (f": {labels[cell]}" if cell in labels else "") + f", characters {start}-{stop}"
        display(HTML(activation_html(text[start:stop], acts[start:stop, cell], caption, vmax=1.0)))

    if static or not _have_ipywidgets():
        for c in cells:
            show(c, 0)
        return None
    import ipywidgets as w

    return w.interact(show, cell=w.BoundedIntText(value=cells[0], min=0, max=acts.shape[1] - 1, description="cell"),
                      start=w.IntSlider(value=0, min=0, max=max(len(text) - window, 0), step=50,
                                        description="start", continuous_update=False))
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
        for layer in range(n_layers):
            for h in range(n_heads):
                _draw_attention(axes[layer, h], maps[layer, h], tokens, f"layer {layer + 1}, head {h + 1}")
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
