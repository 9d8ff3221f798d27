from otter.test_files import test_case

OK_FORMAT = False

name = "q2_sdpa_numpy"
points = 3

@test_case(points=None, hidden=False)
def test_sdpa_numpy_basic(scaled_dot_product_attention, np):
    q = np.linspace(-1, 1, 2 * 3 * 4).reshape(2, 3, 4)
    k = np.linspace(1, -2, 2 * 5 * 4).reshape(2, 5, 4)
    v = np.linspace(0, 3, 2 * 5 * 6).reshape(2, 5, 6)
    out, w = scaled_dot_product_attention(q, k, v)
    assert out.shape == (2, 3, 6) and w.shape == (2, 3, 5)
    assert np.allclose(w.sum(-1), 1)
    s = q[0, 0] @ k[0].T / 2.0
    assert np.allclose(w[0, 0], np.exp(s) / np.exp(s).sum())
    mask = np.tril(np.ones((3, 5), dtype=bool))
    out, w = scaled_dot_product_attention(q, k, v, mask)
    assert np.all(w[:, ~mask] == 0) and np.allclose(out[:, 0], v[:, 0])

@test_case(points=None, hidden=False)
def test_sdpa_numpy_fully_masked_row(scaled_dot_product_attention, np):
    q = np.linspace(-1, 1, 3 * 4).reshape(3, 4)
    k = np.linspace(1, -2, 5 * 4).reshape(5, 4)
    v = np.linspace(0, 3, 5 * 2).reshape(5, 2)
    mask = np.ones((3, 5), dtype=bool)
    mask[1] = False
    out, w = scaled_dot_product_attention(q, k, v, mask)
    assert np.isfinite(out).all() and np.isfinite(w).all(), 'a fully masked row must not give NaN'
    assert np.all(w[1] == 0) and np.all(out[1] == 0), 'a fully masked row gets zero weights and output'
    assert np.allclose(w[[0, 2]].sum(-1), 1)

