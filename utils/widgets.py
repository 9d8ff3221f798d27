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
    return w.interact(lambda value: render(value), value=control)


# ---------------------------------------------------------------------------------------
# Lab 2 (vanishing gradients): a widget over several discrete choices at once.
# ---------------------------------------------------------------------------------------

def choices(render: Callable[..., None], static: bool = False,
            static_settings: Sequence[dict] | None = None, **options: Sequence):
    """Call ``render(**setting)`` under one dropdown per keyword in ``options``.

    ``options`` maps an argument name of ``render`` to the values it may take, for
    example ``choices(plot, rho=[0.5, 1.0, 1.5], nonlinearity=["tanh", "relu"])``. On the
    static path (``static=True`` or no ipywidgets) ``render`` is called once for each dict
    in ``static_settings`` (default: the first value of every option). Returns the
    widget, or ``None`` on the static path.
    """
    if not options:
        raise ValueError("choices needs at least one option, e.g. rho=[0.5, 1.0]")
    for name, values in options.items():
        if len(list(values)) == 0:
            raise ValueError(f"option {name!r} has no values")
    if static or not _have_ipywidgets():
        settings = static_settings if static_settings is not None else [
            {name: list(values)[0] for name, values in options.items()}]
        for setting in settings:
            unknown = set(setting) - set(options)
            if unknown:
                raise ValueError(f"static setting names unknown options {sorted(unknown)}; "
                                 f"expected a subset of {sorted(options)}")
            render(**setting)
        return None
    import ipywidgets as w

    controls = {name: w.Dropdown(options=list(values), value=list(values)[0], description=name)
                for name, values in options.items()}
    return w.interact(render, **controls)
