"""Synthetic long-range sequence tasks (deterministic from a seed).

* The adding problem (Hochreiter and Schmidhuber 1997; the form of Le et al. 2015):
  each step carries a value ``u_t ~ U[0, 1]`` and a marker; exactly two steps are
  marked, one in each half of the sequence, and the target is the sum of their values.
  Predicting the mean, 1, scores MSE = Var(u_a + u_b) = 2/12 = 1/6 ~ 0.167: a model has
  learned the task only well below that.
* The copy-memory task (Arjovsky et al. 2016): ``n_symbols`` random symbols from
  ``1..n_categories``, then ``T`` blanks, with a delimiter in the last blank, after which the
  model must output the symbols. The memoryless baseline (blanks, then a uniform guess)
  scores ``n_symbols * log(n_categories) / (T + 2 * n_symbols)`` nats per step.
"""

from __future__ import annotations

import math

import numpy as np


def _check(n: int, T: int) -> None:
    if not isinstance(n, (int, np.integer)) or n <= 0:
        raise ValueError(f"n (number of sequences) must be a positive integer, got {n!r}")
    if not isinstance(T, (int, np.integer)) or T < 2:
        raise ValueError(f"T (sequence length) must be an integer >= 2, got {T!r}")


def adding_problem(n: int, T: int, seed: int = 0, dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Return ``x`` of shape (n, T, 2) and ``y`` of shape (n,).

    ``x[..., 0]`` are the values, ``x[..., 1]`` the markers (exactly two ones per row:
    one in ``[0, T//2)``, one in ``[T//2, T)``); ``y = sum(x[..., 0] * x[..., 1], axis=1)``.
    """
    _check(n, T)
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, size=(n, T))
    markers = np.zeros((n, T))
    half = T // 2
    rows = np.arange(n)
    markers[rows, rng.integers(0, half, size=n)] = 1.0
    markers[rows, rng.integers(half, T, size=n)] = 1.0
    x = np.stack([values, markers], axis=-1).astype(dtype)
    y = (x[..., 0].astype(np.float64) * x[..., 1]).sum(axis=1).astype(dtype)
    return x, y


ADDING_BASELINE_MSE = 1.0 / 6.0


def copy_memory(n: int, T: int, seed: int = 0, n_symbols: int = 10,
                n_categories: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Return integer ``x`` and ``y`` of shape (n, T + 2 * n_symbols).

    Alphabet: 0 is the blank, ``1..n_categories`` are symbols, ``n_categories + 1`` is the
    delimiter. ``x`` = symbols, ``T - 1`` blanks, the delimiter, ``n_symbols`` blanks;
    ``y`` = blanks everywhere except the last ``n_symbols`` steps, which repeat the symbols.
    """
    _check(n, T)
    if n_symbols < 1 or n_categories < 2:
        raise ValueError("need n_symbols >= 1 and n_categories >= 2")
    rng = np.random.default_rng(seed)
    L = T + 2 * n_symbols
    symbols = rng.integers(1, n_categories + 1, size=(n, n_symbols))
    x = np.zeros((n, L), dtype=np.int64)
    y = np.zeros((n, L), dtype=np.int64)
    x[:, :n_symbols] = symbols
    x[:, n_symbols + T - 1] = n_categories + 1
    y[:, -n_symbols:] = symbols
    return x, y


def copy_memory_baseline(T: int, n_symbols: int = 10, n_categories: int = 8) -> float:
    """Cross-entropy (nats per step) of the best memoryless strategy for :func:`copy_memory`."""
    return n_symbols * math.log(n_categories) / (T + 2 * n_symbols)
