import numpy as np
import pytest

from utils.data import future_tagging, future_tagging_causal_bound


def test_labels_by_brute_force():
    x, y = future_tagging(20, 12, seed=3, vocab=5)
    assert x.shape == y.shape == (20, 12) and x.dtype == y.dtype == np.int64
    for xs, ys in zip(x, y):
        assert [int(xs[t] in xs[t + 1:]) for t in range(12)] == list(ys)


def test_deterministic_and_bound():
    a, b = future_tagging(5, 30, seed=1), future_tagging(5, 30, seed=1)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    x, y = future_tagging(20000, 30, seed=0)
    p = y.mean(axis=0)                      # empirical P(label = 1) per position
    assert np.allclose(p, 1 - 0.9 ** (29 - np.arange(30)), atol=0.02)
    assert future_tagging_causal_bound(30) == pytest.approx(np.maximum(p, 1 - p).mean(), abs=0.01)


@pytest.mark.parametrize("kw", [dict(n=0, T=5), dict(n=2, T=1), dict(n=2, T=5, vocab=1)])
def test_bad_input(kw):
    with pytest.raises(ValueError):
        future_tagging(**kw)
