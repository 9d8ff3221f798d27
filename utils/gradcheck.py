"""Numerical gradients by centred differences, for checking hand-derived backward passes.

``check_shape`` is the input check the NumPy layers of Labs 1 and 3 share, and
``gradcheck_report`` the one way every lab prints a gradient check (Lab 1 writes it out
where it teaches gradient checking; later labs import it from here).

The numerical gradients perturb the array in place and restore it, so they work on the very
parameter arrays a layer reads. Use float64 inputs: with float32 the rounding error
of f(x+h) - f(x-h) swamps the O(h^2) truncation error and no check below 1e-4 is possible.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def rel_error(x, y) -> float:
    """Maximum elementwise relative error ``|x - y| / max(1e-8, |x| + |y|)``.

    The floor 1e-8 keeps entries where both gradients are (numerically) zero from
    dividing by zero; it is far below any gradient a check compares.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"rel_error needs arrays of the same shape, got {x.shape} and {y.shape}")
    if x.size == 0:
        return 0.0
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def check_shape(name, array, shape, dims=None) -> None:
    """Raise ValueError unless ``array.shape`` matches ``shape`` (``None`` matches any size).

    ``dims`` names the expected shape symbolically for the message, e.g. ``"(N, H)"``;
    by default the message shows ``shape`` with ``?`` for the sizes that may be anything.
    """
    got = tuple(np.shape(array))
    if len(got) != len(shape) or any(s is not None and g != s for g, s in zip(got, shape)):
        if dims is None:
            dims = "(" + ", ".join("?" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
        raise ValueError(f"{name} must have shape {dims}, got {got}")


def gradcheck_report(names, analytic, numeric, tol=1e-7):
    """Print the relative error of each analytic gradient and assert it is at most ``tol``."""
    for name, a, n in zip(names, analytic, numeric):
        err = rel_error(a, n)
        print(f"{name:>8s}: relative error {err:.1e}")
        assert err <= tol, f"{name}: relative error {err:.1e} > {tol:.0e}: the backward pass is wrong"


def _check_float64(x: np.ndarray, name: str) -> None:
    if not isinstance(x, np.ndarray):
        raise ValueError(f"{name} must be a NumPy array, got {type(x).__name__}")
    if x.dtype != np.float64:
        raise ValueError(f"{name} must be float64 for a meaningful gradient check, got {x.dtype}")


def eval_numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5,
                            verbose: bool = False) -> np.ndarray:
    """Gradient of a scalar function ``f`` at ``x`` by centred differences.

    ``df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2h)``, error O(h^2).
    Returns an array shaped like ``x``.
    """
    _check_float64(x, "x")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        fxph = float(f(x))
        x[ix] = old - h
        fxmh = float(f(x))
        x[ix] = old
        grad[ix] = (fxph - fxmh) / (2 * h)
        if verbose:
            print(ix, grad[ix])
        it.iternext()
    return grad


def eval_numerical_gradient_array(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray,
                                  df: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Gradient of ``sum(f(x) * df)`` with respect to ``x``: the vector-Jacobian product.

    This is exactly what a backward pass computes when the upstream gradient is
    ``df``, so it checks ``x_backward(df, cache)`` for array-valued layers.
    """
    _check_float64(x, "x")
    df = np.asarray(df)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        pos = np.array(f(x), dtype=np.float64, copy=True)
        x[ix] = old - h
        neg = np.array(f(x), dtype=np.float64, copy=True)
        x[ix] = old
        if pos.shape != df.shape:
            raise ValueError(f"f(x) has shape {pos.shape} but df has shape {df.shape}")
        grad[ix] = np.sum((pos - neg) * df) / (2 * h)
        it.iternext()
    return grad
