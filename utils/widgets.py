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
