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


# ---------------------------------------------------------------------------- Lab 4: captioning
def dropdowns(render: Callable[..., None], options: dict, static: bool = False,
              static_values: Sequence[dict] | None = None):
    """Call ``render(**choice)`` under one dropdown per entry of ``options`` (name -> list
    of values), or, statically, once for each dict in ``static_values`` (default: the first
    value of every option). Returns the widget box, or ``None`` on the static path.

    The interactive path draws the first choice directly, then re-draws into an
    ``Output`` widget under the controls each time a control changes; nothing is drawn
    inside the widget until someone uses it, so headless execution (nbclient, nbval)
    records the first drawing as ordinary output.
    """
    if not options or any(len(list(v)) == 0 for v in options.values()):
        raise ValueError("dropdowns needs at least one option, each with at least one value")
    if static or not _have_ipywidgets():
        for choice in static_values or [{k: list(v)[0] for k, v in options.items()}]:
            render(**choice)
        return None
    import ipywidgets as w
    from IPython.display import display

    controls = {k: w.Dropdown(options=list(v), description=k) for k, v in options.items()}
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
