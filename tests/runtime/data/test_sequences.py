"""Unit tests for utils.data.sequences (the adding problem and the copy-memory task) and the
Lab 2 use of the widget helper utils.widgets.dropdowns."""

import math

import numpy as np
import pytest

from utils.data import ADDING_BASELINE_MSE, adding_problem, copy_memory, copy_memory_baseline


@pytest.mark.parametrize("T", [2, 3, 10, 101])
def test_adding_problem_shapes_and_markers(T):
    x, y = adding_problem(50, T, seed=1)
    assert x.shape == (50, T, 2) and y.shape == (50,)
    assert x.dtype == np.float32 and y.dtype == np.float32
    markers = x[..., 1]
    assert set(np.unique(markers)) <= {0.0, 1.0}
    assert np.all(markers.sum(1) == 2), "exactly two markers per sequence"
    half = T // 2
    assert np.all(markers[:, :half].sum(1) == 1) and np.all(markers[:, half:].sum(1) == 1), \
        "one marker in each half"
    assert np.all((x[..., 0] >= 0) & (x[..., 0] <= 1))


def test_adding_problem_target_is_sum_of_marked_values():
    x, y = adding_problem(200, 30, seed=2, dtype=np.float64)
    marked = np.where(x[..., 1] == 1.0, x[..., 0], 0.0).sum(1)
    np.testing.assert_allclose(y, marked, rtol=0, atol=1e-12)


def test_adding_problem_deterministic_and_seeded():
    a = adding_problem(8, 12, seed=5)
    b = adding_problem(8, 12, seed=5)
    c = adding_problem(8, 12, seed=6)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    assert not np.array_equal(a[0], c[0])


def test_adding_baseline_mse_matches_theory():
    _, y = adding_problem(100_000, 20, seed=0, dtype=np.float64)
    assert ADDING_BASELINE_MSE == pytest.approx(1 / 6)
    # Var(u_a + u_b) = 1/6; the standard error of the mean of 1e5 squared errors is about 7e-4
    assert np.mean((y - 1.0) ** 2) == pytest.approx(1 / 6, abs=3e-3)


@pytest.mark.parametrize("n,T", [(0, 10), (-1, 10), (3, 1), (3, 0), (2.5, 10), (3, 7.0)])
def test_adding_problem_bad_sizes(n, T):
    with pytest.raises(ValueError, match="n|T"):
        adding_problem(n, T)


def test_copy_memory_layout():
    n, T, S, K = 6, 15, 4, 5
    x, y = copy_memory(n, T, seed=3, n_symbols=S, n_categories=K)
    L = T + 2 * S
    assert x.shape == y.shape == (n, L) and x.dtype == y.dtype == np.int64
    assert np.all((x[:, :S] >= 1) & (x[:, :S] <= K)), "symbols are 1..n_categories"
    assert np.all(x[:, S:S + T - 1] == 0), "T - 1 blanks"
    assert np.all(x[:, S + T - 1] == K + 1), "the delimiter sits in the last blank"
    assert np.all(x[:, S + T:] == 0)
    assert np.all(y[:, :-S] == 0) and np.array_equal(y[:, -S:], x[:, :S]), "y repeats the symbols at the end"


def test_copy_memory_deterministic():
    a = copy_memory(4, 9, seed=11)
    b = copy_memory(4, 9, seed=11)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))


@pytest.mark.parametrize("kwargs", [dict(n_symbols=0), dict(n_categories=1)])
def test_copy_memory_bad_alphabet(kwargs):
    with pytest.raises(ValueError, match="n_symbols|n_categories"):
        copy_memory(2, 10, **kwargs)


def test_copy_memory_bad_sizes():
    with pytest.raises(ValueError):
        copy_memory(0, 10)
    with pytest.raises(ValueError):
        copy_memory(2, 1)


def test_copy_memory_baseline():
    assert copy_memory_baseline(100) == pytest.approx(10 * math.log(8) / 120)
    assert copy_memory_baseline(10, n_symbols=3, n_categories=4) == pytest.approx(3 * math.log(4) / 16)
